/* Misaligned loads and stores. Both performing them and trapping (mcause
   4 load / 6 store, mtval = the address; an access fault 5/7 is also legal)
   are allowed. If performed, the loaded value must be the little-endian
   bytes at the address and stores must write exactly those bytes. QEMU 7.2
   and the Edgevisor emulator perform them; this test accepts either. */
#include "test.h"

/* a0 := loaded value or the magic 0xdead0000 + cause if it trapped */
.macro MLOAD op, off
  la s0, buf
  li a0, 0
  SET_GLOBAL trap_cause, -1
  SET_GLOBAL trap_expect, 1
  \op a0, \off(s0)
  la t5, trap_expect
  ld t6, 0(t5)
  sd zero, 0(t5)
  bnez t6, .Lok\@            /* no trap */
  la t5, trap_cause
  ld a1, 0(t5)
  li t6, 0xdead0000
  add a0, a1, t6
.Lok\@:
.endm
.macro MLOAD_CHECK op, off, exp
  MLOAD \op, \off
  li t5, 0xdead0000 + CAUSE_MISALIGNED_LOAD
  beq a0, t5, .Lt\@
  li t5, 0xdead0000 + CAUSE_LOAD_ACCESS
  beq a0, t5, .Lt\@
  CHECK a0, \exp
  j .Le\@
.Lt\@:
  la t5, trap_tval
  ld a1, 0(t5)
  addi a2, s0, \off
  CHECKR a1, a2
.Le\@:
.endm
.macro MSTORE_CHECK op, off, val, exp0, exp1
  la s0, buf2
  sd zero, 0(s0)
  sd zero, 8(s0)
  li a1, \val
  SET_GLOBAL trap_cause, -1
  SET_GLOBAL trap_expect, 1
  \op a1, \off(s0)
  la t5, trap_expect
  ld t6, 0(t5)
  sd zero, 0(t5)
  beqz t6, .Lt\@
  ld a0, 0(s0)
  CHECK a0, \exp0
  ld a0, 8(s0)
  CHECK a0, \exp1
  j .Le\@
.Lt\@:
  la t5, trap_cause
  ld a0, 0(t5)
  li t5, CAUSE_STORE_ACCESS
  bne a0, t5, 1f
  li a0, CAUSE_MISALIGNED_STORE
1:
  CHECK a0, CAUSE_MISALIGNED_STORE
  ld a0, 0(s0)               /* nothing written */
  CHECK a0, 0
.Le\@:
.endm

TEST_BEGIN
  MLOAD_CHECK lh, 1, 0x0201
  MLOAD_CHECK lh, 7, 0x0988
  MLOAD_CHECK lh, 6, 0xffffffffffff8806
  MLOAD_CHECK lhu, 6, 0x8806
  MLOAD_CHECK lw, 1, 0x04030201
  MLOAD_CHECK lw, 3, 0x06050403
  MLOAD_CHECK lw, 4, 0xffffffff88060504
  MLOAD_CHECK lw, 5, 0x09880605
  MLOAD_CHECK lwu, 6, 0x0a098806
  MLOAD_CHECK lwu, 4, 0x88060504
  MLOAD_CHECK ld, 1, 0x0988060504030201
  MLOAD_CHECK ld, 4, 0x0c0b0a0988060504
  MLOAD_CHECK ld, 7, 0x0f0e0d0c0b0a0988
  MSTORE_CHECK sh, 1, 0xbbaa, 0x0000000000bbaa00, 0
  MSTORE_CHECK sh, 7, 0xbbaa, 0xaa00000000000000, 0xbb
  MSTORE_CHECK sw, 3, 0xddccbbaa, 0x00ddccbbaa000000, 0
  MSTORE_CHECK sw, 6, 0xddccbbaa, 0xbbaa000000000000, 0xddcc
  MSTORE_CHECK sd, 1, 0x8877665544332211, 0x7766554433221100, 0x88
  MSTORE_CHECK sd, 5, 0x8877665544332211, 0x3322110000000000, 0x8877665544
  /* FP misaligned */
  la s0, buf
  SET_GLOBAL trap_expect, 1
  fld f1, 3(s0)
  la t5, trap_expect
  ld t6, 0(t5)
  sd zero, 0(t5)
  beqz t6, 2f
  CHECK_D f1, 0x0b0a098806050403
2:
TEST_END
  .data
  .balign 16
buf:
  .byte 0x00,0x01,0x02,0x03,0x04,0x05,0x06,0x88,0x09,0x0a,0x0b,0x0c,0x0d,0x0e,0x0f,0x10
buf2:
  .zero 16
