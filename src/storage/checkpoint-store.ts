// A VM's checkpoint in its Durable Object's SQLite: guest frames as one row each (4 KiB, far
// under the row limit) keyed by frame number, and the machine state (hart, devices) beside
// them in the synchronous KV. Reads are synchronous, so a restored machine can fault its
// frames in lazily straight from here. A VM cloned from (or reverted to) a memory snapshot
// also has a base layer: the snapshot's frame map (pack, slot per frame) in `base_frames`;
// its own rows override the base, and an empty row marks a base frame that is zero now.

export class CheckpointStore {
  private readonly sql: SqlStorage;

  constructor(private readonly storage: DurableObjectStorage) {
    this.sql = storage.sql;
    this.sql.exec("CREATE TABLE IF NOT EXISTS frames (pfn INTEGER PRIMARY KEY, data BLOB NOT NULL)");
    this.sql.exec("CREATE TABLE IF NOT EXISTS base_frames (pfn INTEGER PRIMARY KEY, pack INTEGER NOT NULL, slot INTEGER NOT NULL)");
  }

  /** Replaces the base layer: frame → [index into packs, slot]. */
  setBase(frames: Map<number, { pack: number; slot: number }>): void {
    this.sql.exec("DELETE FROM base_frames");
    const rows: [number, number, number][] = [];
    for (const [pfn, r] of frames) rows.push([pfn, r.pack, r.slot]);
    // One statement for the whole map (thousands of rows).
    this.sql.exec(`INSERT INTO base_frames (pfn, pack, slot)
      SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]') FROM json_each(?)`, JSON.stringify(rows));
  }

  basePfns(): number[] {
    return this.sql.exec<{ pfn: number }>("SELECT pfn FROM base_frames ORDER BY pfn").toArray().map((r) => r.pfn);
  }

  baseRef(pfn: number): { pack: number; slot: number } | undefined {
    const rows = this.sql.exec<{ pack: number; slot: number }>("SELECT pack, slot FROM base_frames WHERE pfn = ?", pfn).toArray();
    return rows[0];
  }

  /** Every base frame not overridden by an own row: pfn → [pack index, slot]. */
  baseOnly(): Map<number, { pack: number; slot: number }> {
    const out = new Map<number, { pack: number; slot: number }>();
    for (const r of this.sql.exec<{ pfn: number; pack: number; slot: number }>(
      "SELECT pfn, pack, slot FROM base_frames WHERE pfn NOT IN (SELECT pfn FROM frames)")) out.set(r.pfn, { pack: r.pack, slot: r.slot });
    return out;
  }

  clearBase(): void {
    this.sql.exec("DELETE FROM base_frames");
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
