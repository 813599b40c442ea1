// Guest physical memory: RAM as 4 KiB frames allocated on first write from a pool in
// linear memory (untouched RAM reads as zero and costs nothing), per-frame flags (dirty,
// holds decoded code, overlaid by a device, lazy), MMIO regions that leave wasm through an
// imported host function, and the CLINT registers the hart owns. Every physical access
// is bounds-checked: an address that is neither RAM nor a device is an access fault.
// Lazy frames (restore, clones) are absent frames whose bytes the host supplies on first
// touch (hostFrameFault); only the slow paths that meet an absent frame test the flag.
// Linear memory belongs to the host (src/machine/core/arena.ts): the core takes 64 KiB
// units from it (hostAlloc) and may share it with other harts. The host may also map a
// lazy frame to a shared read-only frame it holds (a clone's snapshot frames): such a
// frame is FF_SHARED, never written in place, and copied on the first write.

import {
  clock, cyclesPerTick, mtimecmp, mipHw, MIP_MSIP, MIP_MTIP, stopRequest, exitBlock,
} from "./state";

@external("host", "mmioRead")
declare function hostMmioRead(id: i32, offset: u64, size: u32): u64;
/** Returns 0, or 1 = stop the run after this instruction, or 2 = access fault. */
@external("host", "mmioWrite")
declare function hostMmioWrite(id: i32, offset: u64, size: u32, value: u64): u32;
/**
 * Lazy frame f is needed: the host writes its 4096 bytes into faultBuffer and returns 1,
 * returns 0 when the frame reads as zero, 2 when it cannot supply it (the frame stays
 * lazy and the access fails as EXC_HOST_OOM, so the run stops before the instruction),
 * or the offset (a multiple of 4096, never below 64 KiB) of a shared read-only copy of
 * the frame's bytes that stays valid while this hart lives.
 */
@external("host", "frameFault")
declare function hostFrameFault(f: u32): u32;
/** `bytes` (a multiple of 64 KiB) of zeroed memory at a 64 KiB-aligned offset, or 0 when refused. */
@external("host", "alloc")
declare function hostAlloc(bytes: u32): u32;

export const RAM_BASE: u64 = 0x80000000;
export const PAGE_SIZE: u32 = 4096;

export const FF_DIRTY: u8 = 1;
/** The frame has a decoded-instruction slot: writes must go through the slow path. */
export const FF_CODE: u8 = 2;
/** A device region overlays part of the frame: never cached in a TLB. */
export const FF_IO: u8 = 4;
/** Some TLB entry may map the frame (tlbForgetFrame scans only then). */
export const FF_MAPPED: u8 = 8;
/** Some write-TLB entry may map the frame. */
export const FF_WMAPPED: u8 = 16;
/** Debugging: stores to the frame are logged (and so never cached in a write TLB). */
export const FF_WATCH: u8 = 32;
/** Absent, and its bytes come from the host on first touch (never set on a resident frame). */
export const FF_LAZY: u8 = 64;
/** Resident in a host-owned shared frame: read-only here, copied on the first write. */
export const FF_SHARED: u8 = 128;

export let ramSize: u64 = 0;
export let nframes: u32 = 0;
/** u32 per frame: host offset of the frame's bytes, 0 while absent (reads as zero). */
export let frameHost: usize = 0;
/** u8 per frame: FF_* flags. */
export let frameFlags: usize = 0;
/** u32 per frame: host offset of the frame's decoded code (decodecache.ts), 0 when none. */
export let frameSlot: usize = 0;
/** 4 KiB of zeros that absent frames read through. */
export let zeroPage: usize = 0;
/** Host buffer the embedding uses to pass bytes in and out (DMA, snapshots). */
export let ioBuffer: usize = 0;
export const IO_BUFFER_SIZE: u32 = 1 << 16;
/** 4 KiB the host fills on a lazy fault (not ioBuffer: a fault can happen mid-DMA). */
export let faultBuffer: usize = 0;
/** Frames flagged FF_LAZY. */
export let lazyCount: u32 = 0;

/** The unit being carved (heapTop..heapEnd) and the frames given back. */
let heapTop: usize = 0;
let heapEnd: usize = 0;
let freeList: usize = 0;
export let framesInUse: u32 = 0;
export let frameLimit: u32 = 0xffffffff;

// MMIO regions registered by the host.
const MAX_REGIONS: i32 = 32;
const REGION_BASE: usize = memory.data(MAX_REGIONS * 8, 8);
const REGION_SIZE: usize = memory.data(MAX_REGIONS * 8, 8);
const REGION_ID: usize = memory.data(MAX_REGIONS * 4, 4);
let regionCount: i32 = 0;
export const REGION_CLINT: i32 = -2;
let clintBase: u64 = 0x2000000;
const CLINT_SIZE: u64 = 0x10000;

