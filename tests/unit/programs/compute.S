/* A deterministic workload: an LCG (seed SEED) fills a 16 KiB table, a checksum
   accumulates in s3, and every 64 iterations a letter goes to the UART. Runs forever. */
#include "common.h"
#ifndef SEED
#define SEED 12345
#endif
    .section .text.init
    .globl _start
_start:
    li s0, SEED                  /* LCG state */
    li s1, 0x80010000            /* table */
    li s2, 0                     /* iteration */
    li s3, 0                     /* checksum */
    li s4, 6364136223846793005
    li s5, 1442695040888963407
    li s6, UART_BASE
loop:
    mul s0, s0, s4
    add s0, s0, s5
    andi t0, s2, 2047            /* 2048 dwords = 16 KiB */
    slli t0, t0, 3
    add t0, t0, s1
    ld t1, 0(t0)
    xor t1, t1, s0
    sd t1, 0(t0)
    add s3, s3, t1
    addi s2, s2, 1
    andi t2, s2, 63
    bnez t2, loop
    srli t2, s0, 59              /* 0..31 */
    addi t2, t2, 'A'
    sb t2, 0(s6)
    j loop
