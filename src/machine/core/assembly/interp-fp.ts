// F/D fast paths for the FP variant of the fast interpreter (interp.ts), one inline helper
// per operation so that each is its own case of the interpreter's switch. Each helper
// returns false, having changed nothing, when its fast path does not apply; the
// interpreter then hands the instruction to the general path (fp.ts / softfloat.ts), so
// results and flags are bit-identical either way.
//
// Preconditions shared by all: mstatus.FS is Dirty (so nothing needs marking) and the
// effective rounding mode is round-to-nearest-even (conversions to integer also take
// round-toward-zero). Results are accepted only when finite and normal (|r| >= 2^-1021 for
// doubles), so the only flag an operation can owe is NX. With NX already set (it sticks
// until software clears fflags), +, -, ×, ÷ and √ only need the host result (wasm f64 is
// IEEE binary64 with RNE and gradual underflow); otherwise NX comes from error-free
// transformations (TwoSum; Dekker's product, which needs moderate exponents).

import { FREGS, XREGS, mstatus, frm, MSTATUS_FS, MSTATUS_SD } from "./state";
import { fflags } from "./softfloat";
import { twoSumErr, twoProdErr, fmaRne } from "./fastfp";

const FS_SD: u64 = MSTATUS_FS | MSTATUS_SD;
const NX: u32 = 1;
const SIGN64: u64 = 0x8000000000000000;
const BOX: u64 = 0xffffffff00000000;

// Entry fields (register index × 8), as in interp.ts.
@inline function RD(w: u32): usize { return <usize>((w >> 5) & 0x1f8); }
@inline function RS1(w: u32): usize { return <usize>((w >> 11) & 0xf8); }
@inline function RS2(w: u32): usize { return <usize>((w >> 16) & 0xf8); }
@inline function RS3(w: u32): usize { return <usize>((w >> 21) & 0xf8); }

@inline function fd(w: u32): f64 { return load<f64>(RS1(w), FREGS); }
@inline function fd2(w: u32): f64 { return load<f64>(RS2(w), FREGS); }
@inline function fb(w: u32): u64 { return load<u64>(RS1(w), FREGS); }
@inline function fb2(w: u32): u64 { return load<u64>(RS2(w), FREGS); }
@inline function setD(w: u32, v: f64): void { store<f64>(RD(w), v, FREGS); }
@inline function setB(w: u32, v: u64): void { store<u64>(RD(w), v, FREGS); }
@inline function setX(w: u32, v: u64): void { store<u64>(RD(w), v, XREGS); }

/** FS is Dirty and the rounding mode (static imm, or frm when dynamic) is RNE. */
@inline export function fpReady(imm: i32): bool {
  return (mstatus & FS_SD) == FS_SD && (imm == 0 || (imm == 7 && frm == 0));
}
/** FS is Dirty and the rounding mode is RNE or RTZ; returns the mode, or -1. */
@inline function cvtMode(imm: i32): i32 {
  if ((mstatus & FS_SD) != FS_SD) return -1;
  let rm = imm == 7 ? <i32>frm : imm;
  return rm <= 1 ? rm : -1;
}

@inline function exp64(b: u64): u32 { return <u32>(b >> 52) & 0x7ff; }
/** Finite with |r| >= 2^-1021: no overflow, no underflow, not NaN. */
@inline function okD(r: f64): bool {
  let e = exp64(reinterpret<u64>(r));
  return e - 2 < 0x7ff - 2;
}
/** Normal with exponent in [-400, 400]: Dekker's product stays exact and normal. */
@inline function moderate(x: f64): bool {
  return exp64(reinterpret<u64>(x)) - (1023 - 400) <= 800;
}
/** s moved to the odd neighbour on the side of err (round-to-odd of s + err). */
@inline function toOdd(s: f64, err: f64): f64 {
  let b = reinterpret<u64>(s);
  if (err != 0 && (b & 1) == 0) b = (err > 0) == (s > 0) ? b + 1 : b - 1;
  return reinterpret<f64>(b);
}

// ---- double precision ----

@inline export function addD(w: u32, imm: i32, neg: bool): bool {
  if (!fpReady(imm)) return false;
  let x = fd(w), y = fd2(w);
  if (neg) y = -y;
  let s = x + y;
  if (!okD(s)) return false;
  if ((fflags & NX) == 0 && twoSumErr(x, y, s) != 0) fflags |= NX;
  setD(w, s);
  return true;
}

@inline export function mulD(w: u32, imm: i32): bool {
  if (!fpReady(imm)) return false;
  let x = fd(w), y = fd2(w);
  let p = x * y;
  if (!okD(p)) return false;
  if ((fflags & NX) == 0) {
    if (!moderate(x) || !moderate(y)) return false;
    if (twoProdErr(x, y, p) != 0) fflags |= NX;
  }
  setD(w, p);
  return true;
}

@inline export function divD(w: u32, imm: i32): bool {
  if (!fpReady(imm)) return false;
  let x = fd(w), y = fd2(w);
  let q = x / y;
  if (!okD(q)) return false;
  if ((fflags & NX) == 0) {
    if (!moderate(x) || !moderate(y)) return false;
    let p = q * y;
    if (p != x || twoProdErr(q, y, p) != 0) fflags |= NX;
  }
  setD(w, q);
  return true;
}

