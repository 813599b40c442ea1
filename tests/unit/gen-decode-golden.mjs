#!/usr/bin/env node
// Regenerates tests/unit/fixtures/decode-golden.json, the golden table for the decoder test.
//
// A list of RV64GC instructions is assembled with the GNU cross assembler and disassembled with
// objdump (-M no-aliases,numeric). The expected decoded fields (op, rd, rs1, rs2, rs3, imm) are
// derived only from objdump's disassembly text, never from the decoder under test, following
// the conventions in src/machine/core/assembly/ops.ts:
//   - an integer destination x0 is reported as rd 32 (REG_SINK); ops without an integer or FP
//     destination report rd 32 as well;
//   - compressed instructions are expanded to their 32-bit equivalents;
//   - FP rounding mode goes in imm (objdump omits it when it is dyn = 7, and omits it entirely
//     for the exact conversions fcvt.d.w / fcvt.d.wu / fcvt.d.s, which gas encodes with rm 0);
//   - FENCE imm is the 12-bit fm|pred|succ field.
//
// Needs riscv64-unknown-elf-as and riscv64-unknown-elf-objdump. The test itself only reads the
// JSON. Usage: node tests/unit/gen-decode-golden.mjs

import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const OUT = join(here, "fixtures", "decode-golden.json");
const AS = process.env.RISCV_AS ?? "riscv64-unknown-elf-as";
const OBJDUMP = process.env.RISCV_OBJDUMP ?? "riscv64-unknown-elf-objdump";

// ------------------------------------------------------------------------------------------
// Source lists

const x = (i) => `x${i}`;
const f = (i) => `f${i}`;
const RMS = ["rne", "rtz", "rdn", "rup", "rmm", "dyn"];

