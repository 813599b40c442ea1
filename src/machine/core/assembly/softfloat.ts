// IEEE 754-2008 binary32 / binary64 arithmetic with RISC-V F/D semantics.
//
// Values are raw bit patterns (binary32 in u32, binary64 in u64). Rounding modes use the
// RISC-V encodings (0 RNE, 1 RTZ, 2 RDN, 3 RUP, 4 RMM); the caller resolves the dynamic mode.
// Exception flags are OR-ed into `fflags` (NV=16 DZ=8 OF=4 UF=2 NX=1); the caller clears it.
// Every NaN produced is the canonical NaN; tininess is detected after rounding.
// No allocation: only scalars and module-level globals.
//
// Internal representation shared by both formats (written from the specs, not derived
// from any other implementation):
//   an operand is unpacked into sign, a binary64-biased exponent E and a significand M
//   with its leading one at bit 52 (binary32 significands are shifted left by 29), so
//   value = M / 2^52 * 2^(E - 1023). Subnormal inputs are normalised (E may be < 1).
//   Results go to roundPack64 / roundPack32 as (sign, E, SIG) where SIG has its leading one
//   at bit 62 and bit 0 is a "sticky" bit (OR of all discarded lower bits):
//   value = SIG / 2^62 * 2^(E - 1023).

export let fflags: u32 = 0;

// Comparisons, min/max and classification live in softfloat-compare.ts.
export {
  f32_eq, f32_lt, f32_le, f32_min, f32_max, f32_classify,
  f64_eq, f64_lt, f64_le, f64_min, f64_max, f64_classify,
} from "./softfloat-compare";

import {
  NV, DZ, OF, UF, NX, RNE, RTZ, RDN,
  RUP, RMM, F32_NAN, F64_NAN, F32_INF, F64_INF, C_FIN, C_ZERO,
  C_INF, C_QNAN, C_SNAN, BIT62, BIT63, uS, uE, uM,
  pHi, pLo, jam, shiftRightJam64, mul128, unpack64, unpack32, unpack,
  nanOf, infOf, zeroOf, roundInc, overflowToInf, roundPack64, roundPack32, roundPack,
} from "./softfloat-round";

// ---------------------------------------------------------------------------------------
// add / sub

@inline function addF(a: u64, b: u64, rm: u32, d: bool): u64 {
  let ca = unpack(a, d);
  let sa = uS, ea = uE, ma = uM;
  let cb = unpack(b, d);
  let sb = uS, eb = uE, mb = uM;
  if ((ca | cb) != 0) {
    if (ca >= C_QNAN || cb >= C_QNAN) {
      if (ca == C_SNAN || cb == C_SNAN) fflags |= NV;
      return nanOf(d);
    }
    if (ca == C_INF) {
      if (cb == C_INF && sa != sb) {
        fflags |= NV;
        return nanOf(d);
      }
      return infOf(sa, d);
    }
    if (cb == C_INF) return infOf(sb, d);
    if (ca == C_ZERO) {
      if (cb == C_ZERO) return zeroOf(sa == sb ? sa : (rm == RDN ? 1 : 0), d);
      return b;
    }
    if (cb == C_ZERO) return a;
  }
  // both finite non-zero; make |a| >= |b|
  if (ea < eb || (ea == eb && ma < mb)) {
    let ts = sa; sa = sb; sb = ts;
    let te = ea; ea = eb; eb = te;
    let tm = ma; ma = mb; mb = tm;
  }
  let x = ma << 9; // leading one at bit 61
  let y = shiftRightJam64(mb << 9, ea - eb);
  let r: u64;
  if (sa == sb) {
    r = x + y;
  } else {
    r = x - y;
    if (r == 0) return zeroOf(rm == RDN ? 1 : 0, d);
  }
  let sh = <i32>clz<u64>(r) - 1;
  return roundPack(sa, ea + 1 - sh, r << <u64>sh, rm, d);
}

// ---------------------------------------------------------------------------------------
// mul

