// TypeScript face of the wasm hart: instantiates the module (given as a compiled
// WebAssembly.Module, so Node and workerd each load it their own way), wires MMIO regions
// to device objects, and offers typed access to registers, memory and state. Pure and
// synchronous: no clocks, no I/O. Lazy frames (setLazyFrames) are fetched from the
// embedding's synchronous loader on first touch. The hart's linear memory comes from a
// MemoryArena (arena.ts): its own, or one it shares with other harts.

import type { MmioDevice } from "../ports.js";
import { MemoryArena } from "./arena.js";

/** Why run() returned (matches STOP_* in assembly/system.ts). */
export enum StopReason {
  Budget = 0,
  Wfi = 1,
  Halt = 2,
  HostCall = 3,
  OutOfMemory = 4,
  /** A trap that had no handler (with the SBI hosted, any trap into M-mode). */
  Fatal = 5,
  /** A lazy frame's loader failed (see Hart.lazyFaultError); the machine must not go on. */
  LazyFault = 6,
}

/**
 * Supplies a lazy frame: its 4096 bytes, undefined when it reads as zero, or the offset of
 * a frame in one of the hart's arena's shared regions holding its bytes (mapped read-only,
 * copied on the first write; the region must outlive the hart).
 */
export type FrameLoader = (f: number) => Uint8Array | number | undefined;

export interface HartOptions {
  /** Guest RAM in bytes at 0x8000_0000 (frames are allocated on first write). */
  ramBytes: number;
  /** Decoded-instruction cache size in 4 KiB code pages (16 KiB of host memory each). */
  decodeSlots?: number;
  /** Cap on resident guest frames (host memory for RAM = 4 KiB × this). */
  maxResidentFrames?: number;
  /** Cycles per mtime tick; mtime runs at 10 MHz, so 10 means a nominal 100 MIPS. */
  cyclesPerTick?: number;
  /** The memory to run in, shared with other harts; default: a memory of its own. */
  arena?: MemoryArena;
}

interface HartExports {
  _start(): void;
  staticEnd(): number;
  sharedFrames(): number;
  init(ramBytes: bigint, slots: number): number;
  run(budget: bigint): number;
  xregs(): number;
  fregs(): number;
  ioBuffer(): number;
  ioBufferSize(): number;
  getPc(): bigint;
  setPc(v: bigint): void;
  getPriv(): number;
  setPriv(v: number): void;
  getClock(): bigint;
  getInstret(): bigint;
  getMtime(): bigint;
  isWaiting(): number;
  framesInUse(): number;
  frameCount(): number;
  decodeSlotFills(): bigint;
  nextDeadline(): bigint;
  advanceClock(c: bigint): void;
  hostCsrRead(csr: number): bigint;
  hostCsrWrite(csr: number, v: bigint): number;
  setInterrupt(bit: number, level: number): void;
  dmaRead(paddr: bigint, len: number): number;
  dmaWrite(paddr: bigint, len: number): number;
  framePtr(f: number): number;
  frameForWrite(f: number): number;
  harvestDirty(first: number): number;
  resync(): void;
  flushTlb(): void;
  fatalInfo(i: number): bigint;
  saveState(): number;
  loadState(size: number): number;
  stateHash(): bigint;
  addRegion(base: bigint, size: bigint, id: number): number;
  mmioFault(): void;
  setFrameLimit(n: number): void;
  setClintBase(b: bigint): void;
  releaseFrame(f: number): void;
  reclaimZeroFrames(): number;
  setCyclesPerTick(v: bigint): void;
  setSbiHosted(v: number): void;
  setHartId(v: bigint): void;
  faultBuffer(): number;
  markLazy(first: number, count: number): number;
  isLazy(f: number): number;
  lazyFrames(): number;
}

export const RAM_BASE = 0x8000_0000n;
/** wasm i64 results arrive as signed bigints; registers and counters are unsigned. */
const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);
export const PAGE_SIZE = 4096;

export class Hart {
  private readonly exports: HartExports;
  readonly arena: MemoryArena;
  /** What the arena knows this hart by. */
  private readonly tenant: object = {};
  private disposed = false;
  private readonly devices: MmioDevice[] = [];
  readonly ramBytes: number;
  private lazyLoad: FrameLoader | undefined;
  private lazyError: string | undefined;
  private reclaimed = 0;