function uncompressedSource() {
  const L = [];
  // Register sweep patterns: each register in each position.
  const regTriples = [];
  for (let i = 0; i < 32; i++) regTriples.push([i, (i + 7) % 32, (i + 19) % 32]);

  for (const op of ["lui", "auipc"]) {
    for (const v of [0, 1, 0x12345, 0x7ffff, 0x80000, 0xfffff]) L.push(`${op} x5, ${v}`);
    for (let i = 0; i < 32; i++) L.push(`${op} ${x(i)}, ${(i * 0x1357) & 0xfffff}`);
  }
  for (const rd of [0, 1, 5, 31]) {
    for (const off of [-1048576, 1048572, 0, 4, -4, 2, 2048]) L.push(`jal ${x(rd)}, .${off >= 0 ? "+" : ""}${off}`);
  }
  for (const [a, b] of [[0, 1], [1, 5], [31, 0], [10, 31]]) {
    for (const off of [-2048, 2047, 0, -1, 1]) L.push(`jalr ${x(a)}, ${off}(${x(b)})`);
  }
  for (const op of ["beq", "bne", "blt", "bge", "bltu", "bgeu"]) {
    for (const off of [-4096, 4092, 0, 4, -4, 2048, 2, -2]) L.push(`${op} x1, x2, .${off >= 0 ? "+" : ""}${off}`);
    for (const [a, b] of regTriples.slice(0, 32).filter((_, k) => k % 5 === 0)) L.push(`${op} ${x(a)}, ${x(b)}, .+8`);
  }
  const imms = [-2048, 2047, 0, -1, 1, 0x555, -0x556];
  for (const op of ["lb", "lh", "lw", "ld", "lbu", "lhu", "lwu"]) {
    for (const v of imms) L.push(`${op} x10, ${v}(x11)`);
    for (const [a, b] of [[0, 2], [31, 0], [2, 31]]) L.push(`${op} ${x(a)}, 8(${x(b)})`);
  }
  for (const op of ["sb", "sh", "sw", "sd"]) {
    for (const v of imms) L.push(`${op} x10, ${v}(x11)`);
    for (const [a, b] of [[0, 2], [31, 0], [2, 31]]) L.push(`${op} ${x(a)}, 8(${x(b)})`);
  }
  for (const op of ["addi", "slti", "sltiu", "xori", "ori", "andi", "addiw"]) {
    for (const v of imms) L.push(`${op} x10, x11, ${v}`);
    for (const [a, b] of [[0, 0], [31, 1], [1, 31]]) L.push(`${op} ${x(a)}, ${x(b)}, 7`);
  }
  for (const [a, b] of regTriples) L.push(`addi ${x(a)}, ${x(b)}, ${a - 16}`);
  for (const op of ["slli", "srli", "srai"]) {
    for (const v of [0, 1, 31, 32, 63]) L.push(`${op} x10, x11, ${v}`);
    L.push(`${op} x0, x31, 5`);
  }
  for (const op of ["slliw", "srliw", "sraiw"]) {
    for (const v of [0, 1, 16, 31]) L.push(`${op} x10, x11, ${v}`);
    L.push(`${op} x0, x31, 5`);
  }
  const rops = ["add", "sub", "sll", "slt", "sltu", "xor", "srl", "sra", "or", "and",
    "mul", "mulh", "mulhsu", "mulhu", "div", "divu", "rem", "remu",
    "addw", "subw", "sllw", "srlw", "sraw", "mulw", "divw", "divuw", "remw", "remuw"];
  for (const op of rops) {
    for (const [a, b, c] of [[10, 11, 12], [0, 1, 2], [31, 0, 31], [1, 31, 0]]) L.push(`${op} ${x(a)}, ${x(b)}, ${x(c)}`);
  }
  for (const [a, b, c] of regTriples) L.push(`add ${x(a)}, ${x(b)}, ${x(c)}`);
  for (const [a, b, c] of regTriples) L.push(`sub ${x(c)}, ${x(a)}, ${x(b)}`);

  // Fences and system.
  L.push("fence", "fence rw,rw", "fence r,w", "fence w,r", "fence i,o", "fence iorw,iorw", "fence io,rw",
    "fence.tso", "fence.i");
  L.push("ecall", "ebreak", "sret", "mret", "wfi", "sfence.vma", "sfence.vma x10", "sfence.vma x10, x11",
    "sfence.vma x0, x31", "sfence.vma x31, x1");
  const csrs = ["fflags", "frm", "fcsr", "cycle", "time", "instret", "sstatus", "sie", "stvec", "sscratch",
    "sepc", "scause", "stval", "sip", "satp", "mstatus", "misa", "medeleg", "mideleg", "mie", "mtvec",
    "mscratch", "mepc", "mcause", "mtval", "mip", "mhartid", "0x7c0", "0xfff", "0x5ff", "0x8ab"];
  for (const op of ["csrrw", "csrrs", "csrrc"]) {
    for (const c of csrs) L.push(`${op} x10, ${c}, x11`);
    L.push(`${op} x0, mstatus, x31`, `${op} x31, satp, x0`);
  }
  for (const op of ["csrrwi", "csrrsi", "csrrci"]) {
    for (const v of [0, 1, 17, 31]) L.push(`${op} x10, mstatus, ${v}`);
    L.push(`${op} x0, sstatus, 31`, `${op} x31, 0x7c0, 5`);
  }

  // A.
  for (const w of ["w", "d"]) {
    for (const ord of ["", ".aq", ".rl", ".aqrl"]) {
      L.push(`lr.${w}${ord} x10, (x11)`, `lr.${w}${ord} x0, (x31)`);
      L.push(`sc.${w}${ord} x10, x12, (x11)`, `sc.${w}${ord} x0, x31, (x1)`);
    }
    for (const op of ["amoswap", "amoadd", "amoxor", "amoand", "amoor", "amomin", "amomax", "amominu", "amomaxu"]) {
      L.push(`${op}.${w} x10, x12, (x11)`, `${op}.${w}.aqrl x0, x31, (x1)`, `${op}.${w}.aq x31, x0, (x30)`);
    }
  }

  // F / D.
  for (const op of ["flw", "fld"]) {
    for (const v of imms) L.push(`${op} f10, ${v}(x11)`);
    L.push(`${op} f0, 0(x31)`, `${op} f31, 4(x0)`);
  }
  for (const op of ["fsw", "fsd"]) {
    for (const v of imms) L.push(`${op} f10, ${v}(x11)`);
    L.push(`${op} f0, 0(x31)`, `${op} f31, 4(x0)`);
  }
  for (const s of ["s", "d"]) {
    for (const op of ["fmadd", "fmsub", "fnmsub", "fnmadd"]) {
      for (const rm of RMS) L.push(`${op}.${s} f1, f2, f3, f4, ${rm}`);
      L.push(`${op}.${s} f0, f31, f15, f16`, `${op}.${s} f31, f0, f1, f31, rtz`);
    }
    for (const op of ["fadd", "fsub", "fmul", "fdiv"]) {
      for (const rm of RMS) L.push(`${op}.${s} f1, f2, f3, ${rm}`);
      L.push(`${op}.${s} f0, f31, f15`, `${op}.${s} f31, f0, f1`);
    }
    for (const rm of RMS) L.push(`fsqrt.${s} f1, f2, ${rm}`);
    L.push(`fsqrt.${s} f31, f0`);
    for (const op of ["fsgnj", "fsgnjn", "fsgnjx", "fmin", "fmax"]) {
      L.push(`${op}.${s} f1, f2, f3`, `${op}.${s} f0, f31, f0`, `${op}.${s} f31, f5, f5`);
    }
    for (const op of ["feq", "flt", "fle"]) {
      L.push(`${op}.${s} x1, f2, f3`, `${op}.${s} x0, f31, f0`, `${op}.${s} x31, f5, f5`);
    }
    L.push(`fclass.${s} x10, f11`, `fclass.${s} x0, f31`);
    const xw = s === "s" ? "w" : "d";
    L.push(`fmv.x.${xw} x10, f11`, `fmv.x.${xw} x0, f31`, `fmv.x.${xw} x31, f0`);
    L.push(`fmv.${xw}.x f10, x11`, `fmv.${xw}.x f0, x31`, `fmv.${xw}.x f31, x0`);
    for (const t of ["w", "wu", "l", "lu"]) {
      for (const rm of RMS) L.push(`fcvt.${t}.${s} x10, f11, ${rm}`);
      L.push(`fcvt.${t}.${s} x0, f31`, `fcvt.${t}.${s} x31, f0, rtz`);
      if (s === "d" && (t === "w" || t === "wu")) {
        L.push(`fcvt.${s}.${t} f10, x11`, `fcvt.${s}.${t} f0, x31`); // exact: no rm operand
      } else {
        for (const rm of RMS) L.push(`fcvt.${s}.${t} f10, x11, ${rm}`);
        L.push(`fcvt.${s}.${t} f0, x31`, `fcvt.${s}.${t} f31, x0, rmm`);
      }
    }
  }
  for (const rm of RMS) L.push(`fcvt.s.d f10, f11, ${rm}`);
  L.push("fcvt.s.d f0, f31", "fcvt.d.s f10, f11", "fcvt.d.s f31, f0");
  for (let i = 0; i < 32; i++) L.push(`fadd.d ${f(i)}, ${f((i + 7) % 32)}, ${f((i + 19) % 32)}`);
  for (let i = 0; i < 32; i++) L.push(`fmadd.s ${f(i)}, ${f((i + 3) % 32)}, ${f((i + 11) % 32)}, ${f((i + 29) % 32)}, rne`);
  return L;
}

