// Compressed twins: in the decoded-instruction cache, a 2-byte instruction whose operation
// the fast interpreter runs inline gets an op id of its own, the twin of the 4-byte op.
// Each case of interp.ts can then step its cursor by a constant (16 bytes of entries after
// a 4-byte instruction, 8 after a 2-byte one) instead of reading the length from the entry
// it just loaded, which takes a load and four ALU operations off the dependency chain that
// runs from one instruction to the next. Twins exist only in the cache (exec.ts stores
// twinOf(decode(raw))); the decoder and everything outside interp.ts see base ops (exec.ts
// and fuse.ts map cache ids back with fuse.ts baseOp).
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
const TWIN_COUNT: u32 = 20;

/** The base op of each twin, in twin id order (OP_C_ADD first). */
const BASES: usize = memory.data<u32>([
  ops.OP_ADD, ops.OP_ADDI, ops.OP_ADDIW, ops.OP_ADDW, ops.OP_AND, ops.OP_ANDI, ops.OP_OR,
  ops.OP_XOR, ops.OP_SUB, ops.OP_SUBW, ops.OP_SLLI, ops.OP_SRLI, ops.OP_SRAI, ops.OP_LUI,
  ops.OP_LW, ops.OP_LD, ops.OP_SW, ops.OP_SD, ops.OP_FLD, ops.OP_FSD,
]);

/** The twin of a base op decoded from a 2-byte instruction, or op itself when it has none. */
function twinOp(op: u32): u32 {
  for (let i: u32 = 0; i < TWIN_COUNT; i++) if (load<u32>(BASES + (<usize>i << 2)) == op) return TWIN_BASE + i;
  return op;
}

/** The base op of a twin id, or op itself. */
export function untwin(op: u32): u32 {
  return op - TWIN_BASE < TWIN_COUNT ? load<u32>(BASES + (<usize>(op - TWIN_BASE) << 2)) : op;
}

/** A decoded entry as the cache holds it: a 2-byte instruction's op replaced by its twin. */
export function twinOf(entry: u64, compressed: bool): u64 {
  if (!compressed) return entry;
  let op = <u32>entry & 0xff;
  return (entry & ~<u64>0xff) | <u64>twinOp(op);
}