  constructor(module: WebAssembly.Module, opts: HartOptions) {
    if (!Number.isInteger(opts.ramBytes) || opts.ramBytes < PAGE_SIZE || opts.ramBytes > 0x1_0000_0000) {
      throw new RangeError(`guest RAM must be between 4 KiB and 4 GiB, got ${opts.ramBytes} bytes`);
    }
    const arena = opts.arena ?? new MemoryArena();
    this.arena = arena;
    const tenant = this.tenant;
    const imports = {
      env: { memory: arena.memory },
      host: {
        mmioRead: (id: number, offset: bigint, size: number): bigint => {
          const v = this.devices[id]!.read(Number(u64(offset)), size);
          if (v === undefined) {
            this.ex.mmioFault();
            return 0n;
          }
          return v;
        },
        mmioWrite: (id: number, offset: bigint, size: number, value: bigint): number =>
          this.devices[id]!.write(Number(u64(offset)), size, BigInt.asUintN(size * 8, value)),
        frameFault: (f: number): number => this.frameFault(f),
        alloc: (bytes: number): number => arena.alloc(tenant, bytes),
        sharedSlot: (offset: number): number => arena.sharedSlot(offset),
      },
    };
    arena.beforeInstance();
    const instance = new WebAssembly.Instance(module, imports);
    this.exports = instance.exports as unknown as HartExports;
    arena.adopt(tenant, this.exports.staticEnd());
    arena.track(this, tenant);
    this.ex._start();
    this.ramBytes = opts.ramBytes;
    if (!this.ex.init(BigInt(opts.ramBytes), opts.decodeSlots ?? 512)) {
      arena.release(tenant);
      throw new RangeError(`no memory for a machine of ${opts.ramBytes} bytes`);
    }
    if (opts.maxResidentFrames !== undefined) this.ex.setFrameLimit(opts.maxResidentFrames);
    this.ex.setCyclesPerTick(BigInt(opts.cyclesPerTick ?? 10));
  }

  /** The instance's exports, with this hart's static data current in the arena. */
  private get ex(): HartExports {
    if (this.disposed) throw new Error("this machine has been disposed");
    this.arena.activate(this.tenant);
    return this.exports;
  }

  /** The arena's memory (re-read after any call: it may have grown). */
  private get buf(): ArrayBuffer { return this.arena.memory.buffer; }

  /** Gives the hart's memory back to its arena; the hart cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.arena.release(this.tenant);
  }

  /** Maps a device at [base, base+size). */
  map(base: bigint, size: bigint, device: MmioDevice): void {
    const id = this.devices.length;
    this.devices.push(device);
    if (this.ex.addRegion(base, size, id) < 0) throw new Error("too many MMIO regions");
  }

  /** Runs at most budget cycles. Once a lazy fault has failed, returns LazyFault at once. */
  run(budget: number | bigint): StopReason {
    if (this.lazyError !== undefined) return StopReason.LazyFault;
    const ex = this.ex;
    const r = this.arena.turn(this.tenant, () => ex.run(BigInt(budget))) as StopReason;
    return this.lazyError !== undefined ? StopReason.LazyFault : r;
  }

  /**
   * Makes frames lazy: each reads from `load(f)` on first touch (guest access, page-table
   * walk, DMA, stateHash), then is resident and not dirty. Resident frames listed here are
   * dropped first. `load` is called synchronously from inside run() or a DMA copy: it must
   * not call back into this hart, and returns 4096 bytes (copied), or undefined for a zero
   * frame. Replaces any earlier loader (for every lazy frame). Throws RangeError on an
   * index that is not a frame.
   *
   * If `load` throws or returns anything else, the failure is recorded in lazyFaultError
   * and the frame stays lazy; the access that needed it does not happen (a guest access
   * stops the run before the instruction retires; a DMA copy fails), and run() returns
   * StopReason.LazyFault from then on. No guest ever sees the frame's bytes wrong. The
   * embedding should report the error and discard this machine (devices may have seen a
   * failed DMA), then restore again from its checkpoint.
   */
  setLazyFrames(indices: Iterable<number>, load: FrameLoader): void {
    const total = this.frameCount;
    const chunk = this.ex.ioBufferSize();
    const map = new Uint8Array(total);
    for (const f of indices) {
      if (!Number.isInteger(f) || f < 0 || f >= total) throw new RangeError(`lazy frame ${f} is not a frame of this machine (0..${total - 1})`);
      map[f] = 1;
    }
    this.lazyLoad = load;
    for (let first = 0; first < total; first += chunk) {
      const part = map.subarray(first, first + chunk);
      new Uint8Array(this.buf, this.ex.ioBuffer(), part.length).set(part);
      this.ex.markLazy(first, part.length);
    }
  }

  /** Frames still lazy (not yet fetched). */
  get lazyFrames(): number { return this.ex.lazyFrames(); }
  isLazy(f: number): boolean { return this.ex.isLazy(f) !== 0; }
  /** The first lazy-frame load failure, if any (then run() returns LazyFault). */
  get lazyFaultError(): string | undefined { return this.lazyError; }

