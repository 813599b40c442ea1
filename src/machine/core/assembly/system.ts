// SYSTEM and MISC-MEM instructions: Zicsr, ECALL/EBREAK, MRET/SRET, WFI, SFENCE.VMA,
// FENCE and FENCE.I, with the privilege rules of priv spec §3.1.6.5 (TVM, TW, TSR).
// Operates on the global pc, which the interpreter syncs before calling.

import * as ops from "./ops";
import {
  pc, priv, mstatus, xget, xset, raise, waiting, sbiHosted, stopRequest,
  PRIV_M, PRIV_S, PRIV_U, MSTATUS_TVM, MSTATUS_TW, MSTATUS_TSR,
  EXC_ILLEGAL, EXC_BREAKPOINT, EXC_ECALL_U, EXC_ECALL_S, EXC_ECALL_M,
} from "./state";
import { csrRead, csrWrite, csrOk } from "./csr";
import { doMret, doSret, mipValue } from "./trap";
import { mie } from "./state";
import { tlbFlushTranslated, tlbFlushPage } from "./tlb";

export const SYS_DONE: u32 = 0;
export const SYS_EXCEPTION: u32 = 1;
/** Completed; leave the block so interrupts and translation are re-evaluated. */
export const SYS_EXIT: u32 = 2;
/** Completed; stop the run (host call or WFI); stopRequest says which. */
export const SYS_STOP: u32 = 3;

export const STOP_BUDGET: u32 = 0;
export const STOP_WFI: u32 = 1;
export const STOP_HALT: u32 = 2;
export const STOP_HOSTCALL: u32 = 3;
export const STOP_OOM: u32 = 4;

/**
 * Executes one SYSTEM/fence instruction of length len at pc. Illegal-instruction traps
 * carry tval 0 here; exec.ts fills in the instruction bits.
 */
export function execSystem(op: u32, w: u32, imm: i32, len: u32): u32 {
  let rd = (w >> 8) & 0x3f;
  let r1 = (w >> 14) & 0x1f;
  switch (op) {
    case ops.OP_CSRRW: case ops.OP_CSRRS: case ops.OP_CSRRC:
    case ops.OP_CSRRWI: case ops.OP_CSRRSI: case ops.OP_CSRRCI: {
      let csr = <u32>imm & 0xfff;
      let isImm = op >= ops.OP_CSRRWI;
      let src: u64 = isImm ? <u64>r1 : xget(r1);
      let kind = isImm ? op - ops.OP_CSRRWI : op - ops.OP_CSRRW; // 0 W, 1 S, 2 C
      let writes = kind == 0 || r1 != 0;
      if (writes && (csr >> 10) == 3) { raise(EXC_ILLEGAL, 0); return SYS_EXCEPTION; }
      let old = csrRead(csr);
      if (!csrOk) { raise(EXC_ILLEGAL, 0); return SYS_EXCEPTION; }
      if (writes) {
        let v = kind == 0 ? src : kind == 1 ? old | src : old & ~src;
        csrWrite(csr, v);
        if (!csrOk) { raise(EXC_ILLEGAL, 0); return SYS_EXCEPTION; }
      }
      xset(rd, old);
      pc += len;
      return SYS_EXIT;
    }
    case ops.OP_ECALL: {
      if (priv == PRIV_S && sbiHosted) {
        pc += len;
        stopRequest = STOP_HOSTCALL;
        return SYS_STOP;
      }
      raise(priv == PRIV_U ? EXC_ECALL_U : priv == PRIV_S ? EXC_ECALL_S : EXC_ECALL_M, 0);
      return SYS_EXCEPTION;
    }
    case ops.OP_EBREAK:
      // mtval may be 0 or the pc (priv spec §3.1.16); 0 as QEMU writes it.
      raise(EXC_BREAKPOINT, 0);
      return SYS_EXCEPTION;
    case ops.OP_MRET:
      if (priv != PRIV_M) { raise(EXC_ILLEGAL, 0); return SYS_EXCEPTION; }
      doMret();
      return SYS_EXIT;
    case ops.OP_SRET:
      if (priv == PRIV_U || (priv == PRIV_S && (mstatus & MSTATUS_TSR) != 0)) {
        raise(EXC_ILLEGAL, 0); return SYS_EXCEPTION;
      }
      doSret();
      return SYS_EXIT;
    case ops.OP_WFI:
      // As QEMU: illegal in U-mode, and in S-mode when mstatus.TW is set.
      if (priv == PRIV_U || (priv == PRIV_S && (mstatus & MSTATUS_TW) != 0)) {
        raise(EXC_ILLEGAL, 0); return SYS_EXCEPTION;
      }
      pc += len;
      if ((mipValue() & mie) == 0) {
        waiting = true;
        stopRequest = STOP_WFI;
        return SYS_STOP;
      }
      return SYS_EXIT;
    case ops.OP_SFENCE_VMA:
      if (priv == PRIV_U || (priv == PRIV_S && (mstatus & MSTATUS_TVM) != 0)) {
        raise(EXC_ILLEGAL, 0); return SYS_EXCEPTION;
      }
      if (r1 == 0) tlbFlushTranslated(); else tlbFlushPage(xget(r1));
      pc += len;
      return SYS_EXIT;
    case ops.OP_FENCE:
      pc += len;
      return SYS_DONE;
    case ops.OP_FENCE_I:
      // Stores to code pages already drop their decoded code (decodecache.ts).
      pc += len;
      return SYS_EXIT;
  }
  raise(EXC_ILLEGAL, 0);
  return SYS_EXCEPTION;
}
