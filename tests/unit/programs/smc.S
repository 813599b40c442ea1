/* Self-modifying code: runs `target` (addi a0, zero, 1), records a0 in s2, overwrites
   target with `addi a0, zero, 2` (optionally followed by fence.i), runs it again and
   records a0 in s3. Then prints the two values as digits and passes. */
#include "common.h"
    .option norvc
    .section .text.init
    .globl _start
_start:
#ifdef NEXT
    /* Variant: the store patches the very next instruction, on the second pass through
       a loop whose body (including that instruction) has already run once; s3 = 3. */
    li s0, 0
    li t0, 0
    la t1, patch
    lw t3, 0(t1)                 /* the original word */
    li t2, 0x00300513            /* addi a0, zero, 3 */
loop2:
    beqz s0, 1f
    mv t3, t2
1:  sw t3, 0(t1)
patch:
    addi a0, zero, 1
    addi s0, s0, 1
    beq s0, t0, second           /* t0 = 2 after the first pass */
    mv s2, a0
    li t0, 2
    j loop2
#endif
    li s0, 0
again:
target:
    addi a0, zero, 1
    addi s0, s0, 1
    li t0, 2
    beq s0, t0, second
    mv s2, a0
    la t1, target
    li t2, 0x00200513            /* addi a0, zero, 2 */
    sw t2, 0(t1)
#ifdef FENCE_I
    fence.i
#endif
    j again
second:
    mv s3, a0
    li t0, UART_BASE
    addi t1, s2, '0'
    sb t1, 0(t0)
    addi t1, s3, '0'
    sb t1, 0(t0)
    li t1, '\n'
    sb t1, 0(t0)
    PASS
    HANG
