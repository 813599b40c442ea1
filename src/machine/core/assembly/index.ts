// The hart module's exports: what the TypeScript wrapper (src/machine/core/hart.ts) sees.
// Linear memory is the host's (arena.ts): static data below __heap_base, then 64 KiB units
// the host hands out (alloc): frame tables, I/O and fault buffers, the zero page, TLBs,
// then decode slots and guest frames on demand.

import * as st from "./state";
import * as mem from "./memory";
import { tlbInit, tlbFlushAll, tlbSelect, tlbFlushWrites } from "./tlb";
import { decodeCacheInit, slotFills } from "./decodecache";
import { csrRead, csrWrite, csrOk } from "./csr";
import { timersChanged, nextTimerClock, updateTimerLines } from "./timer";
import { touchFrameForWrite, watchLog, ensureWatchLog, watchCount, watchVaLo, watchVaSize } from "./mmu";
import { fatalCause, fatalTval, fatalPc } from "./trap";

export { run } from "./exec";
export { saveState, loadState, stateHash, STATE_BYTES } from "./snapshot";
export { addRegion, mmioFault, setFrameLimit, setClintBase, releaseFrame, reclaimZeroFrames } from "./memory";
export { setPc, setSbiHosted, setHartId } from "./state";

/** Sets the privilege level (U 0, S 1, M 3) and selects its TLB sets. */
export function setPriv(v: u32): void {
  st.priv = v == 0 || v == 1 ? v : st.PRIV_M;
  tlbSelect();
}

let initialised = false;

/** Sets up a machine with ramBytes of RAM at 0x8000_0000 and `slots` decoded-code pages. */
export function init(ramBytes: u64, slots: u32): bool {
  if (initialised) return false;
  initialised = true;
  if (!mem.memInit(ramBytes)) return false;
  tlbInit();
  decodeCacheInit(slots);
  return true;
}

export function xregs(): usize { return st.XREGS; }
export function fregs(): usize { return st.FREGS; }
export function ioBuffer(): usize { return mem.ioBuffer; }
export function ioBufferSize(): u32 { return mem.IO_BUFFER_SIZE; }
export function getPc(): u64 { return st.pc; }
export function getPriv(): u32 { return st.priv; }
export function getClock(): u64 { return st.clock; }
export function getInstret(): u64 { return st.instret; }
export function getMtime(): u64 { return mem.mtime(); }
export function isWaiting(): bool { return st.waiting; }
export function framesInUse(): u32 { return mem.framesInUse; }
export function frameCount(): u32 { return mem.nframes; }
export function decodeSlotFills(): u64 { return slotFills; }
/** End of the static data: what the host saves and restores when harts share a memory. */
export function staticEnd(): usize { return __heap_base; }
/** Frames mapped to the host's shared copies. */
export function sharedFrames(): u32 { return mem.sharedCount; }

/** Sets cycles per mtime tick (the nominal instruction rate is 10 MHz × this). */
export function setCyclesPerTick(v: u64): void {
  st.setCyclesPerTick(v);
  timersChanged();
}

/** Cycle of the next timer interrupt (for idle skips), or all ones when none is armed. */
export function nextDeadline(): u64 { return nextTimerClock(); }

/** Idle skip: advances virtual time by `cycles` (the host logs it as an event). */
export function advanceClock(cycles: u64): void {
  st.clock += cycles;
  updateTimerLines();
}

/** CSR access for the host (SBI implementation, debugging), bypassing privilege checks. */
export function hostCsrRead(csr: u32): u64 {
  let saved = st.priv;
  st.priv = st.PRIV_M;
  let v = csrRead(csr);
  st.priv = saved;
  return v;
}
export function hostCsrWrite(csr: u32, v: u64): bool {
  let saved = st.priv;
  st.priv = st.PRIV_M;
  csrWrite(csr, v);
  st.priv = saved;
  tlbSelect();
  return csrOk;
}

/** Drives an interrupt line (mip bit: 9 SEIP or 11 MEIP from the PLIC, 3 MSIP, 1 SSIP). */
export function setInterrupt(bit: u32, level: bool): void {
  let m = <u64>1 << bit;
  if (bit == 1) { if (level) st.mipSw |= m; else st.mipSw &= ~m; return; }
  if (level) st.mipHw |= m; else st.mipHw &= ~m;
}

/** Copies len bytes of guest RAM at paddr into the I/O buffer; false if not all RAM. */
export function dmaRead(paddr: u64, len: u32): bool {
  if (len > mem.IO_BUFFER_SIZE || !ramRange(paddr, len)) return false;
  let done: u32 = 0;
  while (done < len) {
    let a = paddr + done;
    let f = <u32>((a - mem.RAM_BASE) >> 12);
    let off = <u32>a & 0xfff;
    let n = min(4096 - off, len - done);
    let h = mem.readHost(f);
    if (h == 0) return false;
    memory.copy(mem.ioBuffer + done, h + off, n);
    done += n;
  }
  return true;
}

