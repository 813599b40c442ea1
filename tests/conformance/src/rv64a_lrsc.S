/* RV64A: LR/SC. Only behaviour the spec guarantees on a single hart:
   - LR then SC to the same address with nothing in between succeeds? Not
     strictly guaranteed (SC may fail spuriously), so the success case is
     tested as a retry loop that must eventually succeed and store;
   - SC writes 0 on success and a non-zero value on failure;
   - an SC without a preceding LR (reservation consumed by an earlier SC)
     fails and does not write memory;
   - an SC to an address outside the reservation set of the most recent LR
     fails;
   - LR.W sign-extends; SC.W writes only 32 bits.
   Intervening stores by the same hart are not tested (not guaranteed). */
#include "test.h"

TEST_BEGIN
  la s0, buf
  li a1, 0x1111111111111111
  sd a1, 0(s0)
  /* lr.d returns the value */
  lr.d a0, (s0)
  CHECK a0, 0x1111111111111111
  /* lr/sc retry loop: must eventually succeed */
  li s2, 0            /* iterations */
1:
  addi s2, s2, 1
  lr.d a0, (s0)
  addi a0, a0, 1
  sc.d a3, a0, (s0)
  bnez a3, 1b
  CHECK a3, 0
  ld a0, 0(s0)
  CHECK a0, 0x1111111111111112
  /* SC after the reservation was consumed: fails, no write */
  li a2, 0x2222
  sc.d a3, a2, (s0)
  sltu a3, zero, a3     /* non-zero -> 1 */
  CHECK a3, 1
  ld a0, 0(s0)
  CHECK a0, 0x1111111111111112
  /* and again (still no reservation) */
  sc.d a3, a2, (s0)
  sltu a3, zero, a3
  CHECK a3, 1
  /* SC to a different address (another page) than the LR: must fail */
  la s1, far_buf
  li a1, 0x33
  sd a1, 0(s1)
  lr.d a0, (s0)
  sc.d a3, a2, (s1)
  sltu a3, zero, a3
  CHECK a3, 1
  ld a0, 0(s1)
  CHECK a0, 0x33
  /* the reservation is gone after that SC too */
  sc.d a3, a2, (s0)
  sltu a3, zero, a3
  CHECK a3, 1
  ld a0, 0(s0)
  CHECK a0, 0x1111111111111112

  /* lr.w sign-extends; sc.w writes 32 bits */
  li a1, 0x0000000080000001
  sd a1, 8(s0)
  addi s3, s0, 8
  lr.w a0, (s3)
  CHECK a0, 0xffffffff80000001
2:
  lr.w a0, (s3)
  li a2, 0xaaaaaaaa7ffffffe
  sc.w a3, a2, (s3)
  bnez a3, 2b
  ld a0, 8(s0)
  CHECK a0, 0x7ffffffe
  lw a0, 8(s0)
  CHECK a0, 0x7ffffffe
  /* sc.w without reservation fails */
  sc.w a3, a2, (s3)
  sltu a3, zero, a3
  CHECK a3, 1
  /* aq/rl forms */
3:
  lr.d.aq a0, (s0)
  addi a0, a0, 1
  sc.d.rl a3, a0, (s0)
  bnez a3, 3b
  ld a0, 0(s0)
  CHECK a0, 0x1111111111111113
4:
  lr.w.aqrl a0, (s3)
  addi a0, a0, 1
  sc.w.aqrl a3, a0, (s3)
  bnez a3, 4b
  lw a0, 8(s0)
  CHECK a0, 0x7fffffff
  /* rd of sc written even on success with rd == rs2 */
5:
  lr.d a0, (s0)
  li a4, 0x4444
  sc.d a4, a4, (s0)
  bnez a4, 5b
  CHECK a4, 0
  ld a0, 0(s0)
  CHECK a0, 0x4444
TEST_END

  .data
  .balign 16
buf:
  .zero 16
  .balign 4096
  .zero 64
far_buf:
  .zero 16
