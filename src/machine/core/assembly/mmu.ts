// Address translation (Sv39 and bare, priv spec §4.3-4.4) and the slow paths of guest
// virtual memory access: TLB misses, misaligned and page-crossing accesses, MMIO, frame
// allocation on first write, dirty marking and decoded-code invalidation. Every path that
// meets an absent frame goes through readHost/allocFrame, which fault lazy frames in; a
// failed fault raises EXC_HOST_OOM so the run stops before the instruction retires.

import {
  pc, priv, mstatus, satp, raise, exitBlock, stopRequest,
  PRIV_M, PRIV_S, PRIV_U, MSTATUS_MPRV, MSTATUS_MPP, MSTATUS_MPP_SHIFT, MSTATUS_SUM, MSTATUS_MXR,
  EXC_INSN_PAGE, EXC_LOAD_PAGE, EXC_STORE_PAGE, EXC_INSN_ACCESS, EXC_LOAD_ACCESS, EXC_STORE_ACCESS,
  EXC_HOST_OOM, excCause, EXC_NONE,
} from "./state";
import {
  RAM_BASE, isRam, readHost, allocFrame, flagsOf, setFlags, FF_DIRTY, FF_CODE, FF_IO,
  findRegion, mmioRead, mmioWrite, mmioFaulted, frameHostOf, FF_WATCH, reserve,
} from "./memory";
import { tlbRead, tlbWrite, tlbFetch, tlbFill, frameOf, NO_FRAME, TLB_MASK, TLB_ENTRY_SHIFT, fillUser } from "./tlb";
import { invalidateCode, storeHitsCode } from "./decodecache";

export const ACC_READ: u32 = 0;
export const ACC_WRITE: u32 = 1;
export const ACC_FETCH: u32 = 2;

const PTE_V: u64 = 1;
const PTE_R: u64 = 2;
const PTE_W: u64 = 4;
const PTE_X: u64 = 8;
const PTE_U: u64 = 16;
const PTE_A: u64 = 64;
const PTE_D: u64 = 128;

/** Level of the last leaf translate() found: 0 for 4 KiB, 1 for 2 MiB, 2 for 1 GiB. */
let lastLevel: u32 = 0;

@inline function pageFault(acc: u32): u32 {
  return acc == ACC_FETCH ? EXC_INSN_PAGE : acc == ACC_WRITE ? EXC_STORE_PAGE : EXC_LOAD_PAGE;
}
@inline export function accessFault(acc: u32): u32 {
  return acc == ACC_FETCH ? EXC_INSN_ACCESS : acc == ACC_WRITE ? EXC_STORE_ACCESS : EXC_LOAD_ACCESS;
}

