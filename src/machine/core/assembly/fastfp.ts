// Fast paths for F/D arithmetic in round-to-nearest-even using the host's IEEE-754 doubles
// (wasm f64 is exactly IEEE binary64 with RNE and no flush-to-zero). A fast path applies
// only when every operand is normal or zero in a moderate exponent range and the result
// is finite and normal, so the only flag it can owe is NX, which it computes exactly with
// error-free transformations (TwoSum, Dekker's TwoProduct). Fused multiply-add uses
// Boldo & Melquiond's emulation (TwoProduct, TwoSum, round-to-odd, final RNE), taken only
// once NX is already set. Anything else returns false and softfloat.ts does the work,
// so results and flags are bit-identical either way.

import { fflags } from "./softfloat";

const NX: u32 = 1;
/** Result of the last successful fast path (raw bits, f32 results in the low 32). */
export let fastResult: u64 = 0;

@inline function bits(x: f64): u64 { return reinterpret<u64>(x); }
@inline function dbl(b: u64): f64 { return reinterpret<f64>(b); }
@inline function exp64(b: u64): i32 { return <i32>((b >> 52) & 0x7ff); }

/** Normal with exponent in [-400, 400]: products and splits stay exact and normal. */
@inline function moderate(b: u64): bool {
  let e = exp64(b);
  return e >= 1023 - 400 && e <= 1023 + 400;
}
/** Normal or ±0. */
@inline function normalOrZero(b: u64): bool {
  let e = exp64(b);
  return e != 0x7ff && (e != 0 || (b << 1) == 0);
}
/** A result the fast path may return: finite and at least 2^-1021 in magnitude. */
@inline function resultOk(r: f64): bool {
  let e = exp64(bits(r));
  return e >= 2 && e < 0x7ff;
}

/** Error of s = RN(a + b) (Knuth's TwoSum): a + b = s + err exactly. */
@inline export function twoSumErr(a: f64, b: f64, s: f64): f64 {
  let bb = s - a;
  return (a - (s - bb)) + (b - bb);
}

/** Error of p = RN(a * b) by Dekker's product with Veltkamp splitting (moderate inputs). */
@inline export function twoProdErr(a: f64, b: f64, p: f64): f64 {
  const C: f64 = 134217729.0; // 2^27 + 1
  let t = C * a;
  let ah = t - (t - a);
  let al = a - ah;
  t = C * b;
  let bh = t - (t - b);
  let bl = b - bh;
  return ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}

@inline export function f64AddFast(a: u64, b: u64): bool {
  if (!normalOrZero(a) || !normalOrZero(b)) return false;
  let x = dbl(a), y = dbl(b);
  let s = x + y;
  if (!resultOk(s)) return false;
  if ((fflags & NX) == 0 && twoSumErr(x, y, s) != 0) fflags |= NX;
  fastResult = bits(s);
  return true;
}

@inline export function f64MulFast(a: u64, b: u64): bool {
  if (!moderate(a) || !moderate(b)) return false;
  let x = dbl(a), y = dbl(b);
  let p = x * y;
  if ((fflags & NX) == 0 && twoProdErr(x, y, p) != 0) fflags |= NX;
  fastResult = bits(p);
  return true;
}

@inline export function f64DivFast(a: u64, b: u64): bool {
  if (!moderate(a) || !moderate(b)) return false;
  let x = dbl(a), y = dbl(b);
  let q = x / y;
  if ((fflags & NX) == 0) {
    let p = q * y;
    if (p != x || twoProdErr(q, y, p) != 0) fflags |= NX;
  }
  fastResult = bits(q);
  return true;
}

@inline export function f64SqrtFast(a: u64): bool {
  if (!moderate(a) || (a >> 63) != 0) return false;
  let x = dbl(a);
  let r = Math.sqrt(x);
  if ((fflags & NX) == 0) {
    let p = r * r;
    if (p != x || twoProdErr(r, r, p) != 0) fflags |= NX;
  }
  fastResult = bits(r);
  return true;
}

