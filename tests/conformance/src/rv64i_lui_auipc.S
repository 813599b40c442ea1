/* RV64I: LUI and AUIPC, including sign extension of the 32-bit immediate. */
#include "test.h"
TEST_BEGIN
  lui a0, 0
  CHECK a0, 0
  lui a0, 0x12345
  CHECK a0, 0x12345000
  lui a0, 0x7ffff
  CHECK a0, 0x7ffff000
  /* bit 31 set: result sign-extended to 64 bits */
  lui a0, 0x80000
  CHECK a0, 0xffffffff80000000
  lui a0, 0xfffff
  CHECK a0, 0xfffffffffffff000
  /* lui + addi(w) idioms */
  lui a0, 0x80000
  addiw a0, a0, -1
  CHECK a0, 0x7fffffff
  lui a0, 0x12345
  addi a0, a0, 0x678
  CHECK a0, 0x12345678
  lui a0, 0xfffff
  srai a0, a0, 12
  CHECK a0, -1

  /* auipc: pc-relative, 0 offset gives its own address */
1:
  auipc a0, 0
  la a1, 1b
  CHECKR a0, a1
2:
  auipc a0, 1
  la a1, 2b
  li t0, 0x1000
  add a1, a1, t0
  CHECKR a0, a1
  /* negative offset: sign-extended 32-bit immediate */
3:
  auipc a0, 0xfffff
  la a1, 3b
  li t0, -0x1000
  add a1, a1, t0
  CHECKR a0, a1
4:
  auipc a0, 0x80000
  la a1, 4b
  li t0, 0xffffffff80000000
  add a1, a1, t0
  CHECKR a0, a1
  /* auipc + jalr idiom */
  la a2, 5f
5:
  auipc a0, 0
  CHECKR a0, a2
TEST_END
