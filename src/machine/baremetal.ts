// A bare-metal machine for test programs and benchmarks: the hart with RAM at
// 0x8000_0000, CLINT (inside the hart), a 16550A UART, the SiFive test finisher and,
// when the ELF defines it, the riscv-tests tohost word. The program starts in M-mode at
// its ELF entry with a0 = hart id, as on QEMU virt with -bios none.

import { Hart, RAM_BASE, StopReason } from "./core/hart.js";
import { parseElf, ElfError, type ElfImage } from "./boot/elf.js";
import { Uart16550 } from "./devices/uart16550.js";
import { SifiveTest } from "./devices/sifive-test.js";
import { ToHost } from "./devices/tohost.js";
import type { ConsoleSink } from "./ports.js";

export const UART_BASE = 0x1000_0000n;
export const TEST_BASE = 0x10_0000n;

export type RunOutcome =
  | { kind: "pass" }
  | { kind: "fail"; code: number; test?: number }
  | { kind: "limit" }
  | { kind: "wfi-forever" }
  | { kind: "out-of-memory" };

export interface BareMetalOptions {
  memoryMiB: number;
  console: ConsoleSink;
  decodeSlots?: number;
}

export class BareMetalMachine {
  readonly hart: Hart;
  readonly uart: Uart16550;
  private readonly finisher = new SifiveTest();
  private tohost: ToHost | undefined;

  constructor(module: WebAssembly.Module, opts: BareMetalOptions) {
    this.hart = new Hart(module, {
      ramBytes: opts.memoryMiB * 1024 * 1024,
      ...(opts.decodeSlots !== undefined ? { decodeSlots: opts.decodeSlots } : {}),
    });
    this.uart = new Uart16550(opts.console);
    this.hart.map(UART_BASE, 0x100n, this.uart);
    this.hart.map(TEST_BASE, 0x1000n, this.finisher);
  }

  /** Loads an ELF image; throws ElfError when a segment lies outside RAM. */
  load(elf: ElfImage): void {
    const ramEnd = RAM_BASE + BigInt(this.hart.ramBytes);
    for (const seg of elf.segments) {
      if (seg.paddr < RAM_BASE || seg.paddr + seg.memSize > ramEnd) {
        throw new ElfError(
          `segment at 0x${seg.paddr.toString(16)} (+0x${seg.memSize.toString(16)}) lies outside RAM ` +
          `0x${RAM_BASE.toString(16)}-0x${ramEnd.toString(16)}; use more --memory or link at 0x80000000`,
        );
      }
      this.hart.writePhys(seg.paddr, seg.data);
    }
    const th = elf.symbols.get("tohost");
    if (th !== undefined && th >= RAM_BASE && th < ramEnd) {
      this.tohost = new ToHost();
      this.hart.map(th, 16n, this.tohost);
    }
    if (elf.entry < RAM_BASE || elf.entry >= ramEnd) {
      throw new ElfError(`entry point 0x${elf.entry.toString(16)} lies outside RAM 0x${RAM_BASE.toString(16)}-0x${ramEnd.toString(16)}`);
    }
    this.hart.pc = elf.entry;
    this.hart.setX(10, 0n);
  }

  loadBytes(file: Uint8Array): void {
    this.load(parseElf(file));
  }

  /**
   * Runs until the program ends or maxInsns cycles have passed. A hart in WFI with no
   * timer armed and nothing to wake it ends the run; with a timer armed, time skips ahead.
   */
  run(maxInsns: bigint, slice = 10_000_000n): RunOutcome {
    const end = this.hart.clock + maxInsns;
    while (true) {
      const left = end - this.hart.clock;
      if (left <= 0n) return { kind: "limit" };
      const r = this.step(left < slice ? left : slice, end);
      if (r) return r;
    }
  }

  /**
   * Runs at most `budget` cycles, skipping idle time (up to `end`) when the hart waits for
   * a timer. Returns the outcome when the run is over, undefined while it goes on.
   */
  step(budget: bigint, end: bigint): RunOutcome | undefined {
    const reason = this.hart.run(budget);
    const done = this.outcome();
    if (done) return done;
    if (reason === StopReason.OutOfMemory) return { kind: "out-of-memory" };
    if (reason === StopReason.Wfi) {
      const d = this.hart.nextDeadline();
      if (d === undefined) return { kind: "wfi-forever" };
      if (d >= end) {
        this.hart.advanceClock(end - this.hart.clock);
        return { kind: "limit" };
      }
      this.hart.advanceClock(d - this.hart.clock);
    }
    return undefined;
  }

  private outcome(): RunOutcome | undefined {
    const ev = this.finisher.event;
    if (ev) {
      if (ev.kind === "pass") return { kind: "pass" };
      if (ev.kind === "fail") return { kind: "fail", code: ev.code };
      return { kind: "fail", code: 0 };
    }
    if (this.tohost?.result !== undefined) {
      const n = this.tohost.result;
      return n === 0 ? { kind: "pass" } : { kind: "fail", code: 1, test: n };
    }
    return undefined;
  }
}
