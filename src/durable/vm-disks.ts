// A VM's virtual disks inside its Durable Object: one ChunkedDisk per attached disk, the
// write leases that fence them (taken at power-on, renewed while the VM lives, given back at
// power-off), the epochs kept in the object's storage so an evicted VM resumes under the
// same lease, and the disk side of snapshots and reverts. VmRuntime drives it.
import { ChunkedDisk } from "../storage/disk/chunked-disk.js";
import { SqlDiskJournal } from "../storage/disk/journal.js";
import { DatastoreRemote } from "../storage/disk/remote.js";
import type { DatastoreApi } from "../storage/datastore/types.js";

/** A disk as the VM's config names it (written at creation, changed only while powered off). */
export interface DiskAttachment {
  id: string;
  datastore: string;
  sizeBytes: number;
  chunkBytes: number;
  readOnly?: boolean;
}

export interface DiskHost {
  datastore(id: string): DatastoreApi;
  bucket: R2Bucket;
  blobs: KVNamespace;
  sql: SqlStorage;
  /** This object's identity as a lease holder. */
  holder: string;
  now(): number;
  /** Epochs by disk id, persisted with the VM. */
  loadEpochs(): Record<string, number>;
  saveEpochs(e: Record<string, number>): void;
  /** A request finished between slices: the guest should run. */
  wake(): void;
}

/** A lease could not be taken: the power-on fails with 409. */
export class LeaseError extends Error {
  override name = "LeaseError";
}

const LEASE_MS = 60_000;
const RENEW_MS = 20_000;
/** Clean chunks a VM keeps in memory across all its disks (the isolate's budget is 128 MB). */
const CACHE_BYTES_PER_VM = 8 << 20;

export class VmDisks {
  readonly disks: ChunkedDisk[];
  private lastRenew = 0;
  private renewing = false;

  constructor(private readonly attached: DiskAttachment[], private readonly host: DiskHost) {
    this.disks = attached.map((a) => new ChunkedDisk({
      id: a.id,
      sizeBytes: a.sizeBytes,
      chunkBytes: a.chunkBytes,
      readOnly: a.readOnly ?? false,
      journal: new SqlDiskJournal(host.sql, a.id),
      remote: new DatastoreRemote({
        datastore: host.datastore(a.datastore), datastoreId: a.datastore, diskId: a.id, chunkBytes: a.chunkBytes,
        bucket: host.bucket, blobs: host.blobs,
        lease: () => ({ holder: host.holder, epoch: host.loadEpochs()[a.id] ?? 0 }),
      }),
      cacheBytes: Math.max(2 << 20, Math.floor(CACHE_BYTES_PER_VM / attached.length)),
      onComplete: () => host.wake(),
    }));
  }

  get count(): number { return this.disks.length; }

  /** Takes every disk's lease (power-on); gives back those taken if one is refused. */
  async acquire(): Promise<void> {
    const epochs: Record<string, number> = {};
    try {
      for (const a of this.attached) {
        const info = await this.host.datastore(a.datastore).getDisk(a.id);
        if (!info.ok) throw new LeaseError(`disk ${a.id}: ${info.message}`);
        if (info.value.state === "zeroing") {
          throw new LeaseError(`disk ${a.id} is still being zeroed (${info.value.zeroedChunks} of ${info.value.chunkCount} chunks); power on once its task has finished (POST /api/disks/${a.id}/zero goes on if it stopped)`);
        }
        const r = await this.host.datastore(a.datastore).acquireLease(a.id, this.host.holder, a.readOnly ? "read" : "write", LEASE_MS);
        if (!r.ok) throw new LeaseError(`disk ${a.id}: ${r.message}`);
        epochs[a.id] = r.value.epoch;
      }
    } catch (e) {
      await this.releaseEpochs(epochs);
      throw e;
    }
    this.host.saveEpochs(epochs);
    this.lastRenew = this.host.now();
  }

