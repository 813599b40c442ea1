/* Zifencei: self-modifying code. Stores to instruction memory become
   visible to instruction fetch after fence.i: a routine in .data is written,
   executed, rewritten and executed again; an instruction later in the
   current code path is patched; 16-bit instructions are patched too. */
#include "test.h"
/* addi a0, a0, imm */
#define ADDI_A0(imm) (0x00050513 | (((imm) & 0xfff) << 20))
TEST_BEGIN
  la s0, code_buf
  li t0, ADDI_A0(1)
  sw t0, 0(s0)
  li t0, 0x00008067          /* ret */
  sw t0, 4(s0)
  fence.i
  li a0, 10
  jalr ra, 0(s0)
  CHECK a0, 11
  /* rewrite and run again */
  li t0, ADDI_A0(100)
  sw t0, 0(s0)
  fence.i
  li a0, 10
  jalr ra, 0(s0)
  CHECK a0, 110
  /* negative immediate, written byte by byte */
  li t0, ADDI_A0(-5)
  sb t0, 0(s0)
  srli t0, t0, 8
  sb t0, 1(s0)
  srli t0, t0, 8
  sb t0, 2(s0)
  srli t0, t0, 8
  sb t0, 3(s0)
  fence.i
  li a0, 10
  jalr ra, 0(s0)
  CHECK a0, 5
  /* longer generated routine: 100 x addi a0,a0,3 then ret */
  li t1, 100
  mv t2, s0
  li t0, ADDI_A0(3)
1:
  sw t0, 0(t2)
  addi t2, t2, 4
  addi t1, t1, -1
  bnez t1, 1b
  li t0, 0x00008067
  sw t0, 0(t2)
  fence.i
  li a0, 0
  jalr ra, 0(s0)
  CHECK a0, 300
  /* compressed: c.addi a0, 7 (0x051d) ; c.jr ra (0x8082) */
  li t0, 0x8082051d
  sw t0, 0(s0)
  fence.i
  li a0, 1
  jalr ra, 0(s0)
  CHECK a0, 8
  /* patch an instruction further down the current path (in .text) */
  la s1, patch_site
  li t0, ADDI_A0(42)
  sw t0, 0(s1)
  fence.i
  li a0, 0
  .option push
  .option norvc
patch_site:
  addi a0, a0, 1              /* replaced by addi a0, a0, 42 */
  .option pop
  CHECK a0, 42
  /* the same site patched a second time, reached through a loop */
  li s2, 0                   /* iteration */
  li a0, 0
4:
  li t0, ADDI_A0(1000)
  beqz s2, 5f
  li t0, ADDI_A0(1)
5:
  la s1, loop_site
  sw t0, 0(s1)
  fence.i
  .option push
  .option norvc
loop_site:
  addi a0, a0, 0
  .option pop
  addi s2, s2, 1
  li t1, 2
  blt s2, t1, 4b
  CHECK a0, 1001
TEST_END
  .data
  .balign 64
code_buf:
  .zero 512
