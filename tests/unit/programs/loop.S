/* A straight infinite loop that counts iterations in s0. */
    .section .text.init
    .globl _start
_start:
    li s0, 0
1:  addi s0, s0, 1
    j 1b
