// Compressed twins: in the decoded-instruction cache, a 2-byte instruction whose operation
// the fast interpreter runs inline gets an op id of its own, the twin of the 4-byte op.
// Each case of interp.ts can then step its cursor by a constant (16 bytes of entries after
// a 4-byte instruction, 8 after a 2-byte one) instead of reading the length from the entry
// it just loaded, which takes a load and four ALU operations off the dependency chain that
// runs from one instruction to the next. Twins exist only in the cache (exec.ts stores
// twinOf(decode(raw))); the decoder and everything outside interp.ts see base ops (exec.ts
// and fuse.ts map cache ids back with untwin).
// Control transfers (jumps, branches, ebreak) have no twins: they read the length as before.

import * as ops from "./ops";

/** First twin id, above the fused ids (fuse.ts: ops.OP_COUNT + 0..11). */
const TWIN_BASE: u32 = ops.OP_COUNT + 16;

export const OP_C_ADD: u32 = TWIN_BASE + 0;
export const OP_C_ADDI: u32 = TWIN_BASE + 1;
export const OP_C_ADDIW: u32 = TWIN_BASE + 2;
export const OP_C_ADDW: u32 = TWIN_BASE + 3;
export const OP_C_AND: u32 = TWIN_BASE + 4;
export const OP_C_ANDI: u32 = TWIN_BASE + 5;
export const OP_C_OR: u32 = TWIN_BASE + 6;
export const OP_C_XOR: u32 = TWIN_BASE + 7;
export const OP_C_SUB: u32 = TWIN_BASE + 8;
export const OP_C_SUBW: u32 = TWIN_BASE + 9;
export const OP_C_SLLI: u32 = TWIN_BASE + 10;
export const OP_C_SRLI: u32 = TWIN_BASE + 11;
export const OP_C_SRAI: u32 = TWIN_BASE + 12;
export const OP_C_LUI: u32 = TWIN_BASE + 13;
export const OP_C_LW: u32 = TWIN_BASE + 14;
export const OP_C_LD: u32 = TWIN_BASE + 15;
export const OP_C_SW: u32 = TWIN_BASE + 16;
export const OP_C_SD: u32 = TWIN_BASE + 17;
export const OP_C_FLD: u32 = TWIN_BASE + 18;
export const OP_C_FSD: u32 = TWIN_BASE + 19;
const TWIN_END: u32 = TWIN_BASE + 20;

/** The twin of a base op decoded from a 2-byte instruction, or op itself when it has none. */
function twinOp(op: u32): u32 {
  switch (op) {
    case ops.OP_ADD: return OP_C_ADD;
    case ops.OP_ADDI: return OP_C_ADDI;
    case ops.OP_ADDIW: return OP_C_ADDIW;
    case ops.OP_ADDW: return OP_C_ADDW;
    case ops.OP_AND: return OP_C_AND;
    case ops.OP_ANDI: return OP_C_ANDI;
    case ops.OP_OR: return OP_C_OR;
    case ops.OP_XOR: return OP_C_XOR;
    case ops.OP_SUB: return OP_C_SUB;
    case ops.OP_SUBW: return OP_C_SUBW;
    case ops.OP_SLLI: return OP_C_SLLI;
    case ops.OP_SRLI: return OP_C_SRLI;
    case ops.OP_SRAI: return OP_C_SRAI;
    case ops.OP_LUI: return OP_C_LUI;
    case ops.OP_LW: return OP_C_LW;
    case ops.OP_LD: return OP_C_LD;
    case ops.OP_SW: return OP_C_SW;
    case ops.OP_SD: return OP_C_SD;
    case ops.OP_FLD: return OP_C_FLD;
    case ops.OP_FSD: return OP_C_FSD;
    default: return op;
  }
}

/** The base op of a twin id, or op itself. */
export function untwin(op: u32): u32 {
  if (op < TWIN_BASE || op >= TWIN_END) return op;
  switch (op) {
    case OP_C_ADD: return ops.OP_ADD;
    case OP_C_ADDI: return ops.OP_ADDI;
    case OP_C_ADDIW: return ops.OP_ADDIW;
    case OP_C_ADDW: return ops.OP_ADDW;
    case OP_C_AND: return ops.OP_AND;
    case OP_C_ANDI: return ops.OP_ANDI;
    case OP_C_OR: return ops.OP_OR;
    case OP_C_XOR: return ops.OP_XOR;
    case OP_C_SUB: return ops.OP_SUB;
    case OP_C_SUBW: return ops.OP_SUBW;
    case OP_C_SLLI: return ops.OP_SLLI;
    case OP_C_SRLI: return ops.OP_SRLI;
    case OP_C_SRAI: return ops.OP_SRAI;
    case OP_C_LUI: return ops.OP_LUI;
    case OP_C_LW: return ops.OP_LW;
    case OP_C_LD: return ops.OP_LD;
    case OP_C_SW: return ops.OP_SW;
    case OP_C_SD: return ops.OP_SD;
    case OP_C_FLD: return ops.OP_FLD;
    default: return ops.OP_FSD;
  }
}

/** A decoded entry as the cache holds it: a 2-byte instruction's op replaced by its twin. */
export function twinOf(entry: u64, compressed: bool): u64 {
  if (!compressed) return entry;
  let op = <u32>entry & 0xff;
  return (entry & ~<u64>0xff) | <u64>twinOp(op);
}
