// SiFive Platform-Level Interrupt Controller, register layout as on QEMU's virt machine
// (RISC-V PLIC specification 1.0.0, "Memory Map"): priorities at 0x000000 + 4*id,
// pending bits at 0x001000, enable bits at 0x002000 + 0x80*context, and per context a
// threshold at 0x200000 + 0x1000*context and claim/complete at +4. Contexts are the output
// lines given to the constructor: on virt, context 0 = hart 0 M-mode, 1 = hart 0 S-mode.
// Sources are level-triggered (the gateway of §"Interrupt Gateways"): a source is pending
// while its line is high and it is not claimed; completing it lets it pend again.
// Only aligned 32-bit accesses are allowed; unknown registers read 0 and ignore writes.

import { MmioResult, type IrqLine, type MmioDevice } from "../ports.js";
import { StateError, bool, int, ints, obj } from "./state.js";

/** PLIC spec "Memory Map". */
const PRIORITY_BASE = 0x0;
const PENDING_BASE = 0x1000;
const ENABLE_BASE = 0x2000;
const ENABLE_STRIDE = 0x80;
const CONTEXT_BASE = 0x20_0000;
const CONTEXT_STRIDE = 0x1000;
/** The whole PLIC address space (spec: 64 MiB). */
export const PLIC_SIZE = 0x400_0000;
/** The spec allows source ids 1..1023 and 15872 contexts. */
export const PLIC_MAX_SOURCES = 1024;
const MAX_CONTEXTS = (PLIC_SIZE - CONTEXT_BASE) / CONTEXT_STRIDE;
/** QEMU virt implements 3 priority bits (priorities 0..7), threshold likewise. */
const PRIORITY_MASK = 7;

export interface PlicState {
  sources: number;
  priority: number[];
  pending: number[];
  level: number[];
  claimed: number[];
  enable: number[][];
  threshold: number[];
  lines: boolean[];
}

export class Plic implements MmioDevice {
  /** Number of source ids, including the reserved id 0 (valid ids: 1..sources-1). */
  readonly sources: number;
  private readonly words: number;
  private priority: Uint8Array;
  private pending: Uint32Array;
  private level: Uint32Array;
  private claimed: Uint32Array;
  private enable: Uint32Array[];
  private threshold: Uint8Array;
  private lineLevel: boolean[];

  /**
   * @param lines one interrupt output per context (virt: [M-mode hart 0, S-mode hart 0])
   * @param sources number of source ids including the reserved 0 (riscv,ndev = sources - 1)
   */
  constructor(private readonly lines: IrqLine[], sources = 96) {
    if (!Number.isInteger(sources) || sources < 2 || sources > PLIC_MAX_SOURCES) {
      throw new RangeError(`PLIC sources must be in [2, ${PLIC_MAX_SOURCES}], got ${sources}`);
    }
    if (lines.length < 1 || lines.length > MAX_CONTEXTS) throw new RangeError(`PLIC needs 1..${MAX_CONTEXTS} contexts`);
    this.sources = sources;
    this.words = Math.ceil(sources / 32);
    this.priority = new Uint8Array(sources);
    this.pending = new Uint32Array(this.words);
    this.level = new Uint32Array(this.words);
    this.claimed = new Uint32Array(this.words);
    this.enable = lines.map(() => new Uint32Array(this.words));
    this.threshold = new Uint8Array(lines.length);
    this.lineLevel = lines.map(() => false);
  }

  get contexts(): number { return this.lines.length; }

  /** Drives source `id`'s input line (level-triggered). Ids outside 1..sources-1 are ignored. */
  setSource(id: number, level: boolean): void {
    if (!Number.isInteger(id) || id < 1 || id >= this.sources) return;
    setBit(this.level, id, level);
    setBit(this.pending, id, level && !getBit(this.claimed, id));
    this.update();
  }

  /** True when `context` has a claimable interrupt (its output line level). */
  lineLevelOf(context: number): boolean { return this.lineLevel[context] ?? false; }

