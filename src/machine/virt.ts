// Edgevisor's `virt` machine: the hart plus the platform devices at QEMU virt's addresses
// (PLIC, 16550A UART, goldfish RTC, SiFive test/syscon, virtio-mmio disks), the SBI
// implemented in the hypervisor, and a Linux boot (kernel Image or ELF, initrd, generated
// device tree, entry in S-mode with a0 = hart id, a1 = DTB). Pure and synchronous: time
// and entropy come in through the configuration, console bytes through input(). Saved
// machines (virt-state.ts) resume with their RAM given up front or fetched lazily.

import { Hart, StopReason, RAM_BASE, PAGE_SIZE } from "./core/hart.js";
import type { MemoryArena } from "./core/arena.js";
import { Plic } from "./devices/plic.js";
import { Uart16550 } from "./devices/uart16550.js";
import { GoldfishRtc } from "./devices/goldfish-rtc.js";
import { SifiveTest } from "./devices/sifive-test.js";
import { VirtioMmio } from "./devices/virtio/mmio.js";
import { VirtioBlock } from "./devices/virtio/block.js";
import { VirtioEmptySlot } from "./devices/virtio/empty.js";
import { VirtioBalloon } from "./devices/virtio/balloon.js";
import { VirtioRng } from "./devices/virtio/rng.js";
import { SeededRandom } from "./util/seeded-random.js";
import { buildVirtDeviceTree, VIRT } from "./boot/devicetree.js";
import { parseKernel, planBoot, BootError } from "./boot/linux.js";
import { Sbi, type ResetKind } from "./sbi/sbi.js";
import type { BlockBackend, ConsoleSink, GuestMemory } from "./ports.js";
import {
  checkFrame, checkState, type FrameRecord, type VirtRestore, type VirtSnapshot, type VirtState,
} from "./virt-state.js";

export { BootError };
export type { FrameRecord, VirtRestore, VirtSnapshot, VirtState };

export interface VirtConfig {
  memoryMiB: number;
  kernel: Uint8Array;
  initrd?: Uint8Array;
  cmdline?: string;
  disks?: BlockBackend[];
  console: ConsoleSink;
  /** Wall time at boot in ns since the epoch (the RTC's starting value). */
  bootWallNs?: bigint;
  /** Seed of the guest's entropy (virtio-rng and the device tree's rng-seed). */
  entropySeed?: bigint;
  /** Add a virtio-balloon device (slot 7). Default true. */
  balloon?: boolean;
  decodeSlots?: number;
  /** Cap on resident guest frames. */
  maxResidentFrames?: number;
  /** The memory to run in, shared with other machines (see core/arena.ts); default: its own. */
  arena?: MemoryArena;
  /**
   * Resume instead of booting (kernel and initrd are then not loaded): a whole snapshot,
   * or a state with frames given now and/or fetched lazily. Invalid input throws BootError.
   */
  restore?: VirtSnapshot | VirtRestore;
}

export type VirtStop =
  /** The slice ended: the budget is spent, or a disk started remote work and the caller should let it go out. Call run() again. */
  | { kind: "budget" }
  | { kind: "idle"; deadline: bigint | undefined }
  | { kind: "poweroff" }
  | { kind: "reboot" }
  | { kind: "out-of-memory" };

/** Thrown by run() when a lazy frame could not be loaded: discard the machine (Hart.setLazyFrames). */
export class LazyFaultError extends Error {
  override name = "LazyFaultError";
}

const MIP_MEIP = 11;
const MIP_SEIP = 9;
const MENVCFG = 0x30a;
const MCOUNTEREN = 0x306;
const SCOUNTEREN = 0x106;
const MSTATUS = 0x300;
const MEDELEG = 0x302;
const MIDELEG = 0x303;

/** Zero-page reclaim at the RAM budget must free at least this much (1 MiB) to go on. */
const RECLAIM_MIN_FRAMES = 256;
const RNG_SLOT = 6;
const BALLOON_SLOT = 7;

export const DEFAULT_CMDLINE = "console=ttyS0 earlycon=sbi";

