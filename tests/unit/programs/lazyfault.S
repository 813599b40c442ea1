/* Lazy frames: touches frames the host supplies on first touch. Loads a dword from frame
   0x10 into s0, stores 0x5a5a at 0x80011010 (frame 0x11), then with Sv39 (root table in
   frame 0x20 maps VA 0x4000_0000 to PA 0x8000_0000 as a gigapage) and MPRV loads through
   VA 0x40012018 (frame 0x12) into s1; runs an instruction straddling frames 0 and 1 (s3 = 7),
   sets s2 = 1 and waits. The host provides frames 0x10, 0x11, 0x12 and 0x20. */
#define MSTATUS_MPRV (1 << 17)
#define MSTATUS_MPP  (3 << 11)
    .section .text.init
    .globl _start
    .option norvc
_start:
    li t0, 0x80010000
    ld s0, 8(t0)
    li t0, 0x80011000
    li t1, 0x5a5a
    sd t1, 16(t0)
    li t0, (8 << 60) | 0x80020
    csrw satp, t0
    li t0, MSTATUS_MPP
    csrc mstatus, t0
    li t0, MSTATUS_MPRV | (1 << 11)
    csrs mstatus, t0
    li t0, 0x40012000
    ld s1, 24(t0)
    li t0, MSTATUS_MPRV
    csrc mstatus, t0
    csrw satp, zero
    j cross
    .org 0xffe
cross:
    addi s3, zero, 7
    li s2, 1
1:  wfi
    j 1b