  read(offset: number, size: number): bigint | undefined {
    if (size !== 4 || (offset & 3) !== 0 || offset < 0 || offset >= PLIC_SIZE) return undefined;
    return BigInt(this.readReg(offset) >>> 0);
  }

  write(offset: number, size: number, value: bigint): MmioResult {
    if (size !== 4 || (offset & 3) !== 0 || offset < 0 || offset >= PLIC_SIZE) return MmioResult.AccessFault;
    this.writeReg(offset, Number(BigInt.asUintN(32, value)));
    return MmioResult.Ok;
  }

  private readReg(off: number): number {
    if (off < PENDING_BASE) {
      const id = (off - PRIORITY_BASE) >> 2;
      return id < this.sources ? this.priority[id]! : 0;
    }
    if (off < ENABLE_BASE) return this.pending[(off - PENDING_BASE) >> 2] ?? 0;
    if (off < CONTEXT_BASE) {
      const ctx = Math.floor((off - ENABLE_BASE) / ENABLE_STRIDE);
      return this.enable[ctx]?.[((off - ENABLE_BASE) % ENABLE_STRIDE) >> 2] ?? 0;
    }
    const ctx = Math.floor((off - CONTEXT_BASE) / CONTEXT_STRIDE);
    if (ctx >= this.lines.length) return 0;
    switch ((off - CONTEXT_BASE) % CONTEXT_STRIDE) {
      case 0: return this.threshold[ctx]!;
      case 4: return this.claim(ctx);
      default: return 0;
    }
  }

  private writeReg(off: number, v: number): void {
    if (off < PENDING_BASE) {
      const id = (off - PRIORITY_BASE) >> 2;
      if (id >= 1 && id < this.sources) { this.priority[id] = v & PRIORITY_MASK; this.update(); }
      return;
    }
    if (off < ENABLE_BASE) return; // pending bits are read-only
    if (off < CONTEXT_BASE) {
      const ctx = Math.floor((off - ENABLE_BASE) / ENABLE_STRIDE);
      const word = ((off - ENABLE_BASE) % ENABLE_STRIDE) >> 2;
      const en = this.enable[ctx];
      if (en === undefined || word >= this.words) return;
      en[word] = v & this.validMask(word);
      this.update();
      return;
    }
    const ctx = Math.floor((off - CONTEXT_BASE) / CONTEXT_STRIDE);
    if (ctx >= this.lines.length) return;
    switch ((off - CONTEXT_BASE) % CONTEXT_STRIDE) {
      case 0: this.threshold[ctx] = v & PRIORITY_MASK; this.update(); return;
      case 4: this.complete(ctx, v); return;
      default: return;
    }
  }

  /** Bits of enable word `word` that name real sources (id 0 is hardwired to 0). */
  private validMask(word: number): number {
    let m = 0xffff_ffff;
    if (word === 0) m &= ~1;
    const top = this.sources - word * 32; // number of valid ids in this word
    if (top < 32) m &= (1 << top) - 1;
    return m >>> 0;
  }

  /** The best claimable source for ctx: highest priority above threshold, ties to the lowest id. */
  private best(ctx: number): number {
    const en = this.enable[ctx]!;
    const th = this.threshold[ctx]!;
    let bestId = 0;
    let bestPrio = th;
    for (let w = 0; w < this.words; w++) {
      let bits = (this.pending[w]! & en[w]!) >>> 0;
      while (bits !== 0) {
        const b = 31 - Math.clz32(bits & -bits);
        bits = (bits & (bits - 1)) >>> 0;
        const id = w * 32 + b;
        const p = this.priority[id]!;
        if (p > bestPrio) { bestPrio = p; bestId = id; }
      }
    }
    return bestId;
  }

  /** Spec "Interrupt Claim Process": returns the id (0 if none) and clears its pending bit. */
  private claim(ctx: number): number {
    const id = this.best(ctx);
    if (id !== 0) {
      setBit(this.pending, id, false);
      setBit(this.claimed, id, true);
      this.update();
    }
    return id;
  }

