// The fast interpreter: executes decoded entries of one code page for as long as every
// instruction can complete without leaving this function. It makes no calls, so V8 keeps
// the loop state in registers; anything that needs a call (a TLB miss, MMIO, an undecoded
// entry, system and atomic instructions, FP work off the fast paths) ends the block with
// EXIT_SLOW and exec.ts runs that one instruction through the general paths. An ALU
// instruction followed by a conditional branch may carry a fused op (fuse.ts) that runs
// both in one dispatch.
//
// What bounds the loop is the chain from one instruction's entry to the next one's, so
// each case steps the cursor by a constant: 16 bytes of entries for a 4-byte instruction,
// 8 for a compressed one, whose ops have ids of their own (twins.ts). Only jumps, branches
// and fused pairs read the length from the entry. Register and TLB accesses use constant
// load offsets (the register files' static addresses; the write TLB's fixed distance from
// the read TLB), and the block's constants sit in memory (BLOCK), so that the loop holds
// little more than its cursor and count in registers.

import * as ops from "./ops";
import { XREGS, FREGS, mstatus, MSTATUS_FS, MSTATUS_SD } from "./state";
import { tlbRead, TLB_MASK, TLB_ENTRY_SHIFT, WRITE_SET_OFFSET } from "./tlb";
import * as fpf from "./interp-fp";
import * as fz from "./fuse";
import * as tw from "./twins";

const FS_SD: u64 = MSTATUS_FS | MSTATUS_SD;
/** The write TLB entry for an address sits this far past its read entry. */
const WSET: usize = WRITE_SET_OFFSET;

/** The block ended: budget spent, page left, or a page-end/straddle marker reached. */
export const EXIT_END: u32 = 0;
/** The instruction at blockPc needs the general executor (not executed, not counted). */
export const EXIT_SLOW: u32 = 1;

/** Where the block stopped. */
export let blockPc: u64 = 0;
/** Instructions retired by the block. */
export let blockCount: i32 = 0;

@inline function leave(p: u64, k: i32): u32 {
  blockPc = p;
  blockCount = k;
  return EXIT_END;
}
@inline function slow(p: u64, k: i32): u32 {
  blockPc = p;
  blockCount = k - 1;
  return EXIT_SLOW;
}

/** Target of a fused branch that leaves the page. */
let brTarget: u64 = 0;

/**
 * The conditional branch at ep, the second half of a fused pair (fuse.ts): returns the
 * next entry address, or 0 when the branch leaves the page (its target in brTarget).
 * BEQ/BNE, BLT/BGE, BLTU/BGEU are consecutive op ids, the odd one negating the even.
 */
@inline function branchAt(ep: usize): usize {
  let w = load<u32>(ep);
  let imm = load<i32>(ep, 4);
  let a = xr(RS1(w)), b = xr(RS2(w));
  let op = w & 0xff;
  let c = op < ops.OP_BLT ? a == b : op < ops.OP_BLTU ? <i64>a < <i64>b : a < b;
  if (c != ((op & 1) != 0)) {
    let o = offAt(ep) + imm;
    if (<u32>o >= 4096) { brTarget = bVbase() + <u64><i64>o; return 0; }
    return ep + <usize>(imm << 2);
  }
  return ep + stride(w);
}

/**
 * The page offset of the entry at ep in the slot at dbase. A pc-relative target's offset
 * is offAt(ep) + imm; on the page (0..4095) its entry is ep + imm × 4, which does not wait
 * for the page's base addresses.
 */
@inline function offAt(ep: usize): i32 {
  return <i32>((ep - bDbase()) >> 2);
}

/**
 * The immediate of the entry at ep (its second word). Cases load it themselves, so that
 * it is not live across the dispatch (and R-type instructions do not load it at all).
 */
@inline function immAt(ep: usize): i32 {
  return load<i32>(ep, 4);
}

/**
 * The entry stride of the instruction with first word w, read from the entry: 16 bytes for
 * a 4-byte instruction, 8 for a compressed one. Only the cases whose op id does not say
 * (jumps, BEQ/BNE, fused pairs) need it.
 */
@inline function stride(w: u32): usize {
  return 16 - ((w >> 26) & 8);
}

