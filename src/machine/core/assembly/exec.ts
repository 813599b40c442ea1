// run(budget): executes until the budget of cycles is spent, the hart waits in WFI, a
// device asks to halt, or S-mode calls the hosted SBI. Each turn of the loop takes a
// pending exception or interrupt, updates timer levels, translates pc's page, then lets
// the fast interpreter (interp.ts) run a block bounded by the next timer deadline, so timer
// interrupts land on an exact cycle. An instruction the fast interpreter hands back runs
// here, through the general paths (execOne).

import * as ops from "./ops";
import {
  pc, clock, instret, excCause, excTval, EXC_NONE, EXC_HOST_OOM, EXC_ILLEGAL, raise, exitBlock,
  stopRequest, waiting, mie, mipSw, mipHw, xget, xset, fget,
} from "./state";
import { takeTrap, checkInterrupts } from "./trap";
import { NO_FRAME, tlbFetch, frameOf, TLB_MASK, TLB_ENTRY_SHIFT } from "./tlb";
import { fetchFrame } from "./mmu";
import { readHost } from "./memory";
import { updateTimerLines, nextTimerClock } from "./timer";
import { slotFor, crossSlot } from "./decodecache";
import { decode } from "./decode";
import { fuseAround, baseOp } from "./fuse";
import { twinOf } from "./twins";
import { execSystem, SYS_EXCEPTION, SYS_DONE, STOP_BUDGET, STOP_WFI, STOP_OOM } from "./system";
import { execFp, fastFp } from "./fp";
import { execAtomic } from "./atomic";
import { vload, vstore } from "./vmem";
import { interp, interpFp, EXIT_SLOW, blockPc, blockCount } from "./interp";

/**
 * Decodes raw bits into a cache entry; illegal entries carry the raw bits for mtval, and a
 * 2-byte instruction's op is its twin (twins.ts).
 */
@inline function decodeEntry(raw: u32): u64 {
  let d = decode(raw);
  if ((<u32>d & 0xff) == ops.OP_ILLEGAL) d = (d & 0xffffffff) | (<u64>raw << 32);
  return twinOf(d, (raw & 3) != 3);
}

/** Raw bits of the page-straddling instruction being executed from crossSlot. */
let crossRaw: u32 = 0;