@inline function mulF(a: u64, b: u64, rm: u32, d: bool): u64 {
  let ca = unpack(a, d);
  let sa = uS, ea = uE, ma = uM;
  let cb = unpack(b, d);
  let sb = uS, eb = uE, mb = uM;
  let s = sa ^ sb;
  if ((ca | cb) != 0) {
    if (ca >= C_QNAN || cb >= C_QNAN) {
      if (ca == C_SNAN || cb == C_SNAN) fflags |= NV;
      return nanOf(d);
    }
    if (ca == C_INF || cb == C_INF) {
      if (ca == C_ZERO || cb == C_ZERO) {
        fflags |= NV;
        return nanOf(d);
      }
      return infOf(s, d);
    }
    return zeroOf(s, d);
  }
  mul128(ma << 10, mb << 11); // product's leading one at bit 125 or 126
  let e = ea + eb - 1022;
  let hi = pHi, lo = pLo;
  if (hi < BIT62) {
    hi = (hi << 1) | (lo >> 63);
    lo <<= 1;
    e--;
  }
  return roundPack(s, e, hi | jam(lo), rm, d);
}

// ---------------------------------------------------------------------------------------
// div

@inline function divF(a: u64, b: u64, rm: u32, d: bool): u64 {
  let ca = unpack(a, d);
  let sa = uS, ea = uE, ma = uM;
  let cb = unpack(b, d);
  let sb = uS, eb = uE, mb = uM;
  let s = sa ^ sb;
  if ((ca | cb) != 0) {
    if (ca >= C_QNAN || cb >= C_QNAN) {
      if (ca == C_SNAN || cb == C_SNAN) fflags |= NV;
      return nanOf(d);
    }
    if (ca == C_INF) {
      if (cb == C_INF) {
        fflags |= NV;
        return nanOf(d);
      }
      return infOf(s, d);
    }
    if (cb == C_INF) return zeroOf(s, d);
    if (cb == C_ZERO) {
      if (ca == C_ZERO) {
        fflags |= NV;
        return nanOf(d);
      }
      fflags |= DZ;
      return infOf(s, d);
    }
    return zeroOf(s, d);
  }
  let e = ea - eb + 1023;
  let x = ma;
  if (x < mb) {
    x <<= 1;
    e--;
  }
  // quotient x/mb is in [1,2); produce 63 quotient bits (62 fraction bits) by long
  // division in 11-bit chunks (remainder < mb < 2^54, so r << 10 fits in 64 bits)
  let q: u64, r: u64, t: u64;
  x <<= 10;
  q = x / mb;
  r = x - q * mb;
  if (d) {
    for (let i = 0; i < 4; i++) {
      r <<= 11;
      t = r / mb;
      r -= t * mb;
      q = (q << 11) | t;
    }
    r <<= 8;
    t = r / mb;
    r -= t * mb;
    q = (q << 8) | t;
  } else {
    // binary32: both significands are multiples of 2^29, and so is the remainder;
    // 40 more quotient bits (51 in all) are plenty for a 24-bit result
    let m24 = mb >> 29;
    r = (r >> 29) << 40;
    t = r / m24;
    r -= t * m24;
    q = (q << 52) | (t << 12);
  }
  return roundPack(s, e, q | jam(r), rm, d);
}

// ---------------------------------------------------------------------------------------
// sqrt

