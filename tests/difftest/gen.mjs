#!/usr/bin/env node
// Random RV64GC differential-test program generator.
//
// generateProgram({ seeds, length }) returns the text of one bare-metal
// assembly file that runs one independent test per seed, in order.  Each test:
//   1. resets its state: copies a seeded 4 KiB image into the data region,
//      loads seeded values into f0-f31, fcsr, mscratch and every x register,
//      and clears the trap log;
//   2. runs `length` random RV64GC instructions;
//   3. saves all registers and prints a signature on the UART (see README.md).
// After the last test the program writes 0x5555 to the SiFive test device.
//
// Everything is a pure function of (seeds, length): the same arguments always
// give byte-identical output.
//
// CLI: node tests/difftest/gen.mjs --seed S [--count K] [--length L] [-o out.S]

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// ---------------------------------------------------------------------------
// Layout constants (shared with run.mjs, which parses the signature)
export const DATA_SIZE = 4096;          // bytes in the data region
export const MAX_TRAPS = 48;            // trap log entries kept per test
// hstate (pointed to by gp) layout
const HS_SAVE = 0;                      // t0,t1,t2 save slots (0,8,16)
const HS_COUNT = 24;                    // number of traps taken
const HS_LOG = 64;                      // MAX_TRAPS * {mcause,mtval,mepc}
const HS_X = HS_LOG + MAX_TRAPS * 24;   // x0..x31
const HS_F = HS_X + 256;                // f0..f31
const HS_FCSR = HS_F + 256;
const HS_MSCRATCH = HS_FCSR + 8;
const HS_SIZE = HS_MSCRATCH + 8;
if (HS_SIZE > 2040) throw new Error('hstate does not fit in a 12-bit offset');

// Registers with a fixed role inside a test body (never written by it):
//   x2 (sp) = data region + 2048   (any imm12 offset stays in the region)
//   x3 (gp) = hstate               (used by the trap handler)
//   x8 (s0) = data region base     (base for compressed loads/stores)
const RESERVED = new Set([0, 2, 3, 8]);
const XW = [];                          // writable x registers
for (let i = 1; i < 32; i++) if (!RESERVED.has(i)) XW.push(i);
const XC = [9, 10, 11, 12, 13, 14, 15]; // writable x8-x15 (compressed rd')

const M64 = (1n << 64n) - 1n;

// ---------------------------------------------------------------------------
// Deterministic PRNG: splitmix64-seeded xoshiro128** on 32-bit lanes.
class Rng {
  constructor(seed) {
    let s = BigInt.asUintN(64, BigInt(seed) * 0x9e3779b97f4a7c15n + 0x632be59bd9b4e019n);
    const next = () => {
      s = (s + 0x9e3779b97f4a7c15n) & M64;
      let z = s;
      z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M64;
      z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M64;
      return z ^ (z >> 31n);
    };
    const a = next(), b = next();
    this.s = new Uint32Array([Number(a & 0xffffffffn), Number(a >> 32n), Number(b & 0xffffffffn), Number(b >> 32n)]);
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1;
  }
  u32() {
    const s = this.s;
    const r = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return r;
  }
  int(n) { return Math.floor((this.u32() / 4294967296) * n); }       // [0, n)
  range(lo, hi) { return lo + this.int(hi - lo + 1); }               // [lo, hi]
  chance(p) { return this.u32() / 4294967296 < p; }
  pick(a) { return a[this.int(a.length)]; }
  u64() { return (BigInt(this.u32()) << 32n) | BigInt(this.u32()); }
  weighted(table) {                                                   // [[w, v], ...]
    let tot = 0;
    for (const [w] of table) tot += w;
    let r = this.u32() / 4294967296 * tot;
    for (const [w, v] of table) { if ((r -= w) < 0) return v; }
    return table[table.length - 1][1];
  }
}
function rotl(x, k) { return ((x << k) | (x >>> (32 - k))) >>> 0; }

const hex = (v) => '0x' + BigInt.asUintN(64, BigInt(v)).toString(16);

