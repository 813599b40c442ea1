// The disk journal in a VM object's SQLite: for each disk, the chunks written since their
// last commit, one row per chunk (≤ 1 MiB, under the 2 MB row limit) with its version.
// Rows are written inside the VM's checkpoint transaction and removed once committed.
// Which chunks have rows (with their versions and sizes) is also kept in memory, so the
// read path's "is it journaled?" costs no query.
import type { DiskJournal } from "./chunked-disk.js";

export class SqlDiskJournal implements DiskJournal {
  private total = 0;
  /** Chunk index → the version and byte length of its row. */
  private readonly rows = new Map<number, { seq: number; bytes: number }>();

  constructor(private readonly sql: SqlStorage, private readonly disk: string) {
    sql.exec("CREATE TABLE IF NOT EXISTS disk_journal (disk TEXT NOT NULL, idx INTEGER NOT NULL, seq INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (disk, idx))");
    for (const r of sql.exec<{ idx: number; seq: number; n: number }>("SELECT idx, seq, LENGTH(data) AS n FROM disk_journal WHERE disk = ?", disk)) {
      this.rows.set(r.idx, { seq: r.seq, bytes: r.n });
      this.total += r.n;
    }
  }

  list(): { index: number; seq: number }[] {
    return [...this.rows].sort((a, b) => a[0] - b[0]).map(([index, r]) => ({ index, seq: r.seq }));
  }

  get(index: number): { seq: number; data: Uint8Array } | undefined {
    if (!this.rows.has(index)) return undefined;
    const r = this.sql.exec<{ seq: number; data: ArrayBuffer }>("SELECT seq, data FROM disk_journal WHERE disk = ? AND idx = ?", this.disk, index).toArray()[0];
    return r ? { seq: r.seq, data: new Uint8Array(r.data) } : undefined;
  }

  has(index: number): boolean {
    return this.rows.has(index);
  }

  put(index: number, seq: number, data: Uint8Array): void {
    this.sql.exec("INSERT OR REPLACE INTO disk_journal (disk, idx, seq, data) VALUES (?, ?, ?, ?)", this.disk, index, seq, data);
    this.total += data.length - (this.rows.get(index)?.bytes ?? 0);
    this.rows.set(index, { seq, bytes: data.length });
  }

  delete(index: number, seq: number): void {
    const r = this.rows.get(index);
    if (!r || r.seq !== seq) return;
    this.sql.exec("DELETE FROM disk_journal WHERE disk = ? AND idx = ? AND seq = ?", this.disk, index, seq);
    this.rows.delete(index);
    this.total -= r.bytes;
  }

  clear(): void {
    this.sql.exec("DELETE FROM disk_journal WHERE disk = ?", this.disk);
    this.rows.clear();
    this.total = 0;
  }

  bytes(): number {
    return this.total;
  }
}