/**
 * The block's constants (the slot and page it runs, the read TLB set, the budget), kept in
 * memory at a static address rather than in registers: the loop needs them only on exits,
 * taken branches and TLB lookups, and registers are what its cases run short of.
 * interpImpl writes them on entry.
 */
const BLOCK: usize = memory.data(24, 8);
@inline function bDbase(): usize { return load<u32>(BLOCK); }
@inline function bTlb(): usize { return load<u32>(BLOCK, 4); }
@inline function bVbase(): u64 { return load<u64>(BLOCK, 8); }
@inline function bMaxk(): i32 { return load<i32>(BLOCK, 16); }

/** The pc of the entry at ep in the slot at dbase for the page at vbase. */
@inline function PC(ep: usize): u64 {
  return bVbase() + <u64>((ep - bDbase()) >> 2);
}

@inline function xr(off: u32): u64 {
  return load<u64>(<usize>off, XREGS);
}
@inline function xw(off: u32, v: u64): void {
  store<u64>(<usize>off, v, XREGS);
}
// Field offsets (register index × 8) straight from an entry's first word.
@inline function RD(w: u32): u32 { return (w >> 5) & 0x1f8; }
@inline function RS1(w: u32): u32 { return (w >> 11) & 0xf8; }
@inline function RS2(w: u32): u32 { return (w >> 16) & 0xf8; }
@inline function sx32(v: u32): u64 { return <u64><i64><i32>v; }

/** The read-TLB entry for address a; its write-TLB entry is WSET bytes further. */
@inline function entryOf(a: u64): usize {
  return bTlb() + (<usize>(<u32>(a >> 12) & TLB_MASK) << TLB_ENTRY_SHIFT);
}
/**
 * The tag an entry must hold for a T-sized access at a to hit: a's page, with a's low bits
 * kept where they make the access misaligned (then no tag matches).
 */
@inline function tagOf<T>(a: u64): u64 {
  return a & ~<u64>(0x1000 - sizeof<T>());
}

/**
 * Loads a T at x[rs1] + imm into x[rd] (extended as T's signedness says) through the read
 * TLB. Returns false, having changed nothing, on a miss, a misaligned address or a device.
 */
@inline function ldX<T>(w: u32, imm: i32): bool {
  let a = xr(RS1(w)) + <u64><i64>imm;
  let e = entryOf(a);
  if (load<u64>(e) != tagOf<T>(a)) return false;
  let v = load<T>(<usize>(a + load<u64>(e, 8)));
  xw(RD(w), isSigned<T>() ? <u64><i64>v : <u64>v);
  return true;
}
/** Stores the low T of x[rs2] at x[rs1] + imm through the write TLB, as ldX. */
@inline function stX<T>(w: u32, imm: i32): bool {
  let a = xr(RS1(w)) + <u64><i64>imm;
  let e = entryOf(a);
  if (load<u64>(e, WSET) != tagOf<T>(a)) return false;
  store<T>(<usize>(a + load<u64>(e, WSET + 8)), <T>xr(RS2(w)));
  return true;
}
/** flw/fld (T = u32/u64, NaN-boxed), only when FS is already Dirty (nothing to mark). */
@inline function fldX<T>(w: u32, imm: i32): bool {
  if ((mstatus & FS_SD) != FS_SD) return false;
  let a = xr(RS1(w)) + <u64><i64>imm;
  let e = entryOf(a);
  if (load<u64>(e) != tagOf<T>(a)) return false;
  let v = <u64>load<T>(<usize>(a + load<u64>(e, 8)));
  store<u64>(<usize>RD(w), sizeof<T>() == 8 ? v : 0xffffffff00000000 | v, FREGS);
  return true;
}
/** fsw/fsd (T = u32/u64), when FS is on. */
@inline function fstX<T>(w: u32, imm: i32): bool {
  if ((mstatus & MSTATUS_FS) == 0) return false;
  let a = xr(RS1(w)) + <u64><i64>imm;
  let e = entryOf(a);
  if (load<u64>(e, WSET) != tagOf<T>(a)) return false;
  store<T>(<usize>(a + load<u64>(e, WSET + 8)), <T>load<u64>(<usize>RS2(w), FREGS));
  return true;
}