  /** The core's frameFault import: 1 = bytes in the fault buffer, 0 = zero frame, 2 = failed, or a shared frame's offset (>= 64 KiB). */
  private frameFault(f: number): number {
    let bytes: Uint8Array | number | undefined;
    try {
      if (!this.lazyLoad) throw new Error("no loader is set");
      bytes = this.lazyLoad(f);
    } catch (e) {
      return this.lazyFailed(f, e instanceof Error ? e.message : String(e));
    }
    if (bytes === undefined) return 0;
    if (typeof bytes === "number") {
      if (!this.arena.isSharedFrame(bytes)) return this.lazyFailed(f, `loader returned ${bytes}, which is not a shared frame of this machine's memory`);
      return bytes;
    }
    if (!(bytes instanceof Uint8Array) || bytes.length !== PAGE_SIZE) {
      const what = bytes instanceof Uint8Array ? `${bytes.length} bytes` : typeof bytes;
      return this.lazyFailed(f, `loader returned ${what}, not ${PAGE_SIZE} bytes`);
    }
    new Uint8Array(this.buf, this.ex.faultBuffer(), PAGE_SIZE).set(bytes);
    return 1;
  }

  private lazyFailed(f: number, why: string): number {
    this.lazyError ??= `lazy frame ${f} (guest physical 0x${(RAM_BASE + BigInt(f) * 4096n).toString(16)}) could not be loaded: ${why}`;
    return 2;
  }

  get pc(): bigint { return u64(this.ex.getPc()); }
  set pc(v: bigint) { this.ex.setPc(BigInt.asUintN(64, v)); }
  get priv(): number { return this.ex.getPriv(); }
  set priv(v: number) { this.ex.setPriv(v); }
  get clock(): bigint { return u64(this.ex.getClock()); }
  get instret(): bigint { return u64(this.ex.getInstret()); }
  get mtime(): bigint { return u64(this.ex.getMtime()); }
  get waiting(): boolean { return this.ex.isWaiting() !== 0; }
  get framesInUse(): number { return this.ex.framesInUse(); }
  get decodeSlotFills(): bigint { return u64(this.ex.decodeSlotFills()); }
  /** Bytes of wasm linear memory the hart holds (its arena's shared regions not included). */
  get hostMemoryBytes(): number { return this.arena.bytesOf(this.tenant); }
  /** Frames mapped read-only from the arena's shared regions. */
  get sharedFrames(): number { return this.ex.sharedFrames(); }

  /** Reads integer register i (x0..x31). */
  x(i: number): bigint {
    return new BigUint64Array(this.buf, this.ex.xregs(), 32)[i & 31]!;
  }
  setX(i: number, v: bigint): void {
    if (i === 0) return;
    new BigUint64Array(this.buf, this.ex.xregs(), 32)[i] = BigInt.asUintN(64, v);
  }
  /** Raw 64-bit pattern of FP register i. */
  f(i: number): bigint {
    return new BigUint64Array(this.buf, this.ex.fregs(), 32)[i]!;
  }
  csr(n: number): bigint { return u64(this.ex.hostCsrRead(n)); }
  setCsr(n: number, v: bigint): boolean { return this.ex.hostCsrWrite(n, BigInt.asUintN(64, v)) !== 0; }
  setInterrupt(bit: number, level: boolean): void { this.ex.setInterrupt(bit, level ? 1 : 0); }
  /** Cycle of the next armed timer, or undefined. */
  nextDeadline(): bigint | undefined {
    const d = u64(this.ex.nextDeadline());
    return d === 0xffff_ffff_ffff_ffffn ? undefined : d;
  }
  advanceClock(cycles: bigint): void {
    if (cycles < 0n) throw new RangeError("virtual time cannot go backwards");
    this.ex.advanceClock(cycles);
  }
  setSbiHosted(on: boolean): void { this.ex.setSbiHosted(on ? 1 : 0); }

  /** Copies bytes into guest RAM (fetching lazy frames); throws RangeError when [paddr, paddr+len) is not RAM. */
  writePhys(paddr: bigint, bytes: Uint8Array): void {
    const chunk = this.ex.ioBufferSize();
    for (let done = 0; done < bytes.length; done += chunk) {
      const part = bytes.subarray(done, done + chunk);
      new Uint8Array(this.buf, this.ex.ioBuffer(), part.length).set(part);
      let ok = this.ex.dmaWrite(paddr + BigInt(done), part.length);
      // RAM exhausted: frames holding only zeros can make room (the copy is redone whole).
      if (!ok && this.lazyError === undefined && this.reclaimZeroFrames() > 0) ok = this.ex.dmaWrite(paddr + BigInt(done), part.length);
      if (!ok) {
        if (this.lazyError !== undefined) throw new RangeError(this.lazyError);
        throw new RangeError(`guest physical range 0x${(paddr + BigInt(done)).toString(16)}+${part.length} is not RAM (or RAM is exhausted)`);
      }
    }
  }

