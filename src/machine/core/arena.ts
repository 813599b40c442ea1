// The linear memory harts run in. A MemoryArena owns one WebAssembly.Memory and hands it
// out in 64 KiB units: to harts (their tables, decode slots and private guest frames) and
// to the embedding's shared regions (read-only frames several harts map, such as the
// snapshot frames clones fault in, with the decoded code of those frames). A hart alone
// in its arena is the simple case; many harts in one arena (one per isolate) share what
// is identical instead of each holding a copy, as vSphere's instant clones do.
//
// The core's static data (registers, small tables: [0, staticEnd)) is per hart but lives
// at fixed addresses, so harts in one arena take turns: activate() saves the active hart's
// static data and restores the next one's (a few KiB), which the Hart wrapper does before
// every call into its instance. Pure and synchronous.

export const UNIT = 0x10000;
const PAGE = 4096;
/** A decoded-code slot: 2048 entries + the page-end sentinel, 8 bytes each (decodecache.ts). */
export const SLOT_BYTES = 2049 * 8;
const SLOTS_PER_RUN = Math.floor((4 * UNIT) / SLOT_BYTES);
const GROW_UNITS = 16;

/** The key a hart holds its units under (not the hart itself, so the hart can be collected). */
export type Tenant = object;

/** A shared region (keyed by its offset): its size and the frames whose decoded code it keeps. */
interface Region { bytes: number; slots: number[] }

export class MemoryArena {
  readonly memory: WebAssembly.Memory;
  /** Bytes of static data per hart; known once the first hart is instantiated. */
  private statics = 0;
  /** Start of space never handed out (unit 0 holds the static data). */
  private top = UNIT;
  /** Unit numbers handed back (zeroed), ascending. */
  private free: number[] = [];
  private readonly held = new Map<Tenant, number[]>();
  private readonly saved = new Map<Tenant, Uint8Array>();
  private owner: Tenant | undefined;
  /** The hart inside run(): no other may become active until it returns (its static data is live). */
  private running: Tenant | undefined;
  /** Shared regions by offset, and which region each of their frames' slots belongs to. */
  private readonly regions = new Map<number, Region>();
  private readonly slotOf = new Map<number, number>();
  private freeSlots: number[] = [];
  private slotUnits = 0;

  /**
   * A hart dropped without dispose() (its Durable Object evicted) gives its units back
   * when it is collected, where the runtime has FinalizationRegistry.
   */
  private readonly collected = typeof FinalizationRegistry === "function"
    ? new FinalizationRegistry<Tenant>((t) => this.release(t))
    : undefined;

  constructor() {
    this.memory = new WebAssembly.Memory({ initial: 1 });
  }

  /** Releases `t` when `holder` is garbage-collected (unless released first). */
  track(holder: object, t: Tenant): void {
    this.collected?.register(holder, t, t);
  }

  /** Call before instantiating a hart in this memory: its data segments overwrite the static data. */
  beforeInstance(): void {
    this.activate(undefined);
  }

  /** The hart just instantiated (whose static data ends at staticEnd) is the active one. */
  adopt(t: Tenant, staticEnd: number): void {
    if (staticEnd > UNIT) throw new Error(`the core's static data (${staticEnd} bytes) does not fit its 64 KiB unit`);
    if (this.statics === 0) {
      this.statics = staticEnd;
    } else if (staticEnd !== this.statics) {
      throw new Error("harts of different builds cannot share an arena");
    }
    this.held.set(t, []);
    this.owner = t;
  }

  /** Makes t's static data current (t undefined: only saves the current hart's). */
  activate(t: Tenant | undefined): void {
    if (this.owner === t) return;
    if (this.running !== undefined) throw new Error("a machine was called while another one in the same memory was running");
    const live = new Uint8Array(this.memory.buffer, 0, this.statics);
    if (this.owner !== undefined) {
      let buf = this.saved.get(this.owner);
      if (!buf) this.saved.set(this.owner, (buf = new Uint8Array(this.statics)));
      buf.set(live);
    }
    this.owner = undefined;
    if (t === undefined) return;
    const buf = this.saved.get(t);
    if (!buf) throw new Error("this machine's memory has been released");
    live.set(buf);
    this.owner = t;
  }

  /** Runs fn as t's turn (t active): calling another hart of this arena meanwhile throws. */
  turn<T>(t: Tenant, fn: () => T): T {
    this.activate(t);
    this.running = t;
    try {
      return fn();
    } finally {
      this.running = undefined;
    }
  }

