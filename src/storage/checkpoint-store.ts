// A VM's checkpoint in its Durable Object's SQLite: guest frames as one row each (4 KiB, far
// under the row limit) keyed by frame number, and the machine state (hart, devices) beside
// them in the synchronous KV. Reads are synchronous, so a restored machine can fault its
// frames in lazily straight from here.

export class CheckpointStore {
  private readonly sql: SqlStorage;

  constructor(private readonly storage: DurableObjectStorage) {
    this.sql = storage.sql;
    this.sql.exec("CREATE TABLE IF NOT EXISTS frames (pfn INTEGER PRIMARY KEY, data BLOB NOT NULL)");
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
