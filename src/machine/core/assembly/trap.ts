// Trap entry (exceptions and interrupts, with medeleg/mideleg delegation to S-mode),
// interrupt selection in the spec's priority order, and MRET/SRET (priv spec §3.1.6.1,
// §3.1.9, §3.3.2).

import {
  pc, priv, mstatus, medeleg, mideleg, mie, mipSw, mipHw, mtvec, mepc, mcause, mtval,
  stvec, sepc, scause, stval, reservation, waiting, clock, sbiHosted, stopRequest,
  PRIV_M, PRIV_S, PRIV_U,
  MSTATUS_SIE, MSTATUS_MIE, MSTATUS_SPIE, MSTATUS_MPIE, MSTATUS_SPP, MSTATUS_MPP,
  MSTATUS_MPP_SHIFT, MSTATUS_MPRV,
} from "./state";
import { tlbSelect } from "./tlb";

const INTERRUPT: u64 = <u64>1 << 63;
/** Stop reason: a trap had no handler (hosted SBI, trap into M-mode). */
export const STOP_FATAL: u32 = 5;
export let fatalCause: u64 = 0;
export let fatalTval: u64 = 0;
export let fatalPc: u64 = 0;

/** Enters the trap handler for cause (bit 63 set for interrupts) raised at epc. */
export function takeTrap(cause: u64, tval: u64, epc: u64): void {
  let isIrq = (cause & INTERRUPT) != 0;
  let code = cause & 63;
  let deleg = isIrq ? mideleg : medeleg;
  // Traps are never delegated away from M-mode, and never to a lower level.
  if (priv <= PRIV_S && ((deleg >> code) & 1) != 0) {
    scause = cause;
    sepc = epc;
    stval = tval;
    let s = mstatus;
    s = (s & ~MSTATUS_SPIE) | ((s & MSTATUS_SIE) != 0 ? MSTATUS_SPIE : 0);
    s = (s & ~MSTATUS_SPP) | (priv == PRIV_S ? MSTATUS_SPP : 0);
    s &= ~MSTATUS_SIE;
    mstatus = s;
    priv = PRIV_S;
    let base = stvec & ~<u64>3;
    pc = isIrq && (stvec & 3) == 1 ? base + (code << 2) : base;
  } else {
    // With the SBI hosted, nothing runs in M-mode: a trap that would enter it stops the
    // machine (the embedding reports it) instead of spinning at mtvec.
    if (sbiHosted) {
      stopRequest = STOP_FATAL;
      fatalCause = cause;
      fatalTval = tval;
      fatalPc = epc;
      return;
    }
    mcause = cause;
    mepc = epc;
    mtval = tval;
    let s = mstatus;
    s = (s & ~MSTATUS_MPIE) | ((s & MSTATUS_MIE) != 0 ? MSTATUS_MPIE : 0);
    s = (s & ~MSTATUS_MPP) | (<u64>priv << MSTATUS_MPP_SHIFT);
    s &= ~MSTATUS_MIE;
    mstatus = s;
    priv = PRIV_M;
    let base = mtvec & ~<u64>3;
    pc = isIrq && (mtvec & 3) == 1 ? base + (code << 2) : base;
  }
  // A trap costs a cycle: a guest that only traps still spends its budget.
  clock++;
  tlbSelect();
}

// Priority order of priv spec §3.1.9: MEI, MSI, MTI, SEI, SSI, STI.
@inline function highest(bits: u64): i32 {
  if (bits & (1 << 11)) return 11;
  if (bits & (1 << 3)) return 3;
  if (bits & (1 << 7)) return 7;
  if (bits & (1 << 9)) return 9;
  if (bits & (1 << 1)) return 1;
  if (bits & (1 << 5)) return 5;
  return -1;
}

@inline export function mipValue(): u64 {
  return mipSw | mipHw;
}

/** The interrupt that would be taken now, or -1. */
export function pendingInterrupt(): i32 {
  let pending = mipValue() & mie;
  if (pending == 0) return -1;
  // M-level interrupts: enabled below M, or in M with MIE.
  let mEnabled = priv < PRIV_M || (mstatus & MSTATUS_MIE) != 0;
  let mPending = pending & ~mideleg;
  if (mEnabled && mPending != 0) return highest(mPending);
  // Delegated interrupts: enabled below S, or in S with SIE; never in M.
  let sEnabled = priv < PRIV_S || (priv == PRIV_S && (mstatus & MSTATUS_SIE) != 0);
  let sPending = pending & mideleg;
  if (sEnabled && sPending != 0) return highest(sPending);
  return -1;
}

/** Takes the highest-priority enabled pending interrupt, if any. */
export function checkInterrupts(): bool {
  let irq = pendingInterrupt();
  if (irq < 0) return false;
  waiting = false;
  takeTrap(INTERRUPT | <u64>irq, 0, pc);
  return true;
}

/** MRET: back to mstatus.MPP with MIE restored. */
export function doMret(): void {
  let s = mstatus;
  let pp = <u32>((s & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT);
  s = (s & ~MSTATUS_MIE) | ((s & MSTATUS_MPIE) != 0 ? MSTATUS_MIE : 0);
  s |= MSTATUS_MPIE;
  s &= ~MSTATUS_MPP; // least-privileged mode (U)
  if (pp != PRIV_M) s &= ~MSTATUS_MPRV;
  mstatus = s;
  priv = pp;
  pc = mepc;
  reservation = -1;
  tlbSelect();
}

/** SRET: back to sstatus.SPP with SIE restored. */
export function doSret(): void {
  let s = mstatus;
  let pp = (s & MSTATUS_SPP) != 0 ? PRIV_S : PRIV_U;
  s = (s & ~MSTATUS_SIE) | ((s & MSTATUS_SPIE) != 0 ? MSTATUS_SIE : 0);
  s |= MSTATUS_SPIE;
  s &= ~MSTATUS_SPP;
  s &= ~MSTATUS_MPRV;
  mstatus = s;
  priv = pp;
  pc = sepc;
  reservation = -1;
  tlbSelect();
}