  /** Copies bytes out of guest RAM (fetching lazy frames); throws RangeError when the range is not RAM. */
  readPhys(paddr: bigint, len: number): Uint8Array {
    const out = new Uint8Array(len);
    const chunk = this.ex.ioBufferSize();
    for (let done = 0; done < len; done += chunk) {
      const n = Math.min(chunk, len - done);
      if (!this.ex.dmaRead(paddr + BigInt(done), n)) {
        if (this.lazyError !== undefined) throw new RangeError(this.lazyError);
        throw new RangeError(`guest physical range 0x${(paddr + BigInt(done)).toString(16)}+${n} is not RAM`);
      }
      out.set(new Uint8Array(this.buf, this.ex.ioBuffer(), n), done);
    }
    return out;
  }

  /** Hart state (registers, CSRs, clocks) as bytes. */
  saveState(): Uint8Array {
    const n = this.ex.saveState();
    return new Uint8Array(this.buf, this.ex.ioBuffer(), n).slice();
  }

  /** Restores hart state saved by saveState(); throws on a blob that is not one. */
  loadState(blob: Uint8Array): void {
    if (blob.length > this.ex.ioBufferSize()) throw new RangeError("hart state blob too large");
    new Uint8Array(this.buf, this.ex.ioBuffer(), blob.length).set(blob);
    if (!this.ex.loadState(blob.length)) throw new Error("not a hart state blob of this version");
  }

  /** Number of RAM frames. */
  get frameCount(): number { return this.ex.frameCount(); }

  /** Frame f's bytes (a view into wasm memory, valid until the next run), or undefined if absent or lazy (never fetches). */
  frame(f: number): Uint8Array | undefined {
    const p = this.ex.framePtr(f);
    return p === 0 ? undefined : new Uint8Array(this.buf, p, PAGE_SIZE);
  }

  /** Frames held in memory (neither absent nor lazy), ascending. */
  residentFrames(): number[] {
    const out: number[] = [];
    for (let f = 0; f < this.frameCount; f++) if (this.ex.framePtr(f) !== 0) out.push(f);
    return out;
  }

  /** Installs frame contents (restore); a lazy frame stops being lazy without being fetched. */
  setFrame(f: number, bytes: Uint8Array): void {
    const p = this.ex.frameForWrite(f);
    if (p === 0) throw new RangeError(`cannot allocate frame ${f}`);
    new Uint8Array(this.buf, p, PAGE_SIZE).set(bytes.subarray(0, PAGE_SIZE));
  }

  /** Drops the RAM page at paddr (balloon inflate): it reads as zero again. False if not RAM. */
  releasePage(paddr: bigint): boolean {
    const off = paddr - RAM_BASE;
    if (off < 0n || off >= BigInt(this.ramBytes)) return false;
    this.ex.releaseFrame(Number(off >> 12n));
    return true;
  }

  /**
   * Zero-page reclaim: drops every private resident frame that holds only zeros (it reads
   * as zero again and costs nothing until written; checkpoints see it as released). Guest-
   * invisible and hash-neutral. Returns how many frames were dropped.
   */
  reclaimZeroFrames(): number {
    const n = this.ex.reclaimZeroFrames();
    this.reclaimed += n;
    return n;
  }

  /** Frames dropped by reclaimZeroFrames since this hart was made. */
  get zeroFramesReclaimed(): number { return this.reclaimed; }

  /** Frames changed since the last harvest (written, or released by the balloon); clears their dirty bits. */
  harvestDirty(): number[] {
    const out: number[] = [];
    for (let first = 0; first < this.frameCount;) {
      const n = this.ex.harvestDirty(first);
      const bits = new Uint8Array(this.buf, this.ex.ioBuffer(), n);
      for (let i = 0; i < n; i++) if (bits[i]) out.push(first + i);
      first += n;
    }
    return out;
  }

  /** The trap behind a Fatal stop. */
  get fatal(): { cause: bigint; tval: bigint; pc: bigint } {
    return { cause: u64(this.ex.fatalInfo(0)), tval: u64(this.ex.fatalInfo(1)), pc: u64(this.ex.fatalInfo(2)) };
  }

  /** Drops every cached address translation. */
  flushTlb(): void { this.ex.flushTlb(); }

  /** Re-derives timers and translations after a restore. */
  resync(): void { this.ex.resync(); }

  /** 64-bit hash of hart state and RAM contents (the determinism check). */
  stateHash(): bigint { return u64(this.ex.stateHash()); }
}