/**
 * Carves `bytes` aligned to `align` from the current unit, or from new units the host
 * gives (the rest of the old unit is left unused); 0 when the host refuses.
 */
function carve(bytes: usize, align: usize): usize {
  let p = (heapTop + align - 1) & ~(align - 1);
  if (heapTop == 0 || p + bytes > heapEnd) {
    let n = (bytes + 0xffff) & ~(<usize>0xffff);
    let q = <usize>hostAlloc(<u32>n);
    if (q == 0) return 0;
    p = q;
    heapEnd = q + n;
  }
  heapTop = p + bytes;
  return p;
}

/** Lays out the memory tables; must run once before anything else. False when memory is refused. */
export function memInit(ramBytes: u64): bool {
  ramSize = ramBytes & ~(<u64>PAGE_SIZE - 1);
  nframes = <u32>(ramSize >> 12);
  let flagBytes = (<usize>nframes + 63) & ~(<usize>63);
  let p = carve(<usize>nframes * 8 + flagBytes + IO_BUFFER_SIZE + 2 * PAGE_SIZE, PAGE_SIZE);
  if (p == 0) return false;
  zeroPage = p; p += PAGE_SIZE;
  faultBuffer = p; p += PAGE_SIZE;
  ioBuffer = p; p += IO_BUFFER_SIZE;
  frameHost = p; p += <usize>nframes * 4;
  frameSlot = p; p += <usize>nframes * 4;
  frameFlags = p;
  return true;
}

/** Reserves bytes (4 KiB-aligned) for the core's own tables; traps when memory is refused. */
export function reserve(bytes: usize): usize {
  let p = carve(bytes, PAGE_SIZE);
  if (p == 0) unreachable();
  return p;
}

export function setFrameLimit(n: u32): void { frameLimit = n; }
export function setClintBase(b: u64): void { clintBase = b; }

@inline export function frameHostOf(f: u32): usize {
  return <usize>load<u32>(frameHost + (<usize>f << 2));
}
@inline export function flagsOf(f: u32): u8 {
  return load<u8>(frameFlags + <usize>f);
}
@inline export function setFlags(f: u32, v: u8): void {
  store<u8>(frameFlags + <usize>f, v);
}

/** True when paddr is in RAM. */
@inline export function isRam(paddr: u64): bool {
  return paddr - RAM_BASE < ramSize;
}

/** Takes a frame from the free list or the heap (zeroed); 0 when memory is exhausted. */
function takeFrame(): usize {
  let h: usize;
  if (freeList != 0) {
    h = freeList;
    freeList = <usize>load<u32>(h);
    memory.fill(h, 0, PAGE_SIZE);
  } else {
    h = carve(PAGE_SIZE, PAGE_SIZE);
  }
  return h;
}

@inline function install(f: u32, h: usize): void {
  store<u32>(frameHost + (<usize>f << 2), <u32>h);
  framesInUse++;
}

/** The frame for writing: allocated (zeroed, or faulted in when lazy) or copied when shared; its host offset, or 0 when memory is exhausted. */
export function allocFrame(f: u32): usize {
  let h = frameHostOf(f);
  if (h != 0) return (flagsOf(f) & FF_SHARED) == 0 ? h : unshare(f, h);
  if ((flagsOf(f) & FF_LAZY) != 0) {
    h = faultIn(f);
    return h != 0 && (flagsOf(f) & FF_SHARED) != 0 ? unshare(f, h) : h;
  }
  if (framesInUse >= frameLimit) return 0;
  h = takeFrame();
  if (h != 0) install(f, h);
  return h;
}

/**
 * Brings lazy frame f in from the host: maps the host's shared copy, or allocates a frame
 * (outside the frame limit: it was within the source's) and copies the host's bytes, and
 * clears FF_LAZY. Not dirty: it equals its base until written. Returns 0 when memory is
 * exhausted or the host could not supply it; the frame then stays lazy and the current
 * run is asked to stop.
 */
function faultIn(f: u32): usize {
  let r = hostFrameFault(f);
  if (r >= 0x10000) {
    let h = <usize>r;
    install(f, h);
    setFlags(f, (flagsOf(f) & ~FF_LAZY) | FF_SHARED);
    lazyCount--;
    sharedCount++;
    return h;
  }
  if (r <= 1) {
    let h = takeFrame();
    if (h != 0) {
      if (r == 1) memory.copy(h, faultBuffer, PAGE_SIZE);
      install(f, h);
      setFlags(f, flagsOf(f) & ~FF_LAZY);
      lazyCount--;
      return h;
    }
  }
  stopRequest = STOP_OOM;
  exitBlock = true;
  return 0;
}