  /** Spec "Interrupt Completion": ignored unless the id is a claimed source enabled for ctx. */
  private complete(ctx: number, id: number): void {
    if (id < 1 || id >= this.sources) return;
    if (!getBit(this.enable[ctx]!, id) || !getBit(this.claimed, id)) return;
    setBit(this.claimed, id, false);
    if (getBit(this.level, id)) setBit(this.pending, id, true);
    this.update();
  }

  private update(): void {
    for (let ctx = 0; ctx < this.lines.length; ctx++) {
      const level = this.best(ctx) !== 0;
      if (level !== this.lineLevel[ctx]) {
        this.lineLevel[ctx] = level;
        this.lines[ctx]!(level);
      }
    }
  }

  saveState(): PlicState {
    return {
      sources: this.sources,
      priority: Array.from(this.priority),
      pending: Array.from(this.pending),
      level: Array.from(this.level),
      claimed: Array.from(this.claimed),
      enable: this.enable.map((e) => Array.from(e)),
      threshold: Array.from(this.threshold),
      lines: [...this.lineLevel],
    };
  }

  /** Restores a snapshot (validated first; throws StateError and changes nothing if bad). */
  loadState(s: unknown): void {
    const o = obj(s, "plic");
    if (int(o.sources, "plic.sources", 0, PLIC_MAX_SOURCES) !== this.sources) throw new StateError("plic.sources differs");
    const n = this.sources;
    const w = this.words;
    const bitsOf = (v: unknown, what: string): Uint32Array => {
      const a = ints(v, what, w, 0, 0xffff_ffff);
      if (a.length !== w) throw new StateError(`${what} needs ${w} words`);
      return Uint32Array.from(a.map((x, i) => (x & this.validMask(i)) >>> 0));
    };
    const prio = ints(o.priority, "plic.priority", n, 0, PRIORITY_MASK);
    if (prio.length !== n || prio[0] !== 0) throw new StateError("plic.priority");
    const pending = bitsOf(o.pending, "plic.pending");
    const level = bitsOf(o.level, "plic.level");
    const claimed = bitsOf(o.claimed, "plic.claimed");
    const enArr = Array.isArray(o.enable) ? o.enable : [];
    if (enArr.length !== this.lines.length) throw new StateError("plic.enable needs one entry per context");
    const enable = enArr.map((e, i) => bitsOf(e, `plic.enable[${i}]`));
    const th = ints(o.threshold, "plic.threshold", this.lines.length, 0, PRIORITY_MASK);
    if (th.length !== this.lines.length) throw new StateError("plic.threshold needs one entry per context");
    const lines = Array.isArray(o.lines) ? o.lines.map((b, i) => bool(b, `plic.lines[${i}]`)) : [];
    if (lines.length !== this.lines.length) throw new StateError("plic.lines needs one entry per context");
    for (let i = 0; i < w; i++) {
      if ((pending[i]! & claimed[i]!) !== 0) throw new StateError("plic: a source is both pending and claimed");
    }
    this.priority = Uint8Array.from(prio);
    this.pending = pending;
    this.level = level;
    this.claimed = claimed;
    this.enable = enable;
    this.threshold = Uint8Array.from(th);
    // Re-drive every output so the harts see the restored levels.
    for (let ctx = 0; ctx < this.lines.length; ctx++) {
      this.lineLevel[ctx] = this.best(ctx) !== 0;
      this.lines[ctx]!(this.lineLevel[ctx]!);
    }
  }
}

function getBit(a: Uint32Array, id: number): boolean {
  return ((a[id >> 5]! >>> (id & 31)) & 1) !== 0;
}

function setBit(a: Uint32Array, id: number, v: boolean): void {
  const w = id >> 5;
  const m = 1 << (id & 31);
  a[w] = v ? (a[w]! | m) >>> 0 : (a[w]! & ~m) >>> 0;
}