// ---------------------------------------------------------------------------
// Interesting values
const INT_POOL = [
  0n, 1n, 2n, 3n, 0x7fn, 0x80n, 0xffn, 0x7fffn, 0x8000n, 0xffffn,
  0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n,
  0x7fffffffffffffffn, 0x8000000000000000n, 0xffffffffffffffffn,
  0xffffffff80000000n, 0xffffffff7fffffffn, 0xfffffffffffffffen,
  0x8000000000000001n, 0x00000000fffffffen, 0x5555555555555555n, 0xaaaaaaaaaaaaaaaan,
];
const D_POOL = [
  0x0000000000000000n, 0x8000000000000000n,                 // +-0
  0x7ff0000000000000n, 0xfff0000000000000n,                 // +-inf
  0x7ff8000000000000n, 0xfff8000000000000n, 0x7ff8000000000123n, // qNaN
  0x7ff0000000000001n, 0x7ff4000000000000n, 0xfff0000000000abcn, // sNaN
  0x0000000000000001n, 0x000fffffffffffffn, 0x8000000000000001n, 0x0008000000000000n, // subnormal
  0x0010000000000000n, 0x8010000000000000n, 0x7fefffffffffffffn, 0xffefffffffffffffn, // min/max normal
  0x3ff0000000000000n, 0xbff0000000000000n, 0x3fe0000000000000n, 0x3ff8000000000000n, // 1,-1,0.5,1.5
  0x4004000000000000n, 0xc004000000000000n, 0x3fefffffffffffffn,                    // 2.5,-2.5,1-ulp
  0x41dfffffffc00000n, 0x41e0000000000000n, 0xc1e0000000000000n, 0xc1e0000000200000n, // 2^31-1,2^31,-2^31,-2^31-1
  0x41efffffffe00000n, 0x41f0000000000000n,                                          // 2^32-1, 2^32
  0x43dfffffffffffffn, 0x43e0000000000000n, 0xc3e0000000000000n, 0x43f0000000000000n, // ~2^63, 2^63, -2^63, 2^64
  0x3ca0000000000000n, 0x47efffffe0000000n, 0x3690000000000000n, 0x36a0000000000000n, // 2^-53, FLT_MAX, ~FLT_MIN subn
  0x400921fb54442d18n, 0xc00921fb54442d18n,
];
const S_POOL = [
  0x00000000n, 0x80000000n, 0x7f800000n, 0xff800000n,
  0x7fc00000n, 0xffc00000n, 0x7fc00123n, 0x7f800001n, 0x7fa00000n, 0xff800abcn,
  0x00000001n, 0x007fffffn, 0x80000001n, 0x00400000n,
  0x00800000n, 0x80800000n, 0x7f7fffffn, 0xff7fffffn,
  0x3f800000n, 0xbf800000n, 0x3f000000n, 0x3fc00000n, 0x40200000n, 0xc0200000n, 0x3f7fffffn,
  0x4effffffn, 0x4f000000n, 0xcf000000n, 0xcf000001n, 0x4f7fffffn, 0x4f800000n,
  0x5effffffn, 0x5f000000n, 0xdf000000n, 0x5f800000n, 0x33800000n, 0x40490fdbn,
];
const BOX = 0xffffffff00000000n;

function randDouble(r) {
  const k = r.int(10);
  if (k < 5) return r.pick(D_POOL);
  if (k < 7) { // random number with a modest exponent
    const e = BigInt(r.range(1023 - 70, 1023 + 70));
    return (r.chance(0.5) ? 1n << 63n : 0n) | (e << 52n) | (r.u64() & 0xfffffffffffffn);
  }
  if (k < 8) { // small integer value
    const v = r.range(-3000, 3000);
    const b = new DataView(new ArrayBuffer(8)); b.setFloat64(0, v + (r.chance(0.3) ? 0.5 : 0));
    return b.getBigUint64(0);
  }
  return r.u64();
}
function randSingleBits(r) {
  const k = r.int(10);
  if (k < 5) return r.pick(S_POOL);
  if (k < 7) {
    const e = BigInt(r.range(127 - 40, 127 + 40));
    return (r.chance(0.5) ? 1n << 31n : 0n) | (e << 23n) | BigInt(r.u32() & 0x7fffff);
  }
  if (k < 8) {
    const v = r.range(-3000, 3000);
    const b = new DataView(new ArrayBuffer(4)); b.setFloat32(0, v + (r.chance(0.3) ? 0.5 : 0));
    return BigInt(b.getUint32(0));
  }
  return BigInt(r.u32());
}
// A 64-bit f-register value: double, NaN-boxed single, or unboxed single.
function randFreg(r) {
  const k = r.int(10);
  if (k < 4) return randDouble(r);
  if (k < 9) return BOX | randSingleBits(r);
  // not NaN-boxed: upper half anything but all ones
  let hi = BigInt(r.u32());
  if (hi === 0xffffffffn) hi = 0xfffffffen;
  return (hi << 32n) | randSingleBits(r);
}
function randInt(r) {
  const k = r.int(10);
  if (k < 4) return r.pick(INT_POOL);
  if (k < 6) return BigInt.asUintN(64, BigInt(r.range(-300, 300)));
  if (k < 7) return BigInt.asUintN(64, BigInt.asIntN(32, BigInt(r.u32())));
  return r.u64();
}

// ---------------------------------------------------------------------------
// Instruction tables
const RM = ['rne', 'rtz', 'rdn', 'rup', 'rmm', 'dyn'];
const ALU_RR = ['add', 'sub', 'sll', 'slt', 'sltu', 'xor', 'srl', 'sra', 'or', 'and',
  'addw', 'subw', 'sllw', 'srlw', 'sraw'];
const MULDIV = ['mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu',
  'mulw', 'divw', 'divuw', 'remw', 'remuw'];
