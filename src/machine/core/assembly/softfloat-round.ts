// The shared core of softfloat.ts: flag and rounding-mode constants, unpacking operands to
// (sign, exponent, significand), 64×64→128-bit products, and rounding a result to
// binary64 or binary32 with the RISC-V flags (tininess after rounding).

import { fflags } from "./softfloat";

export const NV: u32 = 16;
export const DZ: u32 = 8;
export const OF: u32 = 4;
export const UF: u32 = 2;
export const NX: u32 = 1;

export const RNE: u32 = 0;
export const RTZ: u32 = 1;
export const RDN: u32 = 2;
export const RUP: u32 = 3;
export const RMM: u32 = 4;

export const F32_NAN: u32 = 0x7fc00000;
export const F64_NAN: u64 = 0x7ff8000000000000;
export const F32_INF: u32 = 0x7f800000;
export const F64_INF: u64 = 0x7ff0000000000000;

// operand classes
export const C_FIN: i32 = 0; // finite, non-zero
export const C_ZERO: i32 = 1;
export const C_INF: i32 = 2;
export const C_QNAN: i32 = 3;
export const C_SNAN: i32 = 4;

export const BIT62: u64 = 0x4000000000000000;
export const BIT63: u64 = 0x8000000000000000;

// ---------------------------------------------------------------------------------------
// helpers

// unpack results
export let uS: u32 = 0;
export let uE: i32 = 0;
export let uM: u64 = 0;

// 128-bit product / scratch
export let pHi: u64 = 0;
export let pLo: u64 = 0;

@inline export function jam(x: u64): u64 {
  return select<u64>(1, 0, x != 0);
}

export function shiftRightJam64(x: u64, n: i32): u64 {
  if (n == 0) return x;
  if (n < 64) return (x >> <u64>n) | jam(x << <u64>(64 - n));
  return jam(x);
}

// full 64x64 -> 128 product into pHi:pLo
@inline export function mul128(a: u64, b: u64): void {
  let a0 = a & 0xffffffff;
  let a1 = a >> 32;
  let b0 = b & 0xffffffff;
  let b1 = b >> 32;
  let p00 = a0 * b0;
  let p01 = a0 * b1;
  let p10 = a1 * b0;
  let p11 = a1 * b1;
  let mid = (p00 >> 32) + (p01 & 0xffffffff) + (p10 & 0xffffffff);
  pLo = (mid << 32) | (p00 & 0xffffffff);
  pHi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

export function unpack64(x: u64): i32 {
  uS = <u32>(x >> 63);
  let e = <i32>((x >> 52) & 0x7ff);
  let f = x & 0x000fffffffffffff;
  if (e == 0x7ff) {
    if (f == 0) return C_INF;
    return (f & 0x0008000000000000) != 0 ? C_QNAN : C_SNAN;
  }
  if (e == 0) {
    if (f == 0) return C_ZERO;
    let sh = <i32>clz<u64>(f) - 11;
    uM = f << <u64>sh;
    uE = 1 - sh;
    return C_FIN;
  }
  uM = f | 0x0010000000000000;
  uE = e;
  return C_FIN;
}

export function unpack32(x: u32): i32 {
  uS = x >> 31;
  let e = <i32>((x >> 23) & 0xff);
  let f = x & 0x007fffff;
  if (e == 0xff) {
    if (f == 0) return C_INF;
    return (f & 0x00400000) != 0 ? C_QNAN : C_SNAN;
  }
  if (e == 0) {
    if (f == 0) return C_ZERO;
    let sh = <i32>clz<u32>(f) - 8;
    uM = <u64>(f << <u32>sh) << 29;
    uE = 1 - sh + 896;
    return C_FIN;
  }
  uM = <u64>(f | 0x00800000) << 29;
  uE = e + 896;
  return C_FIN;
}

@inline export function unpack(x: u64, d: bool): i32 {
  return d ? unpack64(x) : unpack32(<u32>x);
}

@inline export function nanOf(d: bool): u64 {
  return d ? F64_NAN : <u64>F32_NAN;
}

@inline export function infOf(s: u32, d: bool): u64 {
  return d ? ((<u64>s << 63) | F64_INF) : <u64>((s << 31) | F32_INF);
}

@inline export function zeroOf(s: u32, d: bool): u64 {
  return d ? (<u64>s << 63) : <u64>(s << 31);
}

// rounding increment for a field of round bits whose half value is `half`
@inline export function roundInc(s: u32, rm: u32, half: u64): u64 {
  if (rm == RNE || rm == RMM) return half;
  if (rm == RTZ) return 0;
  // RDN rounds magnitudes of negatives up; RUP of positives
  return ((rm == RDN) == (s != 0)) ? (half << 1) - 1 : 0;
}

@inline export function overflowToInf(s: u32, rm: u32): bool {
  return rm == RNE || rm == RMM || (rm == RDN && s != 0) || (rm == RUP && s == 0);
}

export function roundPack64(s: u32, e: i32, sig: u64, rm: u32): u64 {
  let inc = roundInc(s, rm, 0x200);
  if (<u32>(e - 1) >= 0x7fd) {
    if (e < 1) {
      // tiny after rounding: the result rounded to 53 bits with unbounded exponent is
      // still below 2^emin
      let tiny = e < 0 || sig + inc < BIT63;
      sig = shiftRightJam64(sig, 1 - e);
      e = 1;
      if (tiny && (sig & 0x3ff) != 0) fflags |= UF;
    } else if (e > 0x7fe || sig + inc >= BIT63) {
      fflags |= OF | NX;
      return (<u64>s << 63) | (overflowToInf(s, rm) ? F64_INF : 0x7fefffffffffffff);
    }
  }
  let rb = sig & 0x3ff;
  if (rb != 0) fflags |= NX;
  sig = (sig + inc) >> 10;
  if (rb == 0x200 && rm == RNE) sig &= ~(<u64>1);
  // leading one (bit 52) adds one to the exponent field; a carry to bit 53 adds another
  return (<u64>s << 63) + (<u64>(e - 1) << 52) + sig;
}

export function roundPack32(s: u32, e64: i32, sig: u64, rm: u32): u32 {
  let e = e64 - 896;
  let inc = roundInc(s, rm, 0x4000000000);
  if (<u32>(e - 1) >= 0xfd) {
    if (e < 1) {
      let tiny = e < 0 || sig + inc < BIT63;
      sig = shiftRightJam64(sig, 1 - e);
      e = 1;
      if (tiny && (sig & 0x7fffffffff) != 0) fflags |= UF;
    } else if (e > 0xfe || sig + inc >= BIT63) {
      fflags |= OF | NX;
      return (s << 31) | (overflowToInf(s, rm) ? F32_INF : 0x7f7fffff);
    }
  }
  let rb = sig & 0x7fffffffff;
  if (rb != 0) fflags |= NX;
  let r = <u32>((sig + inc) >> 39);
  if (rb == 0x4000000000 && rm == RNE) r &= ~(<u32>1);
  return (s << 31) + (<u32>(e - 1) << 23) + r;
}

@inline export function roundPack(s: u32, e: i32, sig: u64, rm: u32, d: bool): u64 {
  return d ? roundPack64(s, e, sig, rm) : <u64>roundPack32(s, e, sig, rm);
}

