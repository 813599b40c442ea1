// The disk journal in a VM object's SQLite: for each disk, the chunks written since their
// last commit, one row per chunk (≤ 1 MiB, under the 2 MB row limit) with its version.
// Rows are written inside the VM's checkpoint transaction and removed once committed.
import type { DiskJournal } from "./chunked-disk.js";

export class SqlDiskJournal implements DiskJournal {
  private total: number;

  constructor(private readonly sql: SqlStorage, private readonly disk: string) {
    sql.exec("CREATE TABLE IF NOT EXISTS disk_journal (disk TEXT NOT NULL, idx INTEGER NOT NULL, seq INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (disk, idx))");
    this.total = sql.exec<{ n: number }>("SELECT COALESCE(SUM(LENGTH(data)), 0) AS n FROM disk_journal WHERE disk = ?", disk).one().n;
  }

  list(): { index: number; seq: number }[] {
    return this.sql.exec<{ idx: number; seq: number }>("SELECT idx, seq FROM disk_journal WHERE disk = ? ORDER BY idx", this.disk)
      .toArray().map((r) => ({ index: r.idx, seq: r.seq }));
  }

  get(index: number): { seq: number; data: Uint8Array } | undefined {
    const r = this.sql.exec<{ seq: number; data: ArrayBuffer }>("SELECT seq, data FROM disk_journal WHERE disk = ? AND idx = ?", this.disk, index).toArray()[0];
    return r ? { seq: r.seq, data: new Uint8Array(r.data) } : undefined;
  }

  has(index: number): boolean {
    return this.sql.exec("SELECT 1 FROM disk_journal WHERE disk = ? AND idx = ?", this.disk, index).toArray().length > 0;
  }

  put(index: number, seq: number, data: Uint8Array): void {
    const old = this.sql.exec<{ n: number }>("SELECT LENGTH(data) AS n FROM disk_journal WHERE disk = ? AND idx = ?", this.disk, index).toArray()[0];
    this.sql.exec("INSERT OR REPLACE INTO disk_journal (disk, idx, seq, data) VALUES (?, ?, ?, ?)", this.disk, index, seq, data);
    this.total += data.length - (old?.n ?? 0);
  }

  delete(index: number, seq: number): void {
    const old = this.sql.exec<{ n: number }>("SELECT LENGTH(data) AS n FROM disk_journal WHERE disk = ? AND idx = ? AND seq = ?", this.disk, index, seq).toArray()[0];
    if (!old) return;
    this.sql.exec("DELETE FROM disk_journal WHERE disk = ? AND idx = ? AND seq = ?", this.disk, index, seq);
    this.total -= old.n;
  }

  clear(): void {
    this.sql.exec("DELETE FROM disk_journal WHERE disk = ?", this.disk);
    this.total = 0;
  }

  bytes(): number {
    return this.total;
  }
}