const LOADS = [['lb', 1], ['lh', 2], ['lw', 4], ['ld', 8], ['lbu', 1], ['lhu', 2], ['lwu', 4]];
const STORES = [['sb', 1], ['sh', 2], ['sw', 4], ['sd', 8]];
const AMO_OPS = ['amoswap', 'amoadd', 'amoxor', 'amoand', 'amoor', 'amomin', 'amomax', 'amominu', 'amomaxu'];
const AQRL = ['', '', '.aq', '.rl', '.aqrl'];
const CSRS = ['fflags', 'frm', 'fcsr', 'mscratch'];
// Reserved / illegal encodings (all trap as illegal instruction on QEMU 7.2
// with the -cpu flags used by run.mjs; see README.md).
const ILLEGAL = [
  '.half 0x0000',       // all-zero 16-bit: defined illegal
  '.word 0x00000000',   // two of them
  '.word 0xffffffff',   // all-ones
  '.half 0x0004',       // c.addi4spn with nzuimm=0 (reserved)
  '.half 0x6101',       // c.addi16sp with nzimm=0 (reserved)
  '.half 0x6081',       // c.lui x1, 0 (reserved)
  '.half 0x8002',       // c.jr x0 (reserved)
  '.half 0x4002',       // c.lwsp x0 (reserved)
  '.half 0x6002',       // c.ldsp x0 (reserved)
  '.insn r 0x53, 5, 0x00, f1, f2, f3',  // fadd.s with reserved rm=5
  '.insn r 0x53, 6, 0x01, f4, f5, f6',  // fadd.d with reserved rm=6
  '.insn r 0x53, 5, 0x2d, f7, f8, f0',  // fsqrt.d rm=5
  '.word 0x302000f3',   // mret with rd=x1: not a valid encoding
];

// ---------------------------------------------------------------------------
class TestGen {
  constructor(seed, length, tag, opts = {}) {
    this.r = new Rng(seed);
    this.misalignedAmo = !!opts.misalignedAmo;
    this.seed = seed;
    this.length = length;
    this.tag = tag;           // unique label prefix
    this.lab = 0;
    this.out = [];
    this.count = 0;           // generated "instructions" (items)
  }
  label() { return `${this.tag}_${this.lab++}`; }
  emit(s) { this.out.push('\t' + s); }
  xs() { return 'x' + this.r.int(32); }                       // any source
  xd() { return this.r.chance(0.03) ? 'x0' : 'x' + this.r.pick(XW); }
  xc() { return 'x' + this.r.pick(XC); }                      // writable x9..x15
  xcs() { return 'x' + this.r.range(8, 15); }                 // source x8..x15
  f() { return 'f' + this.r.int(32); }
  fc() { return 'f' + this.r.range(8, 15); }
  rm() { return this.r.pick(RM); }
  rvc(s) { this.out.push('\t.option push\n\t.option rvc\n\t' + s + '\n\t.option pop'); }

  // address helpers: return {base, off} with data+2048+... arithmetic handled
  // `pos` is the byte offset into the data region.
  memPos(size, aligned) {
    let pos = this.r.int(DATA_SIZE - size + 1);
    if (aligned) pos &= ~(size - 1);
    else if (size > 1 && pos % size === 0) pos = Math.min(pos + this.r.range(1, size - 1), DATA_SIZE - size);
    return pos;
  }
  // emits any needed setup and returns an address operand "off(base)"
  addr(size) {
    const aligned = this.r.chance(0.8);
    const pos = this.memPos(size, aligned);
    const k = this.r.int(3);
    if (k === 0) return `${pos - 2048}(x2)`;
    if (k === 1 && pos < 2048) return `${pos}(x8)`;
    // temporary base register in the region, with a random displacement
    const t = 'x' + this.r.pick(XW);
    const baseOff = this.r.range(-2048, 2047);
    const disp = pos - 2048 - baseOff;   // base = sp + baseOff = data + 2048 + baseOff
    if (disp < -2048 || disp > 2047) return `${pos - 2048}(x2)`;
    this.emit(`addi ${t}, x2, ${baseOff}`);
    return `${disp}(${t})`;
  }

