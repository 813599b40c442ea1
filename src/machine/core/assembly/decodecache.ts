// Decoded-instruction cache: a bounded pool of slots, one per physical code page, each
// holding 2048 entries (one per 2-byte offset, decoded lazily on first execution) plus a
// PAGE_END sentinel that sequential execution runs into at the end of the page. A frame
// with a slot is flagged FF_CODE and kept out of the write TLBs, so any store to it takes
// the slow path, which drops the slot (self-modifying code and DMA into code are exact).

import { OP_PAGE_END, OP_NONE } from "./ops";
import { frameSlot, flagsOf, setFlags, FF_CODE, reserve } from "./memory";
import { tlbForgetWrite } from "./tlb";
import { exitBlock } from "./state";

export const SLOT_ENTRIES: u32 = 2049;
export const SLOT_BYTES: usize = <usize>SLOT_ENTRIES * 8;

let nslots: u32 = 0;
/** Slots come in groups of 8, allocated on first use: a VM pays only for the code it runs. */
const GROUP: u32 = 8;
/** u32 per group: host offset of its 8 slots, 0 until first used. */
let groupArea: usize = 0;
/** u32 per slot: owning frame + 1, 0 when free. */
let slotOwner: usize = 0;
let hand: u32 = 0;
/** A scratch slot for one instruction that straddles two pages. */
export let crossSlot: usize = 0;
/** Count of slot (re)assignments, for statistics. */
export let slotFills: u64 = 0;

export function decodeCacheInit(slots: u32): void {
  nslots = slots < 4 ? 4 : slots;
  nslots = (nslots + GROUP - 1) / GROUP * GROUP;
  slotOwner = reserve(<usize>nslots * 4);
  groupArea = reserve(<usize>(nslots / GROUP) * 4);
  crossSlot = reserve(SLOT_BYTES);
  memory.fill(slotOwner, 0, <usize>nslots * 4);
  memory.fill(groupArea, 0, <usize>(nslots / GROUP) * 4);
}

@inline function slotBase(s: u32): usize {
  let g = groupArea + (<usize>(s / GROUP) << 2);
  let base = <usize>load<u32>(g);
  if (base == 0) {
    base = reserve(<usize>GROUP * SLOT_BYTES);
    store<u32>(g, <u32>base);
  }
  return base + <usize>(s % GROUP) * SLOT_BYTES;
}

/** Resets a slot's entries to "not decoded" and plants the page-end sentinel. */
export function clearSlot(base: usize): void {
  memory.fill(base, 0, 2048 * 8);
  store<u32>(base + 2048 * 8, OP_PAGE_END);
  store<u32>(base + 2048 * 8 + 4, 0);
}

/** The slot holding frame f's decoded code, assigned (evicting round-robin) if needed. */
export function slotFor(f: u32): usize {
  let s = load<u32>(frameSlot + (<usize>f << 2));
  if (s != 0) return slotBase(s - 1);
  let idx = hand;
  hand = hand + 1 == nslots ? 0 : hand + 1;
  let owner = load<u32>(slotOwner + (<usize>idx << 2));
  if (owner != 0) dropSlot(owner - 1);
  store<u32>(slotOwner + (<usize>idx << 2), f + 1);
  store<u32>(frameSlot + (<usize>f << 2), idx + 1);
  setFlags(f, flagsOf(f) | FF_CODE);
  tlbForgetWrite(f);
  let base = slotBase(idx);
  clearSlot(base);
  slotFills++;
  return base;
}

function dropSlot(f: u32): void {
  let s = load<u32>(frameSlot + (<usize>f << 2));
  if (s == 0) return;
  store<u32>(slotOwner + (<usize>(s - 1) << 2), 0);
  store<u32>(frameSlot + (<usize>f << 2), 0);
  setFlags(f, flagsOf(f) & ~FF_CODE);
}

/**
 * Whether a store of len bytes at offset off of frame f can change decoded code: some
 * entry whose instruction may cover those bytes (it starts at most 3 bytes before) has
 * been decoded. Stores into the rest of a code page (data sharing the page with code)
 * leave the slot alone; the page stays out of the write TLBs, so each takes this check.
 */
export function storeHitsCode(f: u32, off: u32, len: u32): bool {
  let s = load<u32>(frameSlot + (<usize>f << 2));
  if (s == 0) return false;
  let base = slotBase(s - 1);
  let o: i32 = (<i32>off - 2) & ~1;
  if (o < 0) o = 0;
  let end = <i32>(off + len);
  for (; o < end; o += 2) {
    if (load<u8>(base + (<usize>o << 2)) != OP_NONE) return true;
  }
  return false;
}

/** Frame f is being written: forget its decoded code and leave the current block. */
export function invalidateCode(f: u32): void {
  dropSlot(f);
  exitBlock = true;
}

/** Forgets all decoded code (fence.i is not needed for correctness, but restore uses it). */
export function invalidateAllCode(): void {
  for (let s: u32 = 0; s < nslots; s++) {
    let owner = load<u32>(slotOwner + (<usize>s << 2));
    if (owner != 0) dropSlot(owner - 1);
  }
}
