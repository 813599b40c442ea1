/*
 * bench/cpu: a CPU-bound bare-metal RV64GC program (M-mode, no OS, no libc).
 *
 * Five kernels, each returning a 64-bit result that is printed on the UART and folded
 * into a checksum:
 *   int     CRC-32 (table) over a 1 MiB buffer, Collatz path lengths, bit mixing
 *   mem     Sattolo permutation of 1M u32 (4 MiB) + random pointer chase over it, and a
 *           streaming update over two 2 MiB u64 arrays (both far beyond 256 pages)
 *   sort    quicksort of 256K random u32 (unpredictable branches) + binary searches
 *   muldiv  Miller-Rabin prime count (64-bit mul + remu), signed/unsigned div/rem and
 *           mulh* of all widths, including the RISC-V special cases (x/0, MIN/-1)
 *   fp      double matrix multiply, n-body (sqrt, div), and single/double conversions;
 *           fcsr flags are folded in too
 * The output ends with "checksum: 0x<16 hex digits>", then the program exits through
 * the SiFive test finisher (0x5555 = pass).
 */
#include <stdint.h>

typedef uint64_t u64;
typedef int64_t i64;
typedef uint32_t u32;
typedef int32_t i32;
typedef uint8_t u8;

#define UART ((volatile u8 *)0x10000000UL)

static void putch(char c) {
  while (!(UART[5] & 0x20)) {}
  UART[0] = (u8)c;
}
static void puts_(const char *s) {
  while (*s) putch(*s++);
}
static void puthex(u64 v) {
  puts_("0x");
  for (int i = 60; i >= 0; i -= 4) putch("0123456789abcdef"[(v >> i) & 15]);
}

/* The compiler may emit calls to these for struct copies and array initialisers. */
void *memcpy(void *d, const void *s, unsigned long n) {
  u8 *dp = d;
  const u8 *sp = s;
  while (n--) *dp++ = *sp++;
  return d;
}
void *memset(void *d, int c, unsigned long n) {
  u8 *dp = d;
  while (n--) *dp++ = (u8)c;
  return d;
}

static u64 rng_state;
static u64 rnd(void) {
  u64 x = rng_state;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  rng_state = x;
  return x * 0x2545F4914F6CDD1DULL;
}

static u64 mix(u64 h, u64 v) {
  h ^= v + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
  h *= 0x100000001B3ULL;
  return h ^ (h >> 31);
}

/* ------------------------------------------------------------------ int */

#define BUF_BYTES (1u << 20)
static u8 buf[BUF_BYTES];
static u32 crc_table[256];

static u64 k_int(void) {
  for (u32 i = 0; i < 256; i++) {
    u32 c = i;
    for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    crc_table[i] = c;
  }
  u64 *w = (u64 *)buf;
  for (u32 i = 0; i < BUF_BYTES / 8; i++) w[i] = rnd();

  u64 h = 0;
  for (int pass = 0; pass < 3; pass++) {
    u32 crc = ~(u32)pass;
    for (u32 i = 0; i < BUF_BYTES; i++) crc = crc_table[(crc ^ buf[i]) & 0xff] ^ (crc >> 8);
    h = mix(h, ~crc);
  }

  /* Collatz path lengths: data-dependent branches, shifts and adds. */
  u64 total = 0, longest = 0, arg = 0;
  for (u64 n = 1; n <= 50000; n++) {
    u64 x = n, steps = 0;
    while (x != 1) {
      x = (x & 1) ? 3 * x + 1 : x >> 1;
      steps++;
    }
    total += steps;
    if (steps > longest) { longest = steps; arg = n; }
  }
  h = mix(h, total);
  h = mix(h, (longest << 32) | arg);

  /* Bit mixing with rotates, 32-bit ops (addw/sllw/sraw) and byte swaps. */
  u64 a = 0x0123456789ABCDEFULL, b = 0xFEDCBA9876543210ULL;
  i32 s = 12345;
  for (u32 i = 0; i < 1500000; i++) {
    a += b ^ i;
    b = (b << 13) | (b >> 51);
    b ^= a;
    a = (a >> 7) | (a << 57);
    s = (i32)((u32)s * 31u + (u32)(a & 0xffff));
    s ^= s >> 5;
    if ((i & 1023) == 0) a ^= __builtin_bswap64(b);
  }
  h = mix(h, a);
  h = mix(h, b);
  h = mix(h, (u64)(i64)s);
  return h;
}

