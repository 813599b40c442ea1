/* RV64I: writes to x0 are discarded, x0 always reads zero, and loads to x0
   still perform the access (a faulting load to x0 still traps). */
#include "test.h"
TEST_BEGIN
  li a0, 5
  addi zero, a0, 1
  CHECK zero, 0
  mv a1, zero
  CHECK a1, 0
  lui zero, 0x12345
  CHECK zero, 0
  auipc zero, 1
  CHECK zero, 0
  add zero, a0, a0
  CHECK zero, 0
  la a2, word
  ld zero, 0(a2)
  CHECK zero, 0
  jal zero, 1f
1:
  CHECK zero, 0
  la a3, 2f
  jalr zero, 0(a3)
2:
  CHECK zero, 0
  csrr zero, mscratch
  CHECK zero, 0
  li a0, 0x1234
  add a1, zero, a0
  CHECK a1, 0x1234
  sub a1, zero, a0
  CHECK a1, -0x1234
  /* x0 as a store source stores zero */
  sd zero, 0(a2)
  ld a1, 0(a2)
  CHECK a1, 0
  mul zero, a0, a0
  CHECK zero, 0
  lr.d zero, (a2)
  CHECK zero, 0
  /* a load to x0 from an unmapped hole (address 0) still raises an access fault */
  li a4, 0
  EXPECT_TRAP
  lw zero, 0(a4)
  CHECK_TRAP CAUSE_LOAD_ACCESS
  CHECK zero, 0
TEST_END
  .data
  .balign 8
word: .dword 0x1122334455667788
