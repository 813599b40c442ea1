// Control and status registers (priv spec §2, §3.1, §4.1; F spec §11.2; Zicntr; Sstc):
// access checks by privilege and read-only ranges, WARL legalisation of written values,
// and the side effects of writes (TLB re-selection and flushes, timer level updates).

import {
  priv, mstatus, medeleg, mideleg, mie, mipSw, mipHw, mtvec, mscratch, mepc, mcause, mtval,
  mcounteren, mcountinhibit, menvcfg, stvec, sscratch, sepc, scause, stval, scounteren,
  senvcfg, satp, stimecmp, frm, mhartid, clock, instret, cycleOffset, instretOffset, PMP,
  PRIV_M, PRIV_S, PRIV_U, MSTATUS_FS, MSTATUS_SD, MSTATUS_TVM, MSTATUS_MPRV, MSTATUS_MPP,
  MSTATUS_SUM, MSTATUS_MXR, MSTATUS_MPP_SHIFT, MIP_STIP,
} from "./state";
import { fflags } from "./softfloat";
import { mtime } from "./memory";
import { timersChanged } from "./timer";
import { tlbSelect, tlbFlushTranslated, tlbFlushData, tlbForgetUserData } from "./tlb";

/** misa: RV64 with A, C, D, F, I, M, S, U. */
export const MISA: u64 = (<u64>2 << 62) | (1 << 0) | (1 << 2) | (1 << 3) | (1 << 5) | (1 << 8) | (1 << 12) | (1 << 18) | (1 << 20);

const MSTATUS_WMASK: u64 = 0x7e79aa; // SIE MIE SPIE MPIE SPP MPP FS MPRV SUM MXR TVM TW TSR
const SSTATUS_MASK: u64 = 0x80000003000de762; // SIE SPIE UBE SPP VS FS XS SUM MXR UXL SD
const SSTATUS_WMASK: u64 = 0xc6122; // SIE SPIE SPP FS SUM MXR
const MEDELEG_MASK: u64 = 0xb3ff;
const MIDELEG_MASK: u64 = 0x222;
const MIE_MASK: u64 = 0xaaa;
const MENVCFG_STCE: u64 = <u64>1 << 63;

/** Whether this CSR read/write succeeded; false means illegal instruction. */
export let csrOk: bool = true;

@inline function sstcEnabled(): bool {
  return (menvcfg & MENVCFG_STCE) != 0;
}

/** Counter CSRs (cycle, time, instret, hpmcounterN) are gated by mcounteren/scounteren. */
function counterAllowed(index: u32): bool {
  if (priv == PRIV_M) return true;
  if (((mcounteren >> index) & 1) == 0) return false;
  if (priv == PRIV_U && ((scounteren >> index) & 1) == 0) return false;
  return true;
}

function fixSd(s: u64): u64 {
  return (s & MSTATUS_FS) == MSTATUS_FS ? s | MSTATUS_SD : s & ~MSTATUS_SD;
}

/** Reads csr for a CSR instruction at the current privilege; clears csrOk if illegal. */
export function csrRead(csr: u32): u64 {
  csrOk = true;
  if (((csr >> 8) & 3) > priv) { csrOk = false; return 0; }
  switch (csr) {
    case 0x001: if (!fpOn()) break; return fflags;
    case 0x002: if (!fpOn()) break; return frm;
    case 0x003: if (!fpOn()) break; return (<u64>frm << 5) | fflags;
    case 0xc00: if (!counterAllowed(0)) break; return clock + cycleOffset;
    case 0xc01: if (!counterAllowed(1)) break; return mtime();
    case 0xc02: if (!counterAllowed(2)) break; return instret + instretOffset;
    case 0x100: return mstatus & SSTATUS_MASK;
    case 0x104: return mie & mideleg;
    case 0x105: return stvec;
    case 0x106: return scounteren;
    case 0x10a: return senvcfg;
    case 0x140: return sscratch;
    case 0x141: return sepc;
    case 0x142: return scause;
    case 0x143: return stval;
    case 0x144: return (mipSw | mipHw) & mideleg;
    case 0x14d:
      if (!sstcEnabled() || (priv == PRIV_S && (mcounteren & 2) == 0)) break;
      return stimecmp;
    case 0x180:
      if (priv == PRIV_S && (mstatus & MSTATUS_TVM) != 0) break;
      return satp;
    case 0xf11: case 0xf12: case 0xf13: case 0xf15: return 0;
    case 0xf14: return mhartid;
    case 0x300: return mstatus;
    case 0x301: return MISA;
    case 0x302: return medeleg;
    case 0x303: return mideleg;
    case 0x304: return mie;
    case 0x305: return mtvec;
    case 0x306: return mcounteren;
    case 0x30a: return menvcfg;
    case 0x320: return mcountinhibit;
    case 0x340: return mscratch;
    case 0x341: return mepc;
    case 0x342: return mcause;
    case 0x343: return mtval;
    case 0x344: return mipSw | mipHw;
    case 0xb00: return clock + cycleOffset;
    case 0xb02: return instret + instretOffset;
    default: {
      // hpmcounter3..31 (read-only zero, gated), mhpmcounter3..31, mhpmevent3..31, PMP.
      if (csr >= 0xc03 && csr <= 0xc1f) { if (!counterAllowed(csr - 0xc00)) break; return 0; }
      if (csr >= 0xb03 && csr <= 0xb1f) return 0;
      if (csr >= 0x323 && csr <= 0x33f) return 0;
      if (csr >= 0x3a0 && csr <= 0x3af) {
        if (csr & 1) break; // odd pmpcfg registers do not exist on RV64
        return load<u64>(PMP + (<usize>((csr - 0x3a0) >> 1) << 3));
      }
      if (csr >= 0x3b0 && csr <= 0x3ef) return load<u64>(PMP + 64 + (<usize>(csr - 0x3b0) << 3));
    }
  }
  csrOk = false;
  return 0;
}