  /** `bytes` (whole units) of zeroed memory for t; 0 when the memory cannot grow. */
  alloc(t: Tenant, bytes: number): number {
    const list = this.held.get(t);
    if (!list || bytes <= 0 || bytes % UNIT !== 0) return 0;
    const off = this.take(bytes / UNIT);
    if (off === 0) return 0;
    for (let i = 0; i < bytes / UNIT; i++) list.push(off / UNIT + i);
    return off;
  }

  /** Gives back everything t holds; t cannot run again. */
  release(t: Tenant): void {
    const list = this.held.get(t);
    if (!list) return;
    if (this.owner === t) this.owner = undefined;
    this.collected?.unregister(t);
    this.held.delete(t);
    this.saved.delete(t);
    this.giveBack(list);
  }

  /** Bytes t holds: its units and its static data. */
  bytesOf(t: Tenant): number {
    return (this.held.get(t)?.length ?? 0) * UNIT + this.statics;
  }

  /** Size of the whole memory. */
  get totalBytes(): number { return this.memory.buffer.byteLength; }

  // ---- shared regions ---------------------------------------------------------------------

  /** A zeroed region of `bytes` (rounded up to units) that harts may map read-only; 0 when refused. */
  allocShared(bytes: number): number {
    const units = Math.max(1, Math.ceil(bytes / UNIT));
    const off = this.take(units);
    if (off === 0) return 0;
    this.regions.set(off, { bytes: units * UNIT, slots: [] });
    return off;
  }

  /** Frees a shared region and the decoded code of its frames: no hart may map it any more. */
  freeShared(offset: number): void {
    const r = this.regions.get(offset);
    if (!r) return;
    this.regions.delete(offset);
    for (const frame of r.slots) {
      const s = this.slotOf.get(frame)!;
      this.slotOf.delete(frame);
      new Uint8Array(this.memory.buffer, s, SLOT_BYTES).fill(0);
      this.freeSlots.push(s);
    }
    const units: number[] = [];
    for (let i = 0; i < r.bytes / UNIT; i++) units.push(offset / UNIT + i);
    this.giveBack(units);
  }

  /** The shared region holding [offset, offset + 4096), if any. */
  private regionAt(offset: number): Region | undefined {
    for (const [start, r] of this.regions) if (offset >= start && offset + PAGE <= start + r.bytes) return r;
    return undefined;
  }

  /** Whether offset is a 4 KiB frame inside a shared region. */
  isSharedFrame(offset: number): boolean {
    return Number.isInteger(offset) && offset % PAGE === 0 && this.regionAt(offset) !== undefined;
  }

  /** The decoded-code slot of the shared frame at offset (zeroed when new), or 0. */
  sharedSlot(offset: number): number {
    const known = this.slotOf.get(offset);
    if (known !== undefined) return known;
    const r = this.regionAt(offset);
    if (!r) return 0;
    if (this.freeSlots.length === 0) {
      const run = this.take(4);
      if (run === 0) return 0;
      this.slotUnits += 4;
      for (let i = SLOTS_PER_RUN - 1; i >= 0; i--) this.freeSlots.push(run + i * SLOT_BYTES);
    }
    const s = this.freeSlots.pop()!;
    this.slotOf.set(offset, s);
    r.slots.push(offset);
    return s;
  }

  /** Bytes of shared regions, and of the decoded code kept for them. */
  get sharedBytes(): number {
    let n = 0;
    for (const r of this.regions.values()) n += r.bytes;
    return n;
  }
  get sharedCodeBytes(): number { return this.slotUnits * UNIT; }

  // ---- units ------------------------------------------------------------------------------

  /** n contiguous units: the lowest free run, else new space at the top (growing the memory). */
  private take(n: number): number {
    const f = this.free;
    for (let i = 0; i + n <= f.length; i++) {
      if (f[i + n - 1]! - f[i]! === n - 1) {
        const first = f[i]!;
        f.splice(i, n);
        return first * UNIT;
      }
    }
    const off = this.top;
    const need = off + n * UNIT - this.memory.buffer.byteLength;
    if (need > 0) {
      // At least 1 MiB at a time: each grow costs a new ArrayBuffer for the memory.
      try {
        this.memory.grow(Math.max(need / UNIT, GROW_UNITS));
      } catch {
        try {
          this.memory.grow(need / UNIT);
        } catch {
          return 0;
        }
      }
    }
    this.top += n * UNIT;
    return off;
  }

  private giveBack(units: number[]): void {
    const buf = this.memory.buffer;
    for (const u of units) new Uint8Array(buf, u * UNIT, UNIT).fill(0);
    this.free = [...this.free, ...units].sort((a, b) => a - b);
  }
}