@inline export function sqrtD(w: u32, imm: i32): bool {
  if (!fpReady(imm)) return false;
  let x = fd(w);
  let r = Math.sqrt(x);
  if (!okD(r)) return false;
  if ((fflags & NX) == 0) {
    if (!moderate(x)) return false;
    let p = r * r;
    if (p != x || twoProdErr(r, r, p) != 0) fflags |= NX;
  }
  setD(w, r);
  return true;
}

/**
 * ±(a × b) ± c rounded once (fastfp.ts fmaRne); only once NX is set, with moderate
 * factors.
 */
@inline export function fmaD(w: u32, imm: i32, negProd: bool, negAdd: bool): bool {
  if (!fpReady(imm) || (fflags & NX) == 0) return false;
  let x = fd(w), y = fd2(w), z = load<f64>(RS3(w), FREGS);
  if (negProd) x = -x;
  if (negAdd) z = -z;
  if (!moderate(x) || !moderate(y)) return false;
  let ec = exp64(reinterpret<u64>(z));
  if (z != 0 && (ec < 1023 - 900 || ec > 1023 + 900)) return false;
  let r = fmaRne(x, y, z);
  if (!okD(r)) return false;
  setD(w, r);
  return true;
}

/** fsgnj.d (k 0), fsgnjn.d (1), fsgnjx.d (2). */
@inline export function sgnjD(w: u32, k: i32): bool {
  if ((mstatus & FS_SD) != FS_SD) return false;
  let a = fb(w), b = fb2(w);
  setB(w, k == 0 ? (a & ~SIGN64) | (b & SIGN64) : k == 1 ? (a & ~SIGN64) | (~b & SIGN64) : a ^ (b & SIGN64));
  return true;
}

@inline export function minMaxD(w: u32, isMin: bool): bool {
  if ((mstatus & FS_SD) != FS_SD) return false;
  let a = fb(w), b = fb2(w);
  let x = reinterpret<f64>(a), y = reinterpret<f64>(b);
  if (x != x || y != y) return false; // NaN operands: the general path (flags, canonical NaN)
  setB(w, x < y ? (isMin ? a : b) : y < x ? (isMin ? b : a) : isMin ? a | b : a & b);
  return true;
}

/** feq.d (k 0), flt.d (1), fle.d (2): two non-NaN values raise no flag. */
@inline export function cmpD(w: u32, k: i32): bool {
  if ((mstatus & FS_SD) != FS_SD) return false;
  let x = fd(w), y = fd2(w);
  if (x != x || y != y) return false;
  setX(w, (k == 0 ? x == y : k == 1 ? x < y : x <= y) ? 1 : 0);
  return true;
}

@inline export function mvXD(w: u32): bool {
  if ((mstatus & FS_SD) != FS_SD) return false;
  setX(w, fb(w));
  return true;
}
@inline export function mvDX(w: u32): bool {
  if ((mstatus & FS_SD) != FS_SD) return false;
  setB(w, load<u64>(RS1(w), XREGS));
  return true;
}
@inline export function mvXW(w: u32): bool {
  if ((mstatus & FS_SD) != FS_SD) return false;
  setX(w, <u64><i64><i32><u32>fb(w));
  return true;
}
@inline export function mvWX(w: u32): bool {
  if ((mstatus & FS_SD) != FS_SD) return false;
  setB(w, BOX | <u64><u32>load<u64>(RS1(w), XREGS));
  return true;
}

/** fcvt.d.{w,wu,l,lu} (k 0..3): exact for 32-bit sources and 64-bit ones up to 2^53. */
@inline export function cvtDX(w: u32, imm: i32, k: i32): bool {
  if (!fpReady(imm)) return false;
  let v = load<u64>(RS1(w), XREGS);
  let d: f64;
  if (k == 0) d = <f64><i32>v;
  else if (k == 1) d = <f64><u32>v;
  else if (k == 2) {
    if (<i64>v > 0x20000000000000 || <i64>v < -0x20000000000000) return false;
    d = <f64><i64>v;
  } else {
    if (v > 0x20000000000000) return false;
    d = <f64>v;
  }
  setD(w, d);
  return true;
}

/** fcvt.w.d (k 0), fcvt.wu.d (1), fcvt.l.d (2), fcvt.w.s (3), in RNE or RTZ, in range. */
@inline export function cvtXD(w: u32, imm: i32, k: i32): bool {
  let rm = cvtMode(imm);
  if (rm < 0) return false;
  let x: f64;
  if (k == 3) {
    let a = fb(w);
    let v = (a >> 32) == 0xffffffff ? <u32>a : 0x7fc00000;
    if ((v & 0x7fffffff) > 0x7f800000) return false; // NaN
    x = <f64>reinterpret<f32>(v);
  } else {
    x = fd(w);
  }
  let t = rm == 1 ? Math.trunc(x) : nearest<f64>(x);
  let inRange = k == 2
    ? t >= -9223372036854775808.0 && t < 9223372036854775808.0
    : k == 1 ? t >= 0.0 && t <= 4294967295.0 : t >= -2147483648.0 && t <= 2147483647.0;
  if (!inRange) return false; // NaN, infinities, saturation: the general path
  let r: u64 = k == 2 ? <u64><i64>t : k == 1 ? <u64><i64><i32><u32>t : <u64><i64><i32>t;
  if (t != x) fflags |= NX;
  setX(w, r);
  return true;
}

