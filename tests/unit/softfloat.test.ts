// Tests for src/machine/core/assembly/softfloat.ts (RISC-V F/D IEEE-754 arithmetic).
//
// 1. Hand-written edge cases with known answers.
// 2. A random comparison against reference results produced by the F/D instructions of
//    qemu-system-riscv64 (all five rounding modes, including RMM, and every flag). The inputs
//    are regenerated deterministically by tests/unit/softfloat/vectors.mjs; the results live
//    in tests/unit/softfloat/expected.bin.gz (regenerate with
//    `node tests/unit/softfloat/gen-reference.mjs`, which needs QEMU and a RISC-V gcc).
import { describe, it, expect, beforeAll } from "vitest";
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import path from "node:path";
import { fileURLToPath } from "node:url";
// @ts-ignore - plain ESM helpers
import { buildSoftfloat } from "./softfloat/build.mjs";
// @ts-ignore
import { makeRunner } from "./softfloat/harness.mjs";
// @ts-ignore
import { generate, OPS, checksum } from "./softfloat/vectors.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));

// eslint-disable-next-line @typescript-eslint/no-explicit-any
let x: any;
beforeAll(async () => {
  x = await buildSoftfloat();
}, 120_000);

const NV = 16, DZ = 8, OF = 4, UF = 2, NX = 1;
const RNE = 0, RTZ = 1, RDN = 2, RUP = 3, RMM = 4;

// binary64 constants
const D_ONE = 0x3ff0000000000000n;
const D_TWO = 0x4000000000000000n;
const D_HALF = 0x3fe0000000000000n;
const D_INF = 0x7ff0000000000000n;
const D_NINF = 0xfff0000000000000n;
const D_PZ = 0n;
const D_NZ = 0x8000000000000000n;
const D_QNAN = 0x7ff8000000000000n;
const D_QNAN_P = 0xfff8000000000123n; // quiet NaN with payload and sign
const D_SNAN = 0x7ff0000000000001n;
const D_MAX = 0x7fefffffffffffffn;
const D_NMAX = 0xffefffffffffffffn;
const D_MINN = 0x0010000000000000n;
const D_MINSUB = 1n;
const D_MAXSUB = 0x000fffffffffffffn;
const D_NEG = 0x8000000000000000n;
// binary32 constants
const S_ONE = 0x3f800000;
const S_INF = 0x7f800000;
const S_NINF = 0xff800000;
const S_QNAN = 0x7fc00000;
const S_QNAN_P = 0xffc00123;
const S_SNAN = 0x7f800001;
const S_MAX = 0x7f7fffff;
const S_MINN = 0x00800000;
const S_MINSUB = 1;

const dbits = (v: number): bigint => {
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, v);
  return b.getBigUint64(0);
};
const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const hex = (v: bigint | number): string => "0x" + (typeof v === "bigint" ? u64(v) : v >>> 0).toString(16);

// call fn, return [result normalised, flags]
function call(fn: string, ...args: (number | bigint)[]): [string, number] {
  x.clearFlags();
  const r = x[fn](...args);
  return [hex(r), x.getFlags()];
}
type Case = [string, (number | bigint)[], bigint | number, number];
function runCases(cases: Case[]): void {
  const failures: string[] = [];
  for (const [fn, args, want, flags] of cases) {
    const got = call(fn, ...args);
    if (got[0] !== hex(want) || got[1] !== flags) {
      failures.push(`${fn}(${args.map((a) => hex(a)).join(", ")}) = ${got[0]}/${got[1]}, want ${hex(want)}/${flags}`);
    }
  }
  expect(failures).toEqual([]);
}