export class VirtMachine {
  readonly hart: Hart;
  readonly uart: Uart16550;
  readonly plic: Plic;
  readonly rtc: GoldfishRtc;
  readonly disks: VirtioBlock[] = [];
  readonly balloon: VirtioBalloon | undefined;
  private readonly random: SeededRandom;
  private readonly transports: VirtioMmio[] = [];
  private readonly test = new SifiveTest();
  private readonly sbi: Sbi;
  private readonly pendingInput: number[] = [];
  private resetRequest: ResetKind | undefined;
  /** A disk started work outside the machine during the guest's notify: run() returns early. */
  private yieldRequested = false;

  constructor(module: WebAssembly.Module, readonly config: VirtConfig) {
    const ramBytes = BigInt(config.memoryMiB) << 20n;
    const disks = config.disks ?? [];
    if (disks.length > RNG_SLOT) throw new BootError(`at most ${RNG_SLOT} disks`);
    this.hart = new Hart(module, {
      ramBytes: Number(ramBytes),
      ...(config.decodeSlots !== undefined ? { decodeSlots: config.decodeSlots } : {}),
      ...(config.maxResidentFrames !== undefined ? { maxResidentFrames: config.maxResidentFrames } : {}),
      ...(config.arena ? { arena: config.arena } : {}),
    });
    const hart = this.hart;
    this.plic = new Plic([
      (level) => hart.setInterrupt(MIP_MEIP, level),
      (level) => hart.setInterrupt(MIP_SEIP, level),
    ], VIRT.plicSources + 1);
    this.uart = new Uart16550(config.console);
    this.uart.onIrq = (level) => this.plic.setSource(VIRT.uartIrq, level);
    const bootWall = config.bootWallNs ?? 0n;
    this.rtc = new GoldfishRtc(bootWall, () => (hart.mtime * 100n), (level) => this.plic.setSource(VIRT.rtcIrq, level));

    hart.map(VIRT.test, 0x1000n, this.test);
    hart.map(VIRT.rtc, 0x1000n, this.rtc);
    hart.map(VIRT.uart, 0x100n, this.uart);
    hart.map(VIRT.plic, 0x400_0000n, this.plic);

    const mem: GuestMemory = {
      read: (paddr, len) => {
        try { return hart.readPhys(paddr, len); } catch { return undefined; }
      },
      write: (paddr, bytes) => {
        try { hart.writePhys(paddr, bytes); return true; } catch { return false; }
      },
    };
    // Slots: disks from 0, virtio-rng in 6, virtio-balloon in 7.
    this.random = new SeededRandom(config.entropySeed ?? 0x45564953n);
    if (config.balloon ?? true) this.balloon = new VirtioBalloon((paddr) => { hart.releasePage(paddr); });
    for (let i = 0; i < VIRT.virtioSlots; i++) {
      const irq = VIRT.virtioIrqBase + i;
      const backend = disks[i];
      const base = VIRT.virtio + BigInt(i) * VIRT.virtioStride;
      const line = (level: boolean) => this.plic.setSource(irq, level);
      let t: VirtioMmio;
      if (i === RNG_SLOT) {
        t = new VirtioMmio(new VirtioRng((n) => this.random.bytes(n)), mem, line);
      } else if (i === BALLOON_SLOT && this.balloon) {
        t = new VirtioMmio(this.balloon, mem, line);
      } else if (backend) {
        const blk = new VirtioBlock(backend);
        t = new VirtioMmio(blk, mem, (level) => this.plic.setSource(irq, level), () => { this.yieldRequested = true; });
        this.disks.push(blk);
      } else {
        // Every slot in the device tree answers; an empty one reads as device id 0.
        t = new VirtioMmio(new VirtioEmptySlot(), mem, () => {});
      }
      hart.map(base, 0x1000n, t);
      this.transports.push(t);
    }

    this.sbi = new Sbi(hart, {
      consoleWrite: (b) => config.console.write(b),
      consoleRead: (max) => Uint8Array.from(this.pendingInput.splice(0, max)),
      reset: (kind) => { this.resetRequest = kind; },
    });
    hart.setSbiHosted(true);
    try {
      if (config.restore) this.restore(config.restore);
      else this.boot(ramBytes);
    } catch (e) {
      hart.dispose();
      throw e;
    }
  }

  /** Gives the machine's memory back (to a shared arena); the machine cannot run again. */
  dispose(): void {
    this.hart.dispose();
  }

