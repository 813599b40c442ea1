// RISC-V F/D comparisons, minimum/maximum and classification on raw bit patterns: no
// rounding, only the NV flag (signaling NaNs; any NaN for FLT/FLE) and RISC-V's NaN rules
// (min/max return the other operand, or the canonical NaN when both are NaN).

import { fflags } from "./softfloat";
import { NV, F32_NAN, F64_NAN, F32_INF, F64_INF } from "./softfloat-round";


@inline export function isNaN64(x: u64): bool {
  return (x & 0x7fffffffffffffff) > F64_INF;
}
@inline function isSNaN64(x: u64): bool {
  return isNaN64(x) && (x & 0x0008000000000000) == 0;
}
@inline function isNaN32(x: u32): bool {
  return (x & 0x7fffffff) > F32_INF;
}
@inline function isSNaN32(x: u32): bool {
  return isNaN32(x) && (x & 0x00400000) == 0;
}

// a < b for non-NaN, treating +-0 as equal (sign-magnitude bit patterns)
@inline function lt64(a: u64, b: u64): bool {
  let sa = a >> 63;
  if (sa != (b >> 63)) return sa != 0 && ((a | b) << 1) != 0;
  return a != b && ((sa != 0) != (a < b));
}
@inline function lt32(a: u32, b: u32): bool {
  let sa = a >> 31;
  if (sa != (b >> 31)) return sa != 0 && ((a | b) << 1) != 0;
  return a != b && ((sa != 0) != (a < b));
}
// total order of non-NaN values with -0 < +0
@inline function ltTotal64(a: u64, b: u64): bool {
  let sa = a >> 63;
  if (sa != (b >> 63)) return sa != 0;
  return a != b && ((sa != 0) != (a < b));
}
@inline function ltTotal32(a: u32, b: u32): bool {
  let sa = a >> 31;
  if (sa != (b >> 31)) return sa != 0;
  return a != b && ((sa != 0) != (a < b));
}

export function f32_eq(a: u32, b: u32): u32 {
  if (isNaN32(a) || isNaN32(b)) {
    if (isSNaN32(a) || isSNaN32(b)) fflags |= NV;
    return 0;
  }
  return (a == b || ((a | b) << 1) == 0) ? 1 : 0;
}

export function f32_lt(a: u32, b: u32): u32 {
  if (isNaN32(a) || isNaN32(b)) {
    fflags |= NV;
    return 0;
  }
  return lt32(a, b) ? 1 : 0;
}

export function f32_le(a: u32, b: u32): u32 {
  if (isNaN32(a) || isNaN32(b)) {
    fflags |= NV;
    return 0;
  }
  return lt32(b, a) ? 0 : 1;
}

export function f32_min(a: u32, b: u32): u32 {
  let an = isNaN32(a), bn = isNaN32(b);
  if (an || bn) {
    if (isSNaN32(a) || isSNaN32(b)) fflags |= NV;
    if (an && bn) return F32_NAN;
    return an ? b : a;
  }
  return ltTotal32(b, a) ? b : a;
}

export function f32_max(a: u32, b: u32): u32 {
  let an = isNaN32(a), bn = isNaN32(b);
  if (an || bn) {
    if (isSNaN32(a) || isSNaN32(b)) fflags |= NV;
    if (an && bn) return F32_NAN;
    return an ? b : a;
  }
  return ltTotal32(a, b) ? b : a;
}

export function f32_classify(a: u32): u32 {
  let s = a >> 31;
  let e = (a >> 23) & 0xff;
  let f = a & 0x007fffff;
  if (e == 0xff) {
    if (f == 0) return s != 0 ? 1 : 128;
    return (f & 0x00400000) != 0 ? 512 : 256;
  }
  if (e == 0) {
    if (f == 0) return s != 0 ? 8 : 16;
    return s != 0 ? 4 : 32;
  }
  return s != 0 ? 2 : 64;
}

export function f64_eq(a: u64, b: u64): u32 {
  if (isNaN64(a) || isNaN64(b)) {
    if (isSNaN64(a) || isSNaN64(b)) fflags |= NV;
    return 0;
  }
  return (a == b || ((a | b) << 1) == 0) ? 1 : 0;
}

export function f64_lt(a: u64, b: u64): u32 {
  if (isNaN64(a) || isNaN64(b)) {
    fflags |= NV;
    return 0;
  }
  return lt64(a, b) ? 1 : 0;
}

export function f64_le(a: u64, b: u64): u32 {
  if (isNaN64(a) || isNaN64(b)) {
    fflags |= NV;
    return 0;
  }
  return lt64(b, a) ? 0 : 1;
}

export function f64_min(a: u64, b: u64): u64 {
  let an = isNaN64(a), bn = isNaN64(b);
  if (an || bn) {
    if (isSNaN64(a) || isSNaN64(b)) fflags |= NV;
    if (an && bn) return F64_NAN;
    return an ? b : a;
  }
  return ltTotal64(b, a) ? b : a;
}

export function f64_max(a: u64, b: u64): u64 {
  let an = isNaN64(a), bn = isNaN64(b);
  if (an || bn) {
    if (isSNaN64(a) || isSNaN64(b)) fflags |= NV;
    if (an && bn) return F64_NAN;
    return an ? b : a;
  }
  return ltTotal64(a, b) ? b : a;
}

export function f64_classify(a: u64): u32 {
  let s = a >> 63;
  let e = (a >> 52) & 0x7ff;
  let f = a & 0x000fffffffffffff;
  if (e == 0x7ff) {
    if (f == 0) return s != 0 ? 1 : 128;
    return (f & 0x0008000000000000) != 0 ? 512 : 256;
  }
  if (e == 0) {
    if (f == 0) return s != 0 ? 8 : 16;
    return s != 0 ? 4 : 32;
  }
  return s != 0 ? 2 : 64;
}
