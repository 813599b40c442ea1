/* riscv-tests convention: prints, then stores TOHOST_VALUE to the tohost word. */
#include "common.h"
    .section .text.init
    .globl _start
_start:
    PUTS(msg)
    la t0, tohost
    li t1, TOHOST_VALUE
    sd t1, 0(t0)
    HANG

    .section .tohost, "aw", @progbits
    .align 6
    .globl tohost
tohost: .dword 0
    .align 6
    .globl fromhost
fromhost: .dword 0

    .data
msg: .asciz "tohost program\n"