/** Effective privilege of data accesses (MPRV applies MPP in M-mode). */
@inline export function dataPriv(): u32 {
  if (priv == PRIV_M && (mstatus & MSTATUS_MPRV) != 0) return <u32>((mstatus & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT);
  return priv;
}

/** Marks a RAM frame written by someone other than the write TLB (walker, DMA, slow path). */
export function touchFrameForWrite(f: u32): usize {
  let h = allocFrame(f);
  if (h == 0) return 0;
  let fl = flagsOf(f);
  if (fl & FF_CODE) { invalidateCode(f); fl = flagsOf(f); }
  setFlags(f, fl | FF_DIRTY);
  return h;
}

/**
 * Translates vaddr for an access at privilege p. Returns the physical address, or
 * raises the page/access fault and returns 0xffff_ffff_ffff_ffff.
 */
export function translate(vaddr: u64, acc: u32, p: u32): u64 {
  lastLevel = 0;
  fillUser = false;
  let mode = satp >> 60;
  if (p == PRIV_M || mode == 0) return vaddr;
  // Sv39: bits 63..39 must all equal bit 38.
  if (<u64>((<i64>(vaddr << 25)) >> 25) != vaddr) { raise(pageFault(acc), vaddr); return -1; }
  let a = (satp & 0xfffffffffff) << 12;
  let level: i32 = 2;
  let pte: u64 = 0;
  let pteAddr: u64 = 0;
  while (true) {
    let vpn = (vaddr >> (12 + 9 * <u64>level)) & 0x1ff;
    pteAddr = a + (vpn << 3);
    if (!isRam(pteAddr)) { raise(accessFault(acc), vaddr); return -1; }
    let f = <u32>((pteAddr - RAM_BASE) >> 12);
    let ph = readHost(f);
    if (ph == 0) { raise(EXC_HOST_OOM, vaddr); return -1; }
    pte = load<u64>(ph + <usize>(pteAddr & 0xfff));
    if ((pte & PTE_V) == 0 || ((pte & PTE_R) == 0 && (pte & PTE_W) != 0) || (pte >> 54) != 0) {
      raise(pageFault(acc), vaddr); return -1;
    }
    if ((pte & (PTE_R | PTE_X)) != 0) break;
    level--;
    if (level < 0) { raise(pageFault(acc), vaddr); return -1; }
    a = ((pte >> 10) & 0xfffffffffff) << 12;
  }
  // Leaf: permission checks.
  let ok: bool;
  if (acc == ACC_FETCH) ok = (pte & PTE_X) != 0;
  else if (acc == ACC_WRITE) ok = (pte & PTE_W) != 0;
  else ok = (pte & PTE_R) != 0 || ((mstatus & MSTATUS_MXR) != 0 && (pte & PTE_X) != 0);
  if (ok) {
    if (p == PRIV_U) ok = (pte & PTE_U) != 0;
    else if ((pte & PTE_U) != 0) ok = acc != ACC_FETCH && (mstatus & MSTATUS_SUM) != 0;
  }
  if (!ok) { raise(pageFault(acc), vaddr); return -1; }
  fillUser = (pte & PTE_U) != 0;
  let ppn = (pte >> 10) & 0xfffffffffff;
  if (level > 0) {
    let lowMask: u64 = (<u64>1 << (9 * <u64>level)) - 1;
    if ((ppn & lowMask) != 0) { raise(pageFault(acc), vaddr); return -1; }
    lastLevel = <u32>level;
  }
  // Accessed/dirty bits are set by the walker (hardware update, as QEMU does).
  let need = PTE_A | (acc == ACC_WRITE ? PTE_D : 0);
  if ((pte & need) != need) {
    let f = <u32>((pteAddr - RAM_BASE) >> 12);
    let h = touchFrameForWrite(f);
    if (h == 0) { raise(EXC_HOST_OOM, vaddr); return -1; }
    store<u64>(h + <usize>(pteAddr & 0xfff), pte | need);
  }
  let pageBits: u64 = 12 + 9 * <u64>level;
  let off = vaddr & ((<u64>1 << pageBits) - 1);
  return ((ppn << 12) & ~((<u64>1 << pageBits) - 1)) | off;
}

/**
 * Resolves a data access to a host offset and caches it in the TLB. Returns the host
 * offset of vaddr, 0 when the address is a device (mmioRegion and mmioPaddr are set),
 * or -1 after raising a fault.
 */
export let mmioRegion: i32 = -1;
export let mmioPaddr: u64 = 0;

function resolve(vaddr: u64, acc: u32, size: u32): isize {
  let p = acc == ACC_FETCH ? priv : dataPriv();
  let pa = translate(vaddr, acc, p);
  if (excCause != EXC_NONE) return -1;
  if (isRam(pa)) {
    let f = <u32>((pa - RAM_BASE) >> 12);
    let fl = flagsOf(f);
    if ((fl & FF_IO) != 0) {
      let r = findRegion(pa, size);
      if (r >= 0 || r == -2) { mmioRegion = r; mmioPaddr = pa; return 0; }
    }
    let h: usize;
    if (acc == ACC_WRITE) {
      // A store into a code page's bytes that hold no decoded instruction keeps the
      // page's decoded code (and keeps the page out of the write TLB).
      if ((fl & FF_CODE) != 0 && !storeHitsCode(f, <u32>pa & 0xfff, size)) {
        h = allocFrame(f);
        if (h == 0) { raise(EXC_HOST_OOM, vaddr); return -1; }
        setFlags(f, flagsOf(f) | FF_DIRTY);
      } else {
        h = touchFrameForWrite(f);
        if (h == 0) { raise(EXC_HOST_OOM, vaddr); return -1; }
      }
      if ((fl & FF_WATCH) != 0 || vaddr - watchVaLo < watchVaSize) logWatch(vaddr, pa);
      else if ((flagsOf(f) & (FF_IO | FF_CODE)) == 0) tlbFill(tlbWrite, vaddr, h, f, lastLevel);
    } else {
      // Absent frames read as zero through the slow path; they are cached once allocated
      // (a lazy frame is allocated by readHost's fault).
      h = readHost(f);
      if (h == 0) { raise(EXC_HOST_OOM, vaddr); return -1; }
      if ((fl & FF_IO) == 0 && frameHostOf(f) != 0) tlbFill(acc == ACC_FETCH ? tlbFetch : tlbRead, vaddr, h, f, lastLevel);
    }
    return <isize>(h + <usize>(pa & 0xfff));
  }
  let r = findRegion(pa, size);
  if (r == -1 || acc == ACC_FETCH) { raise(accessFault(acc), vaddr); return -1; }
  mmioRegion = r;
  mmioPaddr = pa;
  return 0;
}

// Debugging aid: stores to watched frames are recorded as (pc, vaddr, paddr) triples.
// The log (4096 entries) is reserved when watching starts (index.ts).
export let watchLog: usize = 0;
export function ensureWatchLog(): void {
  if (watchLog == 0) watchLog = reserve(4096 * 24);
}
export let watchCount: u32 = 0;
export let watchVaLo: u64 = 0;
export let watchVaSize: u64 = 0;
function logWatch(vaddr: u64, pa: u64): void {
  let e = watchLog + <usize>(watchCount & 4095) * 24;
  store<u64>(e, pc);
  store<u64>(e, vaddr, 8);
  store<u64>(e, pa, 16);
  watchCount++;
}

/** Load of 1, 2, 4 or 8 bytes (zero-extended) that missed the TLB fast path. */
export function loadSlow(vaddr: u64, size: u32): u64 {
  let pageOff = <u32>vaddr & 0xfff;
  if (pageOff + (size & 0xff) > 4096) {
    // Crosses a page: both pages must translate before anything is read.
    let first = 4096 - pageOff;
    let lo = loadSlow(vaddr, 0x100 | first);
    if (excCause != EXC_NONE) return 0;
    let hi = loadSlow(vaddr + first, 0x100 | (size - first));
    if (excCause != EXC_NONE) return 0;
    return lo | (hi << (<u64>first << 3));
  }
  let bytes = size & 0xff;
  let h = resolve(vaddr, ACC_READ, bytes);
  if (h < 0) return 0;
  if (h == 0) {
    if ((vaddr & (<u64>bytes - 1)) != 0 || (size & 0x100) != 0) { raise(EXC_LOAD_ACCESS, vaddr); return 0; }
    let v = mmioRead(mmioRegion, mmioPaddr, bytes);
    if (mmioFaulted()) { raise(EXC_LOAD_ACCESS, vaddr); return 0; }
    return v;
  }
  return readBytes(<usize>h, bytes);
}

@inline function readBytes(h: usize, n: u32): u64 {
  if (n == 8) return load<u64>(h);
  if (n == 4) return <u64>load<u32>(h);
  if (n == 2) return <u64>load<u16>(h);
  if (n == 1) return <u64>load<u8>(h);
  let v: u64 = 0;
  for (let i: u32 = 0; i < n; i++) v |= <u64>load<u8>(h + i) << (<u64>i << 3);
  return v;
}

@inline function writeBytes(h: usize, n: u32, v: u64): void {
  if (n == 8) store<u64>(h, v);
  else if (n == 4) store<u32>(h, <u32>v);
  else if (n == 2) store<u16>(h, <u16>v);
  else if (n == 1) store<u8>(h, <u8>v);
  else for (let i: u32 = 0; i < n; i++) store<u8>(h + i, <u8>(v >> (<u64>i << 3)));
}

/** Store of 1, 2, 4 or 8 bytes that missed the TLB fast path. */
export function storeSlow(vaddr: u64, size: u32, value: u64): void {
  let pageOff = <u32>vaddr & 0xfff;
  if (pageOff + (size & 0xff) > 4096) {
    let first = 4096 - pageOff;
    // Translate the second page first so a fault there leaves memory untouched.
    let p = dataPriv();
    translate(vaddr + first, ACC_WRITE, p);
    if (excCause != EXC_NONE) return;
    storeSlow(vaddr, 0x100 | first, value);
    if (excCause != EXC_NONE) return;
    storeSlow(vaddr + first, 0x100 | (size - first), value >> (<u64>first << 3));
    return;
  }
  let bytes = size & 0xff;
  let h = resolve(vaddr, ACC_WRITE, bytes);
  if (h < 0) return;
  if (h == 0) {
    if ((vaddr & (<u64>bytes - 1)) != 0 || (size & 0x100) != 0) { raise(EXC_STORE_ACCESS, vaddr); return; }
    if (!mmioWrite(mmioRegion, mmioPaddr, bytes, value)) raise(EXC_STORE_ACCESS, vaddr);
    return;
  }
  writeBytes(<usize>h, bytes, value);
}

/**
 * Translates an atomic's address (LR, SC, AMO) to a host offset in RAM, with store
 * permission unless isLoad. Returns 0 after raising a fault. Sets amoPaddr.
 */
export let amoPaddr: u64 = 0;
export function atomicHost(vaddr: u64, isLoad: bool): usize {
  let acc = isLoad ? ACC_READ : ACC_WRITE;
  let pa = translate(vaddr, acc, dataPriv());
  if (excCause != EXC_NONE) return 0;
  if (!isRam(pa)) { raise(accessFault(acc), vaddr); return 0; }
  amoPaddr = pa;
  let f = <u32>((pa - RAM_BASE) >> 12);
  if (isLoad) {
    let rh = readHost(f);
    if (rh == 0) { raise(EXC_HOST_OOM, vaddr); return 0; }
    return rh + <usize>(pa & 0xfff);
  }
  let h = touchFrameForWrite(f);
  if (h == 0) { raise(EXC_HOST_OOM, vaddr); return 0; }
  return h + <usize>(pa & 0xfff);
}

/**
 * Translates pc's page for instruction fetch. Returns the physical frame index, or
 * NO_FRAME after raising a fault (instruction page fault, or access fault off RAM). A lazy
 * frame is faulted in here, so the caller's readHost finds it resident.
 */
export function fetchFrame(vaddr: u64): u32 {
  let e = tlbFetch + (<usize>(<u32>(vaddr >> 12) & TLB_MASK) << TLB_ENTRY_SHIFT);
  if (load<u64>(e) == (vaddr & ~<u64>0xfff)) return load<u32>(frameOf(e));
  let pa = translate(vaddr, ACC_FETCH, priv);
  if (excCause != EXC_NONE) return NO_FRAME;
  if (!isRam(pa)) { raise(EXC_INSN_ACCESS, vaddr); return NO_FRAME; }
  let f = <u32>((pa - RAM_BASE) >> 12);
  let h = readHost(f);
  if (h == 0) { raise(EXC_HOST_OOM, vaddr); return NO_FRAME; }
  if (frameHostOf(f) != 0) tlbFill(tlbFetch, vaddr, h, f, lastLevel);
  return f;
}
