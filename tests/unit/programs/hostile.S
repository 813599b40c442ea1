/* Hostile guests. TRAPLOOP: mtvec points at MTVEC (no memory there), then an illegal
   instruction: every trap entry faults again. SCRIBBLE: writes a pattern over all of RAM
   from 0x80001000 to RAM_END (the code page is spared), checks it, and passes. */
#include "common.h"
    .section .text.init
    .globl _start
_start:
#ifdef TRAPLOOP
    li t0, MTVEC
    csrw mtvec, t0
    .word 0                      /* illegal instruction */
    HANG
#endif
#ifdef SCRIBBLE
    li t0, 0x80001000
    li t1, RAM_END
    li t2, 0x5a5a5a5a5a5a5a5a
1:  xor t3, t2, t0
    sd t3, 0(t0)
    addi t0, t0, 8
    bltu t0, t1, 1b
    li t0, 0x80001000
2:  ld t3, 0(t0)
    xor t3, t3, t0
    bne t3, t2, bad
    addi t0, t0, 8
    bltu t0, t1, 2b
    PASS
    HANG
bad:
    FAIL(7)
    HANG
#endif
