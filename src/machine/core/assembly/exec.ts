// The interpreter: run(budget) executes until the budget of cycles is spent, the hart
// waits in WFI, a device asks to halt, or S-mode calls the hosted SBI. The outer loop
// takes pending exceptions and interrupts, updates timer levels and translates pc's page;
// the inner loop executes decoded entries of one physical page without leaving wasm,
// bounded by the next timer deadline so timer interrupts land on an exact cycle.

import * as ops from "./ops";
import {
  XREGS, FREGS, mstatus, MSTATUS_FS, MSTATUS_SD, pc, clock, instret, excCause, excTval, EXC_NONE, EXC_HOST_OOM, EXC_ILLEGAL, raise,
  exitBlock, stopRequest, waiting, mie, mipSw, mipHw, mtimecmp, stimecmp, menvcfg, cyclesPerTick,
} from "./state";
import { takeTrap, checkInterrupts } from "./trap";
import { tlbRead, tlbWrite, NO_FRAME, TLB_MASK, TLB_ENTRY_SHIFT } from "./tlb";
import { loadSlow, storeSlow, fetchFrame } from "./mmu";
import { readHost } from "./memory";
import { updateTimerLines, nextTimerClock } from "./timer";
import { slotFor, crossSlot } from "./decodecache";
import { decode } from "./decode";
import { execSystem, SYS_EXCEPTION, SYS_DONE, SYS_STOP, STOP_BUDGET, STOP_WFI, STOP_OOM } from "./system";
import { execFp, fastFp } from "./fp";
import { execAtomic } from "./atomic";

/** Decodes raw bits into a cache entry; illegal entries carry the raw bits for mtval. */
@inline function decodeEntry(raw: u32): u64 {
  let d = decode(raw);
  if ((<u32>d & 0xff) == ops.OP_ILLEGAL) d = (d & 0xffffffff) | (<u64>raw << 32);
  return d;
}

@inline function xr(off: u32): u64 {
  return load<u64>(XREGS + <usize>off);
}
@inline function xw(off: u32, v: u64): void {
  store<u64>(XREGS + <usize>off, v);
}
// Field offsets (register index × 8) straight from an entry's first word.
@inline function RD(w: u32): u32 { return (w >> 5) & 0x1f8; }
@inline function RS1(w: u32): u32 { return (w >> 11) & 0xf8; }
@inline function RS2(w: u32): u32 { return (w >> 16) & 0xf8; }
@inline function sx32(v: u32): u64 { return <u64><i64><i32>v; }

