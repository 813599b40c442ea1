// Deterministic test-vector generator shared by the reference generator (gen-reference.mjs,
// which runs the vectors on QEMU's RISC-V F/D implementation) and softfloat.test.ts.
// Changing anything here invalidates tests/unit/softfloat/expected.bin.gz (the test checks a
// checksum of the inputs and says so).

// op table: id is the value passed to the QEMU harness (harness.c); fmt 'S'/'D'.
// kind: r2 = two float operands + rm, r1 = one float + rm, r3 = fma family, cmp = two
// floats no rm, mm = min/max, cls = classify, f2i = float -> int (+rm), i2f = int -> float,
// cvt = float <-> float.
export const OPS = [];
const base = [
  ["add", "r2"], ["sub", "r2"], ["mul", "r2"], ["div", "r2"], ["sqrt", "r1"],
  ["madd", "r3"], ["msub", "r3"], ["nmsub", "r3"], ["nmadd", "r3"],
  ["eq", "cmp"], ["lt", "cmp"], ["le", "cmp"], ["min", "mm"], ["max", "mm"], ["classify", "cls"],
  ["to_i32", "f2i"], ["to_u32", "f2i"], ["to_i64", "f2i"], ["to_u64", "f2i"],
  ["from_i32", "i2f"], ["from_u32", "i2f"], ["from_i64", "i2f"], ["from_u64", "i2f"],
  ["cvt", "cvt"],
];
const COUNT = { r2: 20000, r1: 12000, r3: 12000, cmp: 2000, mm: 2000, cls: 1000, f2i: 5000, i2f: 4000, cvt: 8000 };
for (const fmt of ["S", "D"]) {
  base.forEach(([name, kind], i) => {
    OPS.push({ id: (fmt === "S" ? 0 : 32) + i, fmt, name, kind, count: COUNT[kind] });
  });
}

// --- PRNG (xorshift128, 32-bit words) ---
export class Rng {
  constructor(seed) {
    this.x = seed >>> 0 || 1; this.y = 362436069; this.z = 521288629; this.w = 88675123;
    for (let i = 0; i < 16; i++) this.u32();
  }
  u32() {
    const t = this.x ^ (this.x << 11);
    this.x = this.y; this.y = this.z; this.z = this.w;
    this.w = (this.w ^ (this.w >>> 19) ^ (t ^ (t >>> 8))) >>> 0;
    return this.w;
  }
  below(n) { return this.u32() % n; }
  bits(n) { // BigInt with n random bits (n <= 64)
    let v = (BigInt(this.u32()) << 32n) | BigInt(this.u32());
    return n >= 64 ? v : v & ((1n << BigInt(n)) - 1n);
  }
}

export const FMT = {
  S: { eb: 8, fb: 23, bias: 127, width: 32 },
  D: { eb: 11, fb: 52, bias: 1023, width: 64 },
};

// significand patterns in the style of TestFloat: random, runs of ones/zeros, single bits
function fracPattern(r, fb) {
  const mask = (1n << BigInt(fb)) - 1n;
  switch (r.below(8)) {
    case 0: return mask; // all ones
    case 1: return 0n;
    case 2: return 1n << BigInt(r.below(fb)); // one bit
    case 3: return mask ^ (1n << BigInt(r.below(fb))); // one zero
    case 4: return (mask >> BigInt(r.below(fb))) ; // low run of ones
    case 5: return (mask << BigInt(r.below(fb))) & mask; // high run of ones
    default: return r.bits(fb);
  }
}

export function pack(f, s, e, frac) {
  return (BigInt(s) << BigInt(f.width - 1)) | (BigInt(e) << BigInt(f.fb)) | frac;
}

export function randFloat(r, fmtName) {
  const f = FMT[fmtName];
  const emax = (1 << f.eb) - 1;
  const s = r.below(2);
  const c = r.below(100);
  if (c < 6) {
    const k = r.below(10);
    const qbit = 1n << BigInt(f.fb - 1);
    switch (k) {
      case 0: return pack(f, s, 0, 0n);
      case 1: return pack(f, s, emax, 0n);
      case 2: return pack(f, s, emax, qbit | r.bits(f.fb - 1)); // qNaN
      case 3: return pack(f, s, emax, (r.bits(f.fb - 1) | 1n)); // sNaN
      case 4: return pack(f, s, 0, 1n);
      case 5: return pack(f, s, 0, (1n << BigInt(f.fb)) - 1n);
      case 6: return pack(f, s, 1, 0n);
      case 7: return pack(f, s, emax - 1, (1n << BigInt(f.fb)) - 1n);
      case 8: return pack(f, s, f.bias, 0n);
      default: return pack(f, s, emax, qbit);
    }
  }
  let e;
  if (c < 20) e = 0; // subnormal
  else if (c < 30) e = emax - 1 - r.below(f.fb + 4);
  else if (c < 42) e = 1 + r.below(f.fb + 4);
  else if (c < 80) e = f.bias - 40 + r.below(81);
  else e = 1 + r.below(emax - 1);
  return pack(f, s, e, fracPattern(r, f.fb));
}

