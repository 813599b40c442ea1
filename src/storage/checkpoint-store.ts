// A VM's checkpoint in its Durable Object's SQLite: guest frames as one row each (4 KiB, far
// under the row limit) keyed by frame number, and the machine state (hart, devices) beside
// them in the synchronous KV. Reads are synchronous, so a restored machine can fault its
// frames in lazily straight from here. A VM cloned from (or reverted to) a memory snapshot
// also has a base layer: the snapshot's frame map (pack, slot per frame), packed into a few
// `base_map` rows and decoded once into memory; its own rows override the base, and an empty
// row marks a base frame that is zero now.

/** Where a base frame is: index into the base layer's packs, and slot in that pack. */
export interface BaseRef { pack: number; slot: number }

/** Frames per `base_map` row: (pfn, pack, slot) as three u32 each, 384 KiB at most. */
const BASE_PART = 32768;

export class CheckpointStore {
  private readonly sql: SqlStorage;
  /** The base layer's map, decoded from `base_map` on first use; dropped by every change. */
  private base: Map<number, BaseRef> | undefined;

  constructor(private readonly storage: DurableObjectStorage) {
    this.sql = storage.sql;
    this.sql.exec("CREATE TABLE IF NOT EXISTS frames (pfn INTEGER PRIMARY KEY, data BLOB NOT NULL)");
    this.sql.exec("CREATE TABLE IF NOT EXISTS base_map (part INTEGER PRIMARY KEY, data BLOB NOT NULL)");
    // Checkpoints written before base_map kept the map one row per frame; still read.
    this.sql.exec("CREATE TABLE IF NOT EXISTS base_frames (pfn INTEGER PRIMARY KEY, pack INTEGER NOT NULL, slot INTEGER NOT NULL)");
  }

  /**
   * Replaces the base layer: frame → [index into packs, slot]. Stored as a few packed rows
   * (a clone's thousands of frames cost one insert, not one row each).
   */
  setBase(frames: Map<number, BaseRef>): void {
    this.clearBase();
    const entries = [...frames];
    for (let at = 0, part = 0; at < entries.length; at += BASE_PART, part++) {
      const slice = entries.slice(at, at + BASE_PART);
      const a = new Uint32Array(slice.length * 3);
      slice.forEach(([pfn, r], i) => { a[i * 3] = pfn; a[i * 3 + 1] = r.pack; a[i * 3 + 2] = r.slot; });
      this.sql.exec("INSERT INTO base_map (part, data) VALUES (?, ?)", part, new Uint8Array(a.buffer));
    }
  }

  private baseMap(): Map<number, BaseRef> {
    if (this.base) return this.base;
    const m = new Map<number, BaseRef>();
    for (const r of this.sql.exec<{ data: ArrayBuffer }>("SELECT data FROM base_map ORDER BY part")) {
      const a = new Uint32Array(r.data);
      for (let i = 0; i + 2 < a.length; i += 3) m.set(a[i]!, { pack: a[i + 1]!, slot: a[i + 2]! });
    }
    if (m.size === 0) {
      for (const r of this.sql.exec<{ pfn: number; pack: number; slot: number }>("SELECT pfn, pack, slot FROM base_frames")) {
        m.set(r.pfn, { pack: r.pack, slot: r.slot });
      }
    }
    this.base = m;
    return m;
  }

  basePfns(): number[] {
    return [...this.baseMap().keys()].sort((a, b) => a - b);
  }

  baseRef(pfn: number): BaseRef | undefined {
    return this.baseMap().get(pfn);
  }

  /** Every base frame not overridden by an own row: pfn → [pack index, slot]. */
  baseOnly(): Map<number, BaseRef> {
    const own = new Set(this.pfns());
    const out = new Map<number, BaseRef>();
    for (const [pfn, r] of this.baseMap()) if (!own.has(pfn)) out.set(pfn, r);
    return out;
  }

  clearBase(): void {
    this.sql.exec("DELETE FROM base_map");
    this.sql.exec("DELETE FROM base_frames");
    this.base = undefined;
  }

  /** Frame numbers saved. */
  pfns(): number[] {
    return this.sql.exec<{ pfn: number }>("SELECT pfn FROM frames ORDER BY pfn").toArray().map((r) => r.pfn);
  }

  frame(pfn: number): Uint8Array | undefined {
    const rows = this.sql.exec<{ data: ArrayBuffer }>("SELECT data FROM frames WHERE pfn = ?", pfn).toArray();
    return rows[0] ? new Uint8Array(rows[0].data) : undefined;
  }

  putFrame(pfn: number, bytes: Uint8Array): void {
    this.sql.exec("INSERT OR REPLACE INTO frames (pfn, data) VALUES (?, ?)", pfn, bytes);
  }

  deleteFrame(pfn: number): void {
    this.sql.exec("DELETE FROM frames WHERE pfn = ?", pfn);
  }

  clearFrames(): void {
    this.sql.exec("DELETE FROM frames");
  }

  /** Bytes of frames saved. */
  bytes(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM frames").one().n * 4096;
  }

  get<T>(key: string): T | undefined {
    return this.storage.kv.get<T>(key);
  }

  put(key: string, value: unknown): void {
    this.storage.kv.put(key, value);
  }

  delete(key: string): void {
    this.storage.kv.delete(key);
  }

  /** Runs fn in one SQLite transaction (all or nothing). */
  atomically<T>(fn: () => T): T {
    return this.storage.transactionSync(fn);
  }
}
