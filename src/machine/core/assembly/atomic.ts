// A extension (unprivileged spec ch. 8): LR/SC with a single reservation (the virtual
// address of the last LR, cleared by SC, traps returns and xRET), and the AMOs performed
// in place on RAM. Atomics need natural alignment (misaligned → address-misaligned trap)
// and RAM (devices → access fault).

import * as ops from "./ops";
import {
  sext32, xget, xset, reservation, raise, excCause, EXC_NONE, EXC_LOAD_MISALIGNED, EXC_STORE_MISALIGNED,
} from "./state";
import { atomicHost } from "./mmu";

/** Executes one A-extension instruction; returns false when it raised an exception. */
export function execAtomic(op: u32, w: u32): bool {
  let rd = (w >> 8) & 0x3f;
  let a = xget((w >> 14) & 0x1f);
  let b = xget((w >> 19) & 0x1f);
  let isW = op <= ops.OP_AMOMAXU_W;
  let mask: u64 = isW ? 3 : 7;

  if (op == ops.OP_LR_W || op == ops.OP_LR_D) {
    if ((a & mask) != 0) { raise(EXC_LOAD_MISALIGNED, a); return false; }
    let h = atomicHost(a, true);
    if (excCause != EXC_NONE) return false;
    xset(rd, isW ? sext32(load<u32>(h)) : load<u64>(h));
    reservation = a;
    return true;
  }
  if ((a & mask) != 0) { raise(EXC_STORE_MISALIGNED, a); return false; }
  if (op == ops.OP_SC_W || op == ops.OP_SC_D) {
    if (reservation != a) { reservation = -1; xset(rd, 1); return true; }
    let h = atomicHost(a, false);
    if (excCause != EXC_NONE) return false;
    if (isW) store<u32>(h, <u32>b); else store<u64>(h, b);
    reservation = -1;
    xset(rd, 0);
    return true;
  }
  let h = atomicHost(a, false);
  if (excCause != EXC_NONE) return false;
  if (isW) {
    let old = load<u32>(h);
    let v = <u32>b;
    let r: u32;
    switch (op) {
      case ops.OP_AMOSWAP_W: r = v; break;
      case ops.OP_AMOADD_W: r = old + v; break;
      case ops.OP_AMOXOR_W: r = old ^ v; break;
      case ops.OP_AMOAND_W: r = old & v; break;
      case ops.OP_AMOOR_W: r = old | v; break;
      case ops.OP_AMOMIN_W: r = <i32>old < <i32>v ? old : v; break;
      case ops.OP_AMOMAX_W: r = <i32>old > <i32>v ? old : v; break;
      case ops.OP_AMOMINU_W: r = old < v ? old : v; break;
      default: r = old > v ? old : v; break; // AMOMAXU_W
    }
    store<u32>(h, r);
    xset(rd, sext32(old));
  } else {
    let old = load<u64>(h);
    let r: u64;
    switch (op) {
      case ops.OP_AMOSWAP_D: r = b; break;
      case ops.OP_AMOADD_D: r = old + b; break;
      case ops.OP_AMOXOR_D: r = old ^ b; break;
      case ops.OP_AMOAND_D: r = old & b; break;
      case ops.OP_AMOOR_D: r = old | b; break;
      case ops.OP_AMOMIN_D: r = <i64>old < <i64>b ? old : b; break;
      case ops.OP_AMOMAX_D: r = <i64>old > <i64>b ? old : b; break;
      case ops.OP_AMOMINU_D: r = old < b ? old : b; break;
      default: r = old > b ? old : b; break; // AMOMAXU_D
    }
    store<u64>(h, r);
    xset(rd, old);
  }
  return true;
}
