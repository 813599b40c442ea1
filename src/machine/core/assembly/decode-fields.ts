// Field extraction and entry packing shared by the 32-bit and the compressed decoders
// (decode.ts, decode-compressed.ts). Pure integer code.

import { OP_ILLEGAL, REG_SINK } from "./ops";

/** Bit 29 of word0: the entry came from a 2-byte (compressed) instruction. */
export const COMPRESSED_FLAG: u32 = 1 << 29;

// ---------------------------------------------------------------------------------------
// Helpers

/** Packs the fields into an entry. `rd` may be 0..32 (6 bits); the rest are 5 bits. */
// @ts-ignore: decorator
@inline
export function pack(op: u32, rd: u32, rs1: u32, rs2: u32, rs3: u32, imm: i32): u64 {
  const w0: u32 = op | (rd << 8) | (rs1 << 14) | (rs2 << 19) | (rs3 << 24);
  return <u64>w0 | (<u64><u32>imm << 32);
}

/** Integer destination: x0 becomes the sink slot. */
// @ts-ignore: decorator
@inline
export function xd(r: u32): u32 {
  return r == 0 ? REG_SINK : r;
}

// @ts-ignore: decorator
@inline
export function illegal(): u64 {
  return <u64>OP_ILLEGAL | (<u64>REG_SINK << 8);
}

/** Sign-extends the low `bits` bits of v. */
// @ts-ignore: decorator
@inline
export function sext(v: u32, bits: i32): i32 {
  const s = 32 - bits;
  return (<i32>(v << s)) >> s;
}

/** Integer-destination op (rd = x0 becomes the sink). */
// @ts-ignore: decorator
@inline
export function xop(op: u32, rd: u32, rs1: u32, rs2: u32, imm: i32): u64 {
  return pack(op, xd(rd), rs1, rs2, 0, imm);
}

/** Op without a destination register (stores, branches, fences, system): rd = REG_SINK. */
// @ts-ignore: decorator
@inline
export function noDest(op: u32, rs1: u32, rs2: u32, imm: i32): u64 {
  return pack(op, REG_SINK, rs1, rs2, 0, imm);
}

/** FP-destination op: rd kept as 0..31. */
// @ts-ignore: decorator
@inline
export function fop(op: u32, rd: u32, rs1: u32, rs2: u32, rs3: u32, imm: i32): u64 {
  return pack(op, rd, rs1, rs2, rs3, imm);
}

// @ts-ignore: decorator
@inline
export function immI(insn: u32): i32 {
  return (<i32>insn) >> 20;
}

// @ts-ignore: decorator
@inline
export function immS(insn: u32): i32 {
  return (((<i32>insn) >> 20) & ~31) | <i32>((insn >> 7) & 31);
}

// @ts-ignore: decorator
@inline
export function immB(insn: u32): i32 {
  const v: u32 =
    ((insn >> 19) & 0x1000) | // imm[12]   <- bit 31
    ((insn << 4) & 0x800) |   // imm[11]   <- bit 7
    ((insn >> 20) & 0x7e0) |  // imm[10:5] <- bits 30:25
    ((insn >> 7) & 0x1e);     // imm[4:1]  <- bits 11:8
  return sext(v, 13);
}

// @ts-ignore: decorator
@inline
export function immJ(insn: u32): i32 {
  const v: u32 =
    ((insn >> 11) & 0x100000) | // imm[20]    <- bit 31
    (insn & 0xff000) |          // imm[19:12] <- bits 19:12
    ((insn >> 9) & 0x800) |     // imm[11]    <- bit 20
    ((insn >> 20) & 0x7fe);     // imm[10:1]  <- bits 30:21
  return sext(v, 21);
}

/** Rounding mode field check: 5 and 6 are reserved. */
// @ts-ignore: decorator
@inline
export function rmOk(rm: u32): bool {
  return rm != 5 && rm != 6;
}

