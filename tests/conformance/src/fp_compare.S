/* F/D comparisons feq/flt/fle: results, NaN handling (quiet compare feq
   signals only on sNaN; flt/fle signal on any NaN), signed zeros equal. */
#include "test.h"
.macro CMPD op, a, b, exp, fl
  LI_D f1, \a
  LI_D f2, \b
  \op\().d a0, f1, f2
  CHECK a0, \exp
  CHECK_FFLAGS \fl
.endm
.macro CMPS op, a, b, exp, fl
  LI_S f1, \a
  LI_S f2, \b
  \op\().s a0, f1, f2
  CHECK a0, \exp
  CHECK_FFLAGS \fl
.endm
TEST_BEGIN
  csrw fflags, zero
  CMPD feq, 0x3ff0000000000000, 0x3ff0000000000000, 1, 0
  CMPD feq, 0x3ff0000000000000, 0x4000000000000000, 0, 0
  CMPD feq, 0x8000000000000000, 0x0000000000000000, 1, 0
  CMPD feq, 0x7ff8000000000000, 0x7ff8000000000000, 0, 0
  CMPD feq, 0x7ff0000000000001, 0x3ff0000000000000, 0, FF_NV
  CMPD flt, 0x3ff0000000000000, 0x4000000000000000, 1, 0
  CMPD flt, 0x4000000000000000, 0x3ff0000000000000, 0, 0
  CMPD flt, 0x3ff0000000000000, 0x3ff0000000000000, 0, 0
  CMPD flt, 0xbff0000000000000, 0x3ff0000000000000, 1, 0
  CMPD flt, 0x8000000000000000, 0x0000000000000000, 0, 0
  CMPD flt, 0xfff0000000000000, 0xffefffffffffffff, 1, 0
  CMPD flt, 0x7ff8000000000000, 0x3ff0000000000000, 0, FF_NV
  CMPD fle, 0x3ff0000000000000, 0x3ff0000000000000, 1, 0
  CMPD fle, 0x8000000000000000, 0x0000000000000000, 1, 0
  CMPD fle, 0x4000000000000000, 0x3ff0000000000000, 0, 0
  CMPD fle, 0x3ff0000000000000, 0x7ff8000000000000, 0, FF_NV
  CMPD fle, 0x0000000000000001, 0x0000000000000002, 1, 0
  CMPS feq, 0x3f800000, 0x3f800000, 1, 0
  CMPS feq, 0x7fc00000, 0x3f800000, 0, 0
  CMPS feq, 0x7f800001, 0x7f800001, 0, FF_NV
  CMPS flt, 0xbf800000, 0x80000000, 1, 0
  CMPS flt, 0x7fc00000, 0x7fc00000, 0, FF_NV
  CMPS fle, 0x80000000, 0x00000000, 1, 0
  CMPS fle, 0xff800000, 0xff800000, 1, 0
  CMPS fle, 0x3f800001, 0x3f800000, 0, 0
  /* rd receives a full 64-bit 0/1 */
  li a0, -1
  LI_D f1, 0x3ff0000000000000
  feq.d a0, f1, f1
  CHECK a0, 1
  /* a non-boxed single is a canonical qNaN: feq 0, no flag; flt NV */
  li t0, 0x3f800000
  fmv.d.x f1, t0
  LI_S f2, 0x3f800000
  feq.s a0, f1, f2
  CHECK a0, 0
  CHECK_FFLAGS 0
  flt.s a0, f2, f1
  CHECK a0, 0
  CHECK_FFLAGS FF_NV
TEST_END