@inline function sqrtF(a: u64, rm: u32, d: bool): u64 {
  let ca = unpack(a, d);
  let sa = uS, ea = uE, ma = uM;
  if (ca != 0) {
    if (ca >= C_QNAN) {
      if (ca == C_SNAN) fflags |= NV;
      return nanOf(d);
    }
    if (ca == C_ZERO) return a;
    if (sa != 0) {
      fflags |= NV;
      return nanOf(d);
    }
    return a; // +inf
  }
  if (sa != 0) {
    fflags |= NV;
    return nanOf(d);
  }
  let E = ea - 1023;
  let m = ma;
  if ((E & 1) != 0) {
    m <<= 1;
    E -= 1;
  }
  // integer square root of M = m * 2^72 (M < 2^126); result in [2^62, 2^63)
  let mHi = m << 8; // M = mHi:0
  // initial approximation from the host's correctly rounded sqrt (error < 2^10),
  // one Newton correction, then an exact integer fix-up
  let r = <u64>(sqrt<f64>(<f64>m) * 68719476736.0); // * 2^36
  mul128(r, r);
  // D = M - r*r as signed 128-bit
  let dLo: u64 = 0 - pLo;
  let dHi: i64 = <i64>(mHi - pHi - select<u64>(1, 0, pLo != 0));
  let dF = <f64>dHi * 18446744073709551616.0 + <f64>dLo;
  let delta = dF / (2.0 * <f64>r);
  r = <u64>(<i64>r + <i64>delta);
  // fix-up: ensure r*r <= M < (r+1)*(r+1)
  while (true) {
    mul128(r, r);
    if (pHi > mHi || (pHi == mHi && pLo != 0)) r--;
    else break;
  }
  while (true) {
    mul128(r + 1, r + 1);
    if (pHi < mHi || (pHi == mHi && pLo == 0)) r++;
    else break;
  }
  mul128(r, r);
  let exact = pHi == mHi && pLo == 0;
  return roundPack(0, (E >> 1) + 1023, r | select<u64>(0, 1, exact), rm, d);
}

// ---------------------------------------------------------------------------------------
// fused multiply-add: a*b + c with one rounding

@inline function fmaF(a: u64, b: u64, c: u64, rm: u32, d: bool): u64 {
  let ca = unpack(a, d);
  let sa = uS, ea = uE, ma = uM;
  let cb = unpack(b, d);
  let sb = uS, eb = uE, mb = uM;
  let cc = unpack(c, d);
  let sc = uS, ec = uE, mc = uM;
  let sp = sa ^ sb;
  if ((ca | cb | cc) != 0) {
    if (ca >= C_QNAN || cb >= C_QNAN || cc >= C_QNAN) {
      if (
        ca == C_SNAN || cb == C_SNAN || cc == C_SNAN ||
        (ca == C_INF && cb == C_ZERO) || (ca == C_ZERO && cb == C_INF)
      ) fflags |= NV;
      return nanOf(d);
    }
    if (ca == C_INF || cb == C_INF) {
      if (ca == C_ZERO || cb == C_ZERO || (cc == C_INF && sc != sp)) {
        fflags |= NV;
        return nanOf(d);
      }
      return infOf(sp, d);
    }
    if (cc == C_INF) return c;
    if (ca == C_ZERO || cb == C_ZERO) {
      if (cc == C_ZERO) return zeroOf(sp == sc ? sp : (rm == RDN ? 1 : 0), d);
      return c;
    }
  }
  // product: finite non-zero, exact in 128 bits with leading one at bit 126
  mul128(ma << 10, mb << 11);
  let pe = ea + eb - 1022;
  let ph = pHi, pl = pLo;
  if (ph < BIT62) {
    ph = (ph << 1) | (pl >> 63);
    pl <<= 1;
    pe--;
  }
  if (cc == C_ZERO) return roundPack(sp, pe, ph | jam(pl), rm, d);
  let ch = mc << 10; // c with leading one at bit 126 (low word zero)
  let cl: u64 = 0;
  // order by magnitude: x = larger, y = smaller
  let xh: u64, xl: u64, yh: u64, yl: u64, e: i32, s: u32, ys: u32, sh: i32;
  if (pe > ec || (pe == ec && (ph > ch || (ph == ch && pl >= cl)))) {
    xh = ph; xl = pl; yh = ch; yl = cl; e = pe; s = sp; ys = sc; sh = pe - ec;
  } else {
    xh = ch; xl = cl; yh = ph; yl = pl; e = ec; s = sc; ys = sp; sh = ec - pe;
  }
  // y >>= sh with sticky
  if (sh != 0) {
    if (sh < 64) {
      yl = (yh << <u64>(64 - sh)) | (yl >> <u64>sh) | jam(yl << <u64>(64 - sh));
      yh = yh >> <u64>sh;
    } else if (sh < 128) {
      let st = sh == 64 ? yl : (yl | (yh << <u64>(128 - sh)));
      yl = (yh >> <u64>(sh - 64)) | jam(st);
      yh = 0;
    } else {
      yl = jam(yh | yl);
      yh = 0;
    }
  }
  let rh: u64, rl: u64;
  if (s == ys) {
    rl = xl + yl;
    rh = xh + yh + select<u64>(1, 0, rl < xl);
  } else {
    rl = xl - yl;
    rh = xh - yh - select<u64>(1, 0, xl < yl);
    if ((rh | rl) == 0) return zeroOf(rm == RDN ? 1 : 0, d);
  }
  // normalise to leading one at bit 126
  let lz = rh != 0 ? <i32>clz<u64>(rh) : 64 + <i32>clz<u64>(rl);
  if (lz == 0) {
    rl = (rh << 63) | (rl >> 1) | (rl & 1);
    rh >>= 1;
    e++;
  } else if (lz > 1) {
    let k = lz - 1;
    if (k < 64) {
      rh = (rh << <u64>k) | (rl >> <u64>(64 - k));
      rl <<= <u64>k;
    } else {
      rh = rl << <u64>(k - 64);
      rl = 0;
    }
    e -= k;
  }
  return roundPack(s, e, rh | jam(rl), rm, d);
}