  /** Gives every lease back (power-off). */
  async release(): Promise<void> {
    await this.releaseEpochs(this.host.loadEpochs());
    this.host.saveEpochs({});
  }

  private async releaseEpochs(epochs: Record<string, number>): Promise<void> {
    await Promise.all(this.attached.filter((a) => epochs[a.id] !== undefined).map((a) =>
      this.host.datastore(a.datastore).releaseLease(a.id, this.host.holder, epochs[a.id]!).catch(() => undefined)));
  }

  /** Renews the leases now and then (not awaited by the run loop); a lost one fences its disk. */
  renewIfDue(): void {
    if (this.renewing || this.attached.length === 0 || this.host.now() - this.lastRenew < RENEW_MS) return;
    this.renewing = true;
    this.lastRenew = this.host.now();
    void this.renew().finally(() => { this.renewing = false; });
  }

  /** Renews every lease (after hibernation, and periodically). */
  async renew(): Promise<void> {
    const epochs = this.host.loadEpochs();
    await Promise.all(this.attached.map(async (a, i) => {
      const epoch = epochs[a.id];
      if (epoch === undefined) return;
      try {
        const r = await this.host.datastore(a.datastore).renewLease(a.id, this.host.holder, epoch, LEASE_MS);
        if (!r.ok && r.code === "lease_lost") this.disks[i]!.fence(`disk ${a.id}: ${r.message}`);
      } catch (e) {
        console.error(`lease renewal of disk ${a.id} failed`, e);
      }
    }));
  }

  get wantsCheckpoint(): boolean { return this.disks.some((d) => d.wantsCheckpoint); }

  /** Starts commit rounds that are due (call right after a checkpoint). */
  startCommits(): void {
    for (const d of this.disks) if (d.wantsCommit) void d.commit();
  }

  get busy(): boolean { return this.disks.some((d) => d.busy); }

  /** Inside the VM's checkpoint transaction. */
  journal(): void {
    for (const d of this.disks) d.journalDirty();
  }

  /** Commits what the journal holds (after a checkpoint); throws the first failure. */
  async commitJournal(): Promise<void> {
    const errors: string[] = [];
    for (const d of this.disks) {
      await d.commit();
      if (d.pending.journalBytes > 0 || d.fenced) errors.push(d.lastError ?? `disk ${d.id} could not commit`);
    }
    if (errors.length) throw new Error(errors.join("; "));
  }

  /** Commits everything, journaled or not (power-off, where RAM is discarded). Returns the failures. */
  async commitAll(): Promise<string[]> {
    const errors: string[] = [];
    for (const d of this.disks) {
      if (d.fenced || d.readOnly) continue;
      try { await d.commitAll(); } catch (e) { errors.push(`disk ${d.id}: ${(e as Error).message}`); }
    }
    return errors;
  }

  /** Freezes every disk's current layer as snapshot `snapshotId` (call after commitJournal). */
  async snapshot(snapshotId: string): Promise<{ disk: string; layer: string }[]> {
    const out: { disk: string; layer: string }[] = [];
    for (const a of this.attached) {
      const r = await this.host.datastore(a.datastore).snapshotDisk(a.id, snapshotId);
      if (!r.ok) throw new Error(`disk ${a.id}: ${r.message}`);
      out.push({ disk: a.id, layer: r.value.layer });
    }
    return out;
  }

  /** Every disk back to snapshot `snapshotId`; cached chunks and the journal are dropped. */
  async revert(snapshotId: string): Promise<void> {
    for (const [i, a] of this.attached.entries()) {
      const r = await this.host.datastore(a.datastore).revertDisk(a.id, snapshotId, this.host.holder);
      if (!r.ok) throw new Error(`disk ${a.id}: ${r.message}`);
      this.disks[i]!.reset();
    }
  }

  /** Figures for GET /api/vms/:id. */
  stats() {
    return this.disks.map((d) => ({
      id: d.id, ...d.counters, ...d.pending, fenced: d.fenced, lastError: d.lastError,
    }));
  }
}
