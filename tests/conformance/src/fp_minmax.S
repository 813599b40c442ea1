/* F/D fmin/fmax (IEEE 754-2019 minimumNumber/maximumNumber as in the
   current RISC-V spec): a single NaN operand returns the other operand,
   two NaNs give the canonical NaN, signaling NaN sets NV, -0 < +0. */
#include "test.h"
.macro MM op, a, b, exp, fl
  LI_D f1, \a
  LI_D f2, \b
  \op\().d f3, f1, f2
  CHECK_D f3, \exp
  CHECK_FFLAGS \fl
.endm
.macro MMS op, a, b, exp, fl
  LI_S f1, \a
  LI_S f2, \b
  \op\().s f3, f1, f2
  CHECK_S f3, \exp
  CHECK_FFLAGS \fl
.endm
#define D1  0x3ff0000000000000
#define D2  0x4000000000000000
#define DM1 0xbff0000000000000
#define DQN 0x7ff8000000000000
#define DSN 0x7ff0000000000001
#define DQN2 0xfff8000000000123
TEST_BEGIN
  csrw fflags, zero
  MM fmin, D1, D2, D1, 0
  MM fmin, D2, D1, D1, 0
  MM fmax, D1, D2, D2, 0
  MM fmin, DM1, D1, DM1, 0
  MM fmax, DM1, D1, D1, 0
  MM fmin, 0x8000000000000000, 0x0000000000000000, 0x8000000000000000, 0
  MM fmin, 0x0000000000000000, 0x8000000000000000, 0x8000000000000000, 0
  MM fmax, 0x8000000000000000, 0x0000000000000000, 0x0000000000000000, 0
  MM fmax, 0x0000000000000000, 0x8000000000000000, 0x0000000000000000, 0
  MM fmin, DQN, D1, D1, 0
  MM fmin, D1, DQN2, D1, 0
  MM fmax, DQN, DM1, DM1, 0
  MM fmin, DSN, D1, D1, FF_NV
  MM fmax, D2, DSN, D2, FF_NV
  MM fmin, DQN2, DQN, 0x7ff8000000000000, 0
  MM fmax, DSN, DQN, 0x7ff8000000000000, FF_NV
  MM fmin, 0xfff0000000000000, D1, 0xfff0000000000000, 0
  MM fmax, 0x7ff0000000000000, DQN, 0x7ff0000000000000, 0
  MMS fmin, 0x3f800000, 0x40000000, 0x3f800000, 0
  MMS fmax, 0x3f800000, 0x40000000, 0x40000000, 0
  MMS fmin, 0x80000000, 0x00000000, 0x80000000, 0
  MMS fmax, 0x80000000, 0x00000000, 0x00000000, 0
  MMS fmin, 0x7fc00000, 0xbf800000, 0xbf800000, 0
  MMS fmax, 0x7f800001, 0xbf800000, 0xbf800000, FF_NV
  MMS fmin, 0xffc00001, 0x7fc00003, 0x7fc00000, 0
  MMS fmax, 0x7f800001, 0x7f800002, 0x7fc00000, FF_NV
  /* non-boxed single operand is a canonical qNaN: other operand returned */
  li t0, 0x40000000
  fmv.d.x f1, t0      /* upper bits zero: not a valid boxed single */
  LI_S f2, 0x3f800000
  fmin.s f3, f1, f2
  CHECK_S f3, 0x3f800000
  fmax.s f3, f2, f1
  CHECK_S f3, 0x3f800000
  CHECK_FFLAGS 0
TEST_END
