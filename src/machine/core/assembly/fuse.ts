// Instruction fusion in the decoded-instruction cache: an ALU instruction directly followed
// on the same page by a conditional branch (gcc's loop counters and compare-and-branch
// idioms) gets a fused op id, and interp.ts runs both in one dispatch. Only the first
// entry changes: it keeps its own fields, and the branch keeps its entry (it is still a
// jump target of its own). Pairs are formed when either half is decoded and the other
// already is; a page's slot is only ever cleared whole, so a fused entry never outlives
// the branch it relies on. Neither half can trap, so a fused pair retires both
// instructions, or just the first when the budget is spent after it.

import * as ops from "./ops";
import { COMPRESSED_FLAG } from "./decode-fields";
import { untwin } from "./twins";

// Fused op ids, above the decoder's (ops.OP_COUNT).
export const OP_ADD_BR: u32 = ops.OP_COUNT + 0;
export const OP_ADDI_BR: u32 = ops.OP_COUNT + 1;
export const OP_ADDIW_BR: u32 = ops.OP_COUNT + 2;
export const OP_ADDW_BR: u32 = ops.OP_COUNT + 3;
export const OP_SUB_BR: u32 = ops.OP_COUNT + 4;
export const OP_XOR_BR: u32 = ops.OP_COUNT + 5;
export const OP_AND_BR: u32 = ops.OP_COUNT + 6;
export const OP_ANDI_BR: u32 = ops.OP_COUNT + 7;
export const OP_SRLI_BR: u32 = ops.OP_COUNT + 8;
export const OP_SRLIW_BR: u32 = ops.OP_COUNT + 9;
export const OP_SLLI_BR: u32 = ops.OP_COUNT + 10;
export const OP_OR_BR: u32 = ops.OP_COUNT + 11;

/** The fused id for an ALU op followed by a conditional branch, or 0. */
function fusedBr(op: u32): u32 {
  switch (op) {
    case ops.OP_ADD: return OP_ADD_BR;
    case ops.OP_ADDI: return OP_ADDI_BR;
    case ops.OP_ADDIW: return OP_ADDIW_BR;
    case ops.OP_ADDW: return OP_ADDW_BR;
    case ops.OP_SUB: return OP_SUB_BR;
    case ops.OP_XOR: return OP_XOR_BR;
    case ops.OP_AND: return OP_AND_BR;
    case ops.OP_ANDI: return OP_ANDI_BR;
    case ops.OP_SRLI: return OP_SRLI_BR;
    case ops.OP_SRLIW: return OP_SRLIW_BR;
    case ops.OP_SLLI: return OP_SLLI_BR;
    case ops.OP_OR: return OP_OR_BR;
    default: return 0;
  }
}

/** The fused id for op a followed by op b (plain ops): an ALU op and a branch, or 0. */
function pairOf(a: u32, b: u32): u32 {
  return isBranch(b) ? fusedBr(a) : 0;
}

/** The plain op of a (possibly) fused id. */
function unfuse(op: u32): u32 {
  switch (op) {
    case OP_ADD_BR: return ops.OP_ADD;
    case OP_ADDI_BR: return ops.OP_ADDI;
    case OP_ADDIW_BR: return ops.OP_ADDIW;
    case OP_ADDW_BR: return ops.OP_ADDW;
    case OP_SUB_BR: return ops.OP_SUB;
    case OP_XOR_BR: return ops.OP_XOR;
    case OP_AND_BR: return ops.OP_AND;
    case OP_ANDI_BR: return ops.OP_ANDI;
    case OP_SRLI_BR: return ops.OP_SRLI;
    case OP_SRLIW_BR: return ops.OP_SRLIW;
    case OP_SLLI_BR: return ops.OP_SLLI;
    case OP_OR_BR: return ops.OP_OR;
    default: return op;
  }
}

@inline function isBranch(op: u32): bool {
  return op >= ops.OP_BEQ && op <= ops.OP_BGEU;
}

/** The decoder's op for any id the cache holds (a fused pair's first half, a twin, or plain). */
export function baseOp(op: u32): u32 {
  return untwin(unfuse(op));
}

/** Fuses the entry at e (compressed or not, as its length must say) with a successor of op b. */
function tryFuse(e: usize, compressed: bool, b: u32): void {
  let w = load<u32>(e);
  let f = pairOf(untwin(w & 0xff), b);
  if (f != 0 && ((w & COMPRESSED_FLAG) != 0) == compressed) store<u8>(e, <u8>f);
}

/** The entry at page offset off of slot dbase was just decoded: pair it with its neighbours. */
export function fuseAround(dbase: usize, off: u32): void {
  let e = dbase + (<usize>off << 2);
  let w = load<u32>(e);
  let op = untwin(w & 0xff);
  // The instruction before: a compressed one 2 bytes back, or a 4-byte one 4 bytes back.
  if (off >= 2) tryFuse(e - 8, true, op);
  if (off >= 4) tryFuse(e - 16, false, op);
  // The instruction after, if already decoded (a fused one pairs as its plain op).
  let next = off + ((w & COMPRESSED_FLAG) != 0 ? 2 : 4);
  if (next >= 4096) return;
  let f = pairOf(op, baseOp(load<u32>(dbase + (<usize>next << 2)) & 0xff));
  if (f != 0) store<u8>(e, <u8>f);
}
