// The riscv-tests `tohost` convention (HTIF): a store to tohost with bit 0 set ends the
// run: 1 passes, (n << 1) | 1 says test n failed. Mapped over the tohost/fromhost words.

import { MmioResult, type MmioDevice } from "../ports.js";

export class ToHost implements MmioDevice {
  /** 0 for pass, n for "test n failed"; undefined while running. */
  result: number | undefined;
  private words = [0n, 0n];

  read(offset: number, size: number): bigint | undefined {
    const w = this.words[offset >> 3] ?? 0n;
    const shift = BigInt((offset & 7) * 8);
    return (w >> shift) & ((1n << BigInt(size * 8)) - 1n);
  }

  write(offset: number, size: number, value: bigint): MmioResult {
    const i = offset >> 3;
    const shift = BigInt((offset & 7) * 8);
    const mask = ((1n << BigInt(size * 8)) - 1n) << shift;
    this.words[i] = ((this.words[i] ?? 0n) & ~mask) | ((value << shift) & mask);
    const v = this.words[0]!;
    if (i === 0 && (v & 1n) === 1n) {
      this.result = Number(v >> 1n);
      return MmioResult.Stop;
    }
    return MmioResult.Ok;
  }
}
