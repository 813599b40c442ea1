// A VM's serial console output: a byte log with monotonic offsets, kept in the VM object's
// SQLite in chunks (the last `keepBytes`, at least 1 MiB, survive) plus an in-memory tail not
// yet persisted. persist() runs inside the checkpoint transaction, so the saved log always
// matches the saved machine, and readers only ever see persisted bytes (the output rule):
// after an eviction the guest resumes exactly where the output anyone saw ends — no byte
// is shown twice and no offset is reused.

const CHUNK = 64 * 1024;

export class ConsoleLog {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  /** Offset one past the last persisted byte. */
  private persistedEnd: number;

  constructor(private readonly sql: SqlStorage, private readonly keepBytes = 1 << 20) {
    sql.exec("CREATE TABLE IF NOT EXISTS console_chunks (start INTEGER PRIMARY KEY, data BLOB NOT NULL)");
    const row = sql.exec<{ end: number | null }>("SELECT MAX(start + length(data)) AS end FROM console_chunks").one();
    this.persistedEnd = row.end ?? 0;
  }

  /** Offset one past the last visible (persisted) byte. */
  get end(): number {
    return this.persistedEnd;
  }

  /** Output produced but not yet persisted (not visible). */
  get unpersisted(): number {
    return this.pendingBytes;
  }

  /** Oldest offset still readable. */
  get start(): number {
    const row = this.sql.exec<{ s: number | null }>("SELECT MIN(start) AS s FROM console_chunks").one();
    return row.s ?? this.persistedEnd;
  }

  append(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.pending.push(bytes.slice());
    this.pendingBytes += bytes.length;
  }

  /** Bytes from offset `from` (clamped to what is kept), at most `max`; `next` continues. */
  read(from: number, max = 1 << 20): { data: Uint8Array; start: number; next: number } {
    const start = Math.min(Math.max(from, this.start), this.end);
    const stop = Math.min(this.end, start + max);
    const out = new Uint8Array(stop - start);
    if (start < this.persistedEnd) {
      const rows = this.sql.exec<{ start: number; data: ArrayBuffer }>(
        "SELECT start, data FROM console_chunks WHERE start + length(data) > ? AND start < ? ORDER BY start", start, stop);
      for (const r of rows) copyOverlap(out, start, r.start, new Uint8Array(r.data));
    }
    return { data: out, start, next: stop };
  }

  /**
   * Writes the tail to SQLite (call inside the checkpoint transaction) and trims old chunks;
   * returns the bytes that just became visible.
   */
  persist(): Uint8Array {
    if (this.pendingBytes === 0) return new Uint8Array(0);
    const all = new Uint8Array(this.pendingBytes);
    let n = 0;
    for (const p of this.pending) { all.set(p, n); n += p.length; }
    for (let i = 0; i < all.length; i += CHUNK) {
      const part = all.subarray(i, i + CHUNK);
      this.sql.exec("INSERT OR REPLACE INTO console_chunks (start, data) VALUES (?, ?)", this.persistedEnd + i, part);
    }
    this.persistedEnd += all.length;
    this.pending = [];
    this.pendingBytes = 0;
    this.sql.exec("DELETE FROM console_chunks WHERE start + length(data) < ?", this.persistedEnd - this.keepBytes);
    return all;
  }

  /** Replaces the whole log with `tail`, ending at offset start + tail.length (a clone's history). */
  restart(start: number, tail: Uint8Array): void {
    this.sql.exec("DELETE FROM console_chunks");
    this.pending = [];
    this.pendingBytes = 0;
    this.persistedEnd = start;
    this.append(tail);
    this.persist();
  }

  /** Forgets output not yet persisted (the machine it came from was rolled back). */
  dropPending(): void {
    this.pending = [];
    this.pendingBytes = 0;
  }
}

/** Copies the part of `src` (at offset srcAt) that falls in out's window starting at outAt. */
function copyOverlap(out: Uint8Array, outAt: number, srcAt: number, src: Uint8Array): void {
  const lo = Math.max(outAt, srcAt);
  const hi = Math.min(outAt + out.length, srcAt + src.length);
  if (hi > lo) out.set(src.subarray(lo - srcAt, hi - srcAt), lo - outAt);
}