/** Runs for at most budget cycles; returns a STOP_* reason. */
export function run(budget: u64): u32 {
  let end = clock + budget;
  if (end < clock) end = 0xffffffffffffffff;
  stopRequest = 0;
  while (true) {
    if (excCause != EXC_NONE) {
      let c = excCause;
      excCause = EXC_NONE;
      if (c == EXC_HOST_OOM) return STOP_OOM;
      takeTrap(<u64>c, excTval, pc);
    }
    if (stopRequest != 0) {
      let r = stopRequest;
      stopRequest = 0;
      return r;
    }
    updateTimerLines();
    if (((mipSw | mipHw) & mie) != 0) {
      waiting = false;
      checkInterrupts();
    }
    if (waiting) return STOP_WFI;
    if (clock >= end) return STOP_BUDGET;
    let lim = end;
    let deadline = nextTimerClock();
    if (deadline < lim) lim = deadline;
    let maxk: i32 = lim - clock > 0x40000000 ? 0x40000000 : <i32>(lim - clock);
    if (maxk < 1) maxk = 1;

    // Translate pc's page for fetch and find its decoded code.
    let p = pc;
    let f = fetchFrame(p);
    if (f == NO_FRAME) continue;
    let fh = readHost(f);
    let vbase = p & ~<u64>0xfff;
    let dbase: usize;
    let crossing = false;
    if ((<u32>p & 0xfff) == 0xffe && (load<u16>(fh + 0xffe) & 3) == 3) {
      // An instruction straddling two pages runs alone from a scratch slot.
      let f2 = fetchFrame(p + 2);
      if (f2 == NO_FRAME) continue;
      let raw = <u32>load<u16>(fh + 0xffe) | (<u32>load<u16>(readHost(f2)) << 16);
      dbase = crossSlot;
      store<u64>(crossSlot + 2047 * 8, decodeEntry(raw));
      crossRaw = raw;
      crossing = true;
      maxk = 1;
    } else {
      dbase = slotFor(f);
    }

    // Run blocks on this page. An instruction handed back by the fast interpreter runs
    // here; if it cannot have changed interrupt state (no CSR, no device access) and pc is
    // still on the page, the next block starts at once, without the checks above.
    let left = maxk;
    let fpMode = false;
    while (true) {
      let code = fpMode ? interpFp(dbase, vbase, pc, left) : interp(dbase, vbase, pc, left);
      let n = blockCount;
      clock += <u64>n;
      instret += <u64>n;
      pc = blockPc;
      left -= n;
      if (code != EXIT_SLOW) {
        // Left the page (a jump, or running off its end): nothing that could make an
        // interrupt pending or move a deadline ran since the checks above, so when the new
        // page's fetch translation is cached the next block starts there at once.
        if (left <= 0 || crossing || ((pc ^ vbase) >> 12) == 0) break;
        let te = tlbFetch + (<usize>(<u32>(pc >> 12) & TLB_MASK) << TLB_ENTRY_SHIFT);
        let np = pc & ~<u64>0xfff;
        if (load<u64>(te) != np) break;
        f = load<u32>(frameOf(te));
        fh = <usize>(np + load<u64>(te, 8));
        // An instruction straddling into the next page goes the general way.
        if ((<u32>pc & 0xfff) == 0xffe && (load<u16>(fh + 0xffe) & 3) == 3) break;
        vbase = np;
        dbase = slotFor(f);
        // As on entering a page from the outer loop: the lean variant until FP work shows up.
        fpMode = false;
        continue;
      }

      // The instruction at pc needs the general paths.
      let off = <u32>(pc - vbase);
      let ep = dbase + (<usize>off << 2);
      let w = load<u32>(ep);
      let imm = load<i32>(ep, 4);
      let op = baseOp(w & 0xff);
      if (op == ops.OP_NONE) {
        // First execution at this offset: decode it (the straddling case was handled above).
        let raw = <u32>load<u16>(fh + off);
        if ((raw & 3) == 3) {
          if (off == 0xffe) { store<u64>(ep, ops.OP_CROSS); break; }
          raw |= <u32>load<u16>(fh + off + 2) << 16;
        }
        store<u64>(ep, decodeEntry(raw));
        fuseAround(dbase, off);
        continue;
      }
      exitBlock = false;
      if (!execOne(op, w, imm)) {
        if (excCause == EXC_ILLEGAL) excTval = crossing ? crossRaw : rawBits(fh, off);
        break;
      }
      clock++;
      instret++;
      left--;
      // FP arithmetic handed back: continue this stretch with the FP variant.
      if (op >= ops.OP_FLW) fpMode = true;
      // Stores into decoded code drop the page's slot (exitBlock); system instructions
      // and device accesses may change what is pending: all go back to the outer loop.
      // (fflags/frm/fcsr accesses are the exception: they touch nothing else.)
      let system = op >= ops.OP_FENCE && op <= ops.OP_CSRRCI;
      if (system && op >= ops.OP_CSRRW) {
        // CSRRS/CSRRC (and their immediate forms) with x0 (or 0) only read the CSR.
        let writes = op == ops.OP_CSRRW || op == ops.OP_CSRRWI || ((w >> 14) & 0x1f) != 0;
        if (!writes || csrKeepsBlock(<u32>imm & 0xfff)) system = false;
      }
      if (exitBlock || left <= 0 || crossing || system) break;
      if (((pc ^ vbase) >> 12) != 0) break;
    }
  }
  return STOP_BUDGET;
}

/**
 * Whether the block may go on after a write to CSR `csr` (reads always may): a write that
 * cannot make an interrupt takeable, move a timer deadline or change pc's translation.
 * The FP CSRs qualify; so do the trap-handling scratch, epc, cause, tval, tvec and status
 * registers as long as no enabled interrupt is pending at all (then setting sstatus.SIE
 * cannot unmask one). satp, the interrupt enables and pending bits, the timer compare
 * registers and the rest go back to the outer loop's checks.
 */
