/* WFI: with TIMER defined, arms mtimecmp = TIMER with mie.MTIE (mstatus.MIE stays clear,
   so the wakeup does not trap); without, waits with nothing armed. Passes after waking. */
#include "common.h"
    .section .text.init
    .globl _start
_start:
#ifdef TIMER
    li t0, CLINT_MTIMECMP
    li t1, TIMER
    sd t1, 0(t0)
    li t0, 0x80          /* MTIE */
    csrs mie, t0
#endif
    li s0, 1
    wfi
    li s0, 2
    li t0, CLINT_MTIME
    ld s1, 0(t0)         /* mtime seen after the wakeup */
    PUTS(msg)
    PASS
    HANG
    .data
msg: .asciz "woke\n"
