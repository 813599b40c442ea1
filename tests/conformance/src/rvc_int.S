/* RV64C integer instructions: every compressed ALU, immediate, jump and
   branch form; results compared with expectations; instruction sizes
   checked through label arithmetic. */
#include "test.h"
TEST_BEGIN
  .option push
  .option rvc
  /* c.li / c.lui / c.addi / c.addiw */
  c.li a0, -32
  CHECK a0, -32
  c.li a0, 31
  CHECK a0, 31
  c.lui a1, 0x1f
  CHECK a1, 0x1f000
  c.lui a1, 0xfffe0        /* nzimm = -32 -> sign-extended */
  CHECK a1, 0xfffffffffffe0000
  li a2, 100
  c.addi a2, -1
  CHECK a2, 99
  c.addi a2, 31
  CHECK a2, 130
  li a3, 0x7fffffff
  c.addiw a3, 1
  CHECK a3, 0xffffffff80000000
  li a3, 0x1234567800000005
  c.addiw a3, 0            /* sext.w */
  CHECK a3, 5
  c.nop
  /* c.addi16sp / c.addi4spn */
  mv s2, sp
  c.addi16sp sp, -64
  sub a0, s2, sp
  CHECK a0, 64
  c.addi16sp sp, 496
  sub a0, sp, s2
  CHECK a0, 432
  mv sp, s2
  c.addi4spn a4, sp, 1020
  sub a0, a4, sp
  CHECK a0, 1020
  c.addi4spn s1, sp, 8
  sub a0, s1, sp
  CHECK a0, 8
  /* c.mv / c.add */
  li t1, 0x1111
  c.mv t2, t1
  CHECK t2, 0x1111
  li t3, 0x2222
  c.add t3, t1
  CHECK t3, 0x3333
  /* CA format (x8-x15) */
  li a0, 10
  li a1, 3
  c.sub a0, a1
  CHECK a0, 7
  li a0, 0x0f0f
  li a1, 0x00ff
  c.and a0, a1
  CHECK a0, 0x000f
  li a0, 0x0f00
  c.or a0, a1
  CHECK a0, 0x0fff
  li a0, 0x0ff0
  c.xor a0, a1
  CHECK a0, 0x0f0f
  li a0, 0x7fffffff
  li a1, 1
  c.addw a0, a1
  CHECK a0, 0xffffffff80000000
  li a0, 0x0000000100000000
  li a1, 1
  c.subw a0, a1
  CHECK a0, -1
  /* CB format ALU */
  li a2, 0xff
  c.andi a2, -16
  CHECK a2, 0xf0
  li a2, 0xff
  c.andi a2, 5
  CHECK a2, 5
  li a3, -256
  c.srli a3, 4
  CHECK a3, 0x0ffffffffffffff0
  li a3, -256
  c.srai a3, 4
  CHECK a3, -16
  li a3, 0x8000000000000000
  c.srli a3, 63
  CHECK a3, 1
  li a3, 0x8000000000000000
  c.srai a3, 32
  CHECK a3, 0xffffffff80000000
  li t4, 3
  c.slli t4, 62
  CHECK t4, 0xc000000000000000
  li t4, 1
  c.slli t4, 32
  CHECK t4, 0x100000000

  /* c.j forward/backward */
  li a0, 0
  c.j 2f
1:
  li a0, 1
  c.j 3f
2:
  c.j 1b
3:
  CHECK a0, 1
  /* c.jr */
  la t1, 4f
  li a0, 0
  c.jr t1
  li a0, 9
4:
  CHECK a0, 0
  /* c.jalr: ra = pc + 2 */
  la t1, 5f
  c.jalr t1
6:
  c.j 7f
5:
  la t2, 6b
  CHECKR ra, t2
  c.jr ra
7:
  /* c.beqz / c.bnez */
  li a0, 0
  li s0, 0
  c.beqz s0, 8f
  li a0, 1
8:
  CHECK a0, 0
  li s0, 5
  c.beqz s0, 9f
  li a0, 2
9:
  CHECK a0, 2
  li s1, 0
  c.bnez s1, 10f
  li a0, 3
10:
  CHECK a0, 3
  li s1, -1
  li a0, 0
  c.bnez s1, 11f
  li a0, 4
11:
  CHECK a0, 0
  /* instruction lengths */
12:
  c.addi a0, 1
13:
  la t1, 12b
  la t2, 13b
  sub t1, t2, t1
  CHECK t1, 2
  /* c.mv writes full 64 bits; c.add with sign wrap */
  li t1, -1
  c.mv t2, t1
  c.add t2, t1
  CHECK t2, -2
  .option pop
TEST_END
