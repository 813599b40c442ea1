// The SBI implementation (RISC-V SBI spec v2.0), run by the hypervisor when S-mode executes
// ECALL: BASE, TIME, IPI, RFENCE, HSM, SRST, DBCN and the legacy console/timer/shutdown
// calls; anything else answers SBI_ERR_NOT_SUPPORTED. Arguments in a0-a5, FID in a6,
// EID in a7; results in a0 (error) and a1 (value).

import type { Hart } from "../core/hart.js";

export const SBI_SUCCESS = 0n;
export const SBI_ERR_FAILED = -1n;
export const SBI_ERR_NOT_SUPPORTED = -2n;
export const SBI_ERR_INVALID_PARAM = -3n;
export const SBI_ERR_ALREADY_AVAILABLE = -6n;

export const EXT_BASE = 0x10;
export const EXT_TIME = 0x54494d45;
export const EXT_IPI = 0x735049;
export const EXT_RFENCE = 0x52464e43;
export const EXT_HSM = 0x48534d;
export const EXT_SRST = 0x53525354;
export const EXT_DBCN = 0x4442434e;
const LEGACY_SET_TIMER = 0x00;
const LEGACY_PUTCHAR = 0x01;
const LEGACY_GETCHAR = 0x02;
const LEGACY_SHUTDOWN = 0x08;

/** Implementation id reported by BASE (not one of the registered ids). */
export const SBI_IMPL_ID = 0x45565a52n; // "EVZR"
export const SBI_IMPL_VERSION = 1n;

export type ResetKind = "shutdown" | "cold-reboot" | "warm-reboot";

/** What the SBI needs from the machine around it. */
export interface SbiHost {
  /** Console output (DBCN and legacy putchar). */
  consoleWrite(bytes: Uint8Array): void;
  /** Up to max bytes of pending console input (DBCN read, legacy getchar). */
  consoleRead(max: number): Uint8Array;
  /** A system reset was requested: the machine stops after this call. */
  reset(kind: ResetKind, reason: number): void;
}

const SUPPORTED = new Set([EXT_BASE, EXT_TIME, EXT_IPI, EXT_RFENCE, EXT_HSM, EXT_SRST, EXT_DBCN]);
const STIMECMP = 0x14d;
const MIP_SSIP_BIT = 1;

const s64 = (v: bigint) => BigInt.asIntN(64, v);

export class Sbi {
  constructor(private readonly hart: Hart, private readonly host: SbiHost) {}

  /** Handles the ECALL that stopped the hart (its pc is already past the instruction). */
  handle(): void {
    const h = this.hart;
    const eid = Number(h.x(17) & 0xffff_ffffn);
    const fid = Number(h.x(16) & 0xffff_ffffn);
    const a = [h.x(10), h.x(11), h.x(12), h.x(13), h.x(14), h.x(15)] as const;

    // Legacy extensions (v0.1): a single return value in a0.
    if (eid <= 0x0f) {
      h.setX(10, this.legacy(eid, a[0]));
      return;
    }
    const [err, value] = this.call(eid, fid, a);
    h.setX(10, err);
    h.setX(11, value);
  }

  private legacy(eid: number, a0: bigint): bigint {
    switch (eid) {
      case LEGACY_SET_TIMER:
        this.setTimer(a0);
        return 0n;
      case LEGACY_PUTCHAR:
        this.host.consoleWrite(Uint8Array.of(Number(a0 & 0xffn)));
        return 0n;
      case LEGACY_GETCHAR: {
        const b = this.host.consoleRead(1);
        return b.length ? BigInt(b[0]!) : -1n;
      }
      case LEGACY_SHUTDOWN:
        this.host.reset("shutdown", 0);
        return 0n;
      default:
        return SBI_ERR_NOT_SUPPORTED;
    }
  }

  private setTimer(t: bigint): void {
    // The hart implements Sstc; the SBI timer is the same compare register.
    this.hart.setCsr(STIMECMP, t);
  }

