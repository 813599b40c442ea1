/* F/D sign injection (fsgnj/fsgnjn/fsgnjx incl. fmv/fneg/fabs aliases) and
   moves between integer and FP registers. Sign injection never sets flags
   and never canonicalizes NaNs (D); fmv.x.w sign-extends; fmv.w.x NaN-boxes. */
#include "test.h"
.macro SGD op, a, b, exp
  LI_D f1, \a
  LI_D f2, \b
  \op\().d f3, f1, f2
  CHECK_D f3, \exp
.endm
.macro SGS op, a, b, exp
  LI_S f1, \a
  LI_S f2, \b
  \op\().s f3, f1, f2
  CHECK_S f3, \exp
.endm
TEST_BEGIN
  csrw fflags, zero
  SGD fsgnj,  0x3ff0000000000000, 0x8000000000000000, 0xbff0000000000000
  SGD fsgnj,  0xbff0000000000000, 0x0000000000000000, 0x3ff0000000000000
  SGD fsgnjn, 0x3ff0000000000000, 0x8000000000000000, 0x3ff0000000000000
  SGD fsgnjn, 0x3ff0000000000000, 0x0000000000000000, 0xbff0000000000000
  SGD fsgnjx, 0xbff0000000000000, 0x8000000000000000, 0x3ff0000000000000
  SGD fsgnjx, 0xbff0000000000000, 0x0000000000000000, 0xbff0000000000000
  SGD fsgnjx, 0x3ff0000000000000, 0xfff8000000000000, 0xbff0000000000000
  /* NaN payloads preserved, sNaN does not signal */
  SGD fsgnj,  0x7ff0000000000001, 0x8000000000000000, 0xfff0000000000001
  SGD fsgnjn, 0xfff8000000000123, 0xfff8000000000000, 0x7ff8000000000123
  SGS fsgnj,  0x3f800000, 0x80000000, 0xbf800000
  SGS fsgnjn, 0x3f800000, 0x80000000, 0x3f800000
  SGS fsgnjx, 0xbf800000, 0xbf800000, 0x3f800000
  SGS fsgnj,  0x7f800001, 0xffffffff, 0xff800001
  CHECK_FFLAGS 0
  /* pseudo-instructions */
  LI_D f1, 0xc000000000000000
  fabs.d f2, f1
  CHECK_D f2, 0x4000000000000000
  fneg.d f2, f2
  CHECK_D f2, 0xc000000000000000
  fmv.d f3, f2
  CHECK_D f3, 0xc000000000000000
  LI_S f1, 0xc0000000
  fabs.s f2, f1
  CHECK_S f2, 0x40000000
  fneg.s f2, f2
  CHECK_S f2, 0xc0000000
  /* single sign injection with a non-boxed input: that input is the
     canonical NaN 0x7fc00000 */
  li t0, 0x00000000bf800000
  fmv.d.x f1, t0
  LI_S f2, 0x80000000
  fsgnj.s f3, f1, f2
  CHECK_S f3, 0xffc00000
  LI_S f2, 0xbf800000
  fsgnj.s f3, f2, f1        /* sign from canonical NaN: positive */
  CHECK_S f3, 0x3f800000

  /* moves */
  li a0, 0x123456789abcdef0
  fmv.d.x f5, a0
  fmv.x.d a1, f5
  CHECK a1, 0x123456789abcdef0
  li a0, 0xdeadbeef80000000
  fmv.w.x f5, a0              /* low 32 bits, NaN-boxed */
  fmv.x.d a1, f5
  CHECK a1, 0xffffffff80000000
  fmv.x.w a1, f5              /* sign-extended */
  CHECK a1, 0xffffffff80000000
  li a0, 0x7f800001
  fmv.w.x f5, a0
  fmv.x.w a1, f5
  CHECK a1, 0x7f800001
  /* fmv.x.w takes the low 32 bits even if not boxed */
  li a0, 0x1234567887654321
  fmv.d.x f5, a0
  fmv.x.w a1, f5
  CHECK a1, 0xffffffff87654321
  li a0, 0x1234567807654321
  fmv.d.x f5, a0
  fmv.x.w a1, f5
  CHECK a1, 0x07654321
  /* moves do not set flags, sNaN bit patterns pass unchanged */
  li a0, 0x7ff0000000000001
  fmv.d.x f6, a0
  fmv.x.d a1, f6
  CHECK a1, 0x7ff0000000000001
  CHECK_FFLAGS 0
TEST_END
