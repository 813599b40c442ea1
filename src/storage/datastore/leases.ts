// Disk leases: one writer at a time, fenced by a per-disk epoch (DESIGN.md "Storage"). The
// epoch goes up each time a write lease is granted and on revoke; a write lease is valid for
// commits while its row still carries the current epoch — expiry only lets someone else take
// it (an expired lease no one has taken is still renewable). Read leases keep writers out.
import type { DsOutcome, LeaseInfo } from "./types.js";
import type { LeaseRow } from "./schema.js";
import { fail, ok } from "./outcome.js";

export class LeaseTable {
  constructor(private readonly sql: SqlStorage, private readonly now: () => number) {}

  /** The write lease row, expired or not. */
  writer(disk: string): LeaseRow | undefined {
    return this.sql.exec<LeaseRow>("SELECT * FROM leases WHERE disk = ? AND mode = 'write'", disk).toArray()[0];
  }

  /** Read leases not yet expired. */
  readers(disk: string): LeaseRow[] {
    return this.sql.exec<LeaseRow>("SELECT * FROM leases WHERE disk = ? AND mode = 'read' AND expires_at > ? ORDER BY holder",
      disk, this.now()).toArray();
  }

  /** The unexpired write lease of someone other than `holder` (anyone, when holder is undefined). */
  blockingWriter(disk: string, holder?: string): LeaseRow | undefined {
    const w = this.writer(disk);
    return w && w.holder !== holder && w.expires_at > this.now() ? w : undefined;
  }

  acquire(disk: string, holder: string, mode: "write" | "read", ttlMs: number): DsOutcome<LeaseInfo> {
    const writer = this.blockingWriter(disk, holder);
    if (writer) return held(disk, writer);
    return mode === "write" ? this.grantWrite(disk, holder, ttlMs) : this.grantRead(disk, holder, ttlMs);
  }

  /** Sets the holder's write lease (or read lease) of that epoch to expire `ttlMs` from now; 409 `lease_lost` otherwise. */
  renew(disk: string, holder: string, epoch: number, ttlMs?: number): DsOutcome<LeaseInfo> {
    const write = this.validWriter(disk, holder, epoch);
    const lease = write ?? this.validReader(disk, holder, epoch);
    if (!lease) {
      return fail(409, "lease_lost", `${holder} no longer holds a lease of epoch ${epoch} on disk ${disk} (revoked, released or taken over; the epoch is now ${this.epoch(disk)})`);
    }
    return ok(this.extend(lease, ttlMs ?? lease.ttl_ms, this.now() + (ttlMs ?? lease.ttl_ms)));
  }

  /**
   * The holder's write lease if `epoch` is current and nothing has taken the disk since:
   * the row exists with that epoch (revoke and every new grant replace it), and, when it has
   * expired, no other holder has taken a read lease meanwhile.
   */
  validWriter(disk: string, holder: string, epoch: number): LeaseRow | undefined {
    const w = this.writer(disk);
    if (!w || w.holder !== holder || w.epoch !== epoch || epoch !== this.epoch(disk)) return undefined;
    if (w.expires_at <= this.now() && this.readers(disk).some((r) => r.holder !== holder)) return undefined;
    return w;
  }

  /** Renews a write lease as a side effect of a commit (its own ttl from now, never shorter). */
  touch(lease: LeaseRow): LeaseInfo {
    return this.extend(lease, lease.ttl_ms, Math.max(lease.expires_at, this.now() + lease.ttl_ms));
  }

  release(disk: string, holder: string, epoch: number): void {
    this.sql.exec("DELETE FROM leases WHERE disk = ? AND holder = ? AND epoch = ?", disk, holder, epoch);
  }

  /** Drops every lease and bumps the epoch; returns the new epoch. */
  revoke(disk: string): number {
    this.sql.exec("DELETE FROM leases WHERE disk = ?", disk);
    return this.bumpEpoch(disk);
  }

  dropAll(disk: string): void {
    this.sql.exec("DELETE FROM leases WHERE disk = ?", disk);
  }

  epoch(disk: string): number {
    return this.sql.exec<{ epoch: number }>("SELECT epoch FROM disks WHERE id = ?", disk).toArray()[0]?.epoch ?? 0;
  }

  private grantWrite(disk: string, holder: string, ttlMs: number): DsOutcome<LeaseInfo> {
    const reader = this.readers(disk).find((r) => r.holder !== holder);
    if (reader) return held(disk, reader);
    const epoch = this.bumpEpoch(disk);
    // The old write lease and other holders' expired read leases are replaced for good.
    this.sql.exec("DELETE FROM leases WHERE disk = ? AND (mode = 'write' OR holder != ?)", disk, holder);
    return ok(this.insert(disk, holder, "write", epoch, ttlMs));
  }

  private grantRead(disk: string, holder: string, ttlMs: number): DsOutcome<LeaseInfo> {
    return ok(this.insert(disk, holder, "read", this.epoch(disk), ttlMs));
  }

  private validReader(disk: string, holder: string, epoch: number): LeaseRow | undefined {
    const r = this.sql.exec<LeaseRow>("SELECT * FROM leases WHERE disk = ? AND mode = 'read' AND holder = ? AND epoch = ?",
      disk, holder, epoch).toArray()[0];
    if (!r || (r.expires_at <= this.now() && this.blockingWriter(disk, holder))) return undefined;
    return r;
  }

  private insert(disk: string, holder: string, mode: "write" | "read", epoch: number, ttlMs: number): LeaseInfo {
    const expiresAt = this.now() + ttlMs;
    this.sql.exec(
      `INSERT INTO leases (disk, holder, mode, epoch, expires_at, ttl_ms) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (disk, mode, holder) DO UPDATE SET epoch = excluded.epoch, expires_at = excluded.expires_at, ttl_ms = excluded.ttl_ms`,
      disk, holder, mode, epoch, expiresAt, ttlMs);
    return { holder, mode, epoch, expiresAt };
  }

  private extend(lease: LeaseRow, ttlMs: number, expiresAt: number): LeaseInfo {
    this.sql.exec("UPDATE leases SET expires_at = ?, ttl_ms = ? WHERE disk = ? AND mode = ? AND holder = ?",
      expiresAt, ttlMs, lease.disk, lease.mode, lease.holder);
    return { holder: lease.holder, mode: lease.mode === "write" ? "write" : "read", epoch: lease.epoch, expiresAt };
  }

  private bumpEpoch(disk: string): number {
    return this.sql.exec<{ epoch: number }>("UPDATE disks SET epoch = epoch + 1 WHERE id = ? RETURNING epoch", disk).one().epoch;
  }
}

export function leaseInfo(row: LeaseRow): LeaseInfo {
  return { holder: row.holder, mode: row.mode === "write" ? "write" : "read", epoch: row.epoch, expiresAt: row.expires_at };
}

/** The 409 for a disk someone else holds. */
export function held(disk: string, lease: LeaseRow): DsOutcome<never> {
  const what = lease.mode === "write" ? "writing" : "reading";
  return fail(409, "lease_held", `disk ${disk} is leased for ${what} by ${lease.holder} until ${new Date(lease.expires_at).toISOString()}`);
}
