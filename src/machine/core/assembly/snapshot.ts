// Hart state as bytes (save/restore) and the machine state hash. The blob is versioned,
// little-endian, one u64 per field in a fixed order, then x, f and PMP registers; frames
// are exported separately by the embedding (snapshot format lives in TypeScript).

import * as st from "./state";
import { fflags } from "./softfloat";
import { nframes, frameHostOf, ioBuffer, readHost, zeroPage } from "./memory";
import { tlbFlushAll, tlbSelect } from "./tlb";
import { invalidateAllCode } from "./decodecache";
import { timersChanged, updateTimerLines } from "./timer";

export const STATE_VERSION: u32 = 1;
const FIELDS: u32 = 37;
/** Size in bytes of the hart state blob. */
export const STATE_BYTES: u32 = 8 + FIELDS * 8 + 32 * 8 + 32 * 8 + 72 * 8;

/** Writes the hart state into the I/O buffer; returns its size. */
export function saveState(): u32 {
  // Timer lines derive from the clock: bring them up to date so equal states save equally.
  updateTimerLines();
  let p = ioBuffer;
  store<u32>(p, 0x54524148); // "HART"
  store<u32>(p, STATE_VERSION, 4);
  p += 8;
  store<u64>(p, st.pc); p += 8;
  store<u64>(p, st.priv); p += 8;
  store<u64>(p, st.mstatus); p += 8;
  store<u64>(p, st.medeleg); p += 8;
  store<u64>(p, st.mideleg); p += 8;
  store<u64>(p, st.mie); p += 8;
  store<u64>(p, st.mipSw); p += 8;
  store<u64>(p, st.mipHw); p += 8;
  store<u64>(p, st.mtvec); p += 8;
  store<u64>(p, st.mscratch); p += 8;
  store<u64>(p, st.mepc); p += 8;
  store<u64>(p, st.mcause); p += 8;
  store<u64>(p, st.mtval); p += 8;
  store<u64>(p, st.mcounteren); p += 8;
  store<u64>(p, st.mcountinhibit); p += 8;
  store<u64>(p, st.menvcfg); p += 8;
  store<u64>(p, st.stvec); p += 8;
  store<u64>(p, st.sscratch); p += 8;
  store<u64>(p, st.sepc); p += 8;
  store<u64>(p, st.scause); p += 8;
  store<u64>(p, st.stval); p += 8;
  store<u64>(p, st.scounteren); p += 8;
  store<u64>(p, st.senvcfg); p += 8;
  store<u64>(p, st.satp); p += 8;
  store<u64>(p, st.stimecmp); p += 8;
  store<u64>(p, st.frm); p += 8;
  store<u64>(p, fflags); p += 8;
  store<u64>(p, st.mhartid); p += 8;
  store<u64>(p, st.clock); p += 8;
  store<u64>(p, st.instret); p += 8;
  store<u64>(p, st.cycleOffset); p += 8;
  store<u64>(p, st.instretOffset); p += 8;
  store<u64>(p, st.cyclesPerTick); p += 8;
  store<u64>(p, st.mtimecmp); p += 8;
  store<u64>(p, st.reservation); p += 8;
  store<u64>(p, st.waiting ? 1 : 0); p += 8;
  store<u64>(p, st.sbiHosted ? 1 : 0); p += 8;
  memory.copy(p, st.XREGS, 32 * 8); p += 32 * 8;
  memory.copy(p, st.FREGS, 32 * 8); p += 32 * 8;
  memory.copy(p, st.PMP, 72 * 8); p += 72 * 8;
  return <u32>(p - ioBuffer);
}

