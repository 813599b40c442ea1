/*
 * A Linux user program that exercises what glibc and the kernel do with the hart: libm and
 * printf of doubles, every rounding mode with fenv flags, quad-precision long double
 * (integer soft-float), strtod on hard inputs, qsort, 128-bit integers, misaligned packed
 * fields, C11 atomics (LR/SC and AMOs), SIGSEGV and SIGILL handlers with siglongjmp (the
 * kernel saving and restoring FP state), and fork. tests/linux/userland.test.ts runs it
 * under QEMU and under Edgevisor, same kernel and disk, and compares the outputs whole.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <fenv.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/wait.h>
#include <stdatomic.h>

static uint64_t h = 1469598103934665603ULL;
static void mixu(uint64_t v) { h ^= v; h *= 1099511628211ULL; h ^= h >> 29; }
static void mixd(double d) { uint64_t u; memcpy(&u, &d, 8); mixu(u); }
static uint64_t s = 88172645463325252ULL;
static uint64_t rnd(void) { s ^= s << 13; s ^= s >> 7; s ^= s << 17; return s; }
static double rd(void) { return (double)(int64_t)rnd() / 9.2e18 * pow(2.0, (double)(int)(rnd() % 60) - 30); }
static int cmpd(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return (x > y) - (x < y); }

static sigjmp_buf jb;
static void onsegv(int sig) { siglongjmp(jb, sig); }

struct __attribute__((packed)) pk { char c; uint64_t q; uint32_t w; uint16_t hw; };

int main(void) {
  /* libm and printf of doubles */
  for (int i = 0; i < 200; i++) {
    double x = rd(), y = rd();
    double r[] = { sin(x), cos(x), tan(x), exp(x / 16), log(fabs(x) + 1e-300), pow(fabs(x), y / 8), sqrt(fabs(x)), atan2(x, y), fma(x, y, x), cbrt(x), hypot(x, y), expm1(x / 64), log1p(fabs(y)), fmod(x, y), remainder(x, y) };
    for (unsigned k = 0; k < sizeof r / sizeof r[0]; k++) mixd(r[k]);
    if (i < 3) printf("%.17g %.17g %.17g %a\n", r[0], r[4], r[5], r[8]);
  }
  printf("libm %016llx\n", (unsigned long long)h);
  /* rounding modes and flags */
  int modes[] = { FE_TONEAREST, FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO };
  for (int m = 0; m < 4; m++) {
    fesetround(modes[m]);
    feclearexcept(FE_ALL_EXCEPT);
    volatile double a = 1.0, b = 3.0, z = 0.0, big = 1e308, tiny = 1e-308;
    double q = a / b; mixd(q); mixd(big * 10); mixd(tiny / 1e10); mixd(a / z); mixd(sqrt(-a));
    volatile float fa = 1.0f, fb = 3.0f; float fq = fa / fb; uint32_t fu; memcpy(&fu, &fq, 4); mixu(fu);
    mixu(fetestexcept(FE_ALL_EXCEPT)); mixu((uint64_t)lrint(2.5)); mixu((uint64_t)llrint(-3.5)); mixd(rint(-0.5)); mixd(nearbyint(1.5));
    mixd(fma(0.1, 10.0, -1.0));
    printf("mode %d: q=%a flags=%x lrint=%ld\n", m, q, fetestexcept(FE_ALL_EXCEPT), lrint(2.5));
  }
  fesetround(FE_TONEAREST);
  /* sorting, strings */
  double *arr = malloc(20000 * sizeof(double));
  for (int i = 0; i < 20000; i++) arr[i] = rd();
  qsort(arr, 20000, sizeof(double), cmpd);
  for (int i = 0; i < 20000; i += 97) mixd(arr[i]);
  char buf[4096]; int n = 0;
  for (int i = 0; i < 200; i++) n += snprintf(buf + (n % 3000), 100, "%d:%x:%g;", i, i * 7919, (double)i / 7);
  mixu(strlen(buf)); for (size_t i = 0; i < strlen(buf); i++) mixu((unsigned char)buf[i]);
  printf("sort+str %016llx\n", (unsigned long long)h);
  /* long double (binary128 in software) and strtod's hard cases */
  long double L = 1.0L;
  for (int i = 1; i < 300; i++) { L = L * (long double)(i % 17 + 1) / (long double)(i % 13 + 2) + 1.0L / i; uint64_t w[2]; memcpy(w, &L, 16); mixu(w[0]); mixu(w[1]); }
  printf("ld %.30Lg\n", L);
  const char *hard[] = { "2.2250738585072011e-308", "2.2250738585072012e-308", "4.9406564584124654e-324", "1.7976931348623157e308",
    "0.1", "9007199254740993", "1e23", "8.5e-323", "0x1.fffffffffffffp1023", "-0.0", "nan", "inf", "123456789012345678901234567890e-30" };
  for (unsigned i = 0; i < sizeof hard / sizeof hard[0]; i++) { double d = strtod(hard[i], 0); float f = strtof(hard[i], 0); mixd(d); uint32_t fb; memcpy(&fb, &f, 4); mixu(fb); printf("%s -> %a %a\n", hard[i], d, (double)f); }
  /* 128-bit arithmetic, misaligned packed fields */
  unsigned __int128 acc = 1;
  for (int i = 0; i < 1000; i++) { acc = acc * (rnd() | 1) + rnd(); mixu((uint64_t)(acc >> 64)); mixu((uint64_t)(acc / ((rnd() >> 3) | 1))); }
  struct pk *p = malloc(sizeof(struct pk) * 64);
  for (int i = 0; i < 64; i++) { p[i].c = i; p[i].q = rnd(); p[i].w = rnd(); p[i].hw = rnd(); }
  for (int i = 0; i < 64; i++) { mixu(p[i].q + p[i].w + p[i].hw); }
  printf("int128+pk %016llx\n", (unsigned long long)h);
  /* atomics */
  _Atomic uint64_t a64 = 5; _Atomic uint32_t a32 = 7;
  for (int i = 0; i < 1000; i++) {
    atomic_fetch_add(&a64, rnd()); atomic_fetch_xor(&a32, (uint32_t)rnd()); atomic_fetch_and(&a64, ~(1ULL << (i % 64)));
    uint64_t e = atomic_load(&a64); atomic_compare_exchange_strong(&a64, &e, e * 3); atomic_fetch_or(&a32, 1u << (i % 32));
    uint32_t ew = 1; atomic_compare_exchange_strong(&a32, &ew, 2);
    mixu(atomic_load(&a64)); mixu(atomic_load(&a32));
  }
  printf("atomics %016llx\n", (unsigned long long)h);
  /* signals: SIGSEGV, SIGFPE-free division, SIGILL */
  signal(SIGSEGV, onsegv); signal(SIGILL, onsegv);
  volatile double keep = 1.25;
  int r = sigsetjmp(jb, 1);
  volatile int *volatile bad = (volatile int *)(uintptr_t)8;
  if (r == 0) { *bad = 1; }
  mixu(r); mixd(keep * 3);
  r = sigsetjmp(jb, 1);
  if (r == 0) { __asm__ volatile(".word 0xffffffff"); }
  mixu(r);
  printf("signals %d %016llx\n", r, (unsigned long long)h);
  /* fork + wait with FP state in both */
  pid_t pid = fork();
  if (pid == 0) { double z = 0; for (int i = 1; i < 10000; i++) z += 1.0 / i; _exit((int)(z * 10) & 0xff); }
  int st; waitpid(pid, &st, 0);
  double zz = 0; for (int i = 1; i < 10000; i++) zz += sin(i);
  mixu(WEXITSTATUS(st)); mixd(zz);
  printf("fork %d %.17g\n", WEXITSTATUS(st), zz);
  printf("final %016llx\n", (unsigned long long)h);
  return 0;
}
