// Decoded-instruction cache: a bounded pool of slots, one per physical code page, each
// holding 2048 entries (one per 2-byte offset, decoded lazily on first execution) plus a
// PAGE_END sentinel that sequential execution runs into at the end of the page. A frame
// with a slot is flagged FF_CODE and kept out of the write TLBs, so any store to it takes
// the slow path, which drops the slot (self-modifying code and DMA into code are exact).
// A shared frame (FF_SHARED, the host's read-only copy) uses the host's slot for that copy
// (hostSharedSlot), decoded once for every hart mapping it: decoding depends on the bytes
// alone, and a shared frame is copied, and its slot dropped, before it is ever written.

import { OP_PAGE_END, OP_NONE } from "./ops";
import { frameSlot, frameHostOf, flagsOf, setFlags, FF_CODE, FF_SHARED, nframes, reserve } from "./memory";
import { tlbForgetWrite } from "./tlb";
import { exitBlock } from "./state";

/**
 * The decoded-code slot for the shared frame at host offset h (SLOT_BYTES, zeroed when
 * new), or 0 when the host keeps none (the hart then uses one of its own).
 */
@external("host", "sharedSlot")
declare function hostSharedSlot(h: u32): u32;

export const SLOT_ENTRIES: u32 = 2049;
export const SLOT_BYTES: usize = <usize>SLOT_ENTRIES * 8;
/** The sentinel's immediate word: the owning slot index + 1 (0 in a shared slot). */
const OWNER_WORD: usize = 2048 * 8 + 4;

let nslots: u32 = 0;
/** u32 per slot: host offset of its entries, 0 until first used (a VM pays only for the code it runs). */
let slotArea: usize = 0;
/** u32 per slot: owning frame + 1, 0 when free. */
let slotOwner: usize = 0;
let hand: u32 = 0;
/** A scratch slot for one instruction that straddles two pages. */
export let crossSlot: usize = 0;
/** Count of slot (re)assignments, for statistics. */
export let slotFills: u64 = 0;

export function decodeCacheInit(slots: u32): void {
  nslots = slots < 4 ? 4 : slots;
  slotOwner = reserve(<usize>nslots * 8);
  slotArea = slotOwner + <usize>nslots * 4;
  crossSlot = reserve(SLOT_BYTES);
}

/** Resets a slot's entries to "not decoded" and plants the page-end sentinel. */
export function clearSlot(base: usize, owner: u32): void {
  memory.fill(base, 0, 2048 * 8);
  store<u32>(base + 2048 * 8, OP_PAGE_END);
  store<u32>(base + OWNER_WORD, owner);
}

/** The host offset of frame f's decoded code (frameSlot), assigned if needed. */
export function slotFor(f: u32): usize {
  let s = <usize>load<u32>(frameSlot + (<usize>f << 2));
  if (s != 0) return s;
  let fl = flagsOf(f);
  if ((fl & FF_SHARED) != 0) {
    let b = <usize>hostSharedSlot(<u32>frameHostOf(f));
    if (b != 0) {
      if (load<u32>(b + 2048 * 8) != OP_PAGE_END) clearSlot(b, 0);
      store<u32>(frameSlot + (<usize>f << 2), <u32>b);
      setFlags(f, fl | FF_CODE);
      return b;
    }
  }
  let idx = hand;
  hand = hand + 1 == nslots ? 0 : hand + 1;
  let owner = load<u32>(slotOwner + (<usize>idx << 2));
  if (owner != 0) dropSlot(owner - 1);
  let base = <usize>load<u32>(slotArea + (<usize>idx << 2));
  if (base == 0) {
    base = reserve(SLOT_BYTES);
    store<u32>(slotArea + (<usize>idx << 2), <u32>base);
  }
  store<u32>(slotOwner + (<usize>idx << 2), f + 1);
  store<u32>(frameSlot + (<usize>f << 2), <u32>base);
  setFlags(f, flagsOf(f) | FF_CODE);
  tlbForgetWrite(f);
  clearSlot(base, idx + 1);
  slotFills++;
  return base;
}

function dropSlot(f: u32): void {
  let s = <usize>load<u32>(frameSlot + (<usize>f << 2));
  if (s == 0) return;
  let idx = load<u32>(s + OWNER_WORD);
  if (idx != 0) store<u32>(slotOwner + (<usize>(idx - 1) << 2), 0);
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
  let base = <usize>load<u32>(frameSlot + (<usize>f << 2));
  if (base == 0) return false;
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
  for (let f: u32 = 0; f < nframes; f++) {
    if ((flagsOf(f) & FF_CODE) != 0) dropSlot(f);
  }
}