  /** Captures the whole machine (between run() calls); lazy frames are fetched for it. */
  snapshot(): VirtSnapshot {
    const frames: FrameRecord[] = [];
    for (let f = 0; f < this.hart.frameCount; f++) {
      const b = this.hart.isLazy(f) ? this.hart.readPhys(RAM_BASE + BigInt(f * PAGE_SIZE), PAGE_SIZE) : this.hart.frame(f);
      if (b && b.some((x) => x !== 0)) frames.push({ index: f, bytes: b.slice() });
    }
    return { ...this.saveState(), frames };
  }

  /** The machine without its RAM (between run() calls); pair it with the frames. */
  saveState(): VirtState {
    return {
      version: 1,
      memoryMiB: this.config.memoryMiB,
      hart: this.hart.saveState(),
      devices: {
        plic: this.plic.saveState(),
        uart: this.uart.saveState(),
        rtc: this.rtc.saveState(),
        test: this.test.saveState(),
        virtio: this.transports.map((t) => t.saveState()),
      },
      pendingInput: [...this.pendingInput],
      random: this.random.state,
    };
  }

  /** Frames held in memory (not absent, not lazy), ascending. */
  residentFrames(): number[] {
    return this.hart.residentFrames();
  }

  /** A copy of resident frame f's bytes; undefined when it is absent (zero) or still lazy. */
  frameBytes(f: number): Uint8Array | undefined {
    if (!Number.isInteger(f) || f < 0 || f >= this.hart.frameCount) throw new RangeError(`${f} is not a frame of this machine`);
    return this.hart.frame(f)?.slice();
  }

  /**
   * Resident frame f's bytes in place (no copy; valid only until the machine runs again or
   * its memory grows); undefined when it is absent (zero) or still lazy.
   */
  frameView(f: number): Uint8Array | undefined {
    if (!Number.isInteger(f) || f < 0 || f >= this.hart.frameCount) throw new RangeError(`${f} is not a frame of this machine`);
    return this.hart.frame(f);
  }

  /**
   * Frames changed since the last call (or the restore): written, or released by the
   * balloon (then frameBytes is undefined: the frame is zero). Incremental checkpoints
   * write these over the previous checkpoint's frames.
   */
  dirtyFrames(): number[] {
    return this.hart.harvestDirty();
  }