/**
 * x × y + z rounded once to nearest-even (Boldo & Melquiond), for moderate x and y (see
 * moderate) and z zero or within 2^±900, so that every step is exact or correctly rounded
 * and nothing overflows or underflows: the exact value is th + tl + ul (th = RN(z + RN(x ×
 * y)) and the two exact rounding errors), and the result is RN(th + RO(tl + ul)), RO being
 * round-to-odd.
 *
 * RO(tl + ul) is v = RN(tl + ul) or one of v's two neighbours, so when th plus either
 * neighbour rounds to the same double, so does th plus RO(tl + ul) (rounding is monotone),
 * and that is the result: no need to wait for v's own rounding error, which costs a
 * dependent TwoSum in chains of FMAs (dot products). Only near a tie of the final sum do
 * the neighbours round apart; then v is rounded to odd exactly. (Either neighbour of ±0 is a
 * NaN or the other sign's smallest subnormal; a NaN compares unequal, so ±0 goes the exact way.)
 */
@inline export function fmaRne(x: f64, y: f64, z: f64): f64 {
  let uh = x * y;
  let ul = twoProdErr(x, y, uh);
  let th = z + uh;
  let tl = twoSumErr(z, uh, th);
  let v = tl + ul;
  let vb = bits(v);
  let r = th + v;
  if (th + dbl(vb + 1) == th + dbl(vb - 1)) return r;
  let ve = twoSumErr(tl, ul, v);
  if (ve != 0 && (vb & 1) == 0) {
    vb = (ve > 0) == (v > 0) ? vb + 1 : vb - 1;
    v = dbl(vb);
  }
  return th + v;
}

/** a * b + c rounded once (caller has applied the fmsub/fnmadd/fnmsub sign flips). */
@inline export function f64FmaFast(a: u64, b: u64, c: u64): bool {
  if ((fflags & NX) == 0 || !moderate(a) || !moderate(b)) return false;
  let ec = exp64(c);
  if ((c << 1) != 0 && (ec < 1023 - 900 || ec > 1023 + 900)) return false;
  let r = fmaRne(dbl(a), dbl(b), dbl(c));
  if (!resultOk(r)) return false;
  fastResult = bits(r);
  return true;
}

// ---- binary32 through binary64: exact inputs, and double rounding is innocuous for
// +, -, ×, ÷ and √ because 53 ≥ 2·24 + 2 (Figueroa).

@inline function f32normalOrZero(b: u32): bool {
  let e = (b >> 23) & 0xff;
  return e != 0xff && (e != 0 || (b << 1) == 0);
}
@inline function f32resultOk(r: f32): bool {
  let e = (reinterpret<u32>(r) >> 23) & 0xff;
  return e >= 2 && e < 0xff;
}

/** op: 0 add, 1 sub, 2 mul, 3 div, 4 sqrt (b ignored). */
export function f32ArithFast(op: u32, a: u32, b: u32): bool {
  if (!f32normalOrZero(a) || !f32normalOrZero(b)) return false;
  let x = <f64>reinterpret<f32>(a);
  let y = <f64>reinterpret<f32>(b);
  let r64: f64;
  let exact64 = true;
  if (op == 0) { r64 = x + y; exact64 = twoSumErr(x, y, r64) == 0; }
  else if (op == 1) { r64 = x - y; exact64 = twoSumErr(x, -y, r64) == 0; }
  else if (op == 2) r64 = x * y; // 24 × 24 bits: exact in binary64
  else if (op == 3) { if (y == 0) return false; r64 = x / y; }
  else { if (x < 0) return false; r64 = Math.sqrt(x); }
  let r = <f32>r64;
  if (!f32resultOk(r)) return false;
  if ((fflags & NX) == 0) {
    let back = <f64>r;
    let exact: bool;
    if (op == 3) exact = back * y == x;      // exact product of two 24-bit significands
    else if (op == 4) exact = back * back == x;
    else exact = exact64 && back == r64;
    if (!exact) fflags |= NX;
  }
  fastResult = <u64>reinterpret<u32>(r);
  return true;
}