// ---------------------------------------------------------------------------------------
// conversions between the formats and to / from integers

function toInt(a: u64, rm: u32, d: bool, kind: i32): u64 {
  // kind: 0 = i32, 1 = u32, 2 = i64, 3 = u64; 32-bit results are sign-extended
  let ca = unpack(a, d);
  let s = uS;
  let iv: u64 = 0, f: u64 = 0;
  if (ca == C_ZERO) return 0;
  let big = ca != C_FIN;
  if (!big) {
    let E = uE - 1023;
    if (E >= 64) {
      big = true;
    } else {
      let x = uM << 11; // leading one at bit 63: value = x * 2^(E-63)
      let k = 63 - E;
      if (k == 0) {
        iv = x;
      } else if (k < 64) {
        iv = x >> <u64>k;
        f = x << <u64>(64 - k);
      } else if (k == 64) {
        f = x;
      } else {
        f = 1;
      }
      let inc = false;
      if (rm == RNE) inc = f > BIT63 || (f == BIT63 && (iv & 1) != 0);
      else if (rm == RMM) inc = f >= BIT63;
      else if (rm == RDN) inc = s != 0 && f != 0;
      else if (rm == RUP) inc = s == 0 && f != 0;
      if (inc) iv++;
    }
  }
  if (ca >= C_QNAN) s = 0; // NaN saturates to the maximum
  let lim: u64;
  if (kind == 0) lim = s != 0 ? 0x80000000 : 0x7fffffff;
  else if (kind == 1) lim = s != 0 ? 0 : 0xffffffff;
  else if (kind == 2) lim = s != 0 ? BIT63 : 0x7fffffffffffffff;
  else lim = s != 0 ? 0 : 0xffffffffffffffff;
  if (big || iv > lim) {
    fflags |= NV;
    iv = lim;
  } else if (f != 0) {
    fflags |= NX;
  }
  if (s != 0) iv = 0 - iv;
  if (kind < 2) iv = <u64><i64><i32><u32>iv;
  return iv;
}

function fromInt(s: u32, mag: u64, rm: u32, d: bool): u64 {
  if (mag == 0) return 0;
  let lz = <i32>clz<u64>(mag);
  let x = mag << <u64>lz;
  return roundPack(s, 1023 + 63 - lz, (x >> 1) | (x & 1), rm, d);
}

// ---------------------------------------------------------------------------------------
// exported binary32 operations

export function f32_add(a: u32, b: u32, rm: u32): u32 {
  return <u32>addF(a, b, rm, false);
}
export function f32_sub(a: u32, b: u32, rm: u32): u32 {
  return <u32>addF(a, b ^ 0x80000000, rm, false);
}
export function f32_mul(a: u32, b: u32, rm: u32): u32 {
  return <u32>mulF(a, b, rm, false);
}
export function f32_div(a: u32, b: u32, rm: u32): u32 {
  return <u32>divF(a, b, rm, false);
}
export function f32_sqrt(a: u32, rm: u32): u32 {
  return <u32>sqrtF(a, rm, false);
}
export function f32_fma(a: u32, b: u32, c: u32, rm: u32): u32 {
  return <u32>fmaF(a, b, c, rm, false);
}