/** Frames mapped to the host's shared copies. */
export let sharedCount: u32 = 0;

/**
 * The first write to shared frame f (at h): gives it a private copy. Cached translations
 * and decoded code of the shared copy are forgotten (the copy will differ). Returns the
 * copy, or 0 when memory is exhausted (the frame stays shared).
 */
function unshare(f: u32, h: usize): usize {
  let p = takeFrame();
  if (p == 0) return 0;
  memory.copy(p, h, PAGE_SIZE);
  if ((flagsOf(f) & FF_CODE) != 0) invalidateCode(f);
  tlbForgetFrame(f);
  store<u32>(frameHost + (<usize>f << 2), <u32>p);
  setFlags(f, flagsOf(f) & ~FF_SHARED);
  sharedCount--;
  return p;
}

/** Reading an absent frame: the zero page, or the lazy frame faulted in (0 if that failed). */
function absentHost(f: u32): usize {
  return (flagsOf(f) & FF_LAZY) != 0 ? faultIn(f) : zeroPage;
}

/** Marks frame f lazy: drops its contents if resident; it then equals its base (not dirty). */
export function markLazy(f: u32): void {
  let fl = flagsOf(f);
  if ((fl & FF_LAZY) != 0) return;
  dropFrame(f);
  setFlags(f, (flagsOf(f) & ~FF_DIRTY) | FF_LAZY);
  lazyCount++;
}

/** Frame f will be overwritten whole by the host (restore): it stops being lazy, unfetched. */
export function unmarkLazy(f: u32): void {
  let fl = flagsOf(f);
  if ((fl & FF_LAZY) == 0) return;
  setFlags(f, fl & ~FF_LAZY);
  lazyCount--;
}

import { tlbForgetFrame } from "./tlb";
import { invalidateCode } from "./decodecache";
import { timersChanged } from "./timer";
import { STOP_OOM } from "./system";

/** Frees a resident frame's bytes and forgets cached translations and decoded code. */
function dropFrame(f: u32): void {
  if ((flagsOf(f) & FF_CODE) != 0) invalidateCode(f);
  let h = frameHostOf(f);
  if (h == 0) return;
  tlbForgetFrame(f);
  store<u32>(frameHost + (<usize>f << 2), 0);
  let fl = flagsOf(f);
  if ((fl & FF_SHARED) != 0) {
    setFlags(f, fl & ~FF_SHARED);
    sharedCount--;
  } else {
    store<u32>(h, <u32>freeList);
    freeList = h;
  }
  framesInUse--;
}

/**
 * Drops a frame's contents (balloon inflate, zero-page dedup): it reads as zero again,
 * lazy or not. Marked dirty when that changed it, so incremental checkpoints record it.
 */
export function releaseFrame(f: u32): void {
  let fl = flagsOf(f);
  if (frameHostOf(f) == 0 && (fl & FF_LAZY) == 0) return;
  if ((fl & FF_LAZY) != 0) lazyCount--;
  dropFrame(f);
  setFlags(f, (flagsOf(f) & ~FF_LAZY) | FF_DIRTY);
}

/**
 * Zero-page reclaim (what vSphere's page sharing does for zero pages): every private
 * resident frame whose bytes are all zero is dropped with releaseFrame, so it reads as zero
 * again and costs nothing until written. Guests zero far more memory than they use (Linux
 * zeroes pages on allocation and keeps tens of MiB of zeroed reservations). Shared frames
 * (not ours to free) and frames under a device region are left alone. Nothing the guest can
 * observe changes, and stateHash skips zero frames, so hashes are unchanged. Returns the
 * number of frames dropped.
 */
export function reclaimZeroFrames(): u32 {
  let n: u32 = 0;
  for (let f: u32 = 0; f < nframes; f++) {
    let h = frameHostOf(f);
    if (h == 0 || (flagsOf(f) & (FF_SHARED | FF_IO)) != 0) continue;
    let zero = true;
    for (let i: usize = 0; i < PAGE_SIZE; i += 16) {
      if ((load<u64>(h + i) | load<u64>(h + i, 8)) != 0) { zero = false; break; }
    }
    if (!zero) continue;
    releaseFrame(f);
    n++;
  }
  return n;
}

