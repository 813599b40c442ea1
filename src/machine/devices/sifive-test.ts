// SiFive test finisher (QEMU virt "sifive_test" at 0x100000): writing 0x5555 passes,
// (code << 16) | 0x3333 fails with code, 0x7777 resets. The write stops the machine.

import { MmioResult, type MmioDevice } from "../ports.js";

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
    if (status === 0x5555) this.event = { kind: "pass" };
    else if (status === 0x3333) this.event = { kind: "fail", code: v >>> 16 };
    else if (status === 0x7777) this.event = { kind: "reset" };
    else return MmioResult.Ok;
    return MmioResult.Stop;
  }
}