export function f32_to_i32(a: u32, rm: u32): i64 {
  return <i64>toInt(a, rm, false, 0);
}
export function f32_to_u32(a: u32, rm: u32): u64 {
  return toInt(a, rm, false, 1);
}
export function f32_to_i64(a: u32, rm: u32): i64 {
  return <i64>toInt(a, rm, false, 2);
}
export function f32_to_u64(a: u32, rm: u32): u64 {
  return toInt(a, rm, false, 3);
}

export function i32_to_f32(a: i32, rm: u32): u32 {
  return <u32>fromInt(<u32>a >> 31, <u64>(a < 0 ? -(<i64>a) : <i64>a), rm, false);
}
export function u32_to_f32(a: u32, rm: u32): u32 {
  return <u32>fromInt(0, <u64>a, rm, false);
}
export function i64_to_f32(a: i64, rm: u32): u32 {
  return <u32>fromInt(<u32>(<u64>a >> 63), a < 0 ? 0 - <u64>a : <u64>a, rm, false);
}
export function u64_to_f32(a: u64, rm: u32): u32 {
  return <u32>fromInt(0, a, rm, false);
}

export function f32_to_f64(a: u32): u64 {
  let ca = unpack32(a);
  if (ca == C_FIN) return roundPack64(uS, uE, uM << 10, RNE);
  if (ca >= C_QNAN) {
    if (ca == C_SNAN) fflags |= NV;
    return F64_NAN;
  }
  if (ca == C_INF) return infOf(uS, true);
  return zeroOf(uS, true);
}

// ---------------------------------------------------------------------------------------
// exported binary64 operations

export function f64_add(a: u64, b: u64, rm: u32): u64 {
  return addF(a, b, rm, true);
}
export function f64_sub(a: u64, b: u64, rm: u32): u64 {
  return addF(a, b ^ BIT63, rm, true);
}
export function f64_mul(a: u64, b: u64, rm: u32): u64 {
  return mulF(a, b, rm, true);
}
export function f64_div(a: u64, b: u64, rm: u32): u64 {
  return divF(a, b, rm, true);
}
export function f64_sqrt(a: u64, rm: u32): u64 {
  return sqrtF(a, rm, true);
}
export function f64_fma(a: u64, b: u64, c: u64, rm: u32): u64 {
  return fmaF(a, b, c, rm, true);
}


export function f64_to_i32(a: u64, rm: u32): i64 {
  return <i64>toInt(a, rm, true, 0);
}
export function f64_to_u32(a: u64, rm: u32): u64 {
  return toInt(a, rm, true, 1);
}
export function f64_to_i64(a: u64, rm: u32): i64 {
  return <i64>toInt(a, rm, true, 2);
}
export function f64_to_u64(a: u64, rm: u32): u64 {
  return toInt(a, rm, true, 3);
}

export function i32_to_f64(a: i32, rm: u32): u64 {
  return fromInt(<u32>a >> 31, <u64>(a < 0 ? -(<i64>a) : <i64>a), rm, true);
}
export function u32_to_f64(a: u32, rm: u32): u64 {
  return fromInt(0, <u64>a, rm, true);
}
export function i64_to_f64(a: i64, rm: u32): u64 {
  return fromInt(<u32>(<u64>a >> 63), a < 0 ? 0 - <u64>a : <u64>a, rm, true);
}
export function u64_to_f64(a: u64, rm: u32): u64 {
  return fromInt(0, a, rm, true);
}

export function f64_to_f32(a: u64, rm: u32): u32 {
  let ca = unpack64(a);
  if (ca == C_FIN) return roundPack32(uS, uE, uM << 10, rm);
  if (ca >= C_QNAN) {
    if (ca == C_SNAN) fflags |= NV;
    return F32_NAN;
  }
  if (ca == C_INF) return <u32>infOf(uS, false);
  return <u32>zeroOf(uS, false);
}