  // ---- instruction classes ----
  aluRR() { this.emit(`${this.r.pick(ALU_RR)} ${this.xd()}, ${this.xs()}, ${this.xs()}`); }
  aluRI() {
    const r = this.r;
    const op = r.pick(['addi', 'slti', 'sltiu', 'xori', 'ori', 'andi', 'slli', 'srli', 'srai',
      'addiw', 'slliw', 'srliw', 'sraiw']);
    let imm;
    if (/^s[lr][la]iw$/.test(op)) imm = r.int(32);
    else if (/^s[lr][la]i$/.test(op)) imm = r.int(64);
    else imm = r.chance(0.3) ? r.pick([0, 1, -1, 2047, -2048, 0x7ff, -2]) : r.range(-2048, 2047);
    this.emit(`${op} ${this.xd()}, ${this.xs()}, ${imm}`);
  }
  upper() {
    const r = this.r;
    const imm = r.chance(0.3) ? r.pick([0, 0x80000, 0xfffff, 0x7ffff, 1]) : r.int(1 << 20);
    this.emit(`${r.chance(0.6) ? 'lui' : 'auipc'} ${this.xd()}, ${hex(imm)}`);
  }
  li() { this.emit(`li ${'x' + this.r.pick(XW)}, ${hex(randInt(this.r))}`); }
  mulDiv() {
    const r = this.r;
    // bias towards special operands: zero divisor, MIN / -1
    if (r.chance(0.25)) {
      const a = 'x' + r.pick(XW); let b = 'x' + r.pick(XW);
      if (b === a) b = a === 'x9' ? 'x10' : 'x9';
      const [va, vb] = r.pick([
        [0x8000000000000000n, 0xffffffffffffffffn], [0xffffffff80000000n, 0xffffffffffffffffn],
        [0x80000000n, 0xffffffffffffffffn], [randInt(r), 0n], [randInt(r), 0xffffffff00000000n],
        [randInt(r), 0xffffffffffffffffn], [0x7fffffffffffffffn, 0x7fffffffffffffffn]]);
      this.emit(`li ${a}, ${hex(va)}`);
      this.emit(`li ${b}, ${hex(vb)}`);
      this.emit(`${r.pick(MULDIV)} ${this.xd()}, ${a}, ${b}`);
      return;
    }
    this.emit(`${r.pick(MULDIV)} ${this.xd()}, ${this.xs()}, ${this.xs()}`);
  }
  load() {
    const [op, sz] = this.r.pick(LOADS);
    const a = this.addr(sz);
    this.emit(`${op} ${this.xd()}, ${a}`);
  }
  store() {
    const [op, sz] = this.r.pick(STORES);
    const a = this.addr(sz);
    this.emit(`${op} ${this.xs()}, ${a}`);
  }
  fload() {
    const d = this.r.chance(0.5);
    const a = this.addr(d ? 8 : 4);
    this.emit(`${d ? 'fld' : 'flw'} ${this.f()}, ${a}`);
  }
  fstore() {
    const d = this.r.chance(0.5);
    const a = this.addr(d ? 8 : 4);
    this.emit(`${d ? 'fsd' : 'fsw'} ${this.f()}, ${a}`);
  }
  amoBase(size, misalign) {
    let pos = this.r.int(DATA_SIZE / size) * size;
    if (misalign) pos = Math.min(pos + this.r.range(1, size - 1), DATA_SIZE - size);
    const t = 'x' + this.r.pick(XW);
    this.emit(`addi ${t}, x2, ${pos - 2048}`);
    return t;
  }
  amo() {
    const r = this.r;
    const w = r.chance(0.5) ? '.w' : '.d';
    // QEMU 7.2 reports misaligned AMOs with cause 4 (load) instead of 6
    // (store/AMO): only generated with --misaligned-amo (see README.md)
    const mis = r.chance(0.05) && this.misalignedAmo;
    const t = this.amoBase(w === '.w' ? 4 : 8, mis);
    this.emit(`${r.pick(AMO_OPS)}${w}${r.pick(AQRL)} ${this.xd()}, ${this.xs()}, (${t})`);
  }
  lrsc() {
    const r = this.r;
    const w = r.chance(0.5) ? '.w' : '.d';
    const t = this.amoBase(w === '.w' ? 4 : 8, false);
    const notT = () => { let d; do { d = 'x' + r.pick(XW); } while (d === t); return d; };
    this.emit(`lr${w}${r.pick(AQRL)} ${notT()}, (${t})`);
    // a few register-only ops in between (no memory access, no traps)
    for (let i = r.int(4); i > 0; i--) this.emit(`${r.pick(ALU_RR)} ${notT()}, ${this.xs()}, ${this.xs()}`);
    this.emit(`sc${w}${r.pick(AQRL)} ${notT()}, ${this.xs()}, (${t})`);   // succeeds
    if (r.chance(0.3)) this.emit(`sc${w} ${notT()}, ${this.xs()}, (${t})`); // no reservation: fails
  }
  fpArith() {
    const r = this.r, p = r.chance(0.5) ? 'd' : 's';
    this.emit(`${r.pick(['fadd', 'fsub', 'fmul', 'fdiv'])}.${p} ${this.f()}, ${this.f()}, ${this.f()}, ${this.rm()}`);
  }
  fma() {
    const r = this.r, p = r.chance(0.5) ? 'd' : 's';
    this.emit(`${r.pick(['fmadd', 'fmsub', 'fnmsub', 'fnmadd'])}.${p} ${this.f()}, ${this.f()}, ${this.f()}, ${this.f()}, ${this.rm()}`);
  }
  fsqrt() { this.emit(`fsqrt.${this.r.chance(0.5) ? 'd' : 's'} ${this.f()}, ${this.f()}, ${this.rm()}`); }
  fsgnjMinMax() {
    const r = this.r, p = r.chance(0.5) ? 'd' : 's';
    const a = this.f();
    this.emit(`${r.pick(['fsgnj', 'fsgnjn', 'fsgnjx', 'fmin', 'fmax'])}.${p} ${this.f()}, ${a}, ${r.chance(0.2) ? a : this.f()}`);
  }
  fcmp() {
    const r = this.r, p = r.chance(0.5) ? 'd' : 's';
    if (r.chance(0.25)) { this.emit(`fclass.${p} ${this.xd()}, ${this.f()}`); return; }
    const a = this.f();
    this.emit(`${r.pick(['feq', 'flt', 'fle'])}.${p} ${this.xd()}, ${a}, ${r.chance(0.2) ? a : this.f()}`);
  }
  fcvt() {
    const r = this.r;
    const k = r.int(4);
    if (k === 0) {        // fp -> int
      const p = r.pick(['s', 'd']);
      this.emit(`fcvt.${r.pick(['w', 'wu', 'l', 'lu'])}.${p} ${this.xd()}, ${this.f()}, ${this.rm()}`);
    } else if (k === 1) { // int -> fp
      const p = r.pick(['s', 'd']);
      const i = r.pick(['w', 'wu', 'l', 'lu']);
      if (p === 'd' && (i === 'w' || i === 'wu')) {
        // exact conversion: GAS has no rm operand; encode any (valid) rm with .insn
        const rm = r.pick([0, 0, 1, 2, 3, 4, 7]);
        this.emit(`.insn r 0x53, ${rm}, 0x69, ${this.f()}, ${this.xs()}, x${i === 'w' ? 0 : 1}`);
      } else this.emit(`fcvt.${p}.${i} ${this.f()}, ${this.xs()}, ${this.rm()}`);
    } else if (k === 2) {
      this.emit(`fcvt.s.d ${this.f()}, ${this.f()}, ${this.rm()}`);
    } else {
      const rm = r.pick([0, 0, 1, 2, 3, 4, 7]);
      this.emit(`.insn r 0x53, ${rm}, 0x21, ${this.f()}, ${this.f()}, f0`); // fcvt.d.s
    }
  }
  fmv() {
    const r = this.r;
    this.emit(r.pick([
      () => `fmv.x.w ${this.xd()}, ${this.f()}`, () => `fmv.x.d ${this.xd()}, ${this.f()}`,
      () => `fmv.w.x ${this.f()}, ${this.xs()}`, () => `fmv.d.x ${this.f()}, ${this.xs()}`])());
  }
  fli() {  // load an interesting FP value into an f register
    const r = this.r, t = 'x' + r.pick(XW);
    const k = r.int(3);
    if (k === 0) { this.emit(`li ${t}, ${hex(randDouble(r))}`); this.emit(`fmv.d.x ${this.f()}, ${t}`); }
    else if (k === 1) { this.emit(`li ${t}, ${hex(randSingleBits(r))}`); this.emit(`fmv.w.x ${this.f()}, ${t}`); }
    else { this.emit(`li ${t}, ${hex(randFreg(r))}`); this.emit(`fmv.d.x ${this.f()}, ${t}`); }
  }
  compressed() {
    const r = this.r;
    const nz = (lo, hi) => { let v; do { v = r.range(lo, hi); } while (v === 0); return v; };
    const k = r.int(24);
    switch (k) {
      case 0: this.rvc(`c.addi ${'x' + r.pick(XW)}, ${nz(-32, 31)}`); break;
      case 1: this.rvc(`c.addiw ${'x' + r.pick(XW)}, ${r.range(-32, 31)}`); break;
      case 2: this.rvc(`c.li ${'x' + r.pick(XW)}, ${r.range(-32, 31)}`); break;
      case 3: this.rvc(`c.lui ${'x' + r.pick(XW)}, ${hex(r.chance(0.5) ? r.range(1, 31) : r.range(0xfffe0, 0xfffff))}`); break;
      case 4: this.rvc(`c.slli ${'x' + r.pick(XW)}, ${r.range(1, 63)}`); break;
      case 5: this.rvc(`c.${r.pick(['srli', 'srai'])} ${this.xc()}, ${r.range(1, 63)}`); break;
      case 6: this.rvc(`c.andi ${this.xc()}, ${r.range(-32, 31)}`); break;
      case 7: this.rvc(`c.mv ${'x' + r.pick(XW)}, x${r.range(1, 31)}`); break;
      case 8: this.rvc(`c.add ${'x' + r.pick(XW)}, x${r.range(1, 31)}`); break;
      case 9: case 10: this.rvc(`c.${r.pick(['sub', 'xor', 'or', 'and', 'subw', 'addw'])} ${this.xc()}, ${this.xcs()}`); break;
      case 11: this.rvc(`c.addi4spn ${this.xc()}, x2, ${r.range(1, 255) * 4}`); break;
      case 12: this.rvc('c.nop'); break;
      case 13: case 14: case 15: { // c.lw/c.ld/c.sw/c.sd/c.fld/c.fsd
        const [op, sz, reg] = r.pick([['c.lw', 4, 'xd'], ['c.ld', 8, 'xd'], ['c.sw', 4, 'xs'], ['c.sd', 8, 'xs'],
          ['c.fld', 8, 'f'], ['c.fsd', 8, 'f']]);
        const off = r.int(32) * sz;
        let base = 'x8';
        if (r.chance(0.5)) { // x9..x15 as base, pointing into the region (maybe misaligned)
          base = this.xc();
          let pos = r.int(DATA_SIZE - 256);
          if (r.chance(0.8)) pos &= ~(sz - 1);
          this.emit(`addi ${base}, x2, ${pos - 2048}`);
        }
        let rd = reg === 'f' ? this.fc() : reg === 'xd' ? this.xc() : this.xcs();
        this.rvc(`${op} ${rd}, ${off}(${base})`);
        break;
      }
      case 16: case 17: { // sp-relative
        const [op, sz, reg] = r.pick([['c.lwsp', 4, 'xd'], ['c.ldsp', 8, 'xd'], ['c.swsp', 4, 'xs'], ['c.sdsp', 8, 'xs'],
          ['c.fldsp', 8, 'f'], ['c.fsdsp', 8, 'f']]);
        const off = r.int(64) * sz;
        const rd = reg === 'f' ? this.f() : reg === 'xd' ? 'x' + r.pick(XW) : this.xs();
        this.rvc(`${op} ${rd}, ${off}(x2)`);
        break;
      }
      default: { // plain compressible ALU forms with x8-x15 operands, assembled under rvc
        const a = this.xc(), b = this.xcs();
        this.rvc(r.pick([`add ${a}, ${a}, ${b}`, `and ${a}, ${a}, ${b}`, `addiw ${a}, ${a}, ${r.range(-32, 31)}`,
          `mv ${a}, ${b}`, `li ${a}, ${r.range(-32, 31)}`, `srai ${a}, ${a}, ${r.range(1, 63)}`,
          `ld ${a}, ${r.int(32) * 8}(x8)`, `sw ${b}, ${r.int(32) * 4}(x8)`]));
      }
    }
  }
  // a few "simple" instructions, e.g. as a branch shadow
  simpleBody(n) {
    for (let i = 0; i < n; i++) {
      this.r.weighted([[3, () => this.aluRR()], [3, () => this.aluRI()], [1, () => this.load()],
        [1, () => this.store()], [2, () => this.fpArith()], [1, () => this.fma()], [1, () => this.fsqrt()],
        [2, () => this.fcvt()], [1, () => this.fsgnjMinMax()], [1, () => this.fcmp()],
        [2, () => this.compressed()], [1, () => this.mulDiv()]])();
    }
  }
  branch() {
    const r = this.r, L = this.label();
    const k = r.int(10);
    if (k < 6) this.emit(`${r.pick(['beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu'])} ${this.xs()}, ${this.xs()}, ${L}`);
    else if (k < 8) this.rvc(`${r.pick(['c.beqz', 'c.bnez'])} ${this.xcs()}, ${L}`);
    else if (k < 9) this.emit(`jal ${this.xd()}, ${L}`);
    else this.rvc(`c.j ${L}`);
    // c.beqz/c.bnez reach only +-256 bytes: keep their shadow short
    this.simpleBody(r.range(0, k >= 6 && k < 8 ? 2 : 4));
    this.out.push(`${L}:`);
  }
  jumpReg() {
    const r = this.r, L = this.label();
    const t = 'x' + r.pick(XW);
    const k = r.int(3);
    if (k === 0) {
      const off = r.pick([0, 0, 4, -4, 8, 2047, -2048]);
      const odd = r.chance(0.3) ? 1 : 0;     // jalr clears bit 0 of the target
      this.emit(`la ${t}, ${L}${-off + odd >= 0 ? '+' : ''}${-off + odd}`);
      this.emit(`jalr ${r.chance(0.3) ? t : this.xd()}, ${off}(${t})`);
    } else {
      this.emit(`la ${t}, ${L}`);
      this.rvc(`${k === 1 ? 'c.jr' : 'c.jalr'} ${t}`);
    }
    this.simpleBody(r.range(0, 3));
    this.out.push(`${L}:`);
  }
  csr() {
    const r = this.r;
    const csr = r.pick(CSRS);
    const rd = r.chance(0.3) ? 'x0' : this.xd();
    const k = r.int(6);
    let frmRisk = false;
    if (k === 0) { this.emit(`csrrs ${this.xd()}, ${csr}, x0`); return; }
    if (k === 1 || k === 2) { // write a prepared value
      const t = 'x' + r.pick(XW);
      let v;
      if (csr === 'mscratch') v = randInt(r);
      else if (csr === 'frm') v = BigInt(r.chance(0.9) ? r.range(0, 4) : r.range(5, 7)) | (r.chance(0.2) ? r.u64() & ~7n : 0n);
      else if (csr === 'fflags') v = BigInt(r.int(32)) | (r.chance(0.2) ? r.u64() & ~31n : 0n);
      else v = BigInt(r.int(32) | ((r.chance(0.9) ? r.range(0, 4) : r.range(5, 7)) << 5)) | (r.chance(0.2) ? r.u64() & ~0xffn : 0n);
      this.emit(`li ${t}, ${hex(v)}`);
      this.emit(`csrrw ${rd}, ${csr}, ${t}`);
      frmRisk = true;
    } else if (k === 3) {
      let v = r.int(32);
      if (csr === 'frm' && r.chance(0.85)) v = r.range(0, 4);
      this.emit(`csrrwi ${rd}, ${csr}, ${v}`);
      frmRisk = true;
    } else if (k === 4) {
      this.emit(`${r.pick(['csrrsi', 'csrrci'])} ${rd}, ${csr}, ${r.int(32)}`);
      frmRisk = true;
    } else {
      this.emit(`${r.pick(['csrrs', 'csrrc'])} ${rd}, ${csr}, ${this.xs()}`);
      frmRisk = true;
    }
    if (frmRisk && csr !== 'mscratch' && csr !== 'fflags') {
      // frm may now hold a reserved value: run a few instructions (dynamic-rm FP
      // ops then trap), then make frm valid again
      this.simpleBody(r.range(1, 6));
      this.emit(`csrrwi x0, frm, ${r.range(0, 4)}`);
    }
  }
  system() {
    const r = this.r;
    this.emit(r.pick(['ecall', 'ebreak', 'fence', 'fence rw, rw', 'fence.i', 'fence r, w', 'nop']));
    if (r.chance(0.2)) this.rvc('c.ebreak');
  }
  illegal() {
    const r = this.r;
    this.emit(r.pick(ILLEGAL));
  }