// bit-pattern <-> JS number helpers (for building correlated operands)
const dv = new DataView(new ArrayBuffer(8));
export function toNum(bits, fmtName) {
  if (fmtName === "S") { dv.setUint32(0, Number(bits)); return dv.getFloat32(0); }
  dv.setBigUint64(0, bits); return dv.getFloat64(0);
}
export function fromNum(x, fmtName) {
  if (fmtName === "S") { dv.setFloat32(0, x); return BigInt(dv.getUint32(0)); }
  dv.setFloat64(0, x); return dv.getBigUint64(0);
}
function tweak(r, bits, fmtName) {
  // flip a few low bits / add a small delta to land near rounding boundaries
  const w = FMT[fmtName].width;
  const m = (1n << BigInt(w)) - 1n;
  switch (r.below(4)) {
    case 0: return bits;
    case 1: return (bits + BigInt(r.below(5)) - 2n) & m;
    case 2: return bits ^ BigInt(r.below(256));
    default: return bits ^ (1n << BigInt(r.below(4)));
  }
}
function near(r, a, fmtName) {
  // a value with exponent close to a's
  const f = FMT[fmtName];
  const emax = (1 << f.eb) - 1;
  const ea = Number((a >> BigInt(f.fb)) & BigInt(emax));
  let e = ea + r.below(7) - 3;
  if (e < 0) e = 0;
  if (e > emax - 1) e = emax - 1;
  return pack(f, r.below(2), e, r.below(3) === 0 ? (a & ((1n << BigInt(f.fb)) - 1n)) ^ BigInt(r.below(16)) : fracPattern(r, f.fb));
}
const round = (x, fmtName) => (fmtName === "S" ? Math.fround(x) : x);

function randInt(r, bits) {
  // integers with interesting magnitudes for conversions
  const n = 1 + r.below(bits);
  let v;
  switch (r.below(4)) {
    case 0: v = r.bits(n); break;
    case 1: v = (1n << BigInt(n - 1)) | BigInt(r.below(2)); break;
    case 2: v = ((1n << BigInt(n)) - 1n) ^ BigInt(r.below(4)); break;
    default: {
      // halfway patterns for 24/53-bit precision
      const p = r.below(2) ? 24 : 53;
      if (n > p + 1) {
        v = (r.bits(p) | (1n << BigInt(p - 1))) << BigInt(n - p);
        v |= 1n << BigInt(n - p - 1);
        if (r.below(2)) v |= BigInt(r.below(2));
      } else v = r.bits(n);
    }
  }
  return v & ((1n << BigInt(bits)) - 1n);
}

const U64 = (1n << 64n) - 1n;

function f2iInput(r, fmtName, name) {
  if (r.below(3) === 0) return randFloat(r, fmtName);
  const bounds = { to_i32: [2n ** 31n, -(2n ** 31n)], to_u32: [2n ** 32n, 0n], to_i64: [2n ** 63n, -(2n ** 63n)], to_u64: [2n ** 64n, 0n] }[name];
  let x;
  const k = r.below(6);
  if (k < 2) {
    const b = bounds[k];
    x = Number(b) + (r.below(9) - 4) * (Math.abs(Number(b)) * 2 ** -23);
    if (r.below(2)) x = Number(b + BigInt(r.below(5)) - 2n);
  } else if (k < 4) {
    x = (r.below(2001) - 1000) / 4; // quarters: exact halves and odd/even ties
  } else {
    x = (r.u32() / 2 ** 32) * 2 - 1; // in (-1, 1)
    if (r.below(2)) x *= 2 ** r.below(40);
  }
  return tweak(r, fromNum(round(x, fmtName), fmtName), fmtName);
}

