// F and D instructions (unprivileged spec ch. 11-12): operand NaN-unboxing, rounding-mode
// resolution, mstatus.FS gating and dirty marking, and dispatch to softfloat.ts, which does
// the IEEE-754 arithmetic and accrues fflags.

import * as ops from "./ops";
import {
  sext32, fget, fset, xget, xset, mstatus, frm, MSTATUS_FS, raise, EXC_ILLEGAL, excCause, EXC_NONE,
} from "./state";
import { markFsDirty } from "./csr";
import * as sf from "./softfloat";
import { fflags } from "./softfloat";
import { isNaN64 } from "./softfloat-compare";
import { vload, vstore } from "./vmem";
import * as fast from "./fastfp";

const BOX: u64 = 0xffffffff00000000;
const CANON32: u32 = 0x7fc00000;
const SIGN32: u32 = 0x80000000;
const SIGN64: u64 = 0x8000000000000000;

@inline function unbox(v: u64): u32 {
  return (v >> 32) == 0xffffffff ? <u32>v : CANON32;
}
@inline function box(v: u32): u64 {
  return BOX | <u64>v;
}
/**
 * Executes one F/D instruction (illegal-instruction tval is filled in by the caller). Returns false when it raised an exception (illegal
 * instruction when FS is off or the rounding mode is invalid, or a memory fault).
 */
