/* C program (freestanding, -O2, -ffp-contract=off so no implicit fusing):
   double and float workloads whose exact IEEE results were computed
   independently (Python/numpy): series sums, Newton iterations, sqrt,
   conversions, a small matrix product, explicit fma via __builtin_fma,
   float <-> double <-> integer conversions. */
#include "test_c.h"
#include "c_float_expected.h"

static double __attribute__((noinline)) basel(int n) {
  double s = 0.0;
  for (int k = 1; k <= n; k++) s += 1.0 / ((double)k * (double)k);
  return s;
}
static float __attribute__((noinline)) harmonic_f(int n) {
  float s = 0.0f;
  for (int k = 1; k <= n; k++) s += 1.0f / (float)k;
  return s;
}
static double __attribute__((noinline)) newton_sqrt(double x) {
  double g = x;
  for (int i = 0; i < 60; i++) g = 0.5 * (g + x / g);
  return g;
}

int main(void) {
  CHECK(dbits(basel(1000)), BASEL);
  CHECK(fbits(harmonic_f(1000)), HARM_F);
  CHECK(dbits(newton_sqrt(2.0)), NEWTON2);
  volatile double two = 2.0;
  CHECK(dbits(__builtin_sqrt(two)), 0x3ff6a09e667f3bcdull);
  volatile float twof = 2.0f;
  CHECK(fbits(__builtin_sqrtf(twof)), 0x3fb504f3u);
  /* matrix product 8x8 in double */
  double A[8][8], B[8][8], C[8][8];
  for (int i = 0; i < 8; i++)
    for (int j = 0; j < 8; j++) {
      A[i][j] = (double)(i * 8 + j + 1) / 7.0;
      B[i][j] = (double)((i + 2) * (j + 3) % 11) - 4.5;
    }
  for (int i = 0; i < 8; i++)
    for (int j = 0; j < 8; j++) {
      double s = 0.0;
      for (int k = 0; k < 8; k++) s += A[i][k] * B[k][j];
      C[i][j] = s;
    }
  uint64_t h = 0;
  for (int i = 0; i < 8; i++)
    for (int j = 0; j < 8; j++) h = h * 31 + dbits(C[i][j]);
  CHECK(h, MATRIX_HASH);
  /* explicit fma: (1+2^-52)(1-2^-52) - 1 = -2^-104 */
  volatile double e = 0x1p-52;
  CHECK(dbits(__builtin_fma(1.0 + e, 1.0 - e, -1.0)), 0xb970000000000000ull);
  CHECK(dbits((1.0 + e) * (1.0 - e) - 1.0), 0);  /* unfused: product rounds to 1.0 */
  /* conversions */
  volatile double big = 12345678901.75;
  CHECK((int64_t)big, 12345678901ll);
  CHECK((int64_t)-big, -12345678901ll);
  CHECK((uint64_t)(int32_t)(float)big, 0x7fffffffull); /* out of range for int32: saturates on RISC-V (UB in C, but fcvt.w.s semantics) */
  volatile int64_t li = -9007199254740993ll;   /* -(2^53 + 1): rounds to even */
  CHECK(dbits((double)li), 0xc340000000000000ull);
  volatile uint64_t lu = 0xffffffffffffffffull;
  CHECK(fbits((float)lu), 0x5f800000u);
  volatile float f = 0.1f;
  CHECK(dbits((double)f), 0x3fb99999a0000000ull);
  volatile double d = 0.1;
  CHECK(fbits((float)d), 0x3dcccccdu);
  /* float accumulation with mixed precision */
  float acc = 0.0f;
  double dacc = 0.0;
  for (int i = 1; i <= 200; i++) {
    acc = acc * 0.99f + (float)i * 0.25f;
    dacc += (double)acc / (double)i;
  }
  CHECK(fbits(acc), MIX_F);
  CHECK(dbits(dacc), MIX_D);
  return 0;
}