/** Restores the hart state from the I/O buffer; returns false if the blob is not ours. */
export function loadState(size: u32): bool {
  let p = ioBuffer;
  if (size != STATE_BYTES || load<u32>(p) != 0x54524148 || load<u32>(p, 4) != STATE_VERSION) return false;
  p += 8;
  st.pc = load<u64>(p); p += 8;
  let pv = <u32>load<u64>(p); p += 8;
  st.priv = pv == 0 || pv == 1 ? pv : st.PRIV_M;
  st.mstatus = load<u64>(p); p += 8;
  st.medeleg = load<u64>(p); p += 8;
  st.mideleg = load<u64>(p); p += 8;
  st.mie = load<u64>(p); p += 8;
  st.mipSw = load<u64>(p); p += 8;
  st.mipHw = load<u64>(p); p += 8;
  st.mtvec = load<u64>(p); p += 8;
  st.mscratch = load<u64>(p); p += 8;
  st.mepc = load<u64>(p); p += 8;
  st.mcause = load<u64>(p); p += 8;
  st.mtval = load<u64>(p); p += 8;
  st.mcounteren = <u32>load<u64>(p); p += 8;
  st.mcountinhibit = <u32>load<u64>(p); p += 8;
  st.menvcfg = load<u64>(p); p += 8;
  st.stvec = load<u64>(p); p += 8;
  st.sscratch = load<u64>(p); p += 8;
  st.sepc = load<u64>(p); p += 8;
  st.scause = load<u64>(p); p += 8;
  st.stval = load<u64>(p); p += 8;
  st.scounteren = <u32>load<u64>(p); p += 8;
  st.senvcfg = load<u64>(p); p += 8;
  st.satp = load<u64>(p); p += 8;
  st.stimecmp = load<u64>(p); p += 8;
  st.frm = <u32>load<u64>(p) & 7; p += 8;
  fflags = <u32>load<u64>(p) & 31; p += 8;
  st.mhartid = load<u64>(p); p += 8;
  st.clock = load<u64>(p); p += 8;
  st.instret = load<u64>(p); p += 8;
  st.cycleOffset = load<u64>(p); p += 8;
  st.instretOffset = load<u64>(p); p += 8;
  let cpt = load<u64>(p); p += 8;
  st.cyclesPerTick = cpt == 0 ? 1 : cpt;
  st.mtimecmp = load<u64>(p); p += 8;
  st.reservation = load<u64>(p); p += 8;
  st.waiting = load<u64>(p) != 0; p += 8;
  st.sbiHosted = load<u64>(p) != 0; p += 8;
  memory.copy(st.XREGS, p, 32 * 8); p += 32 * 8;
  store<u64>(st.XREGS, 0);
  memory.copy(st.FREGS, p, 32 * 8); p += 32 * 8;
  memory.copy(st.PMP, p, 72 * 8); p += 72 * 8;
  st.excCause = st.EXC_NONE;
  tlbFlushAll();
  tlbSelect();
  invalidateAllCode();
  timersChanged();
  return true;
}

@inline function mix(h: u64, v: u64): u64 {
  h ^= v;
  h *= 0x100000001b3;
  return h ^ (h >> 29);
}

/**
 * 64-bit hash of the hart state and of every non-zero RAM frame (with its index). Lazy
 * frames are faulted in first, so a lazy restore hashes like an eager one.
 */
export function stateHash(): u64 {
  let n = saveState();
  let h: u64 = 0xcbf29ce484222325;
  for (let i: u32 = 0; i < n; i += 8) h = mix(h, load<u64>(ioBuffer + i));
  for (let f: u32 = 0; f < nframes; f++) {
    let fh = frameHostOf(f);
    if (fh == 0) fh = readHost(f);
    if (fh == 0 || fh == zeroPage) continue;
    let nz = false;
    for (let i: usize = 0; i < 4096; i += 8) if (load<u64>(fh + i) != 0) { nz = true; break; }
    if (!nz) continue;
    h = mix(h, 0x4652414d00000000 | <u64>f);
    for (let i: usize = 0; i < 4096; i += 8) h = mix(h, load<u64>(fh + i));
  }
  return h;
}