// ---- single precision (through binary64) ----

@inline function unboxF(a: u64): f64 {
  return <f64>reinterpret<f32>((a >> 32) == 0xffffffff ? <u32>a : 0x7fc00000);
}
/** A binary32 result that is finite and at least 2^-125 in magnitude. */
@inline function okF(r: f32): bool {
  let e = (reinterpret<u32>(r) >> 23) & 0xff;
  return e - 2 < 0xff - 2;
}
@inline function setF(w: u32, r: f32): void {
  store<u64>(RD(w), BOX | <u64>reinterpret<u32>(r), FREGS);
}

/**
 * fadd.s (k 0), fsub.s (1), fmul.s (2), fdiv.s (3), fsqrt.s (4): binary32 operands are
 * exact in binary64, and double rounding is innocuous for these because 53 >= 2*24 + 2.
 */
@inline export function arithS(w: u32, imm: i32, k: i32): bool {
  if (!fpReady(imm)) return false;
  let x = unboxF(fb(w));
  let y = k == 4 ? 1.0 : unboxF(fb2(w));
  if (x != x || y != y) return false; // NaN operands
  let r64: f64;
  let exact = true;
  if (k == 0) { r64 = x + y; exact = twoSumErr(x, y, r64) == 0; }
  else if (k == 1) { r64 = x - y; exact = twoSumErr(x, -y, r64) == 0; }
  else if (k == 2) r64 = x * y; // 24 × 24 bits: exact
  else if (k == 3) { if (y == 0) return false; r64 = x / y; }
  else { if (x < 0) return false; r64 = Math.sqrt(x); }
  let r = <f32>r64;
  if (!okF(r)) return false;
  if ((fflags & NX) == 0) {
    let back = <f64>r;
    if (k == 3) exact = back * y == x;      // exact product of two 24-bit significands
    else if (k == 4) exact = back * back == x;
    else exact = exact && back == r64;
    if (!exact) fflags |= NX;
  }
  setF(w, r);
  return true;
}

/**
 * ±(a × b) ± c in binary32: the product is exact in binary64, the sum is rounded to odd
 * in binary64 (TwoSum error), and round-to-odd at 53 bits then RNE at 24 is one correct
 * rounding (53 >= 24 + 2).
 */
@inline export function fmaS(w: u32, imm: i32, negProd: bool, negAdd: bool): bool {
  if (!fpReady(imm)) return false;
  let x = unboxF(fb(w)), y = unboxF(fb2(w)), z = unboxF(load<u64>(RS3(w), FREGS));
  // NaN or infinite operands: the general path.
  if (!(Math.abs(x) < Infinity) || !(Math.abs(y) < Infinity) || !(Math.abs(z) < Infinity)) return false;
  if (negProd) x = -x;
  if (negAdd) z = -z;
  let p = x * y;
  let s = p + z;
  let err = twoSumErr(p, z, s);
  s = toOdd(s, err);
  let r = <f32>s;
  if (!okF(r)) return false;
  if (err != 0 || <f64>r != s) fflags |= NX;
  setF(w, r);
  return true;
}

@inline export function cvtDS(w: u32, imm: i32): bool {
  if (!fpReady(imm)) return false;
  let x = unboxF(fb(w));
  if (x != x) return false;
  setD(w, x);
  return true;
}

@inline export function cvtSD(w: u32, imm: i32): bool {
  if (!fpReady(imm)) return false;
  let x = fd(w);
  if (x != x) return false;
  let r = <f32>x;
  if (x != 0 && !okF(r)) return false; // tiny, subnormal or overflow
  if (<f64>r != x) fflags |= NX;
  setF(w, r);
  return true;
}

// ---- fflags / frm / fcsr ----

/**
 * csrrw (k 0), csrrs (1), csrrc (2) on fflags, frm or fcsr with FS Dirty: these touch
 * nothing but the FP state (no trap, no interrupt can become pending). Other CSRs: false.
 */
@inline export function fpCsr(w: u32, imm: i32, k: i32): bool {
  let csr = <u32>imm & 0xfff;
  if (csr - 1 > 2 || (mstatus & FS_SD) != FS_SD) return false;
  let old: u32 = csr == 1 ? fflags : csr == 2 ? frm : (frm << 5) | fflags;
  let v = <u32>load<u64>(RS1(w), XREGS);
  let nv = k == 0 ? v : k == 1 ? old | v : old & ~v;
  if (csr != 2) fflags = nv & 0x1f;
  if (csr == 2) frm = nv & 7;
  else if (csr == 3) frm = (nv >> 5) & 7;
  setX(w, <u64>old);
  return true;
}