export function execFp(op: u32, w: u32, imm: i32): bool {
  if ((mstatus & MSTATUS_FS) == 0) { illegal(); return false; }
  let rd = (w >> 8) & 0x3f;
  let r1 = (w >> 14) & 0x1f;
  let r2 = (w >> 19) & 0x1f;
  let r3 = (w >> 24) & 0x1f;
  switch (op) {
    // ---- loads and stores ----
    case ops.OP_FLW: {
      let v = vload(xget(r1) + <u64><i64>imm, 4);
      if (excCause != EXC_NONE) return false;
      fset(rd & 31, box(<u32>v)); markFsDirty(); return true;
    }
    case ops.OP_FLD: {
      let v = vload(xget(r1) + <u64><i64>imm, 8);
      if (excCause != EXC_NONE) return false;
      fset(rd & 31, v); markFsDirty(); return true;
    }
    case ops.OP_FSW: {
      vstore(xget(r1) + <u64><i64>imm, 4, fget(r2));
      return excCause == EXC_NONE;
    }
    case ops.OP_FSD: {
      vstore(xget(r1) + <u64><i64>imm, 8, fget(r2));
      return excCause == EXC_NONE;
    }

  }
  let rm = <u32>imm;
  if (rm == 7) rm = frm;
  // Every op that rounds checks rm; ops without an rm field carry imm 0 (valid).
  if (rm > 4) { illegal(); return false; }

  switch (op) {
    // ---- single precision ----
    case ops.OP_FMADD_S: fset(rd, box(sf.f32_fma(unbox(fget(r1)), unbox(fget(r2)), unbox(fget(r3)), rm))); break;
    case ops.OP_FMSUB_S: fset(rd, box(sf.f32_fma(unbox(fget(r1)), unbox(fget(r2)), unbox(fget(r3)) ^ SIGN32, rm))); break;
    case ops.OP_FNMSUB_S: fset(rd, box(sf.f32_fma(unbox(fget(r1)) ^ SIGN32, unbox(fget(r2)), unbox(fget(r3)), rm))); break;
    case ops.OP_FNMADD_S: fset(rd, box(sf.f32_fma(unbox(fget(r1)) ^ SIGN32, unbox(fget(r2)), unbox(fget(r3)) ^ SIGN32, rm))); break;
    case ops.OP_FADD_S: { let a = unbox(fget(r1)), b = unbox(fget(r2)); fset(rd, box(rm == 0 && fast.f32ArithFast(0, a, b) ? <u32>fast.fastResult : sf.f32_add(a, b, rm))); break; }
    case ops.OP_FSUB_S: { let a = unbox(fget(r1)), b = unbox(fget(r2)); fset(rd, box(rm == 0 && fast.f32ArithFast(1, a, b) ? <u32>fast.fastResult : sf.f32_sub(a, b, rm))); break; }
    case ops.OP_FMUL_S: { let a = unbox(fget(r1)), b = unbox(fget(r2)); fset(rd, box(rm == 0 && fast.f32ArithFast(2, a, b) ? <u32>fast.fastResult : sf.f32_mul(a, b, rm))); break; }
    case ops.OP_FDIV_S: { let a = unbox(fget(r1)), b = unbox(fget(r2)); fset(rd, box(rm == 0 && fast.f32ArithFast(3, a, b) ? <u32>fast.fastResult : sf.f32_div(a, b, rm))); break; }
    case ops.OP_FSQRT_S: { let a = unbox(fget(r1)); fset(rd, box(rm == 0 && fast.f32ArithFast(4, a, 0) ? <u32>fast.fastResult : sf.f32_sqrt(a, rm))); break; }
    case ops.OP_FSGNJ_S: fset(rd, box((unbox(fget(r1)) & ~SIGN32) | (unbox(fget(r2)) & SIGN32))); break;
    case ops.OP_FSGNJN_S: fset(rd, box((unbox(fget(r1)) & ~SIGN32) | (~unbox(fget(r2)) & SIGN32))); break;
    case ops.OP_FSGNJX_S: fset(rd, box(unbox(fget(r1)) ^ (unbox(fget(r2)) & SIGN32))); break;
    case ops.OP_FMIN_S: fset(rd, box(sf.f32_min(unbox(fget(r1)), unbox(fget(r2))))); break;
    case ops.OP_FMAX_S: fset(rd, box(sf.f32_max(unbox(fget(r1)), unbox(fget(r2))))); break;
    case ops.OP_FCVT_W_S: xset(rd, <u64>sf.f32_to_i32(unbox(fget(r1)), rm)); break;
    case ops.OP_FCVT_WU_S: xset(rd, <u64>sf.f32_to_u32(unbox(fget(r1)), rm)); break;
    case ops.OP_FCVT_L_S: xset(rd, <u64>sf.f32_to_i64(unbox(fget(r1)), rm)); break;
    case ops.OP_FCVT_LU_S: xset(rd, <u64>sf.f32_to_u64(unbox(fget(r1)), rm)); break;
    case ops.OP_FMV_X_W: xset(rd, sext32(<u32>fget(r1))); return true;
    case ops.OP_FEQ_S: xset(rd, <u64>sf.f32_eq(unbox(fget(r1)), unbox(fget(r2)))); break;
    case ops.OP_FLT_S: xset(rd, <u64>sf.f32_lt(unbox(fget(r1)), unbox(fget(r2)))); break;
    case ops.OP_FLE_S: xset(rd, <u64>sf.f32_le(unbox(fget(r1)), unbox(fget(r2)))); break;
    case ops.OP_FCLASS_S: xset(rd, <u64>sf.f32_classify(unbox(fget(r1)))); return true;
    case ops.OP_FCVT_S_W: fset(rd, box(sf.i32_to_f32(<i32>xget(r1), rm))); break;
    case ops.OP_FCVT_S_WU: fset(rd, box(sf.u32_to_f32(<u32>xget(r1), rm))); break;
    case ops.OP_FCVT_S_L: fset(rd, box(sf.i64_to_f32(<i64>xget(r1), rm))); break;
    case ops.OP_FCVT_S_LU: fset(rd, box(sf.u64_to_f32(xget(r1), rm))); break;
    case ops.OP_FMV_W_X: fset(rd, box(<u32>xget(r1))); break;

    // ---- double precision ----
    case ops.OP_FMADD_D: fset(rd, fma64(fget(r1), fget(r2), fget(r3), rm)); break;
    case ops.OP_FMSUB_D: fset(rd, fma64(fget(r1), fget(r2), fget(r3) ^ SIGN64, rm)); break;
    case ops.OP_FNMSUB_D: fset(rd, fma64(fget(r1) ^ SIGN64, fget(r2), fget(r3), rm)); break;
    case ops.OP_FNMADD_D: fset(rd, fma64(fget(r1) ^ SIGN64, fget(r2), fget(r3) ^ SIGN64, rm)); break;
    case ops.OP_FADD_D: { let a = fget(r1), b = fget(r2); fset(rd, rm == 0 && fast.f64AddFast(a, b) ? fast.fastResult : sf.f64_add(a, b, rm)); break; }
    case ops.OP_FSUB_D: { let a = fget(r1), b = fget(r2); fset(rd, rm == 0 && fast.f64AddFast(a, b ^ SIGN64) ? fast.fastResult : sf.f64_sub(a, b, rm)); break; }
    case ops.OP_FMUL_D: { let a = fget(r1), b = fget(r2); fset(rd, rm == 0 && fast.f64MulFast(a, b) ? fast.fastResult : sf.f64_mul(a, b, rm)); break; }
    case ops.OP_FDIV_D: { let a = fget(r1), b = fget(r2); fset(rd, rm == 0 && fast.f64DivFast(a, b) ? fast.fastResult : sf.f64_div(a, b, rm)); break; }
    case ops.OP_FSQRT_D: { let a = fget(r1); fset(rd, rm == 0 && fast.f64SqrtFast(a) ? fast.fastResult : sf.f64_sqrt(a, rm)); break; }
    case ops.OP_FSGNJ_D: fset(rd, (fget(r1) & ~SIGN64) | (fget(r2) & SIGN64)); break;
    case ops.OP_FSGNJN_D: fset(rd, (fget(r1) & ~SIGN64) | (~fget(r2) & SIGN64)); break;
    case ops.OP_FSGNJX_D: fset(rd, fget(r1) ^ (fget(r2) & SIGN64)); break;
    case ops.OP_FMIN_D: fset(rd, sf.f64_min(fget(r1), fget(r2))); break;
    case ops.OP_FMAX_D: fset(rd, sf.f64_max(fget(r1), fget(r2))); break;
    case ops.OP_FCVT_W_D: xset(rd, <u64>sf.f64_to_i32(fget(r1), rm)); break;
    case ops.OP_FCVT_WU_D: xset(rd, <u64>sf.f64_to_u32(fget(r1), rm)); break;
    case ops.OP_FCVT_L_D: xset(rd, <u64>sf.f64_to_i64(fget(r1), rm)); break;
    case ops.OP_FCVT_LU_D: xset(rd, <u64>sf.f64_to_u64(fget(r1), rm)); break;
    case ops.OP_FMV_X_D: xset(rd, fget(r1)); return true;
    case ops.OP_FEQ_D: xset(rd, <u64>sf.f64_eq(fget(r1), fget(r2))); break;
    case ops.OP_FLT_D: xset(rd, <u64>sf.f64_lt(fget(r1), fget(r2))); break;
    case ops.OP_FLE_D: xset(rd, <u64>sf.f64_le(fget(r1), fget(r2))); break;
    case ops.OP_FCLASS_D: xset(rd, <u64>sf.f64_classify(fget(r1))); return true;
    case ops.OP_FCVT_D_W: fset(rd, sf.i32_to_f64(<i32>xget(r1), rm)); break;
    case ops.OP_FCVT_D_WU: fset(rd, sf.u32_to_f64(<u32>xget(r1), rm)); break;
    case ops.OP_FCVT_D_L: fset(rd, sf.i64_to_f64(<i64>xget(r1), rm)); break;
    case ops.OP_FCVT_D_LU: fset(rd, sf.u64_to_f64(xget(r1), rm)); break;
    case ops.OP_FMV_D_X: fset(rd, xget(r1)); break;
    case ops.OP_FCVT_S_D: fset(rd, box(sf.f64_to_f32(fget(r1), rm))); break;
    case ops.OP_FCVT_D_S: fset(rd, sf.f32_to_f64(unbox(fget(r1)))); break;
    default: illegal(); return false;
  }
  markFsDirty();
  return true;
}


