/* F/D: fclass.s / fclass.d on every class (one-hot result), including a
   non-NaN-boxed single operand (classified as the canonical quiet NaN). */
#include "test.h"
.macro CLASS_D bits, exp
  LI_D f1, \bits
  fclass.d a0, f1
  CHECK a0, \exp
.endm
.macro CLASS_S bits, exp
  LI_S f1, \bits
  fclass.s a0, f1
  CHECK a0, \exp
.endm
TEST_BEGIN
  CLASS_D 0xfff0000000000000, 1 << 0   /* -inf */
  CLASS_D 0xbff0000000000000, 1 << 1   /* -1.0 */
  CLASS_D 0xffefffffffffffff, 1 << 1   /* -max */
  CLASS_D 0x800fffffffffffff, 1 << 2   /* -subnormal */
  CLASS_D 0x8000000000000001, 1 << 2
  CLASS_D 0x8000000000000000, 1 << 3   /* -0 */
  CLASS_D 0x0000000000000000, 1 << 4   /* +0 */
  CLASS_D 0x0000000000000001, 1 << 5   /* +subnormal */
  CLASS_D 0x000fffffffffffff, 1 << 5
  CLASS_D 0x0010000000000000, 1 << 6   /* +min normal */
  CLASS_D 0x3ff0000000000000, 1 << 6
  CLASS_D 0x7ff0000000000000, 1 << 7   /* +inf */
  CLASS_D 0x7ff0000000000001, 1 << 8   /* sNaN */
  CLASS_D 0xfff4000000000000, 1 << 8   /* negative sNaN */
  CLASS_D 0x7ff8000000000000, 1 << 9   /* qNaN */
  CLASS_D 0xffffffffffffffff, 1 << 9
  CLASS_S 0xff800000, 1 << 0
  CLASS_S 0xbf800000, 1 << 1
  CLASS_S 0x807fffff, 1 << 2
  CLASS_S 0x80000000, 1 << 3
  CLASS_S 0x00000000, 1 << 4
  CLASS_S 0x00000001, 1 << 5
  CLASS_S 0x00800000, 1 << 6
  CLASS_S 0x7f7fffff, 1 << 6
  CLASS_S 0x7f800000, 1 << 7
  CLASS_S 0x7f800001, 1 << 8
  CLASS_S 0xffa00000, 1 << 8
  CLASS_S 0x7fc00000, 1 << 9
  CLASS_S 0xffffffff, 1 << 9
  /* fclass.s of a register that is not NaN-boxed: canonical qNaN */
  li t0, 0x000000003f800000
  fmv.d.x f1, t0
  fclass.s a0, f1
  CHECK a0, 1 << 9
  li t0, 0xfffffffe3f800000
  fmv.d.x f1, t0
  fclass.s a0, f1
  CHECK a0, 1 << 9
  /* fclass never sets flags */
  CHECK_FFLAGS 0
TEST_END