function mulhu(a: u64, b: u64): u64 {
  let a0 = a & 0xffffffff, a1 = a >> 32, b0 = b & 0xffffffff, b1 = b >> 32;
  let p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  let mid = (p00 >> 32) + (p01 & 0xffffffff) + (p10 & 0xffffffff);
  return p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
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
    if (lim <= clock) lim = clock + 1;

    // Translate pc's page for fetch and find its decoded code.
    let p = pc;
    let f = fetchFrame(p);
    if (f == NO_FRAME) continue;
    let fh = readHost(f);
    let vbase = p & ~<u64>0xfff;
    let maxk = lim - clock;
    let dbase: usize;
    let off = <u32>(p - vbase);
    if (off == 0xffe && (load<u16>(fh + 0xffe) & 3) == 3) {
      // An instruction straddling two pages runs alone from a scratch slot.
      let f2 = fetchFrame(p + 2);
      if (f2 == NO_FRAME) continue;
      let raw = <u32>load<u16>(fh + 0xffe) | (<u32>load<u16>(readHost(f2)) << 16);
      dbase = crossSlot;
      store<u64>(crossSlot + 2047 * 8, decodeEntry(raw));
      crossRaw = raw;
      maxk = 1;
    } else {
      dbase = slotFor(f);
    }
    exitBlock = false;

    let k: u64 = 0;
    while (k < maxk) {
      let ep = dbase + (<usize>(p - vbase) << 2);
      let w = load<u32>(ep);
      let imm = load<i32>(ep, 4);
      let len: u64 = 4 - ((w >> 28) & 2);
      k++;
      switch (w & 0xff) {
        case ops.OP_NONE: {
          let o = <u32>(p - vbase);
          let raw = <u32>load<u16>(fh + o);
          if ((raw & 3) == 3) {
            if (o == 0xffe) { store<u64>(ep, ops.OP_CROSS); k--; break; }
            raw |= <u32>load<u16>(fh + o + 2) << 16;
          }
          store<u64>(ep, decodeEntry(raw));
          k--;
          break;
        }
        case ops.OP_PAGE_END:
        case ops.OP_CROSS: { k--; maxk = 0; break; }
        case ops.OP_ILLEGAL: { raise(EXC_ILLEGAL, <u64><u32>imm); k--; maxk = 0; break; }

        // ---- RV64I ----
        case ops.OP_LUI: { xw(RD(w), <u64><i64>imm); p += len; break; }
        case ops.OP_AUIPC: { xw(RD(w), p + <u64><i64>imm); p += len; break; }
        case ops.OP_JAL: {
          let t = p + <u64><i64>imm;
          xw(RD(w), p + len);
          if (((t ^ p) >> 12) != 0) maxk = 0;
          p = t;
          break;
        }
        case ops.OP_JALR: {
          let t = (xr(RS1(w)) + <u64><i64>imm) & ~<u64>1;
          xw(RD(w), p + len);
          if (((t ^ p) >> 12) != 0) maxk = 0;
          p = t;
          break;
        }
        case ops.OP_BEQ: {
          if (xr(RS1(w)) == xr(RS2(w))) { let t = p + <u64><i64>imm; if (((t ^ p) >> 12) != 0) maxk = 0; p = t; }
          else p += len;
          break;
        }
        case ops.OP_BNE: {
          if (xr(RS1(w)) != xr(RS2(w))) { let t = p + <u64><i64>imm; if (((t ^ p) >> 12) != 0) maxk = 0; p = t; }
          else p += len;
          break;
        }
        case ops.OP_BLT: {
          if (<i64>xr(RS1(w)) < <i64>xr(RS2(w))) { let t = p + <u64><i64>imm; if (((t ^ p) >> 12) != 0) maxk = 0; p = t; }
          else p += len;
          break;
        }
        case ops.OP_BGE: {
          if (<i64>xr(RS1(w)) >= <i64>xr(RS2(w))) { let t = p + <u64><i64>imm; if (((t ^ p) >> 12) != 0) maxk = 0; p = t; }
          else p += len;
          break;
        }
        case ops.OP_BLTU: {
          if (xr(RS1(w)) < xr(RS2(w))) { let t = p + <u64><i64>imm; if (((t ^ p) >> 12) != 0) maxk = 0; p = t; }
          else p += len;
          break;
        }
        case ops.OP_BGEU: {
          if (xr(RS1(w)) >= xr(RS2(w))) { let t = p + <u64><i64>imm; if (((t ^ p) >> 12) != 0) maxk = 0; p = t; }
          else p += len;
          break;
        }

        // Loads: TLB hit → direct host access; miss, misaligned or device → mmu.ts.
        case ops.OP_LB: {
          let a = xr(RS1(w)) + <u64><i64>imm;
          let e = tlbRead + <usize>(<usize>(<u32>(a >> 12) & TLB_MASK) << TLB_ENTRY_SHIFT);
          let v: u64;
          if (load<u64>(e) == (a & ~<u64>0xfff)) v = <u64><i64>load<i8>(<usize>(a + load<u64>(e, 8)));
          else { clock += k; instret += k; maxk -= k; k = 0; v = <u64><i64><i8>loadSlow(a, 1); if (excCause != EXC_NONE) { clock--; instret--; maxk = 0; break; } if (exitBlock) maxk = 0; }
          xw(RD(w), v); p += len; break;
        }
        case ops.OP_LH: {
          let a = xr(RS1(w)) + <u64><i64>imm;
          let e = tlbRead + <usize>(<usize>(<u32>(a >> 12) & TLB_MASK) << TLB_ENTRY_SHIFT);
          let v: u64;
          if (load<u64>(e) == (a & ~<u64>0xffe)) v = <u64><i64>load<i16>(<usize>(a + load<u64>(e, 8)));
          else { clock += k; instret += k; maxk -= k; k = 0; v = <u64><i64><i16>loadSlow(a, 2); if (excCause != EXC_NONE) { clock--; instret--; maxk = 0; break; } if (exitBlock) maxk = 0; }
          xw(RD(w), v); p += len; break;
        }
        case ops.OP_LW: {
          let a = xr(RS1(w)) + <u64><i64>imm;
          let e = tlbRead + <usize>(<usize>(<u32>(a >> 12) & TLB_MASK) << TLB_ENTRY_SHIFT);
          let v: u64;
          if (load<u64>(e) == (a & ~<u64>0xffc)) v = <u64><i64>load<i32>(<usize>(a + load<u64>(e, 8)));
          else { clock += k; instret += k; maxk -= k; k = 0; v = <u64><i64><i32>loadSlow(a, 4); if (excCause != EXC_NONE) { clock--; instret--; maxk = 0; break; } if (exitBlock) maxk = 0; }
          xw(RD(w), v); p += len; break;
        }
        case ops.OP_LD: {
          let a = xr(RS1(w)) + <u64><i64>imm;
          let e = tlbRead + <usize>(<usize>(<u32>(a >> 12) & TLB_MASK) << TLB_ENTRY_SHIFT);
          let v: u64;
          if (load<u64>(e) == (a & ~<u64>0xff8)) v = load<u64>(<usize>(a + load<u64>(e, 8)));
          else { clock += k; instret += k; maxk -= k; k = 0; v = loadSlow(a, 8); if (excCause != EXC_NONE) { clock--; instret--; maxk = 0; break; } if (exitBlock) maxk = 0; }
          xw(RD(w), v); p += len; break;
        }
        case ops.OP_LBU: {
          let a = xr(RS1(w)) + <u64><i64>imm;
          let e = tlbRead + <usize>(<usize>(<u32>(a >> 12) & TLB_MASK) << TLB_ENTRY_SHIFT);
          let v: u64;
          if (load<u64>(e) == (a & ~<u64>0xfff)) v = <u64>load<u8>(<usize>(a + load<u64>(e, 8)));
          else { clock += k; instret += k; maxk -= k; k = 0; v = loadSlow(a, 1); if (excCause != EXC_NONE) { clock--; instret--; maxk = 0; break; } if (exitBlock) maxk = 0; }
          xw(RD(w), v); p += len; break;
        }
        case ops.OP_LHU: {
          let a = xr(RS1(w)) + <u64><i64>imm;
          let e = tlbRead + <usize>(<usize>(<u32>(a >> 12) & TLB_MASK) << TLB_ENTRY_SHIFT);
          let v: u64;
          if (load<u64>(e) == (a & ~<u64>0xffe)) v = <u64>load<u16>(<usize>(a + load<u64>(e, 8)));
          else { clock += k; instret += k; maxk -= k; k = 0; v = loadSlow(a, 2); if (excCause != EXC_NONE) { clock--; instret--; maxk = 0; break; } if (exitBlock) maxk = 0; }
          xw(RD(w), v); p += len; break;
        }
        case ops.OP_LWU: {
          let a = xr(RS1(w)) + <u64><i64>imm;
          let e = tlbRead + <usize>(<usize>(<u32>(a >> 12) & TLB_MASK) << TLB_ENTRY_SHIFT);
          let v: u64;
          if (load<u64>(e) == (a & ~<u64>0xffc)) v = <u64>load<u32>(<usize>(a + load<u64>(e, 8)));
          else { clock += k; instret += k; maxk -= k; k = 0; v = loadSlow(a, 4); if (excCause != EXC_NONE) { clock--; instret--; maxk = 0; break; } if (exitBlock) maxk = 0; }
          xw(RD(w), v); p += len; break;
        }
        case ops.OP_SB: {
          let a = xr(RS1(w)) + <u64><i64>imm;
          let e = tlbWrite + <usize>(<usize>(<u32>(a >> 12) & TLB_MASK) << TLB_ENTRY_SHIFT);
          if (load<u64>(e) == (a & ~<u64>0xfff)) store<u8>(<usize>(a + load<u64>(e, 8)), <u8>xr(RS2(w)));
          else { clock += k; instret += k; maxk -= k; k = 0; storeSlow(a, 1, xr(RS2(w))); if (excCause != EXC_NONE) { clock--; instret--; maxk = 0; break; } if (exitBlock) maxk = 0; }
          p += len; break;
        }
        case ops.OP_SH: {
          let a = xr(RS1(w)) + <u64><i64>imm;
          let e = tlbWrite + <usize>(<usize>(<u32>(a >> 12) & TLB_MASK) << TLB_ENTRY_SHIFT);
          if (load<u64>(e) == (a & ~<u64>0xffe)) store<u16>(<usize>(a + load<u64>(e, 8)), <u16>xr(RS2(w)));
          else { clock += k; instret += k; maxk -= k; k = 0; storeSlow(a, 2, xr(RS2(w))); if (excCause != EXC_NONE) { clock--; instret--; maxk = 0; break; } if (exitBlock) maxk = 0; }
          p += len; break;
        }
        case ops.OP_SW: {
          let a = xr(RS1(w)) + <u64><i64>imm;
          let e = tlbWrite + <usize>(<usize>(<u32>(a >> 12) & TLB_MASK) << TLB_ENTRY_SHIFT);
          if (load<u64>(e) == (a & ~<u64>0xffc)) store<u32>(<usize>(a + load<u64>(e, 8)), <u32>xr(RS2(w)));
          else { clock += k; instret += k; maxk -= k; k = 0; storeSlow(a, 4, xr(RS2(w))); if (excCause != EXC_NONE) { clock--; instret--; maxk = 0; break; } if (exitBlock) maxk = 0; }
          p += len; break;
        }
        case ops.OP_SD: {
          let a = xr(RS1(w)) + <u64><i64>imm;
          let e = tlbWrite + <usize>(<usize>(<u32>(a >> 12) & TLB_MASK) << TLB_ENTRY_SHIFT);
          if (load<u64>(e) == (a & ~<u64>0xff8)) store<u64>(<usize>(a + load<u64>(e, 8)), xr(RS2(w)));
          else { clock += k; instret += k; maxk -= k; k = 0; storeSlow(a, 8, xr(RS2(w))); if (excCause != EXC_NONE) { clock--; instret--; maxk = 0; break; } if (exitBlock) maxk = 0; }
          p += len; break;
        }

        case ops.OP_ADDI: { xw(RD(w), xr(RS1(w)) + <u64><i64>imm); p += len; break; }
        case ops.OP_SLTI: { xw(RD(w), <i64>xr(RS1(w)) < <i64>imm ? 1 : 0); p += len; break; }
        case ops.OP_SLTIU: { xw(RD(w), xr(RS1(w)) < <u64><i64>imm ? 1 : 0); p += len; break; }
        case ops.OP_XORI: { xw(RD(w), xr(RS1(w)) ^ <u64><i64>imm); p += len; break; }
        case ops.OP_ORI: { xw(RD(w), xr(RS1(w)) | <u64><i64>imm); p += len; break; }
        case ops.OP_ANDI: { xw(RD(w), xr(RS1(w)) & <u64><i64>imm); p += len; break; }
        case ops.OP_SLLI: { xw(RD(w), xr(RS1(w)) << <u64>imm); p += len; break; }
        case ops.OP_SRLI: { xw(RD(w), xr(RS1(w)) >> <u64>imm); p += len; break; }
        case ops.OP_SRAI: { xw(RD(w), <u64>(<i64>xr(RS1(w)) >> <i64>imm)); p += len; break; }
        case ops.OP_ADD: { xw(RD(w), xr(RS1(w)) + xr(RS2(w))); p += len; break; }
        case ops.OP_SUB: { xw(RD(w), xr(RS1(w)) - xr(RS2(w))); p += len; break; }
        case ops.OP_SLL: { xw(RD(w), xr(RS1(w)) << (xr(RS2(w)) & 63)); p += len; break; }
        case ops.OP_SLT: { xw(RD(w), <i64>xr(RS1(w)) < <i64>xr(RS2(w)) ? 1 : 0); p += len; break; }
        case ops.OP_SLTU: { xw(RD(w), xr(RS1(w)) < xr(RS2(w)) ? 1 : 0); p += len; break; }
        case ops.OP_XOR: { xw(RD(w), xr(RS1(w)) ^ xr(RS2(w))); p += len; break; }
        case ops.OP_SRL: { xw(RD(w), xr(RS1(w)) >> (xr(RS2(w)) & 63)); p += len; break; }
        case ops.OP_SRA: { xw(RD(w), <u64>(<i64>xr(RS1(w)) >> <i64>(xr(RS2(w)) & 63))); p += len; break; }
        case ops.OP_OR: { xw(RD(w), xr(RS1(w)) | xr(RS2(w))); p += len; break; }
        case ops.OP_AND: { xw(RD(w), xr(RS1(w)) & xr(RS2(w))); p += len; break; }
        case ops.OP_ADDIW: { xw(RD(w), sx32(<u32>xr(RS1(w)) + <u32>imm)); p += len; break; }
        case ops.OP_SLLIW: { xw(RD(w), sx32(<u32>xr(RS1(w)) << <u32>imm)); p += len; break; }
        case ops.OP_SRLIW: { xw(RD(w), sx32(<u32>xr(RS1(w)) >> <u32>imm)); p += len; break; }
        case ops.OP_SRAIW: { xw(RD(w), sx32(<u32>(<i32>xr(RS1(w)) >> imm))); p += len; break; }
        case ops.OP_ADDW: { xw(RD(w), sx32(<u32>xr(RS1(w)) + <u32>xr(RS2(w)))); p += len; break; }
        case ops.OP_SUBW: { xw(RD(w), sx32(<u32>xr(RS1(w)) - <u32>xr(RS2(w)))); p += len; break; }
        case ops.OP_SLLW: { xw(RD(w), sx32(<u32>xr(RS1(w)) << (<u32>xr(RS2(w)) & 31))); p += len; break; }
        case ops.OP_SRLW: { xw(RD(w), sx32(<u32>xr(RS1(w)) >> (<u32>xr(RS2(w)) & 31))); p += len; break; }
        case ops.OP_SRAW: { xw(RD(w), sx32(<u32>(<i32>xr(RS1(w)) >> (<i32>xr(RS2(w)) & 31)))); p += len; break; }

        // ---- M ----
        case ops.OP_MUL: { xw(RD(w), xr(RS1(w)) * xr(RS2(w))); p += len; break; }
        case ops.OP_MULH: {
          let a = xr(RS1(w)), b = xr(RS2(w));
          let r = mulhu(a, b);
          if (<i64>a < 0) r -= b;
          if (<i64>b < 0) r -= a;
          xw(RD(w), r); p += len; break;
        }
        case ops.OP_MULHSU: {
          let a = xr(RS1(w)), b = xr(RS2(w));
          let r = mulhu(a, b);
          if (<i64>a < 0) r -= b;
          xw(RD(w), r); p += len; break;
        }
        case ops.OP_MULHU: { xw(RD(w), mulhu(xr(RS1(w)), xr(RS2(w)))); p += len; break; }
        case ops.OP_DIV: {
          let a = <i64>xr(RS1(w)), b = <i64>xr(RS2(w));
          let r: i64 = b == 0 ? -1 : (a == i64.MIN_VALUE && b == -1) ? a : a / b;
          xw(RD(w), <u64>r); p += len; break;
        }
        case ops.OP_DIVU: {
          let a = xr(RS1(w)), b = xr(RS2(w));
          xw(RD(w), b == 0 ? 0xffffffffffffffff : a / b); p += len; break;
        }
        case ops.OP_REM: {
          let a = <i64>xr(RS1(w)), b = <i64>xr(RS2(w));
          let r: i64 = b == 0 ? a : (a == i64.MIN_VALUE && b == -1) ? 0 : a % b;
          xw(RD(w), <u64>r); p += len; break;
        }
        case ops.OP_REMU: {
          let a = xr(RS1(w)), b = xr(RS2(w));
          xw(RD(w), b == 0 ? a : a % b); p += len; break;
        }
        case ops.OP_MULW: { xw(RD(w), sx32(<u32>xr(RS1(w)) * <u32>xr(RS2(w)))); p += len; break; }
        case ops.OP_DIVW: {
          let a = <i32>xr(RS1(w)), b = <i32>xr(RS2(w));
          let r: i32 = b == 0 ? -1 : (a == i32.MIN_VALUE && b == -1) ? a : a / b;
          xw(RD(w), <u64><i64>r); p += len; break;
        }
        case ops.OP_DIVUW: {
          let a = <u32>xr(RS1(w)), b = <u32>xr(RS2(w));
          xw(RD(w), sx32(b == 0 ? 0xffffffff : a / b)); p += len; break;
        }
        case ops.OP_REMW: {
          let a = <i32>xr(RS1(w)), b = <i32>xr(RS2(w));
          let r: i32 = b == 0 ? a : (a == i32.MIN_VALUE && b == -1) ? 0 : a % b;
          xw(RD(w), <u64><i64>r); p += len; break;
        }
        case ops.OP_REMUW: {
          let a = <u32>xr(RS1(w)), b = <u32>xr(RS2(w));
          xw(RD(w), sx32(b == 0 ? a : a % b)); p += len; break;
        }

        // FP loads and stores (FS must be on), same TLB fast path as the integer ones.
        case ops.OP_FLD: {
          if ((mstatus & MSTATUS_FS) == 0) { raise(EXC_ILLEGAL, rawBits(fh, <u32>(p - vbase), dbase == crossSlot)); k--; maxk = 0; break; }
          let a = xr(RS1(w)) + <u64><i64>imm;
          let e = tlbRead + (<usize>(<u32>(a >> 12) & TLB_MASK) << TLB_ENTRY_SHIFT);
          let v: u64;
          if (load<u64>(e) == (a & ~<u64>0xff8)) v = load<u64>(<usize>(a + load<u64>(e, 8)));
          else { clock += k; instret += k; maxk -= k; k = 0; v = loadSlow(a, 8); if (excCause != EXC_NONE) { clock--; instret--; maxk = 0; break; } if (exitBlock) maxk = 0; }
          store<u64>(FREGS + <usize>RD(w), v); mstatus |= MSTATUS_FS | MSTATUS_SD; p += len; break;
        }
        case ops.OP_FLW: {
          if ((mstatus & MSTATUS_FS) == 0) { raise(EXC_ILLEGAL, rawBits(fh, <u32>(p - vbase), dbase == crossSlot)); k--; maxk = 0; break; }
          let a = xr(RS1(w)) + <u64><i64>imm;
          let e = tlbRead + (<usize>(<u32>(a >> 12) & TLB_MASK) << TLB_ENTRY_SHIFT);
          let v: u64;
          if (load<u64>(e) == (a & ~<u64>0xffc)) v = <u64>load<u32>(<usize>(a + load<u64>(e, 8)));
          else { clock += k; instret += k; maxk -= k; k = 0; v = loadSlow(a, 4); if (excCause != EXC_NONE) { clock--; instret--; maxk = 0; break; } if (exitBlock) maxk = 0; }
          store<u64>(FREGS + <usize>RD(w), 0xffffffff00000000 | v); mstatus |= MSTATUS_FS | MSTATUS_SD; p += len; break;
        }
        case ops.OP_FSD: {
          if ((mstatus & MSTATUS_FS) == 0) { raise(EXC_ILLEGAL, rawBits(fh, <u32>(p - vbase), dbase == crossSlot)); k--; maxk = 0; break; }
          let a = xr(RS1(w)) + <u64><i64>imm;
          let v = load<u64>(FREGS + <usize>RS2(w));
          let e = tlbWrite + (<usize>(<u32>(a >> 12) & TLB_MASK) << TLB_ENTRY_SHIFT);
          if (load<u64>(e) == (a & ~<u64>0xff8)) store<u64>(<usize>(a + load<u64>(e, 8)), v);
          else { clock += k; instret += k; maxk -= k; k = 0; storeSlow(a, 8, v); if (excCause != EXC_NONE) { clock--; instret--; maxk = 0; break; } if (exitBlock) maxk = 0; }
          p += len; break;
        }
        case ops.OP_FSW: {
          if ((mstatus & MSTATUS_FS) == 0) { raise(EXC_ILLEGAL, rawBits(fh, <u32>(p - vbase), dbase == crossSlot)); k--; maxk = 0; break; }
          let a = xr(RS1(w)) + <u64><i64>imm;
          let v = load<u64>(FREGS + <usize>RS2(w));
          let e = tlbWrite + (<usize>(<u32>(a >> 12) & TLB_MASK) << TLB_ENTRY_SHIFT);
          if (load<u64>(e) == (a & ~<u64>0xffc)) store<u32>(<usize>(a + load<u64>(e, 8)), <u32>v);
          else { clock += k; instret += k; maxk -= k; k = 0; storeSlow(a, 4, v); if (excCause != EXC_NONE) { clock--; instret--; maxk = 0; break; } if (exitBlock) maxk = 0; }
          p += len; break;
        }

        // Common double-precision ops: a fast path, falling through to the general one.
        case ops.OP_FADD_D: case ops.OP_FSUB_D: case ops.OP_FMUL_D: case ops.OP_FDIV_D:
        case ops.OP_FSQRT_D: case ops.OP_FMADD_D: case ops.OP_FMSUB_D: case ops.OP_FNMSUB_D:
        case ops.OP_FNMADD_D: case ops.OP_FSGNJ_D: case ops.OP_FSGNJN_D: case ops.OP_FSGNJX_D:
        case ops.OP_FMV_D_X: case ops.OP_FMV_X_D: {
          if (fastFp(w & 0xff, w, imm)) { p += len; break; }
        }
        default: {
          // Everything else runs outside the hot switch with the global state in sync.
          let op = w & 0xff;
          k--;
          clock += k; instret += k; maxk -= k; k = 0;
          pc = p;
          let ok = true;
          let leave = false;
          // Illegal-instruction traps carry the instruction bits; fetch them only then.
          if (op >= ops.OP_FLW) ok = execFp(op, w, imm, 0);
          else if (op >= ops.OP_LR_W) ok = execAtomic(op, w);
          else if (op >= ops.OP_FENCE && op <= ops.OP_CSRRCI) {
            let r = execSystem(op, w, imm, 0, <u32>len);
            ok = r != SYS_EXCEPTION;
            leave = r != SYS_DONE;
          } else { raise(EXC_ILLEGAL, 0); ok = false; }
          if (!ok && excCause == EXC_ILLEGAL) excTval = rawBits(fh, <u32>(p - vbase), dbase == crossSlot);
          maxk--;
          if (ok) {
            if (op >= ops.OP_LR_W) pc += len;
            clock++; instret++;
            if (leave || exitBlock) maxk = 0;
          } else {
            maxk = 0;
          }
          p = pc;
          if (((p ^ vbase) >> 12) != 0) maxk = 0;
          break;
        }
      }
    }
    clock += k;
    instret += k;
    pc = p;
  }
  return STOP_BUDGET;
}

/** The instruction's raw bits (for mtval on illegal-instruction traps). */
function rawBits(fh: usize, off: u32, crossing: bool): u32 {
  let lo = <u32>load<u16>(fh + off);
  if ((lo & 3) != 3) return lo;
  if (crossing || off >= 0xffe) return crossRaw;
  return lo | (<u32>load<u16>(fh + off + 2) << 16);
}
