// SiFive test finisher (QEMU virt "sifive,test1" at 0x100000, also bound by Linux as a
// syscon for syscon-poweroff/syscon-reboot): a write to offset 0 whose low 16 bits are
// 0x5555 passes (power-off), (code << 16) | 0x3333 fails with code, 0x7777 resets. Such a
// write stops the machine; any other value is ignored. Reads return 0.

import { MmioResult, type MmioDevice } from "../ports.js";
import { StateError, int, obj } from "./state.js";

/** Status values (QEMU hw/misc/sifive_test.h: FINISHER_FAIL/PASS/RESET). */
const FINISHER_FAIL = 0x3333;
const FINISHER_PASS = 0x5555;
const FINISHER_RESET = 0x7777;

export type FinisherEvent = { kind: "pass" } | { kind: "fail"; code: number } | { kind: "reset" };

export class SifiveTest implements MmioDevice {
  event: FinisherEvent | undefined;

  read(_offset: number, _size: number): bigint | undefined {
    return 0n;
  }

  write(offset: number, _size: number, value: bigint): MmioResult {
    if (offset !== 0) return MmioResult.Ok;
    const v = Number(value & 0xffff_ffffn);
    const status = v & 0xffff;
    if (status === FINISHER_PASS) this.event = { kind: "pass" };
    else if (status === FINISHER_FAIL) this.event = { kind: "fail", code: v >>> 16 };
    else if (status === FINISHER_RESET) this.event = { kind: "reset" };
    else return MmioResult.Ok;
    return MmioResult.Stop;
  }

  saveState(): { event: FinisherEvent | null } {
    return { event: this.event ? { ...this.event } : null };
  }

  /** Restores a snapshot (validated first; throws StateError and changes nothing if bad). */
  loadState(s: unknown): void {
    const o = obj(s, "sifive-test");
    if (o.event === null) { this.event = undefined; return; }
    const e = obj(o.event, "sifive-test.event");
    if (e.kind === "pass" || e.kind === "reset") this.event = { kind: e.kind };
    else if (e.kind === "fail") this.event = { kind: "fail", code: int(e.code, "sifive-test.event.code", 0, 0xffff) };
    else throw new StateError("sifive-test.event.kind");
  }
}
