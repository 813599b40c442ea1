// Software TLBs holding host offsets (TinyEMU-style): three kinds (fetch, read, write)
// for each privilege level, 256 direct-mapped entries each. An entry maps one virtual
// 4 KiB page to `host = vaddr + addend` and remembers the physical frame so a frame's
// entries can be dropped (code decoded in it, frame allocated or released). Keeping one
// set per privilege means a trap or xRET only switches pointers instead of flushing.

import { priv, mstatus, MSTATUS_MPRV, MSTATUS_MPP, MSTATUS_MPP_SHIFT, PRIV_M } from "./state";
import { reserve, clearZeroMapped } from "./memory";

export const TLB_ENTRIES: u32 = 256;
export const TLB_ENTRY_BYTES: u32 = 32;
const SET_BYTES: usize = <usize>TLB_ENTRIES * TLB_ENTRY_BYTES;
const KIND_FETCH: u32 = 0;
const KIND_READ: u32 = 1;
const KIND_WRITE: u32 = 2;
/** Entry field: physical frame index, NO_FRAME when not RAM. */
export const NO_FRAME: u32 = 0xffffffff;

let tlbArea: usize = 0;
/** Current sets: fetch for the hart's privilege, read/write for the effective data privilege. */
export let tlbFetch: usize = 0;
export let tlbRead: usize = 0;
export let tlbWrite: usize = 0;
/** Set when a superpage was cached since the last full flush (sfence.vma with an address). */
let superCached: bool = false;

export function tlbInit(): void {
  tlbArea = reserve(SET_BYTES * 9);
  tlbFlushAll();
  tlbSelect();
}

@inline function setIndex(p: u32): u32 {
  return p == PRIV_M ? 2 : p;
}
@inline function setBase(kind: u32, p: u32): usize {
  return tlbArea + <usize>(kind * 3 + setIndex(p)) * SET_BYTES;
}

/** Re-selects the current sets after a change of privilege or of mstatus.MPRV/MPP. */
export function tlbSelect(): void {
  let dp = priv;
  if (priv == PRIV_M && (mstatus & MSTATUS_MPRV) != 0) dp = <u32>((mstatus & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT);
  tlbFetch = setBase(KIND_FETCH, priv);
  tlbRead = setBase(KIND_READ, dp);
  tlbWrite = setBase(KIND_WRITE, dp);
}

function clearSet(base: usize): void {
  for (let e = base; e < base + SET_BYTES; e += TLB_ENTRY_BYTES) {
    store<u64>(e, 0xffffffffffffffff);
  }
}

export function tlbFlushAll(): void {
  for (let i: u32 = 0; i < 9; i++) clearSet(tlbArea + <usize>i * SET_BYTES);
  superCached = false;
  clearZeroMapped();
}

/** Flushes translated (S and U) sets: satp writes and sfence.vma. The M set is bare. */
export function tlbFlushTranslated(): void {
  for (let k: u32 = 0; k < 3; k++) {
    clearSet(setBase(k, 0));
    clearSet(setBase(k, 1));
  }
  superCached = false;
}

/** sfence.vma with an address: drops that page's entries (everything if superpages are cached). */
export function tlbFlushPage(vaddr: u64): void {
  if (superCached) { tlbFlushTranslated(); return; }
  let off = <usize>((<u32>(vaddr >> 12) & (TLB_ENTRIES - 1)) * TLB_ENTRY_BYTES);
  for (let k: u32 = 0; k < 3; k++) {
    for (let p: u32 = 0; p < 2; p++) {
      let e = setBase(k, p) + off;
      if (load<u64>(e) == (vaddr & ~<u64>0xfff)) store<u64>(e, 0xffffffffffffffff);
    }
  }
}

/** Flushes the S/U data sets (mstatus.SUM or MXR changed). */
export function tlbFlushData(): void {
  for (let k: u32 = 1; k < 3; k++) {
    clearSet(setBase(k, 0));
    clearSet(setBase(k, 1));
  }
}

function forgetIn(kind: u32, f: u32): void {
  let start = tlbArea + <usize>(kind * 3) * SET_BYTES;
  let end = start + 3 * SET_BYTES;
  for (let e = start; e < end; e += TLB_ENTRY_BYTES) {
    if (load<u32>(e, 16) == f) store<u64>(e, 0xffffffffffffffff);
  }
}

/** Drops every entry mapping frame f (its host offset changed). */
export function tlbForgetFrame(f: u32): void {
  forgetIn(KIND_FETCH, f);
  forgetIn(KIND_READ, f);
  forgetIn(KIND_WRITE, f);
}

/** Drops write entries for frame f (it now holds decoded code). */
export function tlbForgetWrite(f: u32): void {
  forgetIn(KIND_WRITE, f);
}

/** Drops every write entry (dirty harvest: the next write to each page marks it again). */
export function tlbFlushWrites(): void {
  for (let p: u32 = 0; p < 3; p++) clearSet(setBase(KIND_WRITE, p));
}

@inline export function tlbFill(set: usize, vaddr: u64, host: usize, frame: u32, superpage: bool): void {
  let e = set + <usize>((<u32>(vaddr >> 12) & (TLB_ENTRIES - 1)) * TLB_ENTRY_BYTES);
  let vpage = vaddr & ~<u64>0xfff;
  store<u64>(e, vpage);
  store<u64>(e, <u64>host - vpage, 8);
  store<u32>(e, frame, 16);
  if (superpage) superCached = true;
}
