// The round-to-nearest fast paths (fastfp.ts) must be bit-identical to softfloat, result
// and flags, whenever they accept an operation: checked on random and edge operands with
// NX initially clear and initially set.
import { describe, it, expect, beforeAll } from "vitest";
import asc from "assemblyscript/asc";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
type Ex = Record<string, (...a: any[]) => any>;
let ex: Ex;

beforeAll(async () => {
  let binary: Uint8Array | null = null;
  const { error } = await asc.main(
    [path.join(root, "tests/unit/as/fastfp_entry.ts"), "-O3", "--runtime", "stub", "--noAssert", "--outFile", "f.wasm"],
    { writeFile(name: string, c: Uint8Array) { if (name.endsWith(".wasm")) binary = c; }, stdout: { write: () => true }, stderr: { write: () => true } } as any,
  );
  if (error || !binary) throw new Error(`asc failed: ${error?.message}`);
  const { instance } = await WebAssembly.instantiate(binary, { env: { abort() { throw new Error("abort"); } } });
  ex = instance.exports as unknown as Ex;
});

// Deterministic generator (xorshift64*).
let s = 0x9e3779b97f4a7c15n;
function rnd64(): bigint {
  s ^= s >> 12n; s ^= (s << 25n) & 0xffffffffffffffffn; s ^= s >> 27n;
  return (s * 0x2545f4914f6cdd1dn) & 0xffffffffffffffffn;
}
const d2b = (x: number) => { const b = new DataView(new ArrayBuffer(8)); b.setFloat64(0, x, true); return b.getBigUint64(0, true); };
const f2b = (x: number) => { const b = new DataView(new ArrayBuffer(4)); b.setFloat32(0, x, true); return b.getUint32(0, true); };

function operand64(): bigint {
  const r = Number(rnd64() % 10n);
  if (r < 4) return d2b((Number(rnd64() % 2000000n) - 1000000) / 1024); // short mantissas: exact results
  if (r < 7) return rnd64() & 0x3fffffffffffffffn | ((rnd64() & 1n) << 63n); // wide range
  if (r < 8) return d2b([0, -0, 1, -1, 0.5, 3, 1e-300, 1e300, 2 ** -1021, 2 ** 400, 2 ** -400][Number(rnd64() % 11n)]!);
  return d2b((Number(rnd64() >> 11n) / 2 ** 53 - 0.5) * 2 ** Number(rnd64() % 64n));
}
function operand32(): number {
  const r = Number(rnd64() % 10n);
  if (r < 4) return f2b((Number(rnd64() % 20000n) - 10000) / 64);
  if (r < 8) return Number(rnd64() & 0xffffffffn);
  return f2b((Number(rnd64() >> 11n) / 2 ** 53 - 0.5) * 2 ** Number(rnd64() % 40n));
}

describe("RNE fast paths match softfloat", () => {
  const N = 40000;
  const ops64: [string, string, number][] = [
    ["f64AddFast", "f64_add", 2], ["f64MulFast", "f64_mul", 2], ["f64DivFast", "f64_div", 2],
    ["f64SqrtFast", "f64_sqrt", 1], ["f64FmaFast", "f64_fma", 3],
  ];
  for (const [fastName, softName, arity] of ops64) {
    it(`${fastName} vs ${softName}`, () => {
      let taken = 0;
      for (let i = 0; i < N; i++) {
        const a = operand64(), b = operand64(), c = operand64();
        const args = [a, b, c].slice(0, arity);
        for (const nx of [0, 1]) {
          ex.setFlags!(nx);
          const ok = ex[fastName]!(...args);
          if (!ok) continue;
          taken++;
          const fastR = BigInt.asUintN(64, ex.getFast!());
          const fastF = ex.getFlags!();
          ex.setFlags!(nx);
          const softR = BigInt.asUintN(64, ex[softName]!(...args, 0));
          const softF = ex.getFlags!();
          if (fastR !== softR || fastF !== softF) {
            expect.fail(`${fastName}(${args.map((x) => x.toString(16))}) nx=${nx}: fast ${fastR.toString(16)}/${fastF} soft ${softR.toString(16)}/${softF}`);
          }
        }
      }
      expect(taken).toBeGreaterThan(N / 4);
    });
  }
  // Operands of a few set bits: their products need more than 53 bits and their sums
  // often land exactly on, or a bit beside, a rounding midpoint or a power of two, which
  // is where skipping the error terms (fmaRne's shortcut) would go wrong.
  const sparse = (top: number): number => {
    const k = Number(rnd64() % 3n);
    let v = 2 ** top;
    for (let i = 0; i < k; i++) v += (rnd64() & 1n ? 1 : -1) * 2 ** (top - 1 - Number(rnd64() % 52n));
    return rnd64() & 1n ? -v : v;
  };
  it("f64FmaFast vs f64_fma near midpoints and powers of two", () => {
    let taken = 0;
    for (let i = 0; i < 200000; i++) {
      const ex1 = Number(rnd64() % 41n) - 20, ex2 = Number(rnd64() % 41n) - 20;
      const x = sparse(ex1), y = sparse(ex2);
      const p = x * y;
      const shape = Number(rnd64() % 4n);
      // z: sparse near the product's scale, minus the rounded product plus a small
      // power of two (a power-of-two result), or a power of two near the product.
      const e = ex1 + ex2 + Number(rnd64() % 9n) - 4;
      const z = shape === 0 ? sparse(e)
        : shape === 1 ? -p + (rnd64() & 1n ? 1 : -1) * 2 ** (e - Number(rnd64() % 60n))
        : shape === 2 ? 2 ** e - p
        : (rnd64() & 1n ? 1 : -1) * 2 ** e;
      const args = [d2b(x), d2b(y), d2b(z)];
      ex.setFlags!(1);
      if (!ex.f64FmaFast!(...args)) continue;
      taken++;
      const fastR = BigInt.asUintN(64, ex.getFast!());
      ex.setFlags!(1);
      const softR = BigInt.asUintN(64, ex.f64_fma!(...args, 0));
      if (fastR !== softR) expect.fail(`f64FmaFast(${args.map((a) => a.toString(16))}): fast ${fastR.toString(16)} soft ${softR.toString(16)}`);
    }
    expect(taken).toBeGreaterThan(100000);
  });
  const ops32 = ["f32_add", "f32_sub", "f32_mul", "f32_div", "f32_sqrt"];
  ops32.forEach((softName, op) => {
    it(`f32ArithFast(${op}) vs ${softName}`, () => {
      let taken = 0;
      for (let i = 0; i < N; i++) {
        const a = operand32(), b = operand32();
        for (const nx of [0, 1]) {
          ex.setFlags!(nx);
          if (!ex.f32ArithFast!(op, a, b)) continue;
          taken++;
          const fastR = Number(BigInt.asUintN(32, ex.getFast!()));
          const fastF = ex.getFlags!();
          ex.setFlags!(nx);
          const softR = (op === 4 ? ex[softName]!(a, 0) : ex[softName]!(a, b, 0)) >>> 0;
          const softF = ex.getFlags!();
          if (fastR !== softR || fastF !== softF) {
            expect.fail(`${softName}(${a.toString(16)}, ${b.toString(16)}) nx=${nx}: fast ${fastR.toString(16)}/${fastF} soft ${softR.toString(16)}/${softF}`);
          }
        }
      }
      expect(taken).toBeGreaterThan(N / 4);
    });
  });
});
