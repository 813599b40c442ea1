/* Shared definitions for the bare-metal test programs (QEMU virt layout). */
#define UART_BASE   0x10000000
#define TEST_BASE   0x100000
#define CLINT_MTIMECMP 0x2004000
#define CLINT_MTIME    0x200bff8

/* Prints the NUL-terminated string at label `str` on the UART (clobbers t0-t2). */
#define PUTS(str) \
    la t1, str; \
    li t0, UART_BASE; \
1:  lbu t2, 0(t1); \
    beqz t2, 2f; \
    sb t2, 0(t0); \
    addi t1, t1, 1; \
    j 1b; \
2:

/* Prints the single character c (an immediate) on the UART (clobbers t0, t1). */
#define PUTC(c) \
    li t0, UART_BASE; \
    li t1, c; \
    sb t1, 0(t0)

/* SiFive test finisher: pass, or fail with a 16-bit code (clobbers t0, t1). */
#define PASS \
    li t0, TEST_BASE; \
    li t1, 0x5555; \
    sw t1, 0(t0)

#define FAIL(code) \
    li t0, TEST_BASE; \
    li t1, (((code) << 16) | 0x3333); \
    sw t1, 0(t0)

/* Park the hart after the machine should already have stopped. */
#define HANG \
3:  j 3b