  body() {
    const r = this.r;
    const classes = [
      [10, () => this.aluRR()], [10, () => this.aluRI()], [2, () => this.upper()], [3, () => this.li()],
      [8, () => this.mulDiv()], [6, () => this.load()], [6, () => this.store()],
      [4, () => this.amo()], [2, () => this.lrsc()],
      [8, () => this.fpArith()], [4, () => this.fma()], [2, () => this.fsqrt()],
      [4, () => this.fsgnjMinMax()], [4, () => this.fcmp()], [8, () => this.fcvt()],
      [3, () => this.fmv()], [8, () => this.fli()], [5, () => this.fload()], [3, () => this.fstore()],
      [12, () => this.compressed()], [5, () => this.branch()], [2, () => this.jumpReg()],
      [4, () => this.csr()], [1, () => this.system()], [1, () => this.illegal()],
    ];
    for (let i = 0; i < this.length; i++) r.weighted(classes)();
  }
}

// ---------------------------------------------------------------------------
function testText(seed, length, idx, opts) {
  const tag = `t${idx}`;
  const g = new TestGen(seed, length, tag, opts);
  const r = g.r;
  // seeded initial state
  const mem = [];
  for (let i = 0; i < DATA_SIZE / 8; i++) {
    const k = r.int(4);
    mem.push(k === 0 ? randDouble(r) : k === 1 ? (randSingleBits(r) << 32n) | randSingleBits(r)
      : k === 2 ? randInt(r) : r.u64());
  }
  const fregs = Array.from({ length: 32 }, () => randFreg(r));
  const xregs = Array.from({ length: 32 }, () => randInt(r));
  const fcsr = r.int(256) & ~0xe0 | (r.range(0, 4) << 5);
  const mscratch = randInt(r);
  g.body();

  const a = [];
  a.push(`// ---- test ${idx}: seed ${seed}, length ${length}`);
  a.push(`${tag}_start:`);
  a.push(`\tla t0, ${tag}_img`, '\tla t1, data_region', `\tli t2, ${DATA_SIZE / 8}`,
    '1:\tld t3, 0(t0)', '\tsd t3, 0(t1)', '\taddi t0, t0, 8', '\taddi t1, t1, 8', '\taddi t2, t2, -1', '\tbnez t2, 1b');
  a.push(`\tsd zero, ${HS_COUNT}(gp)`);
  a.push(`\tla t0, ${tag}_fimg`);
  for (let i = 0; i < 32; i++) a.push(`\tfld f${i}, ${i * 8}(t0)`);
  a.push(`\tli t0, ${hex(fcsr)}`, '\tcsrw fcsr, t0');
  a.push(`\tli t0, ${hex(mscratch)}`, '\tcsrw mscratch, t0');
  a.push('\tla x2, data_region + 2048', '\tla x8, data_region');
  for (const i of XW) a.push(`\tli x${i}, ${hex(xregs[i])}`);
  a.push(`${tag}_body:`);
  a.push(...g.out);
  a.push(`${tag}_end:`);
  for (let i = 1; i < 32; i++) a.push(`\tsd x${i}, ${HS_X + i * 8}(gp)`);
  for (let i = 0; i < 32; i++) a.push(`\tfsd f${i}, ${HS_F + i * 8}(gp)`);
  a.push('\tcsrr t0, fcsr', `\tsd t0, ${HS_FCSR}(gp)`, '\tcsrr t0, mscratch', `\tsd t0, ${HS_MSCRATCH}(gp)`);
  a.push(`\tli a0, ${hex(seed)}`, `\tla a1, ${tag}_img`, '\tcall dump');
  const ro = [`\t.balign 8`, `${tag}_img:`];
  for (let i = 0; i < mem.length; i += 4) ro.push('\t.dword ' + mem.slice(i, i + 4).map(hex).join(', '));
  ro.push(`${tag}_fimg:`);
  for (let i = 0; i < 32; i += 4) ro.push('\t.dword ' + fregs.slice(i, i + 4).map(hex).join(', '));
  return { text: a.join('\n'), rodata: ro.join('\n') };
}