@inline function mulhu(a: u64, b: u64): u64 {
  let a0 = a & 0xffffffff, a1 = a >> 32, b0 = b & 0xffffffff, b1 = b >> 32;
  let p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  let mid = (p00 >> 32) + (p01 & 0xffffffff) + (p10 & 0xffffffff);
  return p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

/**
 * Runs entries from slot dbase (the page at vbase) starting at pc p, at most maxk of them.
 * Returns EXIT_END or EXIT_SLOW with blockPc/blockCount set.
 */
export function interp(dbase: usize, vbase: u64, p: u64, maxk: i32): u32 {
  return interpImpl<i32>(dbase, vbase, p, maxk);
}

/** The variant with double-precision fast paths inline, for code that does FP work. */
export function interpFp(dbase: usize, vbase: u64, p: u64, maxk: i32): u32 {
  return interpImpl<f64>(dbase, vbase, p, maxk);
}

/**
 * The interpreter, compiled twice: T = f64 also runs the common double-precision ops in
 * round-to-nearest inline. That code costs every other instruction registers, so integer
 * code runs the lean variant (T = i32) and exec.ts switches variants when FP work shows up.
 */
@inline function interpImpl<T>(dbase: usize, vbase: u64, p: u64, maxk: i32): u32 {
  store<u32>(BLOCK, dbase);
  store<u32>(BLOCK, tlbRead, 4);
  store<u64>(BLOCK, vbase, 8);
  store<i32>(BLOCK, maxk, 16);
  // Counts down: the loop test is against zero, and the count so far is bMaxk() - left.
  let left: i32 = maxk;
  // The cursor is the entry address; pc = vbase + (ep - dbase) / 4 is derived when needed.
  let ep = dbase + (<usize>(p - vbase) << 2);
  while (left > 0) {
    let w = load<u32>(ep);
    left--;
    switch (w & 0xff) {
      case ops.OP_PAGE_END:
      case ops.OP_CROSS: return leave(PC(ep), bMaxk() - left - 1);
        // ---- RV64I ----
        case ops.OP_LUI: { xw(RD(w), <u64><i64>immAt(ep)); ep += 16; break; }
        case ops.OP_AUIPC: { xw(RD(w), PC(ep) + <u64><i64>immAt(ep)); ep += 16; break; }
        case ops.OP_JAL: {
          let pc = PC(ep);
          xw(RD(w), pc + <u64>(stride(w) >> 2));
          let i = immAt(ep);
          let o = offAt(ep) + i;
          if (<u32>o >= 4096) return leave(pc + <u64><i64>i, bMaxk() - left);
          ep += <usize>(i << 2);
          break;
        }
        case ops.OP_JALR: {
          let t = (xr(RS1(w)) + <u64><i64>immAt(ep)) & ~<u64>1;
          xw(RD(w), PC(ep) + <u64>(stride(w) >> 2));
          let vb = bVbase();
          if (((t ^ vb) >> 12) != 0) return leave(t, bMaxk() - left);
          ep = bDbase() + (<usize>(t - vb) << 2);
          break;
        }
        case ops.OP_BEQ: {
          if (xr(RS1(w)) == xr(RS2(w))) { let i = immAt(ep); let o = offAt(ep) + i; if (<u32>o >= 4096) return leave(bVbase() + <u64><i64>o, bMaxk() - left); ep += <usize>(i << 2); }
          else ep += stride(w);
          break;
        }
        case ops.OP_BNE: {
          if (xr(RS1(w)) != xr(RS2(w))) { let i = immAt(ep); let o = offAt(ep) + i; if (<u32>o >= 4096) return leave(bVbase() + <u64><i64>o, bMaxk() - left); ep += <usize>(i << 2); }
          else ep += stride(w);
          break;
        }
        case ops.OP_BLT: {
          if (<i64>xr(RS1(w)) < <i64>xr(RS2(w))) { let i = immAt(ep); let o = offAt(ep) + i; if (<u32>o >= 4096) return leave(bVbase() + <u64><i64>o, bMaxk() - left); ep += <usize>(i << 2); }
          else ep += 16;
          break;
        }
        case ops.OP_BGE: {
          if (<i64>xr(RS1(w)) >= <i64>xr(RS2(w))) { let i = immAt(ep); let o = offAt(ep) + i; if (<u32>o >= 4096) return leave(bVbase() + <u64><i64>o, bMaxk() - left); ep += <usize>(i << 2); }
          else ep += 16;
          break;
        }
        case ops.OP_BLTU: {
          if (xr(RS1(w)) < xr(RS2(w))) { let i = immAt(ep); let o = offAt(ep) + i; if (<u32>o >= 4096) return leave(bVbase() + <u64><i64>o, bMaxk() - left); ep += <usize>(i << 2); }
          else ep += 16;
          break;
        }
        case ops.OP_BGEU: {
          if (xr(RS1(w)) >= xr(RS2(w))) { let i = immAt(ep); let o = offAt(ep) + i; if (<u32>o >= 4096) return leave(bVbase() + <u64><i64>o, bMaxk() - left); ep += <usize>(i << 2); }
          else ep += 16;
          break;
        }

        // Loads and stores: TLB hit → direct host access; miss, misaligned or device → mmu.ts.
        case ops.OP_LB: { if (!ldX<i8>(w, immAt(ep))) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_LH: { if (!ldX<i16>(w, immAt(ep))) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_LW: { if (!ldX<i32>(w, immAt(ep))) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_LD: { if (!ldX<u64>(w, immAt(ep))) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_LBU: { if (!ldX<u8>(w, immAt(ep))) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_LHU: { if (!ldX<u16>(w, immAt(ep))) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_LWU: { if (!ldX<u32>(w, immAt(ep))) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_SB: { if (!stX<u8>(w, immAt(ep))) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_SH: { if (!stX<u16>(w, immAt(ep))) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_SW: { if (!stX<u32>(w, immAt(ep))) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_SD: { if (!stX<u64>(w, immAt(ep))) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case tw.OP_C_LW: { if (!ldX<i32>(w, immAt(ep))) return slow(PC(ep), bMaxk() - left); ep += 8; break; }
        case tw.OP_C_LD: { if (!ldX<u64>(w, immAt(ep))) return slow(PC(ep), bMaxk() - left); ep += 8; break; }
        case tw.OP_C_SW: { if (!stX<u32>(w, immAt(ep))) return slow(PC(ep), bMaxk() - left); ep += 8; break; }
        case tw.OP_C_SD: { if (!stX<u64>(w, immAt(ep))) return slow(PC(ep), bMaxk() - left); ep += 8; break; }

        case ops.OP_ADDI: { xw(RD(w), xr(RS1(w)) + <u64><i64>immAt(ep)); ep += 16; break; }
        case ops.OP_SLTI: { xw(RD(w), <i64>xr(RS1(w)) < <i64>immAt(ep) ? 1 : 0); ep += 16; break; }
        case ops.OP_SLTIU: { xw(RD(w), xr(RS1(w)) < <u64><i64>immAt(ep) ? 1 : 0); ep += 16; break; }
        case ops.OP_XORI: { xw(RD(w), xr(RS1(w)) ^ <u64><i64>immAt(ep)); ep += 16; break; }
        case ops.OP_ORI: { xw(RD(w), xr(RS1(w)) | <u64><i64>immAt(ep)); ep += 16; break; }
        case ops.OP_ANDI: { xw(RD(w), xr(RS1(w)) & <u64><i64>immAt(ep)); ep += 16; break; }
        case ops.OP_SLLI: { xw(RD(w), xr(RS1(w)) << <u64>immAt(ep)); ep += 16; break; }
        case ops.OP_SRLI: { xw(RD(w), xr(RS1(w)) >> <u64>immAt(ep)); ep += 16; break; }
        case ops.OP_SRAI: { xw(RD(w), <u64>(<i64>xr(RS1(w)) >> <i64>immAt(ep))); ep += 16; break; }
        case ops.OP_ADD: { xw(RD(w), xr(RS1(w)) + xr(RS2(w))); ep += 16; break; }
        case ops.OP_SUB: { xw(RD(w), xr(RS1(w)) - xr(RS2(w))); ep += 16; break; }
        case ops.OP_SLL: { xw(RD(w), xr(RS1(w)) << (xr(RS2(w)) & 63)); ep += 16; break; }
        case ops.OP_SLT: { xw(RD(w), <i64>xr(RS1(w)) < <i64>xr(RS2(w)) ? 1 : 0); ep += 16; break; }
        case ops.OP_SLTU: { xw(RD(w), xr(RS1(w)) < xr(RS2(w)) ? 1 : 0); ep += 16; break; }
        case ops.OP_XOR: { xw(RD(w), xr(RS1(w)) ^ xr(RS2(w))); ep += 16; break; }
        case ops.OP_SRL: { xw(RD(w), xr(RS1(w)) >> (xr(RS2(w)) & 63)); ep += 16; break; }
        case ops.OP_SRA: { xw(RD(w), <u64>(<i64>xr(RS1(w)) >> <i64>(xr(RS2(w)) & 63))); ep += 16; break; }
        case ops.OP_OR: { xw(RD(w), xr(RS1(w)) | xr(RS2(w))); ep += 16; break; }
        case ops.OP_AND: { xw(RD(w), xr(RS1(w)) & xr(RS2(w))); ep += 16; break; }
        case ops.OP_ADDIW: { xw(RD(w), sx32(<u32>xr(RS1(w)) + <u32>immAt(ep))); ep += 16; break; }
        case ops.OP_SLLIW: { xw(RD(w), sx32(<u32>xr(RS1(w)) << <u32>immAt(ep))); ep += 16; break; }
        case ops.OP_SRLIW: { xw(RD(w), sx32(<u32>xr(RS1(w)) >> <u32>immAt(ep))); ep += 16; break; }
        case ops.OP_SRAIW: { xw(RD(w), sx32(<u32>(<i32>xr(RS1(w)) >> immAt(ep)))); ep += 16; break; }
        case ops.OP_ADDW: { xw(RD(w), sx32(<u32>xr(RS1(w)) + <u32>xr(RS2(w)))); ep += 16; break; }
        case ops.OP_SUBW: { xw(RD(w), sx32(<u32>xr(RS1(w)) - <u32>xr(RS2(w)))); ep += 16; break; }
        case ops.OP_SLLW: { xw(RD(w), sx32(<u32>xr(RS1(w)) << (<u32>xr(RS2(w)) & 31))); ep += 16; break; }
        case ops.OP_SRLW: { xw(RD(w), sx32(<u32>xr(RS1(w)) >> (<u32>xr(RS2(w)) & 31))); ep += 16; break; }
        case ops.OP_SRAW: { xw(RD(w), sx32(<u32>(<i32>xr(RS1(w)) >> (<i32>xr(RS2(w)) & 31)))); ep += 16; break; }

        // The same operations from 2-byte instructions (twins.ts).
        case tw.OP_C_ADDI: { xw(RD(w), xr(RS1(w)) + <u64><i64>immAt(ep)); ep += 8; break; }
        case tw.OP_C_ADDIW: { xw(RD(w), sx32(<u32>xr(RS1(w)) + <u32>immAt(ep))); ep += 8; break; }
        case tw.OP_C_ANDI: { xw(RD(w), xr(RS1(w)) & <u64><i64>immAt(ep)); ep += 8; break; }
        case tw.OP_C_SLLI: { xw(RD(w), xr(RS1(w)) << <u64>immAt(ep)); ep += 8; break; }
        case tw.OP_C_SRLI: { xw(RD(w), xr(RS1(w)) >> <u64>immAt(ep)); ep += 8; break; }
        case tw.OP_C_SRAI: { xw(RD(w), <u64>(<i64>xr(RS1(w)) >> <i64>immAt(ep))); ep += 8; break; }
        case tw.OP_C_LUI: { xw(RD(w), <u64><i64>immAt(ep)); ep += 8; break; }
        case tw.OP_C_ADD: { xw(RD(w), xr(RS1(w)) + xr(RS2(w))); ep += 8; break; }
        case tw.OP_C_SUB: { xw(RD(w), xr(RS1(w)) - xr(RS2(w))); ep += 8; break; }
        case tw.OP_C_XOR: { xw(RD(w), xr(RS1(w)) ^ xr(RS2(w))); ep += 8; break; }
        case tw.OP_C_OR: { xw(RD(w), xr(RS1(w)) | xr(RS2(w))); ep += 8; break; }
        case tw.OP_C_AND: { xw(RD(w), xr(RS1(w)) & xr(RS2(w))); ep += 8; break; }
        case tw.OP_C_ADDW: { xw(RD(w), sx32(<u32>xr(RS1(w)) + <u32>xr(RS2(w)))); ep += 8; break; }
        case tw.OP_C_SUBW: { xw(RD(w), sx32(<u32>xr(RS1(w)) - <u32>xr(RS2(w)))); ep += 8; break; }

        // ---- fused ALU + conditional branch (fuse.ts): the branch only if budget is left ----
        case fz.OP_ADD_BR: { xw(RD(w), xr(RS1(w)) + xr(RS2(w))); ep += stride(w); if (left <= 0) break; left--; let n = branchAt(ep); if (n == 0) return leave(brTarget, bMaxk() - left); ep = n; break; }
        case fz.OP_ADDI_BR: { xw(RD(w), xr(RS1(w)) + <u64><i64>immAt(ep)); ep += stride(w); if (left <= 0) break; left--; let n = branchAt(ep); if (n == 0) return leave(brTarget, bMaxk() - left); ep = n; break; }
        case fz.OP_ADDIW_BR: { xw(RD(w), sx32(<u32>xr(RS1(w)) + <u32>immAt(ep))); ep += stride(w); if (left <= 0) break; left--; let n = branchAt(ep); if (n == 0) return leave(brTarget, bMaxk() - left); ep = n; break; }
        case fz.OP_ADDW_BR: { xw(RD(w), sx32(<u32>xr(RS1(w)) + <u32>xr(RS2(w)))); ep += stride(w); if (left <= 0) break; left--; let n = branchAt(ep); if (n == 0) return leave(brTarget, bMaxk() - left); ep = n; break; }
        case fz.OP_SUB_BR: { xw(RD(w), xr(RS1(w)) - xr(RS2(w))); ep += stride(w); if (left <= 0) break; left--; let n = branchAt(ep); if (n == 0) return leave(brTarget, bMaxk() - left); ep = n; break; }
        case fz.OP_XOR_BR: { xw(RD(w), xr(RS1(w)) ^ xr(RS2(w))); ep += stride(w); if (left <= 0) break; left--; let n = branchAt(ep); if (n == 0) return leave(brTarget, bMaxk() - left); ep = n; break; }
        case fz.OP_AND_BR: { xw(RD(w), xr(RS1(w)) & xr(RS2(w))); ep += stride(w); if (left <= 0) break; left--; let n = branchAt(ep); if (n == 0) return leave(brTarget, bMaxk() - left); ep = n; break; }
        case fz.OP_ANDI_BR: { xw(RD(w), xr(RS1(w)) & <u64><i64>immAt(ep)); ep += stride(w); if (left <= 0) break; left--; let n = branchAt(ep); if (n == 0) return leave(brTarget, bMaxk() - left); ep = n; break; }
        case fz.OP_SRLI_BR: { xw(RD(w), xr(RS1(w)) >> <u64>immAt(ep)); ep += stride(w); if (left <= 0) break; left--; let n = branchAt(ep); if (n == 0) return leave(brTarget, bMaxk() - left); ep = n; break; }
        case fz.OP_SRLIW_BR: { xw(RD(w), sx32(<u32>xr(RS1(w)) >> <u32>immAt(ep))); ep += stride(w); if (left <= 0) break; left--; let n = branchAt(ep); if (n == 0) return leave(brTarget, bMaxk() - left); ep = n; break; }
        case fz.OP_SLLI_BR: { xw(RD(w), xr(RS1(w)) << <u64>immAt(ep)); ep += stride(w); if (left <= 0) break; left--; let n = branchAt(ep); if (n == 0) return leave(brTarget, bMaxk() - left); ep = n; break; }
        case fz.OP_OR_BR: { xw(RD(w), xr(RS1(w)) | xr(RS2(w))); ep += stride(w); if (left <= 0) break; left--; let n = branchAt(ep); if (n == 0) return leave(brTarget, bMaxk() - left); ep = n; break; }

        // ---- M ----
        case ops.OP_MUL: { xw(RD(w), xr(RS1(w)) * xr(RS2(w))); ep += 16; break; }
        case ops.OP_MULH: {
          let a = xr(RS1(w)), b = xr(RS2(w));
          let r = mulhu(a, b);
          if (<i64>a < 0) r -= b;
          if (<i64>b < 0) r -= a;
          xw(RD(w), r); ep += 16; break;
        }
        case ops.OP_MULHSU: {
          let a = xr(RS1(w)), b = xr(RS2(w));
          let r = mulhu(a, b);
          if (<i64>a < 0) r -= b;
          xw(RD(w), r); ep += 16; break;
        }
        case ops.OP_MULHU: { xw(RD(w), mulhu(xr(RS1(w)), xr(RS2(w)))); ep += 16; break; }
        case ops.OP_DIV: {
          let a = <i64>xr(RS1(w)), b = <i64>xr(RS2(w));
          let r: i64 = b == 0 ? -1 : (a == i64.MIN_VALUE && b == -1) ? a : a / b;
          xw(RD(w), <u64>r); ep += 16; break;
        }
        case ops.OP_DIVU: {
          let a = xr(RS1(w)), b = xr(RS2(w));
          xw(RD(w), b == 0 ? 0xffffffffffffffff : a / b); ep += 16; break;
        }
        case ops.OP_REM: {
          let a = <i64>xr(RS1(w)), b = <i64>xr(RS2(w));
          let r: i64 = b == 0 ? a : (a == i64.MIN_VALUE && b == -1) ? 0 : a % b;
          xw(RD(w), <u64>r); ep += 16; break;
        }
        case ops.OP_REMU: {
          let a = xr(RS1(w)), b = xr(RS2(w));
          xw(RD(w), b == 0 ? a : a % b); ep += 16; break;
        }
        case ops.OP_MULW: { xw(RD(w), sx32(<u32>xr(RS1(w)) * <u32>xr(RS2(w)))); ep += 16; break; }
        case ops.OP_DIVW: {
          let a = <i32>xr(RS1(w)), b = <i32>xr(RS2(w));
          let r: i32 = b == 0 ? -1 : (a == i32.MIN_VALUE && b == -1) ? a : a / b;
          xw(RD(w), <u64><i64>r); ep += 16; break;
        }
        case ops.OP_DIVUW: {
          let a = <u32>xr(RS1(w)), b = <u32>xr(RS2(w));
          xw(RD(w), sx32(b == 0 ? 0xffffffff : a / b)); ep += 16; break;
        }
        case ops.OP_REMW: {
          let a = <i32>xr(RS1(w)), b = <i32>xr(RS2(w));
          let r: i32 = b == 0 ? a : (a == i32.MIN_VALUE && b == -1) ? 0 : a % b;
          xw(RD(w), <u64><i64>r); ep += 16; break;
        }
        case ops.OP_REMUW: {
          let a = <u32>xr(RS1(w)), b = <u32>xr(RS2(w));
          xw(RD(w), sx32(b == 0 ? a : a % b)); ep += 16; break;
        }


        // FP loads and stores, same TLB fast path as the integer ones. Stores need FS on;
        // loads take the fast path only when FS is already Dirty (nothing to mark).
        case ops.OP_FLD: { if (!fldX<u64>(w, immAt(ep))) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_FLW: { if (!fldX<u32>(w, immAt(ep))) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_FSD: { if (!fstX<u64>(w, immAt(ep))) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_FSW: { if (!fstX<u32>(w, immAt(ep))) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case tw.OP_C_FLD: { if (!fldX<u64>(w, immAt(ep))) return slow(PC(ep), bMaxk() - left); ep += 8; break; }
        case tw.OP_C_FSD: { if (!fstX<u64>(w, immAt(ep))) return slow(PC(ep), bMaxk() - left); ep += 8; break; }

        // F/D in round-to-nearest (interp-fp.ts), FP variant only; the lean one hands them back.
        case ops.OP_FADD_D: { if (!isFloat<T>() || !fpf.addD(w, immAt(ep), false)) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_FSUB_D: { if (!isFloat<T>() || !fpf.addD(w, immAt(ep), true)) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_FMUL_D: { if (!isFloat<T>() || !fpf.mulD(w, immAt(ep))) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_FDIV_D: { if (!isFloat<T>() || !fpf.divD(w, immAt(ep))) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_FSQRT_D: { if (!isFloat<T>() || !fpf.sqrtD(w, immAt(ep))) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_FMADD_D: { if (!isFloat<T>() || !fpf.fmaD(w, immAt(ep), false, false)) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_FMSUB_D: { if (!isFloat<T>() || !fpf.fmaD(w, immAt(ep), false, true)) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_FNMSUB_D: { if (!isFloat<T>() || !fpf.fmaD(w, immAt(ep), true, false)) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_FNMADD_D: { if (!isFloat<T>() || !fpf.fmaD(w, immAt(ep), true, true)) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_FSGNJ_D: { if (!isFloat<T>() || !fpf.sgnjD(w, 0)) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_FSGNJN_D: { if (!isFloat<T>() || !fpf.sgnjD(w, 1)) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_FSGNJX_D: { if (!isFloat<T>() || !fpf.sgnjD(w, 2)) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_FMIN_D: { if (!isFloat<T>() || !fpf.minMaxD(w, true)) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_FMAX_D: { if (!isFloat<T>() || !fpf.minMaxD(w, false)) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_FEQ_D: { if (!isFloat<T>() || !fpf.cmpD(w, 0)) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_FLT_D: { if (!isFloat<T>() || !fpf.cmpD(w, 1)) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_FLE_D: { if (!isFloat<T>() || !fpf.cmpD(w, 2)) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_FMV_X_D: { if (!isFloat<T>() || !fpf.mvXD(w)) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_FMV_D_X: { if (!isFloat<T>() || !fpf.mvDX(w)) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_FMV_X_W: { if (!isFloat<T>() || !fpf.mvXW(w)) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_FMV_W_X: { if (!isFloat<T>() || !fpf.mvWX(w)) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_FCVT_D_W: { if (!isFloat<T>() || !fpf.cvtDX(w, immAt(ep), 0)) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_FCVT_D_WU: { if (!isFloat<T>() || !fpf.cvtDX(w, immAt(ep), 1)) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_FCVT_D_L: { if (!isFloat<T>() || !fpf.cvtDX(w, immAt(ep), 2)) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_FCVT_D_LU: { if (!isFloat<T>() || !fpf.cvtDX(w, immAt(ep), 3)) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_FCVT_W_D: { if (!isFloat<T>() || !fpf.cvtXD(w, immAt(ep), 0)) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_FCVT_WU_D: { if (!isFloat<T>() || !fpf.cvtXD(w, immAt(ep), 1)) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_FCVT_L_D: { if (!isFloat<T>() || !fpf.cvtXD(w, immAt(ep), 2)) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_FCVT_W_S: { if (!isFloat<T>() || !fpf.cvtXD(w, immAt(ep), 3)) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_FADD_S: { if (!isFloat<T>() || !fpf.arithS(w, immAt(ep), 0)) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_FSUB_S: { if (!isFloat<T>() || !fpf.arithS(w, immAt(ep), 1)) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_FMUL_S: { if (!isFloat<T>() || !fpf.arithS(w, immAt(ep), 2)) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_FDIV_S: { if (!isFloat<T>() || !fpf.arithS(w, immAt(ep), 3)) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_FSQRT_S: { if (!isFloat<T>() || !fpf.arithS(w, immAt(ep), 4)) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_FMADD_S: { if (!isFloat<T>() || !fpf.fmaS(w, immAt(ep), false, false)) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_FMSUB_S: { if (!isFloat<T>() || !fpf.fmaS(w, immAt(ep), false, true)) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_FNMSUB_S: { if (!isFloat<T>() || !fpf.fmaS(w, immAt(ep), true, false)) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_FNMADD_S: { if (!isFloat<T>() || !fpf.fmaS(w, immAt(ep), true, true)) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_FCVT_D_S: { if (!isFloat<T>() || !fpf.cvtDS(w, immAt(ep))) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_FCVT_S_D: { if (!isFloat<T>() || !fpf.cvtSD(w, immAt(ep))) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_CSRRW: { if (!isFloat<T>() || !fpf.fpCsr(w, immAt(ep), 0)) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_CSRRS: { if (!isFloat<T>() || !fpf.fpCsr(w, immAt(ep), 1)) return slow(PC(ep), bMaxk() - left); ep += 16; break; }
        case ops.OP_CSRRC: { if (!isFloat<T>() || !fpf.fpCsr(w, immAt(ep), 2)) return slow(PC(ep), bMaxk() - left); ep += 16; break; }

        // FENCE orders memory for other harts and devices; one hart that performs every
        // access at once has nothing to wait for. (FENCE.I and SFENCE.VMA are other ops.)
        case ops.OP_FENCE: { ep += 16; break; }
        default: return slow(PC(ep), bMaxk() - left);
    }
  }
  return leave(PC(ep), bMaxk() - left);
}
