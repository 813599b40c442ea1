/* RV64I conditional branches: taken / not taken, signed and unsigned
   edge values, forward and backward targets. */
#include "test.h"

/* TEST_BR op, a, b, taken(0/1) */
.macro TEST_BR op, a, b, taken
  li a3, \a
  li a4, \b
  li a5, 0
  \op a3, a4, .Lt\@
  li a5, 1            /* fall-through */
  j .Ld\@
.Lt\@:
  li a5, 2            /* taken */
.Ld\@:
  .if \taken
  CHECK a5, 2
  .else
  CHECK a5, 1
  .endif
.endm

TEST_BEGIN
  TEST_BR beq, 0, 0, 1
  TEST_BR beq, 1, 0, 0
  TEST_BR beq, -1, -1, 1
  TEST_BR beq, 0xffffffff, -1, 0
  TEST_BR beq, 0x100000000, 0, 0
  TEST_BR bne, 0, 0, 0
  TEST_BR bne, 1, 0, 1
  TEST_BR bne, 0x8000000000000000, 0, 1
  TEST_BR bne, -1, -1, 0
  TEST_BR blt, 0, 1, 1
  TEST_BR blt, 1, 0, 0
  TEST_BR blt, -1, 0, 1
  TEST_BR blt, 0, -1, 0
  TEST_BR blt, 0x8000000000000000, 0x7fffffffffffffff, 1
  TEST_BR blt, 0x7fffffffffffffff, 0x8000000000000000, 0
  TEST_BR blt, 5, 5, 0
  TEST_BR blt, 0xffffffff, 0x100000000, 1
  TEST_BR bge, 0, 1, 0
  TEST_BR bge, 1, 0, 1
  TEST_BR bge, 5, 5, 1
  TEST_BR bge, -1, 0, 0
  TEST_BR bge, 0x7fffffffffffffff, 0x8000000000000000, 1
  TEST_BR bge, 0x8000000000000000, 0x8000000000000000, 1
  TEST_BR bltu, 0, 1, 1
  TEST_BR bltu, 1, 0, 0
  TEST_BR bltu, 0, -1, 1
  TEST_BR bltu, -1, 0, 0
  TEST_BR bltu, 0x7fffffffffffffff, 0x8000000000000000, 1
  TEST_BR bltu, -1, -1, 0
  TEST_BR bltu, 0xffffffff, 0x100000000, 1
  TEST_BR bgeu, 0, 1, 0
  TEST_BR bgeu, -1, 0, 1
  TEST_BR bgeu, 0, -1, 0
  TEST_BR bgeu, 0x8000000000000000, 0x7fffffffffffffff, 1
  TEST_BR bgeu, 7, 7, 1
  TEST_BR bgeu, 0, 0, 1

  /* backward branch loop: sum 1..10 */
  li a0, 0
  li a1, 10
1:
  add a0, a0, a1
  addi a1, a1, -1
  bnez a1, 1b
  CHECK a0, 55

  /* same register operands */
  li a3, 0x1234
  li a5, 0
  beq a3, a3, 2f
  li a5, 1
2:
  CHECK a5, 0
  bltu a3, a3, 3f
  li a5, 3
3:
  CHECK a5, 3

  /* long-range branch (> 2 KiB forward) */
  li a5, 0
  beqz zero, 4f
  li a5, 1
  .skip 3000, 0x13   /* filler never executed; .skip with 0x13 bytes */
  .balign 4
4:
  CHECK a5, 0
TEST_END