// Generate all vectors: array of { op, rm, a, b, c } (a/b/c BigInt, u64 range)
export function generate() {
  const out = [];
  for (const op of OPS) {
    const r = new Rng(0x9e3779b9 ^ (op.id * 7919 + 17));
    const F = op.fmt;
    for (let i = 0; i < op.count; i++) {
      const rm = i % 5;
      let a = 0n, b = 0n, c = 0n;
      switch (op.kind) {
        case "r2": {
          a = randFloat(r, F);
          b = r.below(3) === 0 ? near(r, a, F) : randFloat(r, F);
          if (op.name === "div" && r.below(5) === 0) {
            // exact or nearly exact quotients
            const q = (r.below(2000) + 1) / (1 << r.below(8));
            a = tweak(r, fromNum(round(toNum(b, F) * q, F), F), F);
          }
          if (op.name === "mul" && r.below(5) === 0) {
            // products near the underflow / overflow thresholds
            const f = FMT[F];
            const emax = (1 << f.eb) - 1;
            const ea = Number((a >> BigInt(f.fb)) & BigInt(emax));
            const target = r.below(2) ? 1 - r.below(f.fb + 3) : emax + r.below(3) - 1;
            let eb = target - ea + f.bias;
            if (eb < 0) eb = 0;
            if (eb > emax - 1) eb = emax - 1;
            b = pack(f, r.below(2), eb, fracPattern(r, f.fb));
          }
          break;
        }
        case "r1": {
          a = randFloat(r, F);
          if (r.below(4) === 0) {
            const x = toNum(a, F);
            a = tweak(r, fromNum(round(x * x, F), F), F);
          }
          if (r.below(3) === 0) a &= ~(1n << BigInt(FMT[F].width - 1)); // mostly positive
          break;
        }
        case "r3": {
          a = randFloat(r, F);
          b = randFloat(r, F);
          const k = r.below(4);
          if (k === 0) c = randFloat(r, F);
          else if (k === 1) c = near(r, fromNum(round(toNum(a, F) * toNum(b, F), F), F), F);
          else {
            // massive cancellation: c ~ -(a*b)
            const p = round(toNum(a, F) * toNum(b, F), F);
            c = tweak(r, fromNum(r.below(2) ? -p : p, F), F);
          }
          break;
        }
        case "cmp":
        case "mm": {
          a = randFloat(r, F);
          const k = r.below(4);
          b = k === 0 ? a : k === 1 ? a ^ (1n << BigInt(FMT[F].width - 1)) : k === 2 ? near(r, a, F) : randFloat(r, F);
          break;
        }
        case "cls":
          a = randFloat(r, F);
          break;
        case "f2i":
          a = f2iInput(r, F, op.name);
          break;
        case "i2f": {
          const is32 = op.name.endsWith("32");
          const signed = op.name.startsWith("from_i");
          let v = randInt(r, is32 ? 32 : 64);
          if (signed && r.below(2)) v = -v;
          if (is32) v = BigInt.asIntN(32, v); // sign-extended like an x register holding a W value
          a = BigInt.asUintN(64, v);
          break;
        }
        case "cvt":
          if (F === "S") a = randFloat(r, "S");
          else {
            a = randFloat(r, "D");
            if (r.below(2)) {
              // exponents around the binary32 range limits
              const f = FMT.D;
              const e = r.below(2) ? 1023 - 126 - r.below(30) : 1023 + 127 + r.below(3) - 1;
              a = pack(f, r.below(2), e, r.below(2) ? fracPattern(r, f.fb) : ((r.bits(23) << 29n) | (r.below(2) ? 1n << 28n : 0n) | BigInt(r.below(2))));
            }
          }
          break;
      }
      out.push({ op: op.id, rm, a: a & U64, b: b & U64, c: c & U64 });
    }
  }
  return out;
}

// FNV-1a over the input records, to detect generator drift against the fixture
export function checksum(vecs) {
  let h = 0x811c9dc5;
  const mix = (v) => {
    h ^= v & 0xff; h = Math.imul(h, 0x01000193) >>> 0;
  };
  // The 64-bit words are split through a typed array rather than BigInt arithmetic: once,
  // in a loaded full test run, the BigInt version returned a sum that matched nothing while
  // every vector checked out against the fixture (not reproduced; a JIT issue is suspected).
  const word = new BigUint64Array(1);
  const half = new Uint32Array(word.buffer);
  for (const v of vecs) {
    mix(v.op); mix(v.rm);
    for (const x of [v.a, v.b, v.c]) {
      word[0] = x;
      const lo = half[0], hi = half[1];
      for (let k = 0; k < 4; k++) mix(lo >>> (8 * k));
      for (let k = 0; k < 4; k++) mix(hi >>> (8 * k));
    }
  }
  return h >>> 0;
}
