/* Prints a greeting, then passes (or fails with FAIL_CODE) through the SiFive test device. */
#include "common.h"
    .section .text.init
    .globl _start
_start:
    PUTS(msg)
#ifdef FAIL_CODE
    FAIL(FAIL_CODE)
#else
    PASS
#endif
    HANG

    .data
msg:
#ifdef FAIL_CODE
    .asciz "hello, failing\n"
#else
    .asciz "hello from rv64\n"
#endif