@inline function csrKeepsBlock(csr: u32): bool {
  if (csr <= 3) return true; // fflags, frm, fcsr
  let quiet = csr == 0x100 || csr == 0x105 || (csr >= 0x140 && csr <= 0x143)
    || csr == 0x300 || csr == 0x305 || (csr >= 0x340 && csr <= 0x343);
  return quiet && ((mipSw | mipHw) & mie) == 0;
}

/** The instruction's raw bits (for mtval on illegal-instruction traps). */
function rawBits(fh: usize, off: u32): u32 {
  let lo = <u32>load<u16>(fh + off);
  if ((lo & 3) != 3 || off >= 0xffe) return lo;
  return lo | (<u32>load<u16>(fh + off + 2) << 16);
}

@inline function sext(v: u64, bytes: u32): u64 {
  let sh = <u64>(64 - (bytes << 3));
  return <u64>((<i64>(v << sh)) >> <i64>sh);
}

/**
 * Executes one instruction at pc through the general paths: loads and stores that missed
 * the TLB or touch devices, FP, atomics, system instructions, illegal encodings. Returns
 * true when it retired (pc advanced), false after raising an exception.
 */
function execOne(op: u32, w: u32, imm: i32): bool {
  let len: u64 = 4 - ((w >> 28) & 2);
  let rd = (w >> 8) & 0x3f;
  let a = xget((w >> 14) & 0x1f) + <u64><i64>imm;
  let v: u64 = 0;
  switch (op) {
    case ops.OP_LB: v = vload(a, 1); if (excCause != EXC_NONE) return false; xset(rd, sext(v, 1)); break;
    case ops.OP_LH: v = vload(a, 2); if (excCause != EXC_NONE) return false; xset(rd, sext(v, 2)); break;
    case ops.OP_LW: v = vload(a, 4); if (excCause != EXC_NONE) return false; xset(rd, sext(v, 4)); break;
    case ops.OP_LD: v = vload(a, 8); if (excCause != EXC_NONE) return false; xset(rd, v); break;
    case ops.OP_LBU: v = vload(a, 1); if (excCause != EXC_NONE) return false; xset(rd, v); break;
    case ops.OP_LHU: v = vload(a, 2); if (excCause != EXC_NONE) return false; xset(rd, v); break;
    case ops.OP_LWU: v = vload(a, 4); if (excCause != EXC_NONE) return false; xset(rd, v); break;
    case ops.OP_SB: vstore(a, 1, xget((w >> 19) & 0x1f)); if (excCause != EXC_NONE) return false; break;
    case ops.OP_SH: vstore(a, 2, xget((w >> 19) & 0x1f)); if (excCause != EXC_NONE) return false; break;
    case ops.OP_SW: vstore(a, 4, xget((w >> 19) & 0x1f)); if (excCause != EXC_NONE) return false; break;
    case ops.OP_SD: vstore(a, 8, xget((w >> 19) & 0x1f)); if (excCause != EXC_NONE) return false; break;
    case ops.OP_ILLEGAL: raise(EXC_ILLEGAL, <u64><u32>imm); return false;
    default: {
      if (op >= ops.OP_FLW) {
        // Common double-precision ops in round-to-nearest first (fastfp.ts).
        if (!fastFp(op, w, imm) && !execFp(op, w, imm)) return false;
      } else if (op >= ops.OP_LR_W) {
        if (!execAtomic(op, w)) return false;
      } else if (op >= ops.OP_FENCE && op <= ops.OP_CSRRCI) {
        // System instructions move pc themselves.
        return execSystem(op, w, imm, <u32>len) != SYS_EXCEPTION;
      } else {
        raise(EXC_ILLEGAL, 0);
        return false;
      }
    }
  }
  pc += len;
  return true;
}
