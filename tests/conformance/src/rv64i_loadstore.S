/* RV64I loads and stores: every width, sign/zero extension, offsets,
   little-endian byte order, partial stores not disturbing neighbours. */
#include "test.h"
TEST_BEGIN
  la s0, data
  /* loads from a known pattern: 0x8877665544332211 0xf0e0d0c0b0a09080 */
  lb a0, 0(s0)
  CHECK a0, 0x11
  lb a0, 7(s0)
  CHECK a0, 0xffffffffffffff88
  lbu a0, 7(s0)
  CHECK a0, 0x88
  lb a0, 8(s0)
  CHECK a0, 0xffffffffffffff80
  lbu a0, 15(s0)
  CHECK a0, 0xf0
  lh a0, 0(s0)
  CHECK a0, 0x2211
  lh a0, 6(s0)
  CHECK a0, 0xffffffffffff8877
  lhu a0, 6(s0)
  CHECK a0, 0x8877
  lh a0, 2(s0)
  CHECK a0, 0x4433
  lw a0, 0(s0)
  CHECK a0, 0x44332211
  lw a0, 4(s0)
  CHECK a0, 0xffffffff88776655
  lwu a0, 4(s0)
  CHECK a0, 0x88776655
  lwu a0, 8(s0)
  CHECK a0, 0xb0a09080
  lw a0, 8(s0)
  CHECK a0, 0xffffffffb0a09080
  ld a0, 0(s0)
  CHECK a0, 0x8877665544332211
  ld a0, 8(s0)
  CHECK a0, 0xf0e0d0c0b0a09080
  /* negative offsets */
  addi s1, s0, 16
  ld a0, -16(s1)
  CHECK a0, 0x8877665544332211
  lbu a0, -1(s1)
  CHECK a0, 0xf0
  lhu a0, -2(s1)
  CHECK a0, 0xf0e0
  /* maximum offsets */
  la s2, big
  addi s3, s2, -2047
  lbu a0, 2047(s3)
  CHECK a0, 0x5a
  li t0, 2048
  add s3, s2, t0
  lbu a0, -2048(s3)
  CHECK a0, 0x5a

  /* stores */
  la s1, buf
  li a1, -1
  sd a1, 0(s1)
  sd a1, 8(s1)
  li a2, 0x12
  sb a2, 1(s1)
  ld a0, 0(s1)
  CHECK a0, 0xffffffffffff12ff
  li a2, 0xabcd
  sh a2, 4(s1)
  ld a0, 0(s1)
  CHECK a0, 0xffffabcdffff12ff
  li a2, 0x1122334455667788
  sw a2, 8(s1)           /* only low 32 bits stored */
  ld a0, 8(s1)
  CHECK a0, 0xffffffff55667788
  sd a2, 0(s1)
  ld a0, 0(s1)
  CHECK a0, 0x1122334455667788
  lbu a0, 0(s1)          /* little endian */
  CHECK a0, 0x88
  lbu a0, 7(s1)
  CHECK a0, 0x11
  li a2, 0x1ff
  sb a2, 3(s1)           /* only low 8 bits */
  ld a0, 0(s1)
  CHECK a0, 0x11223344ff667788
  li a2, 0x18000
  sh a2, 6(s1)           /* only low 16 bits */
  ld a0, 0(s1)
  CHECK a0, 0x80003344ff667788
  /* store with negative offset */
  addi s3, s1, 16
  li a2, 0x0102030405060708
  sd a2, -8(s3)
  ld a0, 8(s1)
  CHECK a0, 0x0102030405060708
  /* store then load same address with all widths of sign extension */
  li a2, 0x80
  sb a2, 0(s1)
  lb a0, 0(s1)
  CHECK a0, -128
  li a2, 0x8000
  sh a2, 0(s1)
  lh a0, 0(s1)
  CHECK a0, -32768
  li a2, 0x80000000
  sw a2, 0(s1)
  lw a0, 0(s1)
  CHECK a0, 0xffffffff80000000
  lwu a0, 0(s1)
  CHECK a0, 0x80000000
  /* load into the base register */
  la a0, data
  ld a0, 0(a0)
  CHECK a0, 0x8877665544332211
TEST_END

  .data
  .balign 16
data:
  .dword 0x8877665544332211, 0xf0e0d0c0b0a09080
big:
  .byte 0x5a
  .balign 8
buf:
  .zero 32
