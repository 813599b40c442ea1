/* Dirty tracking: writes pages A (0x80010000) and B (0x80020000), then spins until the
   host sets s1; then writes A once more and spins again. Uses no stack. */
    .section .text.init
    .globl _start
_start:
    li s1, 0
    li t0, 0x80010000
    li t1, 0x80020000
    li t2, 0x1111
    sd t2, 0(t0)
    sd t2, 8(t0)                 /* second write goes through the write TLB */
    sd t2, 0(t1)
    li s2, 1
1:  beqz s1, 1b
    li t2, 0x2222
    sd t2, 16(t0)
    li s2, 2
2:  j 2b