/** Copies len bytes from the I/O buffer into guest RAM at paddr; false if not all RAM or out of memory. */
export function dmaWrite(paddr: u64, len: u32): bool {
  if (len > mem.IO_BUFFER_SIZE || !ramRange(paddr, len)) return false;
  let done: u32 = 0;
  while (done < len) {
    let a = paddr + done;
    let f = <u32>((a - mem.RAM_BASE) >> 12);
    let off = <u32>a & 0xfff;
    let n = min(4096 - off, len - done);
    let h = touchFrameForWrite(f);
    if (h == 0) return false;
    memory.copy(h + off, mem.ioBuffer + done, n);
    done += n;
  }
  return true;
}

function ramRange(paddr: u64, len: u32): bool {
  return paddr >= mem.RAM_BASE && paddr - mem.RAM_BASE <= mem.ramSize && <u64>len <= mem.ramSize - (paddr - mem.RAM_BASE);
}

/** Host offset of frame f's bytes, or 0 when absent or lazy (never faults). */
export function framePtr(f: u32): usize {
  return f < mem.nframes ? mem.frameHostOf(f) : 0;
}
/**
 * Allocates frame f for the host to overwrite whole (restore); returns its host offset or
 * 0. A lazy frame stops being lazy without being fetched.
 */
export function frameForWrite(f: u32): usize {
  if (f >= mem.nframes) return 0;
  mem.unmarkLazy(f);
  return touchFrameForWrite(f);
}

// ---- Lazy frames: absent frames whose bytes the host supplies on first touch ----------

/** The 4 KiB buffer the host fills in its frameFault import. */
export function faultBuffer(): usize { return mem.faultBuffer; }

/**
 * Marks frames lazy from a byte map in the I/O buffer: byte i nonzero marks frame
 * first + i (a resident frame's contents are dropped). Returns the frames covered.
 */
export function markLazy(first: u32, count: u32): u32 {
  if (first >= mem.nframes) return 0;
  let n = min(min(mem.nframes - first, count), mem.IO_BUFFER_SIZE);
  for (let i: u32 = 0; i < n; i++) {
    if (load<u8>(mem.ioBuffer + i) != 0) mem.markLazy(first + i);
  }
  return n;
}
export function isLazy(f: u32): bool {
  return f < mem.nframes && (mem.flagsOf(f) & mem.FF_LAZY) != 0;
}
export function lazyFrames(): u32 { return mem.lazyCount; }

/**
 * Dirty harvest: writes one byte per frame (1 = written since the last harvest) into the
 * I/O buffer starting at frame `first` (up to the buffer size), clears those dirty bits
 * and flushes the write TLBs so the next write to each page marks it again. Returns the
 * number of frames covered.
 */
export function harvestDirty(first: u32): u32 {
  if (first >= mem.nframes) return 0;
  let n = min(mem.nframes - first, mem.IO_BUFFER_SIZE);
  for (let i: u32 = 0; i < n; i++) {
    let f = first + i;
    let fl = mem.flagsOf(f);
    store<u8>(mem.ioBuffer + i, fl & mem.FF_DIRTY);
    if (fl & mem.FF_DIRTY) mem.setFlags(f, fl & ~mem.FF_DIRTY);
  }
  tlbFlushWrites();
  return n;
}

/** After restoring frames and state: re-derive timer levels and forget cached translations. */
export function resync(): void {
  tlbFlushAll();
  tlbSelect();
  timersChanged();
}

/** The trap that stopped a hosted machine (STOP_FATAL): cause, tval, pc. */
export function fatalInfo(i: u32): u64 {
  return i == 0 ? fatalCause : i == 1 ? fatalTval : fatalPc;
}

/** Drops every cached translation (SBI remote fences on the only hart). */
export function flushTlb(): void {
  tlbFlushAll();
}


/** Debugging: log stores to frame f (watchLog/watchCount read the log). */
export function watchFrame(f: u32, on: bool): void {
  if (f >= mem.nframes) return;
  ensureWatchLog();
  let fl = mem.flagsOf(f);
  mem.setFlags(f, on ? fl | mem.FF_WATCH : fl & ~mem.FF_WATCH);
  tlbFlushAll();
}
export function watchLogPtr(): usize { return watchLog; }
export function watchLogCount(): u32 { return watchCount; }
export function watchVa(lo: u64, size: u64): void {
  ensureWatchLog();
  watchVaLo = lo;
  watchVaSize = size;
  tlbFlushAll();
}
