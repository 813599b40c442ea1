// Bare-metal RISC-V harness: runs every test vector on the F/D instructions of the machine
// (QEMU's implementation is the reference) and writes results through semihosting.
// Input at 0x84000000: u64 count, then records { u32 op, u32 rm, u64 a, u64 b, u64 c }.
// Output file: records { u64 result, u64 fflags }.
typedef unsigned long u64;
typedef unsigned int u32;

struct rec { u32 op, rm; u64 a, b, c; };
#define IN ((volatile u64 *)0x84000000UL)
#define OUT ((u64 *)0x88000000UL)

__attribute__((aligned(16), noinline)) static long semi(long op, void *arg) {
  register long a0 asm("a0") = op;
  register void *a1 asm("a1") = arg;
  asm volatile(".option push\n.option norvc\nslli x0, x0, 0x1f\nebreak\nsrai x0, x0, 7\n.option pop"
               : "+r"(a0) : "r"(a1) : "memory");
  return a0;
}

#define S(x) ({ float _f; asm volatile("fmv.w.x %0, %1" : "=f"(_f) : "r"(x)); _f; })
#define D(x) ({ double _d; asm volatile("fmv.d.x %0, %1" : "=f"(_d) : "r"(x)); _d; })
#define XS(f) ({ u64 _x; asm volatile("fmv.x.w %0, %1" : "=r"(_x) : "f"(f)); _x & 0xffffffffUL; })
#define XD(f) ({ u64 _x; asm volatile("fmv.x.d %0, %1" : "=r"(_x) : "f"(f)); _x; })

#define R2S(i) { float x = S(a), y = S(b), r; asm volatile(i " %0, %1, %2" : "=f"(r) : "f"(x), "f"(y)); res = XS(r); } break
#define R2D(i) { double x = D(a), y = D(b), r; asm volatile(i " %0, %1, %2" : "=f"(r) : "f"(x), "f"(y)); res = XD(r); } break
#define R1S(i) { float x = S(a), r; asm volatile(i " %0, %1" : "=f"(r) : "f"(x)); res = XS(r); } break
#define R1D(i) { double x = D(a), r; asm volatile(i " %0, %1" : "=f"(r) : "f"(x)); res = XD(r); } break
#define R3S(i) { float x = S(a), y = S(b), z = S(c), r; asm volatile(i " %0, %1, %2, %3" : "=f"(r) : "f"(x), "f"(y), "f"(z)); res = XS(r); } break
#define R3D(i) { double x = D(a), y = D(b), z = D(c), r; asm volatile(i " %0, %1, %2, %3" : "=f"(r) : "f"(x), "f"(y), "f"(z)); res = XD(r); } break
#define CS(i) { float x = S(a), y = S(b); asm volatile(i " %0, %1, %2" : "=r"(res) : "f"(x), "f"(y)); } break
#define CD(i) { double x = D(a), y = D(b); asm volatile(i " %0, %1, %2" : "=r"(res) : "f"(x), "f"(y)); } break
#define FIS(i) { float x = S(a); asm volatile(i " %0, %1" : "=r"(res) : "f"(x)); } break
#define FID(i) { double x = D(a); asm volatile(i " %0, %1" : "=r"(res) : "f"(x)); } break
#define IFS(i) { float r; asm volatile(i " %0, %1" : "=f"(r) : "r"(a)); res = XS(r); } break
#define IFD(i) { double r; asm volatile(i " %0, %1" : "=f"(r) : "r"(a)); res = XD(r); } break

static const char fname[] = "results.bin";

void main(void) {
  u64 n = IN[0];
  volatile struct rec *v = (volatile struct rec *)(IN + 1);
  for (u64 k = 0; k < n; k++) {
    u32 op = v[k].op, rm = v[k].rm;
    u64 a = v[k].a, b = v[k].b, c = v[k].c, res = 0, fl;
    asm volatile("fsrm %0" :: "r"(rm));
    asm volatile("fsflags x0");
    switch (op) {
      case 0: R2S("fadd.s");
      case 1: R2S("fsub.s");
      case 2: R2S("fmul.s");
      case 3: R2S("fdiv.s");
      case 4: R1S("fsqrt.s");
      case 5: R3S("fmadd.s");
      case 6: R3S("fmsub.s");
      case 7: R3S("fnmsub.s");
      case 8: R3S("fnmadd.s");
      case 9: CS("feq.s");
      case 10: CS("flt.s");
      case 11: CS("fle.s");
      case 12: R2S("fmin.s");
      case 13: R2S("fmax.s");
      case 14: FIS("fclass.s");
      case 15: FIS("fcvt.w.s");
      case 16: FIS("fcvt.wu.s");
      case 17: FIS("fcvt.l.s");
      case 18: FIS("fcvt.lu.s");
      case 19: IFS("fcvt.s.w");
      case 20: IFS("fcvt.s.wu");
      case 21: IFS("fcvt.s.l");
      case 22: IFS("fcvt.s.lu");
      case 23: { float x = S(a); double r; asm volatile("fcvt.d.s %0, %1" : "=f"(r) : "f"(x)); res = XD(r); } break;
      case 32: R2D("fadd.d");
      case 33: R2D("fsub.d");
      case 34: R2D("fmul.d");
      case 35: R2D("fdiv.d");
      case 36: R1D("fsqrt.d");
      case 37: R3D("fmadd.d");
      case 38: R3D("fmsub.d");
      case 39: R3D("fnmsub.d");
      case 40: R3D("fnmadd.d");
      case 41: CD("feq.d");
      case 42: CD("flt.d");
      case 43: CD("fle.d");
      case 44: R2D("fmin.d");
      case 45: R2D("fmax.d");
      case 46: FID("fclass.d");
      case 47: FID("fcvt.w.d");
      case 48: FID("fcvt.wu.d");
      case 49: FID("fcvt.l.d");
      case 50: FID("fcvt.lu.d");
      case 51: IFD("fcvt.d.w");
      case 52: IFD("fcvt.d.wu");
      case 53: IFD("fcvt.d.l");
      case 54: IFD("fcvt.d.lu");
      case 55: { double x = D(a); float r; asm volatile("fcvt.s.d %0, %1" : "=f"(r) : "f"(x)); res = XS(r); } break;
      default: res = 0xdeadbeefUL;
    }
    asm volatile("frflags %0" : "=r"(fl));
    OUT[2 * k] = res;
    OUT[2 * k + 1] = fl;
  }
  u64 open[3] = { (u64)fname, 5 /* "wb" */, sizeof(fname) - 1 };
  long fd = semi(0x01, open);
  u64 wr[3] = { (u64)fd, (u64)OUT, n * 16 };
  semi(0x05, wr);
  u64 cl[1] = { (u64)fd };
  semi(0x02, cl);
  u64 ex[2] = { 0x20026, 0 };
  semi(0x18, ex);
  for (;;) {}
}