/**
 * Host offset for reading a RAM frame: the zero page when absent, the frame's bytes after
 * a fault when lazy, 0 when that fault failed (callers raise EXC_HOST_OOM).
 */
@inline export function readHost(f: u32): usize {
  let h = frameHostOf(f);
  return h != 0 ? h : absentHost(f);
}

// ---- MMIO regions ---------------------------------------------------------------------

/** Registers a device region [base, base+size) under the host's id; returns its index or -1. */
export function addRegion(base: u64, size: u64, id: i32): i32 {
  if (regionCount >= MAX_REGIONS) return -1;
  let i = regionCount++;
  store<u64>(REGION_BASE + (<usize>i << 3), base);
  store<u64>(REGION_SIZE + (<usize>i << 3), size);
  store<i32>(REGION_ID + (<usize>i << 2), id);
  // Frames of RAM that a region overlays (e.g. riscv-tests tohost) are never TLB-cached.
  let a = base & ~(<u64>0xfff);
  while (a < base + size) {
    if (isRam(a)) {
      let f = <u32>((a - RAM_BASE) >> 12);
      setFlags(f, flagsOf(f) | FF_IO);
    }
    a += PAGE_SIZE;
  }
  return i;
}

/** Finds the region holding [paddr, paddr+size): its index, REGION_CLINT, or -1. */
export function findRegion(paddr: u64, size: u32): i32 {
  for (let i = 0; i < regionCount; i++) {
    let b = load<u64>(REGION_BASE + (<usize>i << 3));
    let s = load<u64>(REGION_SIZE + (<usize>i << 3));
    if (paddr - b < s && paddr - b + size <= s) return i;
  }
  if (paddr - clintBase < CLINT_SIZE && paddr - clintBase + size <= CLINT_SIZE) return REGION_CLINT;
  return -1;
}

let mmioFaultFlag: bool = false;
/** Called by the host during mmioRead to signal an access fault. */
export function mmioFault(): void { mmioFaultFlag = true; }

/** Reads a device register; sets *faulted on an access fault. */
export function mmioRead(region: i32, paddr: u64, size: u32): u64 {
  if (region == REGION_CLINT) return clintRead(paddr - clintBase, size);
  let b = load<u64>(REGION_BASE + (<usize>region << 3));
  let id = load<i32>(REGION_ID + (<usize>region << 2));
  mmioFaultFlag = false;
  let v = hostMmioRead(id, paddr - b, size);
  exitBlock = true;
  return v;
}
@inline export function mmioFaulted(): bool { return mmioFaultFlag; }

/** Writes a device register; returns false on an access fault. */
export function mmioWrite(region: i32, paddr: u64, size: u32, value: u64): bool {
  exitBlock = true;
  if (region == REGION_CLINT) { clintWrite(paddr - clintBase, size, value); return true; }
  let b = load<u64>(REGION_BASE + (<usize>region << 3));
  let id = load<i32>(REGION_ID + (<usize>region << 2));
  let r = hostMmioWrite(id, paddr - b, size, value);
  if (r & 2) return false;
  if (r & 1) stopRequest = 2;
  return true;
}

// ---- CLINT (SiFive layout, as on QEMU virt): msip +0, mtimecmp +0x4000, mtime +0xbff8 ----

@inline export function mtime(): u64 {
  return clock / cyclesPerTick;
}

function clintRead(off: u64, size: u32): u64 {
  let v: u64 = 0;
  let base: u64 = 0;
  if (off < 4) { v = (mipHw & MIP_MSIP) != 0 ? 1 : 0; base = 0; }
  else if (off >= 0x4000 && off < 0x4008) { v = mtimecmp; base = 0x4000; }
  else if (off >= 0xbff8 && off < 0xc000) { v = mtime(); base = 0xbff8; }
  else return 0;
  let sh = (off - base) << 3;
  v = v >> sh;
  if (size < 8) v &= (<u64>1 << (<u64>size << 3)) - 1;
  return v;
}

function merge(old: u64, off: u64, size: u32, value: u64): u64 {
  if (size == 8) return value;
  let sh = off << 3;
  let m = ((<u64>1 << (<u64>size << 3)) - 1) << sh;
  return (old & ~m) | ((value << sh) & m);
}

function clintWrite(off: u64, size: u32, value: u64): void {
  if (off < 4) {
    if (value & 1) mipHw |= MIP_MSIP; else mipHw &= ~MIP_MSIP;
  } else if (off >= 0x4000 && off < 0x4008) {
    mtimecmp = merge(mtimecmp, off - 0x4000, size, value);
    timersChanged();
  }
  // mtime is read-only here: time is virtual and derives from the clock.
}