@inline function fma64(a: u64, b: u64, c: u64, rm: u32): u64 {
  return rm == 0 && fast.f64FmaFast(a, b, c) ? fast.fastResult : sf.f64_fma(a, b, c, rm);
}

/**
 * The common double-precision operations in round-to-nearest-even, tried by the
 * interpreter before the general path: returns false (nothing changed) whenever the fast
 * path does not apply, and execFp then does the full job.
 */
@inline export function fastFpInline(op: u32, w: u32, imm: i32): bool {
  if ((mstatus & MSTATUS_FS) == 0) return false;
  let rm = <u32>imm;
  if (rm == 7) rm = frm;
  let rd = (w >> 8) & 0x3f;
  let a = fget((w >> 14) & 0x1f);
  let b = fget((w >> 19) & 0x1f);
  let ok = false;
  switch (op) {
    case ops.OP_FADD_D: ok = rm == 0 && fast.f64AddFast(a, b); break;
    case ops.OP_FSUB_D: ok = rm == 0 && fast.f64AddFast(a, b ^ SIGN64); break;
    case ops.OP_FMUL_D: ok = rm == 0 && fast.f64MulFast(a, b); break;
    case ops.OP_FDIV_D: ok = rm == 0 && fast.f64DivFast(a, b); break;
    case ops.OP_FSQRT_D: ok = rm == 0 && fast.f64SqrtFast(a); break;
    case ops.OP_FMADD_D: ok = rm == 0 && fast.f64FmaFast(a, b, fget((w >> 24) & 0x1f)); break;
    case ops.OP_FMSUB_D: ok = rm == 0 && fast.f64FmaFast(a, b, fget((w >> 24) & 0x1f) ^ SIGN64); break;
    case ops.OP_FNMSUB_D: ok = rm == 0 && fast.f64FmaFast(a ^ SIGN64, b, fget((w >> 24) & 0x1f)); break;
    case ops.OP_FNMADD_D: ok = rm == 0 && fast.f64FmaFast(a ^ SIGN64, b, fget((w >> 24) & 0x1f) ^ SIGN64); break;
    case ops.OP_FSGNJ_D: fast.fastResult = (a & ~SIGN64) | (b & SIGN64); ok = true; break;
    case ops.OP_FSGNJN_D: fast.fastResult = (a & ~SIGN64) | (~b & SIGN64); ok = true; break;
    case ops.OP_FSGNJX_D: fast.fastResult = a ^ (b & SIGN64); ok = true; break;
    case ops.OP_FMV_D_X: fast.fastResult = xget((w >> 14) & 0x1f); ok = true; break;
    case ops.OP_FMV_X_D: xset(rd, a); return true;
    // Single precision through binary64 (fastfp.ts), and moves/conversions of S values.
    case ops.OP_FADD_S: case ops.OP_FSUB_S: case ops.OP_FMUL_S: case ops.OP_FDIV_S: case ops.OP_FSQRT_S: {
      if (rm != 0) return false;
      let k: u32 = op == ops.OP_FADD_S ? 0 : op == ops.OP_FSUB_S ? 1 : op == ops.OP_FMUL_S ? 2 : op == ops.OP_FDIV_S ? 3 : 4;
      if (!fast.f32ArithFast(k, unbox(a), unbox(b))) return false;
      fast.fastResult = box(<u32>fast.fastResult);
      ok = true;
      break;
    }
    case ops.OP_FMV_W_X: fast.fastResult = box(<u32>xget((w >> 14) & 0x1f)); ok = true; break;
    case ops.OP_FMV_X_W: xset(rd, sext32(<u32>a)); return true;
    case ops.OP_FCVT_D_S: {
      if (rm > 4) return false; // a reserved rounding mode is illegal even when exact
      let v = unbox(a);
      if ((v & 0x7fffffff) > 0x7f800000) return false; // NaN
      fast.fastResult = reinterpret<u64>(<f64>reinterpret<f32>(v));
      ok = true;
      break;
    }
    case ops.OP_FCVT_S_D: {
      if (rm != 0 || isNaN64(a)) return false;
      let x = reinterpret<f64>(a);
      let r = <f32>x;
      let e = (reinterpret<u32>(r) >> 23) & 0xff;
      if (x != 0 && (e < 2 || e == 0xff)) return false; // tiny, subnormal or overflow
      if (<f64>r != x) fflags |= 1; // NX
      fast.fastResult = box(reinterpret<u32>(r));
      ok = true;
      break;
    }
    case ops.OP_FMIN_D: case ops.OP_FMAX_D: {
      if (isNaN64(a) || isNaN64(b)) return false;
      let x = reinterpret<f64>(a), y = reinterpret<f64>(b);
      let isMin = op == ops.OP_FMIN_D;
      if (x < y) fast.fastResult = isMin ? a : b;
      else if (y < x) fast.fastResult = isMin ? b : a;
      else fast.fastResult = isMin ? a | b : a & b; // equal: only ±0 differ in bits
      ok = true;
      break;
    }
    // Compares of two non-NaN values raise no flag.
    case ops.OP_FEQ_D: case ops.OP_FLT_D: case ops.OP_FLE_D: {
      if (isNaN64(a) || isNaN64(b)) return false;
      let x = reinterpret<f64>(a), y = reinterpret<f64>(b);
      let r = op == ops.OP_FEQ_D ? x == y : op == ops.OP_FLT_D ? x < y : x <= y;
      xset(rd, r ? 1 : 0);
      markFsDirty();
      return true;
    }
    // Integer to double: exact for 32-bit sources and for 64-bit ones below 2^53.
    case ops.OP_FCVT_D_W: case ops.OP_FCVT_D_WU: case ops.OP_FCVT_D_L: case ops.OP_FCVT_D_LU: {
      if (rm > 4) return false;
      let v = xget((w >> 14) & 0x1f);
      let d: f64;
      if (op == ops.OP_FCVT_D_W) d = <f64><i32>v;
      else if (op == ops.OP_FCVT_D_WU) d = <f64><u32>v;
      else if (op == ops.OP_FCVT_D_L) {
        if (<i64>v > 0x20000000000000 || <i64>v < -0x20000000000000) return false;
        d = <f64><i64>v;
      } else {
        if (v > 0x20000000000000) return false;
        d = <f64>v;
      }
      fast.fastResult = reinterpret<u64>(d);
      ok = true;
      break;
    }
    // Double to integer toward zero (C casts) or to nearest-even, inside the range only.
    case ops.OP_FCVT_W_D: case ops.OP_FCVT_L_D: case ops.OP_FCVT_W_S: case ops.OP_FCVT_WU_D: {
      if (rm > 1) return false;
      let x: f64;
      if (op == ops.OP_FCVT_W_S) {
        let v = unbox(a);
        if ((v & 0x7fffffff) > 0x7f800000) return false; // NaN
        x = <f64>reinterpret<f32>(v);
      } else {
        x = reinterpret<f64>(a);
      }
      let t = rm == 1 ? Math.trunc(x) : nearest<f64>(x);
      let inRange = op == ops.OP_FCVT_L_D
        ? t >= -9223372036854775808.0 && t < 9223372036854775808.0
        : op == ops.OP_FCVT_WU_D
          ? t >= 0.0 && t <= 4294967295.0
          : t >= -2147483648.0 && t <= 2147483647.0;
      if (!inRange) return false; // NaN, infinities, saturation: the general path
      let r: u64 = op == ops.OP_FCVT_L_D ? <u64><i64>t
        : op == ops.OP_FCVT_WU_D ? <u64><i64><i32><u32>t
        : <u64><i64><i32>t;
      if (t != x) fflags |= 1; // NX
      xset(rd, r);
      markFsDirty();
      return true;
    }
    default: return false;
  }
  if (!ok) return false;
  fset(rd, fast.fastResult);
  markFsDirty();
  return true;
}


/** The same fast paths as a call (the general path uses it). */
export function fastFp(op: u32, w: u32, imm: i32): bool {
  return fastFpInline(op, w, imm);
}

@inline function illegal(): void {
  raise(EXC_ILLEGAL, 0);
}