  private call(eid: number, fid: number, a: readonly bigint[]): [bigint, bigint] {
    switch (eid) {
      case EXT_BASE:
        switch (fid) {
          case 0: return [SBI_SUCCESS, 2n << 24n]; // spec version 2.0
          case 1: return [SBI_SUCCESS, SBI_IMPL_ID];
          case 2: return [SBI_SUCCESS, SBI_IMPL_VERSION];
          case 3: return [SBI_SUCCESS, SUPPORTED.has(Number(a[0]! & 0xffff_ffffn)) ? 1n : 0n];
          case 4: case 5: case 6: return [SBI_SUCCESS, 0n]; // mvendorid, marchid, mimpid
        }
        break;
      case EXT_TIME:
        if (fid === 0) {
          this.setTimer(a[0]!);
          return [SBI_SUCCESS, 0n];
        }
        break;
      case EXT_IPI:
        if (fid === 0) {
          if (this.targetsHart0(a[0]!, a[1]!)) this.hart.setInterrupt(MIP_SSIP_BIT, true);
          return [SBI_SUCCESS, 0n];
        }
        break;
      case EXT_RFENCE:
        if (fid <= 6) {
          // One hart: a remote fence is a local one (FENCE.I needs nothing: stores to
          // code already drop decoded code). Hypervisor fences (3-6) are not supported.
          if (fid >= 3) return [SBI_ERR_NOT_SUPPORTED, 0n];
          if (fid > 0) this.hart.flushTlb();
          return [SBI_SUCCESS, 0n];
        }
        break;
      case EXT_HSM:
        switch (fid) {
          case 0: return [a[0] === 0n ? SBI_ERR_ALREADY_AVAILABLE : SBI_ERR_INVALID_PARAM, 0n]; // hart_start
          case 1: return [SBI_ERR_FAILED, 0n]; // hart_stop: the only hart cannot stop
          case 2: return a[0] === 0n ? [SBI_SUCCESS, 0n] : [SBI_ERR_INVALID_PARAM, 0n]; // STARTED
          case 3: return [SBI_ERR_NOT_SUPPORTED, 0n]; // hart_suspend
        }
        break;
      case EXT_SRST:
        if (fid === 0) {
          const type = Number(a[0]! & 0xffff_ffffn);
          const reason = Number(a[1]! & 0xffff_ffffn);
          if (type > 2 || reason > 1 && reason < 0xe0000000) return [SBI_ERR_INVALID_PARAM, 0n];
          this.host.reset(type === 0 ? "shutdown" : type === 1 ? "cold-reboot" : "warm-reboot", reason);
          return [SBI_SUCCESS, 0n];
        }
        break;
      case EXT_DBCN:
        return this.dbcn(fid, a);
    }
    return [SBI_ERR_NOT_SUPPORTED, 0n];
  }

  private targetsHart0(mask: bigint, base: bigint): boolean {
    if (s64(base) === -1n) return true; // all harts
    if (base !== 0n) return false;
    return (mask & 1n) !== 0n;
  }

  private dbcn(fid: number, a: readonly bigint[]): [bigint, bigint] {
    const num = a[0]!;
    // On RV64 the whole address is in a1; a nonzero upper half (a2) is out of range.
    const addr = a[1]!;
    if ((fid === 0 || fid === 1) && a[2]! !== 0n) return [SBI_ERR_INVALID_PARAM, 0n];
    switch (fid) {
      case 0: { // console_write
        const n = Number(num > 4096n ? 4096n : num);
        let bytes: Uint8Array;
        try {
          bytes = this.hart.readPhys(addr, n);
        } catch {
          return [SBI_ERR_INVALID_PARAM, 0n];
        }
        this.host.consoleWrite(bytes);
        return [SBI_SUCCESS, BigInt(n)];
      }
      case 1: { // console_read
        const n = Number(num > 4096n ? 4096n : num);
        // Check the buffer first so a bad address consumes no input.
        try {
          this.hart.readPhys(addr, n);
        } catch {
          return [SBI_ERR_INVALID_PARAM, 0n];
        }
        const got = this.host.consoleRead(n);
        if (got.length) this.hart.writePhys(addr, got);
        return [SBI_SUCCESS, BigInt(got.length)];
      }
      case 2: // console_write_byte
        this.host.consoleWrite(Uint8Array.of(Number(num & 0xffn)));
        return [SBI_SUCCESS, 0n];
    }
    return [SBI_ERR_NOT_SUPPORTED, 0n];
  }
}
