/* Access faults: each case loads a resume address into s11; the trap handler appends
   (mcause, mtval) to the log at 0x80030000, prints "T<cause letter>", and resumes there.
   Cases: lw 0x0, ld 0x40000000, sw 0x40000000, sd 0x0, ld just past the end of RAM
   (RAM_END), jump to 0x40000000. Then prints "done" and passes. */
#include "common.h"
    .section .text.init
    .globl _start
_start:
    la t0, handler
    csrw mtvec, t0
    li s10, 0x80030000           /* log pointer */

    la s11, 1f
    li a0, 0
    lw a1, 0(a0)
1:
    la s11, 1f
    li a0, 0x40000000
    ld a1, 0(a0)
1:
    la s11, 1f
    li a0, 0x40000000
    sw a1, 0(a0)
1:
    la s11, 1f
    li a0, 0
    sd a1, 0(a0)
1:
    la s11, 1f
    li a0, RAM_END
    ld a1, 0(a0)
1:
    la s11, 1f
    li a0, 0x40000000
    jr a0
1:
    PUTS(done)
    PASS
    HANG

    .align 4
handler:
    csrr t3, mcause
    csrr t4, mtval
    sd t3, 0(s10)
    sd t4, 8(s10)
    addi s10, s10, 16
    li t0, UART_BASE
    li t1, 'T'
    sb t1, 0(t0)
    addi t1, t3, 'a'
    sb t1, 0(t0)
    csrw mepc, s11
    mret

    .data
done: .asciz "done\n"