describe("softfloat edge cases", () => {
  it("binary64 add/sub: NaNs, infinities, signed zeros, overflow, ties", () => {
    const cases: Case[] = [
      ["f64_add", [D_INF, D_NINF, RNE], D_QNAN, NV],
      ["f64_sub", [D_INF, D_INF, RNE], D_QNAN, NV],
      ["f64_add", [D_INF, D_INF, RNE], D_INF, 0],
      ["f64_add", [D_NINF, D_ONE, RNE], D_NINF, 0],
      ["f64_add", [D_ONE, D_SNAN, RNE], D_QNAN, NV],
      ["f64_add", [D_QNAN_P, D_ONE, RNE], D_QNAN, 0],
      ["f64_add", [D_SNAN, D_INF, RNE], D_QNAN, NV],
      ["f64_add", [D_PZ, D_NZ, RNE], D_PZ, 0],
      ["f64_add", [D_PZ, D_NZ, RDN], D_NZ, 0],
      ["f64_add", [D_NZ, D_NZ, RNE], D_NZ, 0],
      ["f64_add", [D_PZ, D_PZ, RDN], D_PZ, 0],
      ["f64_sub", [D_ONE, D_ONE, RNE], D_PZ, 0],
      ["f64_sub", [D_ONE, D_ONE, RUP], D_PZ, 0],
      ["f64_sub", [D_ONE, D_ONE, RDN], D_NZ, 0],
      ["f64_add", [D_NZ, D_MINSUB, RNE], D_MINSUB, 0],
      ["f64_add", [D_MAX, D_MAX, RNE], D_INF, OF | NX],
      ["f64_add", [D_MAX, D_MAX, RMM], D_INF, OF | NX],
      ["f64_add", [D_MAX, D_MAX, RTZ], D_MAX, OF | NX],
      ["f64_add", [D_MAX, D_MAX, RDN], D_MAX, OF | NX],
      ["f64_add", [D_MAX, D_MAX, RUP], D_INF, OF | NX],
      ["f64_add", [D_NMAX, D_NMAX, RDN], D_NINF, OF | NX],
      ["f64_add", [D_NMAX, D_NMAX, RUP], D_NMAX, OF | NX],
      ["f64_add", [D_NMAX, D_NMAX, RTZ], D_NMAX, OF | NX],
      // 1 + 2^-53: exact tie
      ["f64_add", [D_ONE, 0x3ca0000000000000n, RNE], D_ONE, NX],
      ["f64_add", [D_ONE, 0x3ca0000000000000n, RMM], 0x3ff0000000000001n, NX],
      ["f64_add", [D_ONE, 0x3ca0000000000000n, RUP], 0x3ff0000000000001n, NX],
      ["f64_add", [D_ONE, 0x3ca0000000000000n, RDN], D_ONE, NX],
      ["f64_add", [D_ONE, 0x3ca0000000000000n, RTZ], D_ONE, NX],
      // (1 + 2^-52) + 2^-53: tie with odd lsb
      ["f64_add", [0x3ff0000000000001n, 0x3ca0000000000000n, RNE], 0x3ff0000000000002n, NX],
      // -1 - 2^-53
      ["f64_sub", [D_NEG | D_ONE, 0x3ca0000000000000n, RMM], 0xbff0000000000001n, NX],
      ["f64_sub", [D_NEG | D_ONE, 0x3ca0000000000000n, RDN], 0xbff0000000000001n, NX],
      ["f64_sub", [D_NEG | D_ONE, 0x3ca0000000000000n, RUP], 0xbff0000000000000n, NX],
      // just above / below the tie
      ["f64_add", [D_ONE, 0x3ca0000000000001n, RNE], 0x3ff0000000000001n, NX],
      ["f64_add", [D_ONE, 0x3c9fffffffffffffn, RMM], D_ONE, NX],
      // subnormals: exact results, no UF
      ["f64_add", [D_MINSUB, D_MINSUB, RNE], 2n, 0],
      ["f64_sub", [D_MINN, D_MINSUB, RNE], D_MAXSUB, 0],
      ["f64_add", [D_MAXSUB, D_MINSUB, RNE], D_MINN, 0],
      ["f64_sub", [D_MINSUB, D_MINSUB, RDN], D_NZ, 0],
      // massive cancellation
      ["f64_sub", [0x3ff0000000000001n, D_ONE, RNE], 0x3cb0000000000000n, 0],
      ["f64_add", [D_ONE, D_MINSUB, RUP], 0x3ff0000000000001n, NX],
      ["f64_sub", [D_ONE, D_MINSUB, RTZ], 0x3fefffffffffffffn, NX],
      ["f64_sub", [D_ONE, D_MINSUB, RNE], D_ONE, NX],
    ];
    runCases(cases);
  });

  it("binary64 mul/div/sqrt", () => {
    const cases: Case[] = [
      ["f64_mul", [D_INF, D_PZ, RNE], D_QNAN, NV],
      ["f64_mul", [D_NZ, D_NINF, RNE], D_QNAN, NV],
      ["f64_mul", [D_NINF, D_TWO, RNE], D_NINF, 0],
      ["f64_mul", [D_NZ, D_TWO, RNE], D_NZ, 0],
      ["f64_mul", [D_NZ, D_NZ, RNE], D_PZ, 0],
      ["f64_mul", [D_QNAN, D_PZ, RNE], D_QNAN, 0],
      ["f64_mul", [D_SNAN, D_QNAN, RNE], D_QNAN, NV],
      ["f64_mul", [D_MAX, D_TWO, RNE], D_INF, OF | NX],
      ["f64_mul", [D_MAX, D_NEG | D_TWO, RUP], D_NMAX, OF | NX],
      // tiny but exact: no UF
      ["f64_mul", [D_MINN, D_HALF, RNE], 0x0008000000000000n, 0],
      // min subnormal * 0.5: tie
      ["f64_mul", [D_MINSUB, D_HALF, RNE], D_PZ, UF | NX],
      ["f64_mul", [D_MINSUB, D_HALF, RMM], D_MINSUB, UF | NX],
      ["f64_mul", [D_MINSUB, D_HALF, RUP], D_MINSUB, UF | NX],
      ["f64_mul", [D_NEG | D_MINSUB, D_HALF, RDN], D_NEG | D_MINSUB, UF | NX],
      ["f64_mul", [D_NEG | D_MINSUB, D_HALF, RTZ], D_NZ, UF | NX],
      ["f64_mul", [3n, D_HALF, RNE], 2n, UF | NX],
      // tininess after rounding: MINN*(1+2^-52) * (1-2^-52) = MINN*(1-2^-104)
      ["f64_mul", [0x0010000000000001n, 0x3fefffffffffffffn - 1n, RNE], D_MINN, NX],
      ["f64_mul", [0x0010000000000001n, 0x3fefffffffffffffn - 1n, RUP], D_MINN, NX],
      ["f64_mul", [0x0010000000000001n, 0x3fefffffffffffffn - 1n, RTZ], D_MAXSUB, UF | NX],
      ["f64_mul", [0x0010000000000001n, 0x3fefffffffffffffn - 1n, RDN], D_MAXSUB, UF | NX],
      ["f64_mul", [D_MAXSUB, D_TWO, RNE], 0x001ffffffffffffen, 0],
      ["f64_mul", [dbits(3), dbits(7), RNE], dbits(21), 0],
      ["f64_div", [D_ONE, D_PZ, RNE], D_INF, DZ],
      ["f64_div", [D_NEG | D_ONE, D_PZ, RNE], D_NINF, DZ],
      ["f64_div", [D_ONE, D_NZ, RNE], D_NINF, DZ],
      ["f64_div", [D_MINSUB, D_PZ, RNE], D_INF, DZ],
      ["f64_div", [D_PZ, D_PZ, RNE], D_QNAN, NV],
      ["f64_div", [D_INF, D_NINF, RNE], D_QNAN, NV],
      ["f64_div", [D_INF, D_PZ, RNE], D_INF, 0],
      ["f64_div", [D_ONE, D_NINF, RNE], D_NZ, 0],
      ["f64_div", [D_PZ, D_ONE, RNE], D_PZ, 0],
      ["f64_div", [D_QNAN, D_PZ, RNE], D_QNAN, 0],
      ["f64_div", [D_ONE, dbits(3), RNE], 0x3fd5555555555555n, NX],
      ["f64_div", [D_ONE, dbits(3), RUP], 0x3fd5555555555556n, NX],
      ["f64_div", [D_ONE, dbits(3), RMM], 0x3fd5555555555555n, NX],
      ["f64_div", [dbits(6), dbits(3), RNE], D_TWO, 0],
      ["f64_div", [D_MAX, D_HALF, RNE], D_INF, OF | NX],
      ["f64_div", [D_MAX, D_HALF, RTZ], D_MAX, OF | NX],
      ["f64_div", [D_MINN, dbits(3), RNE], 0x0005555555555555n, UF | NX],
      ["f64_div", [D_MINSUB, D_TWO, RNE], D_PZ, UF | NX],
      ["f64_div", [D_MINSUB, D_TWO, RMM], D_MINSUB, UF | NX],
      ["f64_sqrt", [D_NEG | D_ONE, RNE], D_QNAN, NV],
      ["f64_sqrt", [D_NINF, RNE], D_QNAN, NV],
      ["f64_sqrt", [D_NEG | D_MINSUB, RNE], D_QNAN, NV],
      ["f64_sqrt", [D_NZ, RNE], D_NZ, 0],
      ["f64_sqrt", [D_PZ, RNE], D_PZ, 0],
      ["f64_sqrt", [D_INF, RNE], D_INF, 0],
      ["f64_sqrt", [D_QNAN_P, RNE], D_QNAN, 0],
      ["f64_sqrt", [D_SNAN, RNE], D_QNAN, NV],
      ["f64_sqrt", [dbits(4), RNE], D_TWO, 0],
      ["f64_sqrt", [D_TWO, RNE], dbits(Math.SQRT2), NX],
      ["f64_sqrt", [D_MINSUB, RNE], 0x1e60000000000000n, 0],
      ["f64_sqrt", [D_MAX, RNE], 0x5fefffffffffffffn, NX],
      ["f64_sqrt", [dbits(0.25), RNE], D_HALF, 0],
    ];
    runCases(cases);
  });

  it("fused multiply-add", () => {
    const cases: Case[] = [
      // 0 * inf + qNaN still raises NV
      ["f64_fma", [D_PZ, D_INF, D_QNAN, RNE], D_QNAN, NV],
      ["f64_fma", [D_NINF, D_NZ, D_QNAN_P, RNE], D_QNAN, NV],
      ["f64_fma", [D_INF, D_PZ, D_ONE, RNE], D_QNAN, NV],
      ["f64_fma", [D_ONE, D_QNAN, D_ONE, RNE], D_QNAN, 0],
      ["f64_fma", [D_ONE, D_ONE, D_SNAN, RNE], D_QNAN, NV],
      ["f64_fma", [D_INF, D_ONE, D_NINF, RNE], D_QNAN, NV],
      ["f64_fma", [D_INF, D_ONE, D_INF, RNE], D_INF, 0],
      ["f64_fma", [D_ONE, D_ONE, D_NINF, RNE], D_NINF, 0],
      ["f64_fma", [D_MAX, D_MAX, D_NINF, RNE], D_NINF, 0],
      // exact zero results
      ["f64_fma", [D_ONE, D_ONE, D_NEG | D_ONE, RNE], D_PZ, 0],
      ["f64_fma", [D_ONE, D_ONE, D_NEG | D_ONE, RDN], D_NZ, 0],
      ["f64_fma", [D_NZ, D_ONE, D_NZ, RNE], D_NZ, 0],
      ["f64_fma", [D_PZ, D_NEG | D_ONE, D_PZ, RNE], D_PZ, 0],
      ["f64_fma", [D_PZ, D_NEG | D_ONE, D_PZ, RDN], D_NZ, 0],
      ["f64_fma", [D_PZ, D_ONE, D_PZ, RDN], D_PZ, 0],
      ["f64_fma", [D_NZ, D_NZ, D_NZ, RNE], D_PZ, 0],
      ["f64_fma", [D_PZ, D_ONE, D_MINSUB, RNE], D_MINSUB, 0],
      ["f64_fma", [D_MINSUB, D_HALF, D_PZ, RNE], D_PZ, UF | NX],
      ["f64_fma", [D_MINSUB, D_HALF, D_NZ, RUP], D_MINSUB, UF | NX],
      // single rounding: (1+2^-52)^2 - (1+2^-51) = 2^-104
      ["f64_fma", [0x3ff0000000000001n, 0x3ff0000000000001n, 0xbff0000000000002n, RNE], 0x3970000000000000n, 0],
      // 1 + tiny product: tie decided by the product's sticky bits
      ["f64_fma", [0x3ca0000000000000n, D_ONE, D_ONE, RNE], D_ONE, NX],
      ["f64_fma", [0x3ca0000000000001n, D_ONE, D_ONE, RNE], 0x3ff0000000000001n, NX],
      ["f64_fma", [D_MINSUB, D_MINSUB, D_ONE, RUP], 0x3ff0000000000001n, NX],
      ["f64_fma", [D_MINSUB, D_MINSUB, D_ONE, RNE], D_ONE, NX],
      ["f64_fma", [D_NEG | D_MINSUB, D_MINSUB, D_ONE, RTZ], 0x3fefffffffffffffn, NX],
      ["f64_fma", [D_MAX, D_TWO, D_NMAX, RNE], D_MAX, 0],
      ["f64_fma", [D_MAX, D_TWO, D_PZ, RNE], D_INF, OF | NX],
      ["f32_fma", [S_ONE, S_ONE, (S_ONE | 0x80000000) >>> 0, RDN], 0x80000000, 0],
      ["f32_fma", [0, S_INF, S_QNAN, RNE], S_QNAN, NV],
      ["f32_fma", [0x3f800001, 0x3f800001, 0xbf800002, RNE], 0x28800000, 0],
      ["f32_fma", [S_MINSUB, S_MINSUB, S_ONE, RUP], 0x3f800001, NX],
    ];
    runCases(cases);
  });

  it("comparisons, min/max, classify", () => {
    const cases: Case[] = [
      ["f64_eq", [D_QNAN, D_QNAN], 0, 0],
      ["f64_eq", [D_SNAN, D_ONE], 0, NV],
      ["f64_eq", [D_PZ, D_NZ], 1, 0],
      ["f64_eq", [D_ONE, D_ONE], 1, 0],
      ["f64_lt", [D_QNAN, D_ONE], 0, NV],
      ["f64_le", [D_ONE, D_QNAN], 0, NV],
      ["f64_lt", [D_NZ, D_PZ], 0, 0],
      ["f64_le", [D_NZ, D_PZ], 1, 0],
      ["f64_le", [D_PZ, D_NZ], 1, 0],
      ["f64_lt", [D_NINF, D_NMAX], 1, 0],
      ["f64_lt", [D_NEG | D_TWO, D_NEG | D_ONE], 1, 0],
      ["f64_lt", [D_NEG | D_ONE, D_NEG | D_TWO], 0, 0],
      ["f64_le", [D_MINSUB, D_NZ], 0, 0],
      ["f64_lt", [D_NZ, D_MINSUB], 1, 0],
      ["f64_min", [D_NZ, D_PZ], D_NZ, 0],
      ["f64_min", [D_PZ, D_NZ], D_NZ, 0],
      ["f64_max", [D_NZ, D_PZ], D_PZ, 0],
      ["f64_max", [D_PZ, D_NZ], D_PZ, 0],
      ["f64_min", [D_QNAN_P, D_ONE], D_ONE, 0],
      ["f64_max", [D_ONE, D_QNAN_P], D_ONE, 0],
      ["f64_min", [D_SNAN, D_ONE], D_ONE, NV],
      ["f64_min", [D_QNAN_P, D_QNAN_P], D_QNAN, 0],
      ["f64_max", [D_SNAN, D_QNAN_P], D_QNAN, NV],
      ["f64_min", [D_NINF, D_NMAX], D_NINF, 0],
      ["f64_max", [D_NEG | D_ONE, D_NEG | D_TWO], D_NEG | D_ONE, 0],
      ["f32_min", [0x80000000, 0], 0x80000000, 0],
      ["f32_max", [S_SNAN, S_ONE], S_ONE, NV],
      ["f32_max", [S_QNAN_P, S_QNAN], S_QNAN, 0],
      ["f32_eq", [S_SNAN, S_SNAN], 0, NV],
      ["f32_lt", [S_QNAN, S_ONE], 0, NV],
      ["f32_le", [0x80000000, 0], 1, 0],
      ["f64_classify", [D_NINF], 1, 0],
      ["f64_classify", [D_NEG | D_ONE], 2, 0],
      ["f64_classify", [D_NEG | D_MAXSUB], 4, 0],
      ["f64_classify", [D_NZ], 8, 0],
      ["f64_classify", [D_PZ], 16, 0],
      ["f64_classify", [D_MINSUB], 32, 0],
      ["f64_classify", [D_MINN], 64, 0],
      ["f64_classify", [D_INF], 128, 0],
      ["f64_classify", [D_SNAN], 256, 0],
      ["f64_classify", [D_QNAN_P], 512, 0],
      ["f32_classify", [S_NINF], 1, 0],
      ["f32_classify", [0xbf800000], 2, 0],
      ["f32_classify", [0x807fffff], 4, 0],
      ["f32_classify", [0x80000000], 8, 0],
      ["f32_classify", [0], 16, 0],
      ["f32_classify", [S_MINSUB], 32, 0],
      ["f32_classify", [S_MAX], 64, 0],
      ["f32_classify", [S_INF], 128, 0],
      ["f32_classify", [S_SNAN], 256, 0],
      ["f32_classify", [S_QNAN_P], 512, 0],
    ];
    runCases(cases);
  });

  it("float -> integer conversions", () => {
    const M1 = 0xffffffffffffffffn;
    const cases: Case[] = [
      ["f64_to_i32", [D_QNAN, RNE], 0x7fffffffn, NV],
      ["f64_to_i32", [D_NEG | D_QNAN, RNE], 0x7fffffffn, NV],
      ["f64_to_i32", [D_INF, RNE], 0x7fffffffn, NV],
      ["f64_to_i32", [D_NINF, RNE], 0xffffffff80000000n, NV],
      ["f64_to_i32", [dbits(2.5), RNE], 2n, NX],
      ["f64_to_i32", [dbits(3.5), RNE], 4n, NX],
      ["f64_to_i32", [dbits(2.5), RMM], 3n, NX],
      ["f64_to_i32", [dbits(-2.5), RMM], u64(-3n), NX],
      ["f64_to_i32", [dbits(-2.5), RDN], u64(-3n), NX],
      ["f64_to_i32", [dbits(-2.5), RUP], u64(-2n), NX],
      ["f64_to_i32", [dbits(-2.5), RTZ], u64(-2n), NX],
      ["f64_to_i32", [dbits(-2147483648), RNE], 0xffffffff80000000n, 0],
      ["f64_to_i32", [dbits(-2147483648.5), RNE], 0xffffffff80000000n, NX],
      ["f64_to_i32", [dbits(-2147483648.5), RDN], 0xffffffff80000000n, NV],
      ["f64_to_i32", [dbits(2147483647.5), RNE], 0x7fffffffn, NV],
      ["f64_to_i32", [dbits(2147483647.5), RDN], 0x7fffffffn, NX],
      ["f64_to_i32", [D_MINSUB, RUP], 1n, NX],
      ["f64_to_i32", [D_NEG | D_MINSUB, RUP], 0n, NX],
      ["f64_to_i32", [D_NZ, RNE], 0n, 0],
      ["f64_to_u32", [D_QNAN, RNE], M1, NV],
      ["f64_to_u32", [D_INF, RNE], M1, NV],
      ["f64_to_u32", [D_NINF, RNE], 0n, NV],
      ["f64_to_u32", [dbits(-0.5), RTZ], 0n, NX],
      ["f64_to_u32", [dbits(-0.5), RNE], 0n, NX],
      ["f64_to_u32", [dbits(-0.5), RMM], 0n, NV],
      ["f64_to_u32", [dbits(-1), RNE], 0n, NV],
      ["f64_to_u32", [dbits(3e9), RNE], 0xffffffffb2d05e00n, 0],
      ["f64_to_u32", [dbits(4294967295.5), RDN], M1, NX],
      ["f64_to_u32", [dbits(4294967296), RNE], M1, NV],
      ["f64_to_i64", [dbits(2 ** 63), RNE], 0x7fffffffffffffffn, NV],
      ["f64_to_i64", [dbits(-(2 ** 63)), RNE], 0x8000000000000000n, 0],
      ["f64_to_i64", [D_NINF, RNE], 0x8000000000000000n, NV],
      ["f64_to_i64", [D_SNAN, RNE], 0x7fffffffffffffffn, NV],
      ["f64_to_i64", [dbits(-(2 ** 53) - 2), RNE], u64(-(2n ** 53n) - 2n), 0],
      ["f64_to_u64", [dbits(2 ** 64), RNE], M1, NV],
      ["f64_to_u64", [dbits(2 ** 64 - 2048), RNE], 0xfffffffffffff800n, 0],
      ["f64_to_u64", [dbits(-0.9), RUP], 0n, NX],
      ["f64_to_u64", [dbits(-0.9), RTZ], 0n, NX],
      ["f64_to_u64", [dbits(-0.9), RNE], 0n, NV],
      ["f64_to_u64", [dbits(0.5), RNE], 0n, NX],
      ["f64_to_u64", [dbits(0.5), RMM], 1n, NX],
      ["f64_to_u64", [dbits(1.5), RNE], 2n, NX],
      ["f32_to_i32", [S_QNAN, RNE], 0x7fffffffn, NV],
      ["f32_to_i32", [0xcf000000, RNE], 0xffffffff80000000n, 0],
      ["f32_to_i32", [0x4f000000, RNE], 0x7fffffffn, NV],
      ["f32_to_u32", [0x4f7fffff, RNE], 0xffffff00n | 0xffffffff00000000n, 0],
      ["f32_to_u32", [S_NINF, RNE], 0n, NV],
      ["f32_to_i64", [0x3fc00000, RNE], 2n, NX],
      ["f32_to_u64", [0x5f800000, RNE], M1, NV],
      ["f32_to_u64", [0xbf000000, RMM], 0n, NV],
    ];
    runCases(cases);
  });

  it("integer -> float and float <-> float conversions", () => {
    const cases: Case[] = [
      ["i64_to_f64", [2n ** 53n + 1n, RNE], 0x4340000000000000n, NX],
      ["i64_to_f64", [2n ** 53n + 1n, RUP], 0x4340000000000001n, NX],
      ["i64_to_f64", [2n ** 53n + 1n, RMM], 0x4340000000000001n, NX],
      ["i64_to_f64", [-(2n ** 53n) - 1n, RDN], 0xc340000000000001n, NX],
      ["i64_to_f64", [-(2n ** 53n) - 1n, RUP], 0xc340000000000000n, NX],
      ["i64_to_f64", [-(2n ** 63n), RNE], 0xc3e0000000000000n, 0],
      ["i64_to_f64", [0n, RDN], 0n, 0],
      ["u64_to_f64", [M1(), RNE], 0x43f0000000000000n, NX],
      ["u64_to_f64", [M1(), RTZ], 0x43efffffffffffffn, NX],
      ["u64_to_f32", [M1(), RNE], 0x5f800000, NX],
      ["u64_to_f32", [M1(), RTZ], 0x5f7fffff, NX],
      ["i32_to_f32", [-2147483648, RNE], 0xcf000000, 0],
      ["i32_to_f32", [2147483647, RNE], 0x4f000000, NX],
      ["i32_to_f32", [2147483647, RTZ], 0x4effffff, NX],
      ["i32_to_f32", [16777217, RNE], 0x4b800000, NX],
      ["i32_to_f32", [16777217, RMM], 0x4b800001, NX],
      ["i32_to_f32", [-16777217, RMM], 0xcb800001, NX],
      ["u32_to_f32", [0xffffffff, RNE], 0x4f800000, NX],
      ["i32_to_f64", [-2147483648, RNE], 0xc1e0000000000000n, 0],
      ["u32_to_f64", [0xffffffff, RNE], 0x41efffffffe00000n, 0],
      ["i64_to_f32", [-1n, RNE], 0xbf800000, 0],
      ["f32_to_f64", [S_SNAN], D_QNAN, NV],
      ["f32_to_f64", [S_QNAN_P], D_QNAN, 0],
      ["f32_to_f64", [S_NINF], D_NINF, 0],
      ["f32_to_f64", [0x80000000], D_NZ, 0],
      ["f32_to_f64", [S_MINSUB], 0x36a0000000000000n, 0],
      ["f32_to_f64", [S_MAX], 0x47efffffe0000000n, 0],
      ["f64_to_f32", [D_SNAN, RNE], S_QNAN, NV],
      ["f64_to_f32", [D_QNAN_P, RNE], S_QNAN, 0],
      ["f64_to_f32", [D_MAX, RNE], S_INF, OF | NX],
      ["f64_to_f32", [D_MAX, RTZ], S_MAX, OF | NX],
      ["f64_to_f32", [D_NMAX, RUP], (S_MAX | 0x80000000) >>> 0, OF | NX],
      ["f64_to_f32", [D_NMAX, RDN], S_NINF, OF | NX],
      ["f64_to_f32", [0x36a0000000000000n, RNE], S_MINSUB, 0],
      ["f64_to_f32", [0x3690000000000000n, RNE], 0, UF | NX], // 2^-150: tie to even
      ["f64_to_f32", [0x3690000000000000n, RMM], S_MINSUB, UF | NX],
      ["f64_to_f32", [0x3690000000000001n, RNE], S_MINSUB, UF | NX],
      ["f64_to_f32", [D_MINSUB, RUP], S_MINSUB, UF | NX],
      ["f64_to_f32", [D_MINSUB, RNE], 0, UF | NX],
      ["f64_to_f32", [0x3ff0000010000000n, RNE], S_ONE, NX], // 1 + 2^-24
      ["f64_to_f32", [0x3ff0000010000000n, RMM], 0x3f800001, NX],
      ["f64_to_f32", [0x3ff0000030000000n, RNE], 0x3f800002, NX],
      // rounds up to the smallest normal: not tiny after rounding
      ["f64_to_f32", [0x380ffffffff00000n, RNE], S_MINN, NX],
      ["f64_to_f32", [0x380ffffffff00000n, RTZ], 0x007fffff, UF | NX],
      ["f64_to_f32", [0x47efffffefffffffn, RNE], S_MAX, NX],
      ["f64_to_f32", [0x47effffff0000000n, RNE], S_INF, OF | NX],
    ];
    function M1(): bigint {
      return 0xffffffffffffffffn;
    }
    runCases(cases);
  });

  it("binary32 arithmetic", () => {
    const cases: Case[] = [
      ["f32_add", [S_ONE, 0x33800000, RNE], S_ONE, NX],
      ["f32_add", [S_ONE, 0x33800000, RMM], 0x3f800001, NX],
      ["f32_add", [S_INF, S_NINF, RNE], S_QNAN, NV],
      ["f32_add", [0, 0x80000000, RDN], 0x80000000, 0],
      ["f32_sub", [S_ONE, S_ONE, RDN], 0x80000000, 0],
      ["f32_add", [S_MAX, S_MAX, RNE], S_INF, OF | NX],
      ["f32_add", [S_MAX, S_MAX, RTZ], S_MAX, OF | NX],
      ["f32_mul", [S_MINSUB, 0x3f000000, RNE], 0, UF | NX],
      ["f32_mul", [S_MINSUB, 0x3f000000, RUP], S_MINSUB, UF | NX],
      ["f32_mul", [0x00800001, 0x3f7ffffe, RNE], S_MINN, NX],
      ["f32_mul", [0x00800001, 0x3f7ffffe, RTZ], 0x007fffff, UF | NX],
      ["f32_mul", [S_INF, 0, RNE], S_QNAN, NV],
      ["f32_div", [S_ONE, 0, RNE], S_INF, DZ],
      ["f32_div", [S_ONE, 0x80000000, RNE], S_NINF, DZ],
      ["f32_div", [0, 0, RNE], S_QNAN, NV],
      ["f32_div", [S_ONE, 0x40400000, RNE], 0x3eaaaaab, NX],
      ["f32_div", [S_ONE, 0x40400000, RTZ], 0x3eaaaaaa, NX],
      ["f32_div", [S_MINSUB, 0x40000000, RMM], S_MINSUB, UF | NX],
      ["f32_sqrt", [0xbf800000, RNE], S_QNAN, NV],
      ["f32_sqrt", [0x80000000, RNE], 0x80000000, 0],
      ["f32_sqrt", [0x40800000, RNE], 0x40000000, 0],
      ["f32_sqrt", [0x40000000, RNE], 0x3fb504f3, NX],
      ["f32_sqrt", [0x40000000, RUP], 0x3fb504f4, NX],
      ["f32_sqrt", [S_MINSUB, RNE], 0x1a3504f3, NX],
      ["f32_sqrt", [S_SNAN, RNE], S_QNAN, NV],
    ];
    runCases(cases);
  });
});

