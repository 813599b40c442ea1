/* Lazy RAM: reads a dword far into untouched RAM (at PROBE) into s0, writes one page at
   0x80010000, then spins. */
    .section .text.init
    .globl _start
_start:
    li t0, PROBE
    ld s0, 0(t0)
    li t0, 0x80010000
    li t1, 99
    sd t1, 0(t0)
    li s1, 1
1:  j 1b
