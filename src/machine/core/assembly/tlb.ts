// Software TLBs holding host offsets (TinyEMU-style): three kinds (fetch, read, write)
// for each privilege level, TLB_ENTRIES direct-mapped entries each. An entry maps one
// virtual 4 KiB page to `host = vaddr + addend` and remembers the physical frame. Keeping
// one set per privilege means a trap or xRET only switches pointers instead of flushing.
// Each set logs the entries it fills, so a flush touches only those (a context switch
// costs what the process used, not the size of the TLB).

import { priv, mstatus, MSTATUS_MPRV, MSTATUS_MPP, MSTATUS_MPP_SHIFT, PRIV_M, PRIV_S } from "./state";
import { reserve, flagsOf, setFlags, FF_MAPPED, FF_WMAPPED } from "./memory";

export const TLB_BITS: u32 = 12;
export const TLB_ENTRIES: u32 = 1 << TLB_BITS;
export const TLB_MASK: u32 = TLB_ENTRIES - 1;
/** log2 of the entry size: tag u64, addend u64 (the frame index lives in a side array). */
export const TLB_ENTRY_SHIFT: u32 = 4;
const ENTRY_BYTES: usize = 1 << TLB_ENTRY_SHIFT;
const SET_BYTES: usize = <usize>TLB_ENTRIES << TLB_ENTRY_SHIFT;
const LOG_CAP: u32 = 512;
const KIND_FETCH: u32 = 0;
const KIND_READ: u32 = 1;
const KIND_WRITE: u32 = 2;
/** Sets per kind: one per privilege level (U, S, M; setIndex). */
const PRIV_SETS: u32 = 3;
/**
 * The write set of a data privilege sits this far past its read set (setNo: kind ×
 * PRIV_SETS + privilege, and tlbSelect gives both the same data privilege), so tlbWrite == tlbRead +
 * WRITE_SET_OFFSET always and the fast interpreter reaches both from one base address.
 */
export const WRITE_SET_OFFSET: usize = <usize>((KIND_WRITE - KIND_READ) * PRIV_SETS) * SET_BYTES;
/** Entry field: physical frame index, NO_FRAME when not RAM. */
export const NO_FRAME: u32 = 0xffffffff;
const INVALID: u64 = 0xffffffffffffffff;

let tlbArea: usize = 0;
/** u32 per entry, parallel to tlbArea: the physical frame the entry maps. */
let frameArea: usize = 0;
/** Per set: u32 count (LOG_CAP + 1 = overflowed) then LOG_CAP u16 entry indices. */
let logArea: usize = 0;
const LOG_BYTES: usize = 4 + <usize>LOG_CAP * 2;
/** Current sets: fetch for the hart's privilege, read/write for the effective data privilege. */
export let tlbFetch: usize = 0;
export let tlbRead: usize = 0;
export let tlbWrite: usize = 0;
/**
 * Superpages cached since the last full flush, so sfence.vma with an address can drop
 * every entry cut from the same leaf PTE: 2 MiB regions in a small direct-mapped table
 * (region number + 1), and a flag for 1 GiB pages (then the flush is total).
 */
const SUPER_SLOTS: u32 = 1024;
const superRegions: usize = memory.data(SUPER_SLOTS * 8, 8);
let gigaCached: bool = false;
let superOverflow: bool = false;
/**
 * S-mode data entries for U pages (filled while sstatus.SUM was set), per S data set (read,
 * write): u32 count (USER_CAP + 1 = overflowed) then u16 entry indices. Linux sets SUM
 * around every access to user memory; clearing it then drops only these entries.
 */
const USER_CAP: u32 = 256;
const USER_LOG_BYTES: usize = 4 + <usize>USER_CAP * 2;
let userLogArea: usize = 0;
/** Set by the page walk (mmu.ts): the leaf it found is a U page (read by tlbFill). */
export let fillUser: bool = false;

export function tlbInit(): void {
  tlbArea = reserve(SET_BYTES * 9);
  frameArea = reserve(<usize>TLB_ENTRIES * 4 * 9);
  logArea = reserve(LOG_BYTES * 9);
  userLogArea = reserve(USER_LOG_BYTES * 2);
  for (let i: u32 = 0; i < 9; i++) clearWhole(i);
  tlbSelect();
}

/** Address of the frame word of the entry at e. */
@inline export function frameOf(e: usize): usize {
  return frameArea + ((e - tlbArea) >> (TLB_ENTRY_SHIFT - 2));
}