@inline function fpOn(): bool {
  return (mstatus & MSTATUS_FS) != 0;
}

/** Writes csr (already known readable); clears csrOk if the write is illegal. */
export function csrWrite(csr: u32, v: u64): void {
  csrOk = true;
  if ((csr >> 10) == 3) { csrOk = false; return; }
  switch (csr) {
    case 0x001: fflags = <u32>v & 0x1f; mstatus = fixSd(mstatus | MSTATUS_FS); return;
    case 0x002: frm = <u32>v & 7; mstatus = fixSd(mstatus | MSTATUS_FS); return;
    case 0x003: fflags = <u32>v & 0x1f; frm = <u32>(v >> 5) & 7; mstatus = fixSd(mstatus | MSTATUS_FS); return;
    case 0x100: writeMstatus((mstatus & ~SSTATUS_WMASK) | (v & SSTATUS_WMASK)); return;
    case 0x104: mie = (mie & ~mideleg) | (v & mideleg & MIE_MASK); return;
    case 0x105: if ((v & 3) < 2) stvec = v; return;
    case 0x106: scounteren = <u32>v; return;
    case 0x10a: senvcfg = v & 1; return;
    case 0x140: sscratch = v; return;
    case 0x141: sepc = v & ~<u64>1; return;
    case 0x142: scause = v & 0x800000000000003f; return;
    case 0x143: stval = v; return;
    case 0x144: {
      // Only SSIP is writable through sip, and only when delegated.
      let m = mideleg & 2;
      mipSw = (mipSw & ~m) | (v & m);
      return;
    }
    case 0x14d: stimecmp = v; timersChanged(); return;
    case 0x180: {
      let mode = v >> 60;
      if (mode != 0 && mode != 8) return; // unsupported modes: the write has no effect
      satp = v; // MODE, 16 ASID bits (kept; the TLB is flushed on every write), PPN
      tlbFlushTranslated();
      return;
    }
    case 0x300: writeMstatus(v); return;
    case 0x301: return; // misa is read-only here
    case 0x302: medeleg = v & MEDELEG_MASK; return;
    case 0x303: mideleg = v & MIDELEG_MASK; return;
    case 0x304: mie = v & MIE_MASK; return;
    case 0x305: if ((v & 3) < 2) mtvec = v; return;
    case 0x306: mcounteren = <u32>v; return;
    case 0x30a: {
      menvcfg = v & (MENVCFG_STCE | 1);
      if (!sstcEnabled()) mipHw &= ~MIP_STIP;
      timersChanged();
      return;
    }
    case 0x320: mcountinhibit = <u32>v & ~2; return;
    case 0x340: mscratch = v; return;
    case 0x341: mepc = v & ~<u64>1; return;
    case 0x342: mcause = v & 0x800000000000003f; return;
    case 0x343: mtval = v; return;
    case 0x344: {
      // SSIP, SEIP and (without Sstc) STIP are writable by M-mode.
      let m: u64 = sstcEnabled() ? 0x202 : 0x222;
      mipSw = (mipSw & ~m) | (v & m);
      return;
    }
    case 0xb00: cycleOffset = v - clock; return;
    case 0xb02: instretOffset = v - instret; return;
    default: {
      if (csr >= 0xb03 && csr <= 0xb1f) return;
      if (csr >= 0x323 && csr <= 0x33f) return;
      if (csr >= 0x3a0 && csr <= 0x3af) {
        store<u64>(PMP + (<usize>((csr - 0x3a0) >> 1) << 3), v);
        return;
      }
      if (csr >= 0x3b0 && csr <= 0x3ef) {
        store<u64>(PMP + 64 + (<usize>(csr - 0x3b0) << 3), v & 0x003fffffffffffff);
        return;
      }
    }
  }
  csrOk = false;
}

function writeMstatus(v: u64): void {
  let old = mstatus;
  let n = (old & ~MSTATUS_WMASK) | (v & MSTATUS_WMASK);
  // MPP = 2 is reserved: keep the previous value (WARL).
  if (((n & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT) == 2) n = (n & ~MSTATUS_MPP) | (old & MSTATUS_MPP);
  mstatus = fixSd(n);
  let changed = old ^ mstatus;
  // Clearing MXR or SUM takes rights away from cached data entries; setting them only adds.
  if ((changed & old & MSTATUS_MXR) != 0) tlbFlushData();
  else if ((changed & old & MSTATUS_SUM) != 0) tlbForgetUserData();
  if ((changed & (MSTATUS_MPRV | MSTATUS_MPP)) != 0) tlbSelect();
}

/** Marks the FP state dirty (any instruction that writes an f register or fflags). */
@inline export function markFsDirty(): void {
  mstatus |= MSTATUS_FS | MSTATUS_SD;
}
