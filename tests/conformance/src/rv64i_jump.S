/* RV64I JAL / JALR: link values, targets, JALR clears bit 0, rd == rs1. */
#include "test.h"
TEST_BEGIN
  /* jal: link = address of the following instruction */
  li a0, 0
  jal a1, 1f
2:
  li a0, 99             /* skipped */
1:
  la a2, 2b
  CHECKR a1, a2
  CHECK a0, 0

  /* jal with rd = x0 (j) does not link */
  li a1, 7
  jal zero, 3f
  li a1, 8
3:
  CHECK a1, 7

  /* jalr with immediate offset */
  la a3, 4f
  addi a3, a3, -8
  jalr a1, 8(a3)
5:
  li a0, 99
4:
  la a2, 5b
  CHECKR a1, a2

  /* jalr clears bit 0 of the target */
  la a3, 6f
  addi a3, a3, 1
  li a0, 0
  jalr a1, 0(a3)
7:
  li a0, 99
6:
  CHECK a0, 0
  la a2, 7b
  CHECKR a1, a2

  /* odd immediate: target = (rs1 + imm) & ~1 */
  la a3, 8f
  addi a3, a3, -3
  jalr a1, 3(a3)
  li a0, 99
8:
  CHECK a0, 0

  /* rd == rs1: target computed from the old value */
  la a1, 9f
  jalr a1, 0(a1)
10:
  li a0, 99
9:
  la a2, 10b
  CHECKR a1, a2
  CHECK a0, 0

  /* call / ret through a function */
  li a0, 5
  call func_double
  CHECK a0, 10
  call func_double
  CHECK a0, 20

  /* backwards jal */
  li a4, 0
  j 12f
11:
  li a4, 1
  j 13f
12:
  jal a5, 11b
13:
  CHECK a4, 1
  /* jal -> function pointer table */
  la a3, table
  ld a3, 8(a3)
  jalr a3
  CHECK a0, 0x77
TEST_END

func_double:
  add a0, a0, a0
  ret
func_a:
  li a0, 0x66
  ret
func_b:
  li a0, 0x77
  ret

  .section .rodata
  .balign 8
table:
  .dword func_a, func_b