/* ------------------------------------------------------------------ mem */

#define PERM_N (1u << 20)   /* 4 MiB of u32: 1024 pages */
#define STREAM_N (1u << 18) /* 2 MiB of u64 per array: 512 pages each */
static u32 perm[PERM_N];
static u64 sa[STREAM_N], sb[STREAM_N];

static u64 k_mem(void) {
  for (u32 i = 0; i < PERM_N; i++) perm[i] = i;
  /* Sattolo's algorithm: a single cycle through all PERM_N elements. */
  for (u32 i = PERM_N - 1; i > 0; i--) {
    u32 j = (u32)(rnd() % i);
    u32 t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  u64 h = 0;
  u32 idx = 0;
  u64 sum = 0;
  for (u32 step = 0; step < 4000000; step++) {
    idx = perm[idx];
    sum += idx ^ step;
  }
  h = mix(h, sum);
  h = mix(h, idx);

  for (u32 i = 0; i < STREAM_N; i++) {
    sa[i] = rnd();
    sb[i] = i * 0x9E3779B97F4A7C15ULL;
  }
  for (u32 r = 0; r < 8; r++) {
    u64 *dst = (r & 1) ? sa : sb;
    const u64 *src = (r & 1) ? sb : sa;
    u64 k = 2 * r + 1;
    for (u32 i = 0; i < STREAM_N; i++) dst[i] += src[i] * k + (src[(i + 4099) & (STREAM_N - 1)] >> 3);
  }
  u64 acc = 0;
  for (u32 i = 0; i < STREAM_N; i += 7) acc += sa[i] ^ sb[STREAM_N - 1 - i];
  h = mix(h, acc);
  return h;
}

/* ----------------------------------------------------------------- sort */

#define SORT_N (1u << 18)
static u32 sarr[SORT_N];

static void insertion(u32 *a, i64 n) {
  for (i64 i = 1; i < n; i++) {
    u32 v = a[i];
    i64 j = i - 1;
    while (j >= 0 && a[j] > v) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = v;
  }
}

static void quicksort(u32 *a, i64 n) {
  while (n > 16) {
    u32 x = a[0], y = a[n / 2], z = a[n - 1];
    u32 p = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
    i64 i = -1, j = n;
    for (;;) {
      do i++; while (a[i] < p);
      do j--; while (a[j] > p);
      if (i >= j) break;
      u32 t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    /* recurse into the smaller half, loop on the larger */
    if (j + 1 < n - j - 1) {
      quicksort(a, j + 1);
      a += j + 1;
      n -= j + 1;
    } else {
      quicksort(a + j + 1, n - j - 1);
      n = j + 1;
    }
  }
  insertion(a, n);
}

static u64 k_sort(void) {
  for (u32 i = 0; i < SORT_N; i++) sarr[i] = (u32)(rnd() >> 32);
  quicksort(sarr, SORT_N);
  u64 h = 0, bad = 0;
  for (u32 i = 1; i < SORT_N; i++) bad += sarr[i - 1] > sarr[i];
  h = mix(h, bad);
  for (u32 i = 0; i < SORT_N; i += 97) h = mix(h, sarr[i]);
  /* binary searches: lower_bound of random keys */
  u64 found = 0;
  for (u32 q = 0; q < 200000; q++) {
    u32 key = (u32)(rnd() >> 32);
    u32 lo = 0, hi = SORT_N;
    while (lo < hi) {
      u32 mid = (lo + hi) >> 1;
      if (sarr[mid] < key) lo = mid + 1;
      else hi = mid;
    }
    found += lo;
  }
  h = mix(h, found);
  return h;
}

/* --------------------------------------------------------------- muldiv */

static u64 mulmod(u64 a, u64 b, u64 m) { return (a * b) % m; } /* m < 2^32 */

static u64 powmod(u64 b, u64 e, u64 m) {
  u64 r = 1;
  b %= m;
  while (e) {
    if (e & 1) r = mulmod(r, b, m);
    b = mulmod(b, b, m);
    e >>= 1;
  }
  return r;
}

/* Deterministic Miller-Rabin for n < 3,215,031,751 (bases 2, 3, 5, 7). */
static int is_prime(u32 n) {
  static const u32 small[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37};
  for (unsigned i = 0; i < sizeof small / sizeof small[0]; i++) {
    if (n == small[i]) return 1;
    if (n % small[i] == 0) return 0;
  }
  u64 d = n - 1;
  int s = 0;
  while (!(d & 1)) { d >>= 1; s++; }
  static const u32 bases[] = {2, 3, 5, 7};
  for (unsigned k = 0; k < 4; k++) {
    u64 x = powmod(bases[k], d, n);
    if (x == 1 || x == n - 1) continue;
    int comp = 1;
    for (int r = 1; r < s; r++) {
      x = mulmod(x, x, n);
      if (x == n - 1) { comp = 0; break; }
    }
    if (comp) return 0;
  }
  return 1;
}

/* RISC-V defines division by zero and overflow; C does not, so use the instructions. */
#define RV_OP(op, a, b) ({ i64 r_; __asm__ volatile(op " %0, %1, %2" : "=r"(r_) : "r"(a), "r"(b)); r_; })

static u64 gcd(u64 a, u64 b) {
  while (b) { u64 t = a % b; a = b; b = t; }
  return a;
}

static u64 k_muldiv(void) {
  u64 h = 0;
  u64 primes = 0, psum = 0;
  for (u32 n = 2000000001u; n < 2000000001u + 240000u; n += 2) {
    if (is_prime(n)) { primes++; psum += n; }
  }
  h = mix(h, primes);
  h = mix(h, psum);

  /* signed / unsigned 64- and 32-bit division of random operands */
  i64 sacc = 0;
  u64 uacc = 0;
  for (u32 i = 0; i < 300000; i++) {
    i64 x = (i64)rnd();
    i64 y = (i64)(rnd() >> (i & 31)) | 1;
    if (i & 2) y = -y;
    sacc += x / y + x % (y | 3);
    uacc ^= (u64)x / ((u64)y >> (i & 15)) + (u64)x % (u64)((y & 0xffffff) | 1);
    i32 xw = (i32)x, yw = (i32)(y >> 7) | 1;
    sacc += xw / yw;
    sacc ^= xw % yw;
    uacc += (u32)xw / ((u32)yw | 1u) + (u32)xw % (u32)((yw & 0x7ff) | 1);
    uacc += gcd((u64)x >> 20, (u64)y >> 24 | 1);
  }
  h = mix(h, (u64)sacc);
  h = mix(h, uacc);

  /* high-half multiplies */
  u64 hacc = 0;
  for (u32 i = 0; i < 300000; i++) {
    u64 a = rnd(), b = rnd();
    hacc += (u64)(((unsigned __int128)a * b) >> 64);
    hacc ^= (u64)(((__int128)(i64)a * (i64)b) >> 64);
    hacc += (u64)(((__int128)(i64)a * (unsigned __int128)b) >> 64); /* mulhsu-ish */
    hacc += (u64)((i64)(i32)a * (i64)(i32)b);                      /* mulw path */
  }
  h = mix(h, hacc);

  /* architectural corner cases */
  const i64 MIN = (i64)0x8000000000000000ULL;
  static const i64 vals[] = {0, 1, -1, 7, -7, 0x7fffffff, (i64)0xffffffff80000000ULL, (i64)0x8000000000000000ULL,
                             0x7fffffffffffffffLL, 3, -3, 0x100000000LL};
  for (unsigned i = 0; i < sizeof vals / sizeof vals[0]; i++) {
    for (unsigned j = 0; j < sizeof vals / sizeof vals[0]; j++) {
      i64 a = vals[i], b = vals[j];
      h = mix(h, (u64)RV_OP("div", a, b));
      h = mix(h, (u64)RV_OP("divu", a, b));
      h = mix(h, (u64)RV_OP("rem", a, b));
      h = mix(h, (u64)RV_OP("remu", a, b));
      h = mix(h, (u64)RV_OP("divw", a, b));
      h = mix(h, (u64)RV_OP("divuw", a, b));
      h = mix(h, (u64)RV_OP("remw", a, b));
      h = mix(h, (u64)RV_OP("remuw", a, b));
      h = mix(h, (u64)RV_OP("mulh", a, b));
      h = mix(h, (u64)RV_OP("mulhu", a, b));
      h = mix(h, (u64)RV_OP("mulhsu", a, b));
      h = mix(h, (u64)RV_OP("mulw", a, b));
    }
  }
  (void)MIN;
  return h;
}

/* ------------------------------------------------------------------- fp */

#define MN 64
static double ma[MN][MN], mb[MN][MN], mc[MN][MN];

static double to_unit(u64 r) { return (double)(r >> 11) * (1.0 / 9007199254740992.0); }

static u64 bits(double d) {
  union { double d; u64 u; } v = {d};
  return v.u;
}

static double fmin_d(double a, double b) {
  double r;
  __asm__("fmin.d %0, %1, %2" : "=f"(r) : "f"(a), "f"(b));
  return r;
}

struct body { double x, y, z, vx, vy, vz, m; };

static u64 k_fp(void) {
  u64 h = 0;
  for (int i = 0; i < MN; i++)
    for (int j = 0; j < MN; j++) {
      ma[i][j] = to_unit(rnd()) - 0.5;
      mb[i][j] = to_unit(rnd()) * 2.0 - 1.0;
    }
  for (int rep = 0; rep < 12; rep++) {
    for (int i = 0; i < MN; i++)
      for (int j = 0; j < MN; j++) {
        double s = 0.0;
        for (int k = 0; k < MN; k++) s += ma[i][k] * mb[k][j];
        mc[i][j] = s;
      }
    /* feed back (scaled) so each repetition depends on the previous one */
    double tr = 0.0;
    for (int i = 0; i < MN; i++) tr += mc[i][i];
    h = mix(h, bits(tr));
    for (int i = 0; i < MN; i++)
      for (int j = 0; j < MN; j++) ma[i][j] = mc[i][j] * 0.125 + ma[i][j] * 0.5;
  }

  /* n-body (5 bodies, the classic Sun + 4 giant planets setup in solar units) */
  const double PI = 3.141592653589793, SOLAR_MASS = 4 * PI * PI, DPY = 365.24;
  struct body b[5] = {
    {0, 0, 0, 0, 0, 0, SOLAR_MASS},
    {4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01,
     1.66007664274403694e-03 * DPY, 7.69901118419740425e-03 * DPY, -6.90460016972063023e-05 * DPY,
     9.54791938424326609e-04 * SOLAR_MASS},
    {8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01,
     -2.76742510726862411e-03 * DPY, 4.99852801234917238e-03 * DPY, 2.30417297573763929e-05 * DPY,
     2.85885980666130812e-04 * SOLAR_MASS},
    {1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01,
     2.96460137564761618e-03 * DPY, 2.37847173959480950e-03 * DPY, -2.96589568540237556e-05 * DPY,
     4.36624404335156298e-05 * SOLAR_MASS},
    {1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01,
     2.68067772490389322e-03 * DPY, 1.62824170038242295e-03 * DPY, -9.51592254519715870e-05 * DPY,
     5.15138902046611451e-05 * SOLAR_MASS},
  };
  double px = 0, py = 0, pz = 0;
  for (int i = 0; i < 5; i++) { px += b[i].vx * b[i].m; py += b[i].vy * b[i].m; pz += b[i].vz * b[i].m; }
  b[0].vx = -px / SOLAR_MASS; b[0].vy = -py / SOLAR_MASS; b[0].vz = -pz / SOLAR_MASS;
  const double dt = 0.01;
  for (int step = 0; step < 100000; step++) {
    for (int i = 0; i < 5; i++)
      for (int j = i + 1; j < 5; j++) {
        double dx = b[i].x - b[j].x, dy = b[i].y - b[j].y, dz = b[i].z - b[j].z;
        double d2 = dx * dx + dy * dy + dz * dz;
        double mag = dt / (d2 * __builtin_sqrt(d2));
        b[i].vx -= dx * b[j].m * mag; b[i].vy -= dy * b[j].m * mag; b[i].vz -= dz * b[j].m * mag;
        b[j].vx += dx * b[i].m * mag; b[j].vy += dy * b[i].m * mag; b[j].vz += dz * b[i].m * mag;
      }
    for (int i = 0; i < 5; i++) { b[i].x += dt * b[i].vx; b[i].y += dt * b[i].vy; b[i].z += dt * b[i].vz; }
  }
  double e = 0.0;
  for (int i = 0; i < 5; i++) {
    e += 0.5 * b[i].m * (b[i].vx * b[i].vx + b[i].vy * b[i].vy + b[i].vz * b[i].vz);
    for (int j = i + 1; j < 5; j++) {
      double dx = b[i].x - b[j].x, dy = b[i].y - b[j].y, dz = b[i].z - b[j].z;
      e -= b[i].m * b[j].m / __builtin_sqrt(dx * dx + dy * dy + dz * dz);
    }
  }
  h = mix(h, bits(e));
  for (int i = 0; i < 5; i++) h = mix(h, bits(b[i].x) ^ bits(b[i].vy));

  /* conversions, single precision, min/max, classify */
  u64 cacc = 0;
  float fs = 0.0f;
  for (u32 i = 1; i < 200000; i++) {
    double d = (double)(i64)(rnd() >> 20) / (double)i - 1000.0;
    float f = (float)d;
    fs += f * 0.001f;
    cacc += (u64)(i64)d;              /* fcvt.l.d (rtz) */
    cacc ^= (u64)(i32)(f * 3.0f);     /* fcvt.w.s */
    cacc += (u64)(u32)__builtin_fabs(d); /* fcvt.wu.d */
    cacc += bits(fmin_d(d, (double)f)) >> 40;
    cacc += (u64)__builtin_isless(d, (double)fs);
  }
  h = mix(h, cacc);
  union { float f; u32 u; } fu = {fs};
  h = mix(h, fu.u);
  u64 fcsr;
  __asm__ volatile("csrr %0, fcsr" : "=r"(fcsr));
  h = mix(h, fcsr);
  return h;
}

/* ----------------------------------------------------------------- main */

struct kernel { const char *name; u64 (*fn)(void); };

int main(void) {
  static const struct kernel ks[] = {
    {"int", k_int}, {"mem", k_mem}, {"sort", k_sort}, {"muldiv", k_muldiv}, {"fp", k_fp},
  };
  rng_state = 0x9E3779B97F4A7C15ULL;
  u64 h = 0xCBF29CE484222325ULL;
  puts_("edgevisor bench/cpu\n");
  for (unsigned i = 0; i < sizeof ks / sizeof ks[0]; i++) {
    u64 r = ks[i].fn();
    puts_("kernel ");
    puts_(ks[i].name);
    puts_(": ");
    puthex(r);
    putch('\n');
    h = mix(h, r);
  }
  puts_("checksum: ");
  puthex(h);
  putch('\n');
  return 0;
}