describe("softfloat vs QEMU RISC-V reference", () => {
  const vecs = generate();
  const fixture = gunzipSync(readFileSync(path.join(here, "softfloat/expected.bin.gz")));

  it("fixture matches the vector generator", () => {
    expect(fixture.toString("latin1", 0, 4)).toBe("SFV1");
    expect(fixture.readUInt32LE(4)).toBe(vecs.length);
    // a mismatch here means vectors.mjs changed: rerun gen-reference.mjs
    expect(fixture.readUInt32LE(8)).toBe(checksum(vecs));
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const byOp = new Map<number, { op: any; idx: number[] }>();
  vecs.forEach((v: { op: number }, i: number) => {
    if (!byOp.has(v.op)) byOp.set(v.op, { op: OPS.find((o: { id: number }) => o.id === v.op), idx: [] });
    byOp.get(v.op)!.idx.push(i);
  });
  const RM = ["RNE", "RTZ", "RDN", "RUP", "RMM"];

  for (const { op, idx } of byOp.values()) {
    it(`${op.fmt}.${op.name}: ${idx.length} vectors`, () => {
      const run = makeRunner(x);
      const failures: string[] = [];
      let nfail = 0;
      for (const i of idx) {
        const v = vecs[i];
        const wantR = fixture.readBigUInt64LE(12 + i * 9);
        const wantF = fixture[12 + i * 9 + 8];
        const [r, f] = run(op, v);
        if (r !== wantR || f !== wantF) {
          nfail++;
          if (failures.length < 10) {
            failures.push(
              `${RM[v!.rm]} a=${hex(v!.a)} b=${hex(v!.b)} c=${hex(v!.c)}: got ${hex(r)}/${f}, want ${hex(wantR)}/${wantF}`,
            );
          }
        }
      }
      expect({ nfail, failures }).toEqual({ nfail: 0, failures: [] });
    });
  }
});