const RUNTIME = `
// ---- trap handler: log mcause/mtval/mepc, skip the faulting instruction
	.section .text, "ax"
	.option push
	.option rvc
	.balign 4
	.option pop
trap_handler:
	sd t0, ${HS_SAVE}(gp)
	sd t1, ${HS_SAVE + 8}(gp)
	sd t2, ${HS_SAVE + 16}(gp)
	ld t0, ${HS_COUNT}(gp)
	li t1, ${MAX_TRAPS}
	bgeu t0, t1, 1f
	slli t1, t0, 3
	slli t2, t0, 4
	add t1, t1, t2
	add t1, t1, gp
	csrr t2, mcause
	sd t2, ${HS_LOG}(t1)
	csrr t2, mtval
	sd t2, ${HS_LOG + 8}(t1)
	csrr t2, mepc
	sd t2, ${HS_LOG + 16}(t1)
1:	addi t0, t0, 1
	sd t0, ${HS_COUNT}(gp)
	csrr t1, mepc
	lhu t2, 0(t1)
	andi t2, t2, 3
	addi t1, t1, 2
	li t0, 3
	bne t2, t0, 2f
	addi t1, t1, 2
2:	csrw mepc, t1
	ld t0, ${HS_SAVE}(gp)
	ld t1, ${HS_SAVE + 8}(gp)
	ld t2, ${HS_SAVE + 16}(gp)
	mret

// ---- UART output: putc(a0)
putc:
	li t6, 0x10000000
	sb a0, 0(t6)
	ret
// puthex(a0 = value, a1 = terminator char): 16 hex digits then the terminator
puthex:
	li t6, 0x10000000
	li t5, 60
1:	srl t4, a0, t5
	andi t4, t4, 15
	addi t4, t4, 48
	li t3, 58
	bltu t4, t3, 2f
	addi t4, t4, 39
2:	sb t4, 0(t6)
	addi t5, t5, -4
	bgez t5, 1b
	sb a1, 0(t6)
	ret

// ---- dump(a0 = seed, a1 = initial image of the data region)
// Lines: "T<seed>", x1..x31, f0..f31, fcsr, mscratch, trap count,
// min(count,${MAX_TRAPS}) x (mcause, mtval, mepc), "M", "<offset>:<value>" for every
// changed dword of the data region, "E".
dump:
	mv s11, ra
	mv s10, a1
	mv s9, a0
	li a0, 84
	call putc
	mv a0, s9
	li a1, 10
	call puthex
	addi s8, gp, ${HS_X + 8}
	li s7, ${31 + 32 + 2}
1:	ld a0, 0(s8)
	li a1, 10
	call puthex
	addi s8, s8, 8
	addi s7, s7, -1
	bnez s7, 1b
	ld a0, ${HS_COUNT}(gp)
	li a1, 10
	call puthex
	ld s7, ${HS_COUNT}(gp)
	li t0, ${MAX_TRAPS}
	bleu s7, t0, 2f
	mv s7, t0
2:	addi s8, gp, ${HS_LOG}
	slli t0, s7, 1
	add s7, s7, t0
	beqz s7, 4f
3:	ld a0, 0(s8)
	li a1, 10
	call puthex
	addi s8, s8, 8
	addi s7, s7, -1
	bnez s7, 3b
4:	li a0, 77
	call putc
	li a0, 10
	call putc
	la s8, data_region
	li s7, 0
5:	add t0, s8, s7
	ld s6, 0(t0)
	add t0, s10, s7
	ld t0, 0(t0)
	beq s6, t0, 6f
	mv a0, s7
	li a1, 58
	call puthex
	mv a0, s6
	li a1, 10
	call puthex
6:	addi s7, s7, 8
	li t0, ${DATA_SIZE}
	bltu s7, t0, 5b
	li a0, 69
	call putc
	li a0, 10
	call putc
	jr s11
`;