@inline function setIndex(p: u32): u32 {
  return p == PRIV_M ? 2 : p;
}
@inline function setNo(kind: u32, p: u32): u32 {
  return kind * PRIV_SETS + setIndex(p);
}
@inline function setBase(n: u32): usize {
  return tlbArea + <usize>n * SET_BYTES;
}
@inline function logBase(n: u32): usize {
  return logArea + <usize>n * LOG_BYTES;
}

/** Re-selects the current sets after a change of privilege or of mstatus.MPRV/MPP. */
export function tlbSelect(): void {
  let dp = priv;
  if (priv == PRIV_M && (mstatus & MSTATUS_MPRV) != 0) dp = <u32>((mstatus & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT);
  tlbFetch = setBase(setNo(KIND_FETCH, priv));
  tlbRead = setBase(setNo(KIND_READ, dp));
  tlbWrite = setBase(setNo(KIND_WRITE, dp));
}

/** The user-page log of set n, or 0 when n is not an S-mode data set. */
@inline function userLog(n: u32): usize {
  if (n == setNo(KIND_READ, PRIV_S)) return userLogArea;
  if (n == setNo(KIND_WRITE, PRIV_S)) return userLogArea + USER_LOG_BYTES;
  return 0;
}

function clearWhole(n: u32): void {
  let base = setBase(n);
  for (let e = base; e < base + SET_BYTES; e += ENTRY_BYTES) store<u64>(e, INVALID);
  store<u32>(logBase(n), 0);
  let ul = userLog(n);
  if (ul != 0) store<u32>(ul, 0);
}

/** Appends entry index idx to a log of `cap` entries; past the cap it only counts (overflowed: cap + 1). */
@inline function logEntry(log: usize, cap: u32, idx: u32): void {
  let count = load<u32>(log);
  if (count < cap) store<u16>(log + 4 + (<usize>count << 1), <u16>idx);
  if (count <= cap) store<u32>(log, count + 1);
}

/** Invalidates the entries of set n that a log (u32 count, then u16 indices) names, and empties it. */
function clearLogged(n: u32, log: usize): void {
  let base = setBase(n);
  let count = load<u32>(log);
  for (let i: u32 = 0; i < count; i++) {
    store<u64>(base + (<usize>load<u16>(log + 4 + (<usize>i << 1)) << TLB_ENTRY_SHIFT), INVALID);
  }
  store<u32>(log, 0);
}

/** Invalidates every entry of set n, through its fill log when it has not overflowed. */
function clearSet(n: u32): void {
  let lb = logBase(n);
  if (load<u32>(lb) > LOG_CAP) { clearWhole(n); return; }
  clearLogged(n, lb);
  let ul = userLog(n);
  if (ul != 0) store<u32>(ul, 0);
}

/**
 * sstatus.SUM was cleared: S-mode data entries for U pages are no longer allowed. Entries
 * for other pages stay (setting SUM only ever allows more, so it flushes nothing).
 */
export function tlbForgetUserData(): void {
  for (let k: u32 = KIND_READ; k <= KIND_WRITE; k++) {
    let n = setNo(k, PRIV_S);
    let ul = userLog(n);
    if (load<u32>(ul) > USER_CAP) clearSet(n);
    else clearLogged(n, ul);
  }
}

function forgetSuper(): void {
  memory.fill(superRegions, 0, SUPER_SLOTS * 8);
  gigaCached = false;
  superOverflow = false;
}

export function tlbFlushAll(): void {
  for (let i: u32 = 0; i < 9; i++) clearSet(i);
  forgetSuper();
}

/** Flushes translated (S and U) sets: satp writes and sfence.vma. The M sets are bare. */
export function tlbFlushTranslated(): void {
  for (let k: u32 = 0; k < 3; k++) {
    clearSet(setNo(k, 0));
    clearSet(setNo(k, 1));
  }
  forgetSuper();
}

/** sfence.vma with an address: drops that page's entries (everything if superpages are cached). */
/**
 * sfence.vma with an address: drops the entries translating that page, and all entries of
 * a 2 MiB superpage containing it; a cached 1 GiB page (or a full region table) flushes all.
 */
export function tlbFlushPage(vaddr: u64): void {
  if (gigaCached || superOverflow) { tlbFlushTranslated(); return; }
  let region = vaddr >> 21;
  let slot = superRegions + (<usize>(<u32>region & (SUPER_SLOTS - 1)) << 3);
  if (load<u64>(slot) == region + 1) {
    let first = <u32>(region << 9) & TLB_MASK;
    for (let k: u32 = 0; k < 3; k++) {
      for (let p: u32 = 0; p < 2; p++) {
        let base = setBase(setNo(k, p));
        for (let i: u32 = 0; i < 512; i++) {
          let e = base + (<usize>((first + i) & TLB_MASK) << TLB_ENTRY_SHIFT);
          if ((load<u64>(e) >> 21) == region) store<u64>(e, INVALID);
        }
      }
    }
    store<u64>(slot, 0);
    return;
  }
  let off = <usize>(<u32>(vaddr >> 12) & TLB_MASK) << TLB_ENTRY_SHIFT;
  for (let k: u32 = 0; k < 3; k++) {
    for (let p: u32 = 0; p < 2; p++) {
      let e = setBase(setNo(k, p)) + off;
      if (load<u64>(e) == (vaddr & ~<u64>0xfff)) store<u64>(e, INVALID);
    }
  }
}

/** Flushes the S/U data sets (mstatus.SUM or MXR changed). */
export function tlbFlushData(): void {
  for (let k: u32 = 1; k < 3; k++) {
    clearSet(setNo(k, 0));
    clearSet(setNo(k, 1));
  }
}

/** Drops the entries of kind `kind` that map frame f: the filled ones a set's log names, or all of an overflowed set. */
function forgetIn(kind: u32, f: u32): void {
  for (let n = kind * 3; n < kind * 3 + 3; n++) {
    let base = setBase(n);
    let lb = logBase(n);
    let count = load<u32>(lb);
    if (count > LOG_CAP) {
      for (let e = base; e < base + SET_BYTES; e += ENTRY_BYTES) {
        if (load<u32>(frameOf(e)) == f) store<u64>(e, INVALID);
      }
      continue;
    }
    for (let i: u32 = 0; i < count; i++) {
      let e = base + (<usize>load<u16>(lb + 4 + (<usize>i << 1)) << TLB_ENTRY_SHIFT);
      if (load<u32>(frameOf(e)) == f) store<u64>(e, INVALID);
    }
  }
}

/** Drops every entry mapping frame f (its host offset is about to change). */
export function tlbForgetFrame(f: u32): void {
  let fl = flagsOf(f);
  if ((fl & FF_MAPPED) == 0) return;
  forgetIn(KIND_FETCH, f);
  forgetIn(KIND_READ, f);
  forgetIn(KIND_WRITE, f);
  setFlags(f, fl & ~(FF_MAPPED | FF_WMAPPED));
}

/** Drops write entries for frame f (it now holds decoded code). */
export function tlbForgetWrite(f: u32): void {
  let fl = flagsOf(f);
  if ((fl & FF_WMAPPED) == 0) return;
  forgetIn(KIND_WRITE, f);
  setFlags(f, fl & ~FF_WMAPPED);
}

/** Drops every write entry (dirty harvest: the next write to each page marks it again). */
export function tlbFlushWrites(): void {
  for (let p: u32 = 0; p < 3; p++) clearSet(KIND_WRITE * 3 + p);
}

/** Caches vaddr's page → host in `set` (one of tlbFetch/tlbRead/tlbWrite). */
export function tlbFill(set: usize, vaddr: u64, host: usize, frame: u32, level: u32): void {
  let idx = <u32>(vaddr >> 12) & TLB_MASK;
  let e = set + (<usize>idx << TLB_ENTRY_SHIFT);
  let vpage = vaddr & ~<u64>0xfff;
  let n = <u32>((set - tlbArea) / SET_BYTES);
  if (load<u64>(e) == INVALID) logEntry(logBase(n), LOG_CAP, idx);
  store<u64>(e, vpage);
  store<u64>(e, <u64>host - vpage, 8);
  store<u32>(frameOf(e), frame);
  let isWrite = set >= setBase(KIND_WRITE * 3);
  if (fillUser) {
    let ul = userLog(n);
    if (ul != 0) logEntry(ul, USER_CAP, idx);
  }
  setFlags(frame, flagsOf(frame) | (isWrite ? FF_MAPPED | FF_WMAPPED : FF_MAPPED));
  if (level == 1) {
    let region = vaddr >> 21;
    let slot = superRegions + (<usize>(<u32>region & (SUPER_SLOTS - 1)) << 3);
    let cur = load<u64>(slot);
    // Two regions in one slot: the table can no longer tell, so flushes become total.
    if (cur != 0 && cur != region + 1) superOverflow = true;
    store<u64>(slot, region + 1);
  } else if (level >= 2) {
    gigaCached = true;
  }
}