  private restore(r: VirtSnapshot | VirtRestore): void {
    const full = "state" in r ? r : { state: r, frames: r.frames };
    try {
      this.restoreFrom(full);
    } catch (e) {
      if (e instanceof BootError) throw e;
      throw new BootError(`restored state is invalid: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private restoreFrom(r: VirtRestore): void {
    const s: unknown = r.state;
    checkState(s, this.config.memoryMiB, this.transports.length);
    const n = this.hart.frameCount;
    // Lazy first: a frame also given in `frames` then stops being lazy without a fetch.
    if (r.lazy) this.hart.setLazyFrames(r.lazy.indices, r.lazy.load);
    for (const fr of r.frames ?? []) {
      checkFrame(fr, n);
      this.hart.setFrame(fr.index, fr.bytes);
    }
    this.hart.loadState(s.hart);
    this.plic.loadState(s.devices.plic);
    this.uart.loadState(s.devices.uart);
    this.rtc.loadState(s.devices.rtc);
    this.test.loadState(s.devices.test);
    s.devices.virtio.forEach((v, i) => this.transports[i]!.loadState(v));
    this.pendingInput.push(...s.pendingInput.filter((b) => Number.isInteger(b) && b >= 0 && b < 256));
    this.random.state = s.random;
    this.hart.resync();
    for (const t of this.transports) t.resume();
    // The restored RAM is the base of the next incremental checkpoint: nothing is dirty.
    this.hart.harvestDirty();
  }

  private boot(ramBytes: bigint): void {
    const kernel = parseKernel(this.config.kernel);
    const layout = planBoot(kernel, ramBytes, this.config.initrd?.length);
    for (const s of kernel.segments) this.hart.writePhys(s.paddr, s.data);
    if (layout.initrd && this.config.initrd) this.hart.writePhys(layout.initrd.start, this.config.initrd);
    const dtb = buildVirtDeviceTree({
      ramBytes,
      bootargs: this.config.cmdline ?? DEFAULT_CMDLINE,
      ...(layout.initrd ? { initrd: layout.initrd } : {}),
      rngSeed: this.random.bytes(32),
    });
    if (dtb.length > 0x10000) throw new BootError(`device tree of ${dtb.length} bytes exceeds its 64 KiB slot`);
    this.hart.writePhys(layout.dtbAddr, dtb);
    // What M-mode firmware would leave behind: counters and Sstc enabled for S-mode, and
    // cycle/time/instret for U-mode too (OpenSBI writes scounteren = 7 at hart init; kernels
    // without an SBI PMU driver never set it, and their vDSO reads `time`), FP off until the
    // kernel turns it on, entry in S-mode.
    this.hart.setCsr(MCOUNTEREN, 7n);
    this.hart.setCsr(SCOUNTEREN, 7n);
    this.hart.setCsr(MENVCFG, 1n << 63n);
    this.hart.setCsr(MSTATUS, 0n);
    // Every exception S-mode can handle is delegated to it (no M-mode code exists).
    this.hart.setCsr(MEDELEG, 0xb1ffn);
    this.hart.setCsr(MIDELEG, 0x222n);
    this.hart.setX(10, 0n);
    this.hart.setX(11, layout.dtbAddr);
    this.hart.pc = kernel.entry;
    this.hart.priv = 1;
  }

  /** Console input: queued, and fed into the UART as its FIFO drains. */
  input(bytes: Uint8Array): void {
    for (const b of bytes) this.pendingInput.push(b);
    this.feedInput();
  }

  private feedInput(): void {
    if (this.pendingInput.length === 0) return;
    const space = this.uart.rxSpace;
    if (space <= 0) return;
    const n = this.uart.receive(Uint8Array.from(this.pendingInput.slice(0, space)));
    this.pendingInput.splice(0, n);
  }

  get hasPendingInput(): boolean {
    return this.pendingInput.length > 0;
  }

  /** Cycle of the next timer event (hart timers or the RTC alarm), if any. */
  nextDeadline(): bigint | undefined {
    const t = this.hart.nextDeadline();
    const alarmNs = this.rtc.alarmDeadline();
    if (alarmNs === undefined) return t;
    // RTC virtual ns → cycles: 100 ns per mtime tick, cyclesPerTick (10) cycles per tick.
    const alarm = (alarmNs * 10n + 99n) / 100n;
    return t === undefined || alarm < t ? alarm : t;
  }

  /** Runs up to budget cycles; SBI calls are handled inside. Throws LazyFaultError when a lazy frame's load failed. */
  run(budget: bigint): VirtStop {
    const end = this.hart.clock + budget;
    this.yieldRequested = false;
    while (true) {
      this.feedInput();
      this.rtc.poll?.();
      const left = end - this.hart.clock;
      if (left <= 0n) return { kind: "budget" };
      const r = this.hart.run(left);
      if (r === StopReason.HostCall) {
        this.sbi.handle();
        if (this.resetRequest) {
          const k = this.resetRequest;
          this.resetRequest = undefined;
          return k === "shutdown" ? { kind: "poweroff" } : { kind: "reboot" };
        }
        continue;
      }
      if (r === StopReason.Halt) {
        const ev = this.test.event;
        this.test.event = undefined;
        if (ev === undefined && this.yieldRequested) {
          this.yieldRequested = false;
          return { kind: "budget" };
        }
        if (ev?.kind === "reset") return { kind: "reboot" };
        return { kind: "poweroff" };
      }
      if (r === StopReason.OutOfMemory) {
        // The guest reached its RAM budget: reclaim frames holding only zeros and go on if
        // that made real room (at least 1 MiB); otherwise it is out of memory.
        if (this.hart.reclaimZeroFrames() >= RECLAIM_MIN_FRAMES) continue;
        return { kind: "out-of-memory" };
      }
      if (r === StopReason.LazyFault) throw new LazyFaultError(this.hart.lazyFaultError ?? "a lazy frame could not be loaded");
      if (r === StopReason.Wfi) {
        // Input waiting for FIFO space counts as something to do.
        if (this.pendingInput.length > 0 && this.uart.rxSpace > 0) continue;
        return { kind: "idle", deadline: this.nextDeadline() };
      }
      return { kind: "budget" };
    }
  }
}