export function generateProgram({ seeds, length = 500, misalignedAmo = false }) {
  const parts = [];
  parts.push(`// Generated by tests/difftest/gen.mjs: seeds ${seeds.join(',')} length ${length}`);
  parts.push('\t.option norvc', '\t.option norelax', '\t.section .text.init, "ax"', '\t.globl _start', '_start:');
  parts.push('\tla t0, trap_handler', '\tcsrw mtvec, t0');
  parts.push('\tli t0, 0x2000', '\tcsrs mstatus, t0');     // mstatus.FS = Initial
  parts.push('\tla gp, hstate');
  const tests = seeds.map((s, i) => testText(s, length, i, { misalignedAmo }));
  for (const t of tests) parts.push(t.text);
  parts.push('// ---- exit through the SiFive test device',
    '\tli t0, 0x100000', '\tli t1, 0x5555', '\tsw t1, 0(t0)', '9:\tj 9b');
  parts.push(RUNTIME);
  parts.push('\t.section .rodata', ...tests.map((t) => t.rodata));
  parts.push('\t.section .bss', '\t.balign 64', 'data_region:', `\t.space ${DATA_SIZE}`,
    '\t.balign 64', 'hstate:', `\t.space ${HS_SIZE}`, '\t.balign 16', '\t.space 256', 'stack_top:');
  return parts.join('\n') + '\n';
}


// ---------------------------------------------------------------------------
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const opt = (name, def) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : def; };
  const seed = Number(opt('--seed', '1'));
  const count = Number(opt('--count', '1'));
  const length = Number(opt('--length', '500'));
  const out = opt('-o', null);
  const misalignedAmo = args.includes('--misaligned-amo');
  const text = generateProgram({ seeds: Array.from({ length: count }, (_, i) => seed + i), length, misalignedAmo });
  if (out) writeFileSync(out, text); else process.stdout.write(text);
}
