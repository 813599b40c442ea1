/* F in a D machine: NaN-boxing. FLW and FMV.W.X box (upper 32 bits all
   ones); single-precision operations on a register that is not a valid box
   see the canonical NaN; FSW stores the low 32 bits regardless; FLD/FSD
   move 64 bits untouched; fcvt.d.s of a non-boxed value gives the canonical
   double NaN. Arithmetic NaN results are canonical (no payload propagation). */
#include "test.h"
TEST_BEGIN
  csrw fflags, zero
  la s0, buf
  /* flw boxes */
  li a0, 0x3f800000
  sw a0, 0(s0)
  flw f1, 0(s0)
  CHECK_D f1, 0xffffffff3f800000
  /* fld / fsd move raw 64 bits */
  li a0, 0x00000000400000ff
  sd a0, 8(s0)
  fld f2, 8(s0)
  CHECK_D f2, 0x00000000400000ff
  fsd f2, 16(s0)
  ld a1, 16(s0)
  CHECK a1, 0x00000000400000ff
  /* fsw stores low 32 bits of a non-boxed register */
  fsw f2, 24(s0)
  lwu a1, 24(s0)
  CHECK a1, 0x400000ff
  /* single ops on non-boxed input see canonical NaN */
  fadd.s f3, f2, f1
  CHECK_S f3, 0x7fc00000
  CHECK_FFLAGS 0            /* canonical qNaN input: quiet */
  fmul.s f3, f1, f2
  CHECK_S f3, 0x7fc00000
  fsqrt.s f3, f2
  CHECK_S f3, 0x7fc00000
  fcvt.d.s f3, f2
  CHECK_D f3, 0x7ff8000000000000
  fcvt.w.s a1, f2, rtz
  CHECK a1, 0x7fffffff
  CHECK_FFLAGS FF_NV
  /* partially boxed (one zero bit in the upper half) is still invalid */
  li a0, 0xfffeffff3f800000
  fmv.d.x f4, a0
  fadd.s f3, f4, f1
  CHECK_S f3, 0x7fc00000
  /* properly boxed operands work */
  li a0, 0xffffffff40000000
  fmv.d.x f4, a0
  fadd.s f3, f4, f1
  CHECK_S f3, 0x40400000
  /* double result of a single op writes a boxed value */
  fcvt.s.d f5, f2           /* f2 as double: small positive subnormal-ish */
  fmv.x.d a1, f5
  srli a1, a1, 32
  CHECK a1, 0xffffffff
  CHECK_FFLAGS FF_NX | FF_UF
  /* NaN payloads are not propagated: canonical results */
  LI_D f6, 0x7ff800000000dead
  LI_D f7, 0x3ff0000000000000
  fadd.d f3, f6, f7
  CHECK_D f3, 0x7ff8000000000000
  LI_S f6, 0xffc0dead
  LI_S f7, 0x3f800000
  fmul.s f3, f6, f7
  CHECK_S f3, 0x7fc00000
  CHECK_FFLAGS 0
  fcvt.s.d f3, f6           /* f6 is a boxed single = double qNaN with payload */
  CHECK_S f3, 0x7fc00000
  /* fld of a boxed single then use as single */
  li a0, 0xffffffff40400000
  sd a0, 32(s0)
  fld f8, 32(s0)
  fadd.s f3, f8, f8
  CHECK_S f3, 0x40c00000
TEST_END
  .data
  .balign 8
buf: .zero 64
