/* RV64C loads and stores, integer and FP: c.lw/c.ld/c.sw/c.sd,
   c.lwsp/c.ldsp/c.swsp/c.sdsp, c.fld/c.fsd/c.fldsp/c.fsdsp, max offsets,
   sign extension of c.lw/c.lwsp. */
#include "test.h"
TEST_BEGIN
  .option push
  .option rvc
  la s0, buf
  /* c.lw sign-extends, offset scaled by 4 */
  c.lw a0, 0(s0)
  CHECK a0, 0xffffffff89abcdef
  c.lw a0, 4(s0)
  CHECK a0, 0x01234567
  c.ld a1, 0(s0)
  CHECK a1, 0x0123456789abcdef
  c.ld a1, 8(s0)
  CHECK a1, 0xfedcba9876543210
  c.lw a2, 124(s0)            /* max c.lw offset */
  CHECK a2, 0x7c7c7c7c
  c.ld a2, 248(s0)            /* max c.ld offset */
  CHECK a2, 0xf8f8f8f8f8f8f8f8
  li a3, 0x1122334455667788
  c.sw a3, 16(s0)
  ld a4, 16(s0)
  CHECK a4, 0x0000000055667788
  c.sd a3, 24(s0)
  ld a4, 24(s0)
  CHECK a4, 0x1122334455667788
  /* sp-relative */
  mv s2, sp
  la sp, buf
  c.lwsp a0, 0(sp)
  CHECK a0, 0xffffffff89abcdef
  c.ldsp a5, 8(sp)
  CHECK a5, 0xfedcba9876543210
  c.lwsp t1, 124(sp)
  CHECK t1, 0x7c7c7c7c
  c.ldsp t1, 248(sp)
  CHECK t1, 0xf8f8f8f8f8f8f8f8
  li t2, 0x0badc0de0badc0de
  c.swsp t2, 32(sp)
  c.sdsp t2, 40(sp)
  ld t3, 32(sp)
  CHECK t3, 0x000000000badc0de
  ld t3, 40(sp)
  CHECK t3, 0x0badc0de0badc0de
  /* FP compressed loads/stores (FS is Initial from crt) */
  c.fld fa0, 8(s0)
  CHECK_D fa0, 0xfedcba9876543210
  c.fsd fa0, 48(s0)
  ld t3, 48(s0)
  CHECK t3, 0xfedcba9876543210
  c.fldsp ft1, 0(sp)
  CHECK_D ft1, 0x0123456789abcdef
  c.fsdsp ft1, 56(sp)
  ld t3, 56(s0)
  CHECK t3, 0x0123456789abcdef
  c.fld fs1, 248(s0)
  CHECK_D fs1, 0xf8f8f8f8f8f8f8f8
  li t2, 0x3ff0000000000000
  fmv.d.x ft5, t2
  c.fsdsp ft5, 504(sp)        /* max c.fsdsp offset */
  c.fldsp ft6, 504(sp)
  CHECK_D ft6, 0x3ff0000000000000
  ld t3, 504(s0)
  CHECK t3, 0x3ff0000000000000
  c.sdsp t2, 496(sp)
  c.ldsp t4, 496(sp)
  CHECK t4, 0x3ff0000000000000
  c.swsp t2, 252(sp)          /* max c.swsp offset */
  c.lwsp t4, 252(sp)
  CHECK t4, 0
  mv sp, s2
  .option pop
TEST_END
  .data
  .balign 16
buf:
  .dword 0x0123456789abcdef, 0xfedcba9876543210
  .zero 120 - 16
  .word 0, 0x7c7c7c7c
  .zero 248 - 128
  .dword 0xf8f8f8f8f8f8f8f8
  .zero 512