function compressedSource() {
  const L = [];
  const P = [8, 9, 10, 11, 12, 13, 14, 15];
  const ALL = Array.from({ length: 32 }, (_, i) => i);
  const nz = ALL.filter((i) => i !== 0);

  for (const v of [4, 8, 1020, 512, 16, 64]) L.push(`c.addi4spn x8, x2, ${v}`);
  for (const r of P) L.push(`c.addi4spn ${x(r)}, x2, ${r * 4}`);
  for (const [op, offs, fp] of [["c.fld", [0, 8, 248, 128], true], ["c.ld", [0, 8, 248, 128], false],
    ["c.lw", [0, 4, 124, 64], false], ["c.fsd", [0, 8, 248, 128], true], ["c.sd", [0, 8, 248, 128], false],
    ["c.sw", [0, 4, 124, 64], false]]) {
    const reg = fp ? f : x;
    for (const v of offs) L.push(`${op} ${reg(8)}, ${v}(x15)`);
    for (const r of P) L.push(`${op} ${reg(r)}, ${offs[1]}(${x(23 - r)})`);
  }
  L.push("c.nop", "c.addi x0, 5");
  for (const v of [-32, 31, 1, -1, 0]) L.push(`c.addi x10, ${v}`);
  for (const r of nz) L.push(`c.addi ${x(r)}, ${(r % 63) - 31 || 1}`);
  for (const v of [-32, 31, 1, -1, 0]) L.push(`c.addiw x10, ${v}`);
  for (const r of nz) L.push(`c.addiw ${x(r)}, ${r - 16}`);
  for (const r of ALL) L.push(`c.li ${x(r)}, ${r - 16}`);
  for (const v of [-32, 31, 0]) L.push(`c.li x5, ${v}`);
  for (const v of [-512, 496, 16, -16, 32, 64, 128, 256]) L.push(`c.addi16sp x2, ${v}`);
  for (const r of ALL.filter((i) => i !== 2)) L.push(`c.lui ${x(r)}, ${r < 16 ? r + 1 : 0xfffe0 + r}`);
  for (const v of [1, 0x1f, 0xfffe0, 0xfffff]) L.push(`c.lui x10, ${v}`);
  for (const op of ["c.srli", "c.srai"]) {
    for (const v of [1, 31, 32, 63]) L.push(`${op} x8, ${v}`);
    for (const r of P) L.push(`${op} ${x(r)}, ${r}`);
  }
  L.push("c.srli64 x8", "c.srai64 x15");
  for (const v of [-32, 31, 0, 1]) L.push(`c.andi x8, ${v}`);
  for (const r of P) L.push(`c.andi ${x(r)}, ${r - 16}`);
  for (const op of ["c.sub", "c.xor", "c.or", "c.and", "c.subw", "c.addw"]) {
    for (const r of P) L.push(`${op} ${x(r)}, ${x(23 - r)}`);
  }
  for (const v of [-2048, 2046, 0, 2, -2, 1024, 512, 256, 128, 64, 32, 16, 8, 4]) L.push(`c.j .${v >= 0 ? "+" : ""}${v}`);
  for (const op of ["c.beqz", "c.bnez"]) {
    for (const v of [-256, 254, 0, 2, -2, 128, 64, 32, 16, 8, 4]) L.push(`${op} x8, .${v >= 0 ? "+" : ""}${v}`);
    for (const r of P) L.push(`${op} ${x(r)}, .+${r * 2}`);
  }
  for (const v of [1, 31, 32, 63]) L.push(`c.slli x10, ${v}`);
  for (const r of nz) L.push(`c.slli ${x(r)}, ${r}`);
  L.push("c.slli x0, 3", "c.slli64 x1");
  for (const v of [0, 8, 504, 256]) L.push(`c.fldsp f10, ${v}(x2)`, `c.ldsp x10, ${v}(x2)`);
  for (const v of [0, 4, 252, 128]) L.push(`c.lwsp x10, ${v}(x2)`);
  for (const r of ALL) L.push(`c.fldsp ${f(r)}, ${(r * 8) % 512}(x2)`);
  for (const r of nz) L.push(`c.lwsp ${x(r)}, ${(r * 4) % 256}(x2)`, `c.ldsp ${x(r)}, ${(r * 8) % 512}(x2)`);
  for (const r of nz) L.push(`c.jr ${x(r)}`, `c.jalr ${x(r)}`);
  for (const r of ALL) L.push(`c.mv ${x(r)}, ${x((r + 5) % 31 + 1)}`, `c.add ${x(r)}, ${x((r + 9) % 31 + 1)}`);
  L.push("c.ebreak");
  for (const v of [0, 8, 504, 256]) L.push(`c.fsdsp f10, ${v}(x2)`, `c.sdsp x10, ${v}(x2)`);
  for (const v of [0, 4, 252, 128]) L.push(`c.swsp x10, ${v}(x2)`);
  for (const r of ALL) {
    L.push(`c.fsdsp ${f(r)}, ${(r * 8) % 512}(x2)`, `c.sdsp ${x(r)}, ${(r * 8) % 512}(x2)`,
      `c.swsp ${x(r)}, ${(r * 4) % 256}(x2)`);
  }
  return L;
}

