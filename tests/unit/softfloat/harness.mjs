// Glue between the vector op table and the wasm exports: runs one vector, returns
// [result as u64 BigInt, fflags]. Float32 results are zero-extended 32-bit patterns; integer
// results are the 64-bit x-register value.
const SIGN32 = 0x80000000;
const SIGN64 = 1n << 63n;

export function makeRunner(x) {
  const u = (v) => BigInt(v >>> 0);
  const q = (v) => BigInt.asUintN(64, v);
  const table = {
    S: {
      add: (a, b, c, rm) => u(x.f32_add(a, b, rm)),
      sub: (a, b, c, rm) => u(x.f32_sub(a, b, rm)),
      mul: (a, b, c, rm) => u(x.f32_mul(a, b, rm)),
      div: (a, b, c, rm) => u(x.f32_div(a, b, rm)),
      sqrt: (a, b, c, rm) => u(x.f32_sqrt(a, rm)),
      madd: (a, b, c, rm) => u(x.f32_fma(a, b, c, rm)),
      msub: (a, b, c, rm) => u(x.f32_fma(a, b, (c ^ SIGN32) >>> 0, rm)),
      nmsub: (a, b, c, rm) => u(x.f32_fma((a ^ SIGN32) >>> 0, b, c, rm)),
      nmadd: (a, b, c, rm) => u(x.f32_fma((a ^ SIGN32) >>> 0, b, (c ^ SIGN32) >>> 0, rm)),
      eq: (a, b) => u(x.f32_eq(a, b)),
      lt: (a, b) => u(x.f32_lt(a, b)),
      le: (a, b) => u(x.f32_le(a, b)),
      min: (a, b) => u(x.f32_min(a, b)),
      max: (a, b) => u(x.f32_max(a, b)),
      classify: (a) => u(x.f32_classify(a)),
      to_i32: (a, b, c, rm) => q(x.f32_to_i32(a, rm)),
      to_u32: (a, b, c, rm) => q(x.f32_to_u32(a, rm)),
      to_i64: (a, b, c, rm) => q(x.f32_to_i64(a, rm)),
      to_u64: (a, b, c, rm) => q(x.f32_to_u64(a, rm)),
      cvt: (a) => q(x.f32_to_f64(a)),
    },
    D: {
      add: (a, b, c, rm) => q(x.f64_add(a, b, rm)),
      sub: (a, b, c, rm) => q(x.f64_sub(a, b, rm)),
      mul: (a, b, c, rm) => q(x.f64_mul(a, b, rm)),
      div: (a, b, c, rm) => q(x.f64_div(a, b, rm)),
      sqrt: (a, b, c, rm) => q(x.f64_sqrt(a, rm)),
      madd: (a, b, c, rm) => q(x.f64_fma(a, b, c, rm)),
      msub: (a, b, c, rm) => q(x.f64_fma(a, b, c ^ SIGN64, rm)),
      nmsub: (a, b, c, rm) => q(x.f64_fma(a ^ SIGN64, b, c, rm)),
      nmadd: (a, b, c, rm) => q(x.f64_fma(a ^ SIGN64, b, c ^ SIGN64, rm)),
      eq: (a, b) => u(x.f64_eq(a, b)),
      lt: (a, b) => u(x.f64_lt(a, b)),
      le: (a, b) => u(x.f64_le(a, b)),
      min: (a, b) => q(x.f64_min(a, b)),
      max: (a, b) => q(x.f64_max(a, b)),
      classify: (a) => u(x.f64_classify(a)),
      to_i32: (a, b, c, rm) => q(x.f64_to_i32(a, rm)),
      to_u32: (a, b, c, rm) => q(x.f64_to_u32(a, rm)),
      to_i64: (a, b, c, rm) => q(x.f64_to_i64(a, rm)),
      to_u64: (a, b, c, rm) => q(x.f64_to_u64(a, rm)),
      cvt: (a, b, c, rm) => u(x.f64_to_f32(a, rm)),
    },
  };
  const i2f = {
    S: {
      from_i32: (a, rm) => u(x.i32_to_f32(Number(BigInt.asIntN(32, a)), rm)),
      from_u32: (a, rm) => u(x.u32_to_f32(Number(a & 0xffffffffn), rm)),
      from_i64: (a, rm) => u(x.i64_to_f32(BigInt.asIntN(64, a), rm)),
      from_u64: (a, rm) => u(x.u64_to_f32(a, rm)),
    },
    D: {
      from_i32: (a, rm) => q(x.i32_to_f64(Number(BigInt.asIntN(32, a)), rm)),
      from_u32: (a, rm) => q(x.u32_to_f64(Number(a & 0xffffffffn), rm)),
      from_i64: (a, rm) => q(x.i64_to_f64(BigInt.asIntN(64, a), rm)),
      from_u64: (a, rm) => q(x.u64_to_f64(a, rm)),
    },
  };
  return function run(op, v) {
    x.clearFlags();
    let r;
    if (op.kind === "i2f") r = i2f[op.fmt][op.name](v.a, v.rm);
    else if (op.fmt === "S") r = table.S[op.name](Number(v.a & 0xffffffffn), Number(v.b & 0xffffffffn), Number(v.c & 0xffffffffn), v.rm);
    else r = table.D[op.name](v.a, v.b, v.c, v.rm);
    return [r, x.getFlags()];
  };
}
