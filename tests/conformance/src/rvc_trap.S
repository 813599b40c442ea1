/* RV64C trapping encodings: c.ebreak (breakpoint, mepc = its address, the
   instruction is 2 bytes), the all-zero halfword (defined illegal; mtval is 0
   either way), reserved encodings c.addi4spn with imm 0, c.lwsp with rd=0,
   c.jr with rs1=0, c.lui with imm 0 (mtval = the 16-bit instruction bits or 0). */
#include "test.h"
.macro CHECK_TVAL_EITHER bits
  la t5, trap_tval
  ld a5, 0(t5)
  beqz a5, .Lz\@
  CHECK a5, \bits
  j .Ld\@
.Lz\@:
  CHECK a5, 0
.Ld\@:
.endm
TEST_BEGIN
  EXPECT_TRAP
1:
  c.ebreak
2:
  CHECK_TRAP CAUSE_BREAKPOINT
  CHECK_EPC_ADDR 1b
  la a0, 1b
  la a1, 2b
  sub a0, a1, a0
  CHECK a0, 2
  /* 0x0000: illegal */
  EXPECT_TRAP
3:
  .2byte 0x0000
  CHECK_TRAP CAUSE_ILLEGAL
  CHECK_EPC_ADDR 3b
  CHECK_TVAL 0
  /* c.addi4spn with nzuimm = 0 (reserved) */
  EXPECT_TRAP
  .2byte 0x0004
  CHECK_TRAP CAUSE_ILLEGAL
  CHECK_TVAL_EITHER 0x0004
  /* c.lwsp rd=0 (reserved) */
  EXPECT_TRAP
  .2byte 0x4002
  CHECK_TRAP CAUSE_ILLEGAL
  CHECK_TVAL_EITHER 0x4002
  /* c.jr rs1=0 (reserved) */
  EXPECT_TRAP
  .2byte 0x8002
  CHECK_TRAP CAUSE_ILLEGAL
  CHECK_TVAL_EITHER 0x8002
  /* c.lui rd=a0 nzimm=0 (reserved) */
  EXPECT_TRAP
  .2byte 0x6501
  CHECK_TRAP CAUSE_ILLEGAL
  CHECK_TVAL_EITHER 0x6501
  /* c.addi16sp with imm 0 (reserved) */
  EXPECT_TRAP
  .2byte 0x6101
  CHECK_TRAP CAUSE_ILLEGAL
  CHECK_TVAL_EITHER 0x6101
  /* 32-bit ebreak for comparison: 4 bytes, mepc = its address */
  EXPECT_TRAP
4:
  .option push
  .option norvc
  ebreak
  .option pop
  CHECK_TRAP CAUSE_BREAKPOINT
  CHECK_EPC_ADDR 4b
TEST_END