// ------------------------------------------------------------------------------------------
// Assemble and disassemble

function disassemble(lines, march, tmp, name) {
  const src = join(tmp, `${name}.s`);
  const obj = join(tmp, `${name}.o`);
  const header = march === "rv64g" ? [".option norvc"] : [];
  writeFileSync(src, [".option norelax", ...header, ...lines, ""].join("\n"));
  execFileSync(AS, [`-march=${march}`, "-mabi=lp64d", src, "-o", obj], { stdio: ["ignore", "pipe", "inherit"] });
  const out = execFileSync(OBJDUMP, ["-d", "-M", "no-aliases,numeric", obj], { encoding: "utf8" });
  const rows = [];
  for (const line of out.split("\n")) {
    const m = /^\s*([0-9a-f]+):\s+([0-9a-f]{4}|[0-9a-f]{8})\s+(\S+)(?:\s+(.*))?$/.exec(line);
    if (!m) continue;
    const text = (m[4] ?? "").replace(/\s*#.*$/, "").trim();
    rows.push({ pc: BigInt("0x" + m[1]), hex: m[2], mnem: m[3], operands: text });
  }
  if (rows.length !== lines.length) {
    throw new Error(`${name}: ${lines.length} source lines but ${rows.length} disassembled instructions`);
  }
  return rows.map((r, i) => ({ ...r, src: lines[i] }));
}

// ------------------------------------------------------------------------------------------
// Parsing objdump text into expected fields

const SINK = 32;
// Standard CSR numbers (privileged / unprivileged specs) for the names objdump prints.
const CSR_NUMBERS = {
  ustatus: 0x000, fflags: 0x001, frm: 0x002, fcsr: 0x003, cycle: 0xc00, time: 0xc01, instret: 0xc02,
  sstatus: 0x100, sie: 0x104, stvec: 0x105, sscratch: 0x140, sepc: 0x141, scause: 0x142, stval: 0x143,
  sip: 0x144, satp: 0x180, mstatus: 0x300, misa: 0x301, medeleg: 0x302, mideleg: 0x303, mie: 0x304,
  mtvec: 0x305, mscratch: 0x340, mepc: 0x341, mcause: 0x342, mtval: 0x343, mip: 0x344, mhartid: 0xf14,
};
const RM_NUMBERS = { rne: 0, rtz: 1, rdn: 2, rup: 3, rmm: 4, dyn: 7 };

function reg(tok, kind) {
  const m = /^([xf])(\d+)$/.exec(tok);
  if (!m || m[1] !== kind) throw new Error(`expected ${kind} register, got "${tok}"`);
  const n = Number(m[2]);
  if (n > 31) throw new Error(`bad register ${tok}`);
  return n;
}
function num(tok) {
  if (!/^-?(0x[0-9a-f]+|\d+)$/.test(tok)) throw new Error(`bad number "${tok}"`);
  return tok.startsWith("-") ? -Number(tok.slice(1)) : Number(tok);
}
function target(tok, pc) {
  const m = /^([0-9a-f]+)(\s*<.*>)?$/.exec(tok);
  if (!m) throw new Error(`bad branch target "${tok}"`);
  return Number(BigInt.asIntN(64, BigInt("0x" + m[1]) - pc));
}
function mem(tok) {
  const m = /^(-?(?:0x[0-9a-f]+|\d+))\((x\d+)\)$/.exec(tok);
  if (!m) throw new Error(`bad memory operand "${tok}"`);
  return [num(m[1]), reg(m[2], "x")];
}

/** Operand layout for each (canonical, uncompressed) mnemonic. */
function layoutOf(mn) {
  if (mn === "lui" || mn === "auipc") return ["xd", "u20"];
  if (mn === "jal") return ["xd", "tgt"];
  if (mn === "jalr") return ["xd", "mem"];
  if (/^b(eq|ne|lt|ge|ltu|geu)$/.test(mn)) return ["xs1", "xs2", "tgt"];
  if (/^(lb|lh|lw|ld|lbu|lhu|lwu)$/.test(mn)) return ["xd", "mem"];
  if (/^(sb|sh|sw|sd)$/.test(mn)) return ["xs2", "mem"];
  if (/^(addi|slti|sltiu|xori|ori|andi|slli|srli|srai|addiw|slliw|srliw|sraiw)$/.test(mn)) return ["xd", "xs1", "imm"];
  if (/^(add|sub|sll|slt|sltu|xor|srl|sra|or|and|mul|mulh|mulhsu|mulhu|div|divu|rem|remu|addw|subw|sllw|srlw|sraw|mulw|divw|divuw|remw|remuw)$/.test(mn)) return ["xd", "xs1", "xs2"];
  if (/^(fence\.i|ecall|ebreak|sret|mret|wfi)$/.test(mn)) return [];
  if (mn === "sfence.vma") return ["xs1", "xs2"];
  if (/^csrr[wsc]$/.test(mn)) return ["xd", "csr", "xs1"];
  if (/^csrr[wsc]i$/.test(mn)) return ["xd", "csr", "zimm"];
  if (/^lr\.[wd]$/.test(mn)) return ["xd", "amem"];
  if (/^(sc|amo\w+)\.[wd]$/.test(mn)) return ["xd", "xs2", "amem"];
  if (mn === "flw" || mn === "fld") return ["fd", "mem"];
  if (mn === "fsw" || mn === "fsd") return ["fs2", "mem"];
  if (/^f(n?madd|n?msub)\.[sd]$/.test(mn)) return ["fd", "fs1", "fs2", "fs3", "rm"];
  if (/^f(add|sub|mul|div)\.[sd]$/.test(mn)) return ["fd", "fs1", "fs2", "rm"];
  if (/^fsqrt\.[sd]$/.test(mn)) return ["fd", "fs1", "rm"];
  if (/^f(sgnj|sgnjn|sgnjx|min|max)\.[sd]$/.test(mn)) return ["fd", "fs1", "fs2"];
  if (/^f(eq|lt|le)\.[sd]$/.test(mn)) return ["xd", "fs1", "fs2"];
  if (/^(fclass\.[sd]|fmv\.x\.[wd])$/.test(mn)) return ["xd", "fs1"];
  if (/^fmv\.[wd]\.x$/.test(mn)) return ["fd", "xs1"];
  if (/^fcvt\.(w|wu|l|lu)\.[sd]$/.test(mn)) return ["xd", "fs1", "rm"];
  if (/^fcvt\.[sd]\.(w|wu|l|lu)$/.test(mn)) return ["fd", "xs1", "rm"];
  if (mn === "fcvt.s.d" || mn === "fcvt.d.s") return ["fd", "fs1", "rm"];
  throw new Error(`no operand layout for "${mn}"`);
}

/** Compressed mnemonic -> [expanded mnemonic, operand layout, fixed fields]. */
const COMPRESSED = {
  "c.addi4spn": ["addi", ["xd", "xs1", "imm"], {}],
  "c.fld": ["fld", ["fd", "mem"], {}],
  "c.lw": ["lw", ["xd", "mem"], {}],
  "c.ld": ["ld", ["xd", "mem"], {}],
  "c.fsd": ["fsd", ["fs2", "mem"], {}],
  "c.sw": ["sw", ["xs2", "mem"], {}],
  "c.sd": ["sd", ["xs2", "mem"], {}],
  "c.nop": ["addi", [], { rd: SINK, rs1: 0, imm: 0 }],
  "c.addi": ["addi", ["xds1", "imm"], {}],
  "c.addiw": ["addiw", ["xds1", "imm"], {}],
  "c.li": ["addi", ["xd", "imm"], { rs1: 0 }],
  "c.addi16sp": ["addi", ["xds1", "imm"], {}],
  "c.lui": ["lui", ["xd", "u20"], {}],
  "c.srli": ["srli", ["xds1", "imm"], {}],
  "c.srai": ["srai", ["xds1", "imm"], {}],
  "c.srli64": ["srli", ["xds1"], { imm: 0 }],
  "c.srai64": ["srai", ["xds1"], { imm: 0 }],
  "c.andi": ["andi", ["xds1", "imm"], {}],
  "c.sub": ["sub", ["xds1", "xs2"], {}],
  "c.xor": ["xor", ["xds1", "xs2"], {}],
  "c.or": ["or", ["xds1", "xs2"], {}],
  "c.and": ["and", ["xds1", "xs2"], {}],
  "c.subw": ["subw", ["xds1", "xs2"], {}],
  "c.addw": ["addw", ["xds1", "xs2"], {}],
  "c.j": ["jal", ["tgt"], { rd: SINK }],
  "c.beqz": ["beq", ["xs1", "tgt"], { rs2: 0 }],
  "c.bnez": ["bne", ["xs1", "tgt"], { rs2: 0 }],
  "c.slli": ["slli", ["xds1", "imm"], {}],
  "c.slli64": ["slli", ["xds1"], { imm: 0 }],
  "c.fldsp": ["fld", ["fd", "mem"], {}],
  "c.lwsp": ["lw", ["xd", "mem"], {}],
  "c.ldsp": ["ld", ["xd", "mem"], {}],
  "c.jr": ["jalr", ["xs1"], { rd: SINK, imm: 0 }],
  "c.mv": ["add", ["xd", "xs2"], { rs1: 0 }],
  "c.ebreak": ["ebreak", [], {}],
  "c.jalr": ["jalr", ["xs1"], { rd: 1, imm: 0 }],
  "c.add": ["add", ["xds1", "xs2"], {}],
  "c.fsdsp": ["fsd", ["fs2", "mem"], {}],
  "c.swsp": ["sw", ["xs2", "mem"], {}],
  "c.sdsp": ["sd", ["xs2", "mem"], {}],
};

const EXACT_CONVERSIONS = new Set(["fcvt.d.w", "fcvt.d.wu", "fcvt.d.s"]);
const FENCE_BITS = { i: 8, o: 4, r: 2, w: 1 };

function fenceSet(tok) {
  let v = 0;
  for (const ch of tok) {
    if (!(ch in FENCE_BITS)) throw new Error(`bad fence set "${tok}"`);
    v |= FENCE_BITS[ch];
  }
  return v;
}

export function expected(row) {
  const compressed = row.hex.length === 4;
  let mn = row.mnem.replace(/\.(aqrl|aq|rl)$/, "");
  const e = { rd: SINK, rs1: 0, rs2: 0, rs3: 0, imm: 0 };
  const toks = row.operands === "" ? [] : row.operands.split(",").map((t) => t.trim());

  let layout, fixed = {};
  if (compressed) {
    const c = COMPRESSED[mn];
    if (!c) throw new Error(`unknown compressed mnemonic "${row.mnem}" (${row.hex})`);
    [mn, layout, fixed] = c;
  } else if (mn === "fence" || mn === "fence.tso") {
    layout = [];
    if (mn === "fence.tso") {
      if (toks.length) throw new Error("fence.tso with operands");
      e.imm = 0x833;
    } else {
      if (toks.length !== 2) throw new Error(`fence operands "${row.operands}"`);
      e.imm = (fenceSet(toks[0]) << 4) | fenceSet(toks[1]);
    }
    mn = "fence";
    toks.length = 0;
  } else {
    layout = layoutOf(mn);
  }

  let rmSeen = false;
  let i = 0;
  for (const kind of layout) {
    if (kind === "rm") {
      if (i < toks.length) {
        if (!(toks[i] in RM_NUMBERS)) throw new Error(`bad rm "${toks[i]}"`);
        e.imm = RM_NUMBERS[toks[i++]];
        rmSeen = true;
      } else {
        e.imm = EXACT_CONVERSIONS.has(mn) ? 0 : 7;
      }
      continue;
    }
    const tok = toks[i++];
    if (tok === undefined) throw new Error(`missing operand ${kind} in "${row.mnem} ${row.operands}"`);
    switch (kind) {
      case "xd": { const r = reg(tok, "x"); e.rd = r === 0 ? SINK : r; break; }
      case "xds1": { const r = reg(tok, "x"); e.rd = r === 0 ? SINK : r; e.rs1 = r; break; }
      case "fd": e.rd = reg(tok, "f"); break;
      case "xs1": e.rs1 = reg(tok, "x"); break;
      case "xs2": e.rs2 = reg(tok, "x"); break;
      case "fs1": e.rs1 = reg(tok, "f"); break;
      case "fs2": e.rs2 = reg(tok, "f"); break;
      case "fs3": e.rs3 = reg(tok, "f"); break;
      case "imm": e.imm = num(tok); break;
      case "u20": { const v = num(tok); if (v < 0 || v > 0xfffff) throw new Error(`bad u20 ${tok}`); e.imm = (v << 12) | 0; break; }
      case "tgt": e.imm = target(tok, row.pc); break;
      case "mem": [e.imm, e.rs1] = mem(tok); break;
      case "amem": { const m = /^\((x\d+)\)$/.exec(tok); if (!m) throw new Error(`bad amem ${tok}`); e.rs1 = reg(m[1], "x"); break; }
      case "csr": {
        if (/^0x[0-9a-f]+$/.test(tok)) e.imm = Number(tok);
        else if (tok in CSR_NUMBERS) e.imm = CSR_NUMBERS[tok];
        else throw new Error(`unknown csr name "${tok}"`);
        break;
      }
      case "zimm": { const v = num(tok); if (v < 0 || v > 31) throw new Error(`bad zimm ${tok}`); e.rs1 = v; break; }
      default: throw new Error(`bad kind ${kind}`);
    }
  }
  if (i !== toks.length) throw new Error(`unparsed operands in "${row.mnem} ${row.operands}"`);
  void rmSeen;
  Object.assign(e, fixed);
  return {
    hex: row.hex,
    asm: `${row.mnem} ${row.operands}`.trim(),
    op: mn.toUpperCase().replace(/\./g, "_"),
    rd: e.rd, rs1: e.rs1, rs2: e.rs2, rs3: e.rs3, imm: e.imm,
    compressed,
  };
}

// ------------------------------------------------------------------------------------------

function main() {
  const tmp = mkdtempSync(join(tmpdir(), "decode-golden-"));
  try {
    const rows = [
      ...disassemble(uncompressedSource(), "rv64g", tmp, "base"),
      ...disassemble(compressedSource(), "rv64gc", tmp, "rvc"),
    ];
    const seen = new Set();
    const cases = [];
    for (const row of rows) {
      if (row.mnem === ".2byte" || row.mnem === ".4byte" || row.mnem.startsWith("0x")) {
        throw new Error(`objdump did not recognise "${row.src}" (${row.hex})`);
      }
      if (seen.has(row.hex)) continue;
      seen.add(row.hex);
      let c;
      try {
        c = expected(row);
      } catch (err) {
        throw new Error(`${row.src} -> ${row.hex} ${row.mnem} ${row.operands}: ${err.message}`);
      }
      if ((c.compressed ? 4 : 8) !== row.hex.length) throw new Error("length mismatch");
      cases.push(c);
    }
    const version = execFileSync(AS, ["--version"], { encoding: "utf8" }).split("\n")[0];
    mkdirSync(dirname(OUT), { recursive: true });
    const body = cases.map((c) => "    " + JSON.stringify(c)).join(",\n");
    writeFileSync(OUT,
      `{\n  "generator": "tests/unit/gen-decode-golden.mjs",\n  "assembler": ${JSON.stringify(version)},\n` +
      `  "cases": [\n${body}\n  ]\n}\n`);
    console.log(`wrote ${cases.length} cases to ${OUT}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

// Run only when invoked directly (the helpers above can be imported for ad-hoc cross-checks).
if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) main();
