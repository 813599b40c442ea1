// DatastoreStore: everything a datastore does (DESIGN.md "Storage"), over its Durable
// Object's SQLite and the DISKS bucket — disks as chains of chunk layers, space accounting
// (thin / thick), leases with fencing epochs, commits, snapshots, linked clones and garbage
// collection. SQL is synchronous and grouped in transactions; R2 objects a change frees are
// deleted after its transaction commits. The clock is injected (tests drive expiry).
import {
  DEFAULT_LEASE_MS, chunkKeyPrefix,
  type CommitEntry, type CreateDiskRequest, type DatastoreStats, type DiskInfo, type DiskSnapshotInfo,
  type ChunkSource, type DsOutcome, type LeaseInfo, type Provisioning,
} from "./types.js";
import { createSchema, imageOf, type DiskRow, type LayerRow, type MetaRow, type SnapshotRow } from "./schema.js";
import { LayerGraph } from "./layers.js";
import { LeaseTable, held, leaseInfo } from "./leases.js";
import { HeadWrites, MAX_BATCH_CHUNKS } from "./head-writes.js";
import { sha256Hex } from "../../encoding.js";
import {
  checkChunkBytes, checkId, checkImage, checkProvisioning, checkSize, checkTtl, chunkCount, fail, invalid,
  isThick, noSpace, ok, type DsFailure,
} from "./outcome.js";

export { MAX_BATCH_CHUNKS };

/** Capacity of a datastore initialised without one. */
export const DEFAULT_CAPACITY_BYTES = 100 * 1024 ** 3;
export const DEFAULT_GC_GRACE_MS = 10 * 60_000;
/** Most zero objects one zeroChunks call writes. */
export const MAX_ZERO_BATCH = 64;

type Image = { sha256: string; size: number } | undefined;

export class DatastoreStore {
  private readonly sql: SqlStorage;
  private readonly layers: LayerGraph;
  private readonly leases: LeaseTable;
  private readonly writes: HeadWrites;

  constructor(private readonly storage: DurableObjectStorage, private readonly bucket: R2Bucket, private readonly now: () => number) {
    this.sql = storage.sql;
    createSchema(this.sql);
    this.layers = new LayerGraph(this.sql);
    this.leases = new LeaseTable(this.sql, now);
    this.writes = new HeadWrites(this.sql, this.layers);
  }

  // ---- the datastore ----

  /**
   * Idempotent; an existing datastore keeps its id (chunk keys hang off it) and takes the new
   * name, and the capacity when one is given. Trusted input (the inventory's own values): a
   * malformed id or capacity throws a RangeError.
   */
  init(id: string, name: string, capacityBytes?: number): DatastoreStats {
    const bad = checkId("datastore", id) ?? (capacityBytes === undefined ? null : checkCapacity(capacityBytes));
    if (bad) throw new RangeError(bad.message);
    if (this.meta()) {
      this.sql.exec("UPDATE meta SET name = ?, capacity = COALESCE(?, capacity)", name, capacityBytes ?? null);
    } else {
      this.sql.exec("INSERT INTO meta (singleton, id, name, capacity) VALUES (1, ?, ?, ?)", id, name, capacityBytes ?? DEFAULT_CAPACITY_BYTES);
    }
    return this.stats();
  }

  stats(): DatastoreStats {
    const meta = this.meta() ?? { id: "", name: "", capacity: 0 };
    const space = this.space();
    return {
      id: meta.id, name: meta.name, capacity: meta.capacity,
      provisioned: space.provisioned, used: space.used, free: Math.max(0, meta.capacity - space.used),
      overProvisioning: meta.capacity > 0 ? space.provisioned / meta.capacity : 0,
      disks: space.disks,
    };
  }

  setCapacity(bytes: number): DsOutcome<DatastoreStats> {
    if (!this.meta()) return notInitialised();
    const bad = checkCapacity(bytes);
    if (bad) return bad;
    const used = this.space().used;
    if (bytes < used) return invalid(`capacity ${bytes} is below the ${used} bytes already used`);
    this.sql.exec("UPDATE meta SET capacity = ?", bytes);
    return ok(this.stats());
  }

  // ---- disks ----

  createDisk(req: CreateDiskRequest): DsOutcome<DiskInfo> {
    const meta = this.meta();
    if (!meta) return notInitialised();
    const bad = checkId("disk", req.id) ?? checkSize(req.sizeBytes) ?? checkChunkBytes(req.chunkBytes) ?? checkProvisioning(req.provisioning);
    if (bad) return bad;
    if (this.disk(req.id)) return fail(409, "exists", `disk ${req.id} already exists in datastore ${meta.id}`);
    const base = this.cloneBase(req);
    if (!base.ok) return base;
    const free = this.free();
    if (isThick(req.provisioning) ? free < req.sizeBytes : free <= 0) return noSpace(meta.id, free, req.sizeBytes);
    this.storage.transactionSync(() => this.insertDisk(req, base.value.parent, base.value.image));
    return ok(this.info(this.disk(req.id)!));
  }

  getDisk(id: string): DsOutcome<DiskInfo> {
    const d = this.disk(id);
    return d ? ok(this.info(d)) : this.diskNotFound(id);
  }

  listDisks(): DiskInfo[] {
    return this.sql.exec<DiskRow>("SELECT * FROM disks ORDER BY created_at, id").toArray().map((d) => this.info(d));
  }

  extendDisk(id: string, sizeBytes: number): DsOutcome<DiskInfo> {
    const d = this.disk(id);
    if (!d) return this.diskNotFound(id);
    const bad = checkSize(sizeBytes);
    if (bad) return bad;
    if (sizeBytes < d.size) return invalid(`disk ${id} is ${d.size} bytes; it cannot shrink to ${sizeBytes}`);
    const alloc = this.layers.allocatedBytes(d.head);
    const delta = diskUsed(d.provisioning, sizeBytes, alloc) - diskUsed(d.provisioning, d.size, alloc);
    const free = this.free();
    if (delta > free) return noSpace(this.meta()!.id, free, delta);
    this.storage.transactionSync(() => {
      const stillZeroing = d.provisioning === "eagerZeroedThick" && d.zeroed < chunkCount(sizeBytes, d.chunk_bytes);
      this.sql.exec("UPDATE disks SET size = ?, state = ? WHERE id = ?", sizeBytes, stillZeroing ? "zeroing" : d.state, id);
      this.sql.exec("UPDATE layers SET size = ? WHERE id = ?", sizeBytes, d.head);
    });
    return ok(this.info(this.disk(id)!));
  }

  async deleteDisk(id: string, force = false): Promise<DsOutcome<{ freedBytes: number }>> {
    const d = this.disk(id);
    if (!d) return this.diskNotFound(id);
    const writer = this.leases.blockingWriter(id);
    if (writer && !force) return held(id, writer);
    const freed = await this.freeing(() => {
      const keys: string[] = [];
      const pinned = this.sql.exec<SnapshotRow>("SELECT * FROM disk_snapshots WHERE disk = ?", id).toArray();
      this.sql.exec("DELETE FROM disk_snapshots WHERE disk = ?", id);
      for (const s of pinned) this.layers.release(s.layer, keys);
      this.layers.release(d.head, keys);
      this.leases.dropAll(id);
      this.sql.exec("DELETE FROM disks WHERE id = ?", id);
      return keys;
    });
    return ok({ freedBytes: freed });
  }

  /** Eager zeroing: zero objects for the next chunks that still read as zero, in order. */
  async zeroChunks(id: string, count: number): Promise<DsOutcome<DiskInfo>> {
    const d = this.disk(id);
    if (!d) return this.diskNotFound(id);
    if (!Number.isSafeInteger(count) || count <= 0) return invalid(`count must be a positive whole number (got ${count})`);
    if (d.provisioning !== "eagerZeroedThick") return invalid(`disk ${id} is ${d.provisioning}, not eagerZeroedThick`);
    if (d.state !== "zeroing") return ok(this.info(d));
    const first = d.zeroed;
    const n = Math.min(count, MAX_ZERO_BATCH, chunkCount(d.size, d.chunk_bytes) - first);
    const written = await this.writeZeroChunks(d, first, n);
    const current = this.disk(id);
    if (!current || current.head !== d.head) {
      // Deleted or reverted meanwhile: these objects are not wanted.
      await this.deleteUnreferenced(written.map((w) => w.key));
      return current ? ok(this.info(current)) : this.diskNotFound(id);
    }
    this.storage.transactionSync(() => this.commitZeroChunks(current, written, first + n));
    await this.deleteUnreferenced(written.map((w) => w.key));
    return ok(this.info(this.disk(id)!));
  }

  // ---- leases ----

  acquireLease(id: string, holder: string, mode: "write" | "read", ttlMs = DEFAULT_LEASE_MS): DsOutcome<LeaseInfo> {
    if (!this.disk(id)) return this.diskNotFound(id);
    const bad = checkHolder(holder) ?? (mode === "write" || mode === "read" ? null : invalid(`mode must be write or read (got ${String(mode)})`)) ?? checkTtl(ttlMs);
    if (bad) return bad;
    return this.storage.transactionSync(() => this.leases.acquire(id, holder, mode, ttlMs));
  }

  renewLease(id: string, holder: string, epoch: number, ttlMs?: number): DsOutcome<LeaseInfo> {
    if (!this.disk(id)) return this.diskNotFound(id);
    const bad = ttlMs === undefined ? null : checkTtl(ttlMs);
    if (bad) return bad;
    return this.storage.transactionSync(() => this.leases.renew(id, holder, epoch, ttlMs));
  }

  releaseLease(id: string, holder: string, epoch: number): DsOutcome<null> {
    if (!this.disk(id)) return this.diskNotFound(id);
    this.leases.release(id, holder, epoch);
    return ok(null);
  }

  /** Revokes every lease and grants `holder` the write lease in one step (a migration's handover). */
  transferLease(id: string, holder: string, ttlMs = DEFAULT_LEASE_MS): DsOutcome<LeaseInfo> {
    if (!this.disk(id)) return this.diskNotFound(id);
    const bad = checkHolder(holder) ?? checkTtl(ttlMs);
    if (bad) return bad;
    return this.storage.transactionSync(() => {
      this.leases.revoke(id);
      return this.leases.acquire(id, holder, "write", ttlMs);
    });
  }

  revokeLease(id: string): DsOutcome<{ epoch: number }> {
    if (!this.disk(id)) return this.diskNotFound(id);
    return ok({ epoch: this.storage.transactionSync(() => this.leases.revoke(id)) });
  }

  // ---- chunks ----

  resolve(id: string, first: number, count: number): DsOutcome<ChunkSource[]> {
    const d = this.disk(id);
    if (!d) return this.diskNotFound(id);
    const total = chunkCount(d.size, d.chunk_bytes);
    if (!Number.isSafeInteger(first) || !Number.isSafeInteger(count) || first < 0 || count < 0 || count > MAX_BATCH_CHUNKS || first + count > total) {
      return invalid(`chunks [${first}, ${first + count}) are not within disk ${id}'s ${total} chunks (at most ${MAX_BATCH_CHUNKS} at a time)`);
    }
    return ok(this.layers.resolve(d.head, imageOf(d), d.chunk_bytes, first, count));
  }

  async commit(id: string, holder: string, epoch: number, entries: CommitEntry[]): Promise<DsOutcome<{ allocatedBytes: number }>> {
    const d = this.disk(id);
    if (!d) return this.diskNotFound(id);
    const bad = this.writes.check(d, this.meta()!.id, entries);
    if (bad) return bad;
    const lease = this.leases.validWriter(id, holder, epoch);
    if (!lease) {
      return fail(409, "stale_epoch", `${holder} does not hold the write lease of disk ${id} at epoch ${epoch} (the epoch is now ${d.epoch})`);
    }
    const plan = this.writes.plan(d, entries);
    const alloc = this.layers.allocatedBytes(d.head);
    const needed = diskUsed(d.provisioning, d.size, alloc + plan.chunkDelta * d.chunk_bytes) - diskUsed(d.provisioning, d.size, alloc);
    const free = this.free();
    if (needed > free) return fail(503, "no_space", `datastore ${this.meta()!.id} has ${free} bytes free; ${needed} more are needed`);
    this.storage.transactionSync(() => {
      this.writes.apply(d.head, plan);
      this.leases.touch(lease);
    });
    // The replaced objects go after the answer: a commit waits for no deletion.
    this.deleteLater(plan.replaced);
    return ok({ allocatedBytes: this.layers.allocatedBytes(d.head) });
  }

  // ---- snapshots ----

  snapshotDisk(id: string, snapshotId: string): DsOutcome<DiskSnapshotInfo> {
    const d = this.disk(id);
    if (!d) return this.diskNotFound(id);
    const bad = checkId("snapshot", snapshotId);
    if (bad) return bad;
    if (this.snapshot(id, snapshotId)) return fail(409, "exists", `disk ${id} already has a snapshot ${snapshotId}`);
    // A thick disk keeps its whole size reserved, so the frozen bytes count on top of it.
    const alloc = this.layers.allocatedBytes(d.head);
    const needed = isThick(d.provisioning as Provisioning) ? Math.min(d.size, alloc) : 0;
    const free = this.free();
    if (needed > free) return noSpace(this.meta()!.id, free, needed);
    const createdAt = this.now();
    this.storage.transactionSync(() => {
      this.layers.freeze(d.head, d.size);
      this.replaceHead(d, d.head);
      this.sql.exec("INSERT INTO disk_snapshots (disk, id, layer, created_at) VALUES (?, ?, ?, ?)", id, snapshotId, d.head, createdAt);
    });
    return ok({ id: snapshotId, layer: d.head, createdAt });
  }

  async deleteSnapshot(id: string, snapshotId: string): Promise<DsOutcome<{ freedBytes: number }>> {
    if (!this.disk(id)) return this.diskNotFound(id);
    const snap = this.snapshot(id, snapshotId);
    if (!snap) return this.snapshotNotFound(id, snapshotId);
    const freed = await this.freeing(() => {
      const keys: string[] = [];
      this.sql.exec("DELETE FROM disk_snapshots WHERE disk = ? AND id = ?", id, snapshotId);
      this.layers.release(snap.layer, keys);
      if (this.layers.get(snap.layer)) this.layers.consolidate(snap.layer, keys);
      return keys;
    });
    return ok({ freedBytes: freed });
  }

  async revertDisk(id: string, snapshotId: string, holder?: string): Promise<DsOutcome<DiskInfo>> {
    const d = this.disk(id);
    if (!d) return this.diskNotFound(id);
    const snap = this.snapshot(id, snapshotId);
    if (!snap) return this.snapshotNotFound(id, snapshotId);
    const writer = this.leases.blockingWriter(id, holder);
    if (writer) return held(id, writer);
    await this.freeing(() => {
      const keys: string[] = [];
      this.replaceHead(d, snap.layer);
      this.layers.release(d.head, keys);
      return keys;
    });
    return ok(this.info(this.disk(id)!));
  }

  // ---- garbage collection ----

  async gc(graceMs = DEFAULT_GC_GRACE_MS): Promise<{ deleted: number; kept: number }> {
    const meta = this.meta();
    if (!meta) return { deleted: 0, kept: 0 };
    const cutoff = this.now() - graceMs;
    let deleted = 0;
    let kept = 0;
    let cursor: string | undefined;
    do {
      const page = await this.bucket.list(cursor === undefined ? { prefix: `chunks/${meta.id}/` } : { prefix: `chunks/${meta.id}/`, cursor });
      const referenced = this.referenced(page.objects.map((o) => o.key));
      const orphans = page.objects.filter((o) => !referenced.has(o.key) && o.uploaded.getTime() < cutoff).map((o) => o.key);
      await this.deleteObjects(orphans);
      deleted += orphans.length;
      kept += page.objects.length - orphans.length;
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor !== undefined);
    return { deleted, kept };
  }

  // ---- helpers: rows ----

  private meta(): MetaRow | undefined {
    return this.sql.exec<MetaRow>("SELECT id, name, capacity FROM meta").toArray()[0];
  }

  private disk(id: string): DiskRow | undefined {
    return this.sql.exec<DiskRow>("SELECT * FROM disks WHERE id = ?", id).toArray()[0];
  }

  private snapshot(disk: string, id: string): SnapshotRow | undefined {
    return this.sql.exec<SnapshotRow>("SELECT * FROM disk_snapshots WHERE disk = ? AND id = ?", disk, id).toArray()[0];
  }

  private info(d: DiskRow): DiskInfo {
    const allocated = this.layers.allocatedBytes(d.head);
    const provisioning = d.provisioning as Provisioning;
    const total = chunkCount(d.size, d.chunk_bytes);
    const info: DiskInfo = {
      id: d.id, datastore: this.meta()?.id ?? "", sizeBytes: d.size, chunkBytes: d.chunk_bytes, provisioning,
      head: d.head, chain: this.layers.chain(d.head).slice(1),
      allocatedBytes: allocated, usedBytes: diskUsed(provisioning, d.size, allocated),
      state: d.state === "zeroing" ? "zeroing" : "ready",
      zeroedChunks: provisioning === "eagerZeroedThick" ? Math.min(d.zeroed, total) : 0, chunkCount: total,
      readers: this.leases.readers(d.id).map(leaseInfo), epoch: d.epoch,
      snapshots: this.sql.exec<SnapshotRow>("SELECT * FROM disk_snapshots WHERE disk = ? ORDER BY created_at, id", d.id).toArray()
        .map((s) => ({ id: s.id, layer: s.layer, createdAt: s.created_at })),
      createdAt: d.created_at,
    };
    const image = imageOf(d);
    if (image) info.image = image;
    const writer = this.leases.writer(d.id);
    if (writer) info.lease = leaseInfo(writer);
    return info;
  }

  // ---- helpers: space ----

  private space(): { used: number; provisioned: number; disks: number } {
    const d = this.sql.exec<{ n: number; sizes: number; used: number }>(
      `SELECT COUNT(*) AS n, COALESCE(SUM(d.size), 0) AS sizes,
         COALESCE(SUM(CASE WHEN d.provisioning = 'thin' THEN l.alloc * d.chunk_bytes
                           ELSE MAX(d.size, l.alloc * d.chunk_bytes) END), 0) AS used
       FROM disks d JOIN layers l ON l.id = d.head`).one();
    const frozen = this.sql.exec<{ bytes: number }>("SELECT COALESCE(SUM(alloc * chunk_bytes), 0) AS bytes FROM layers WHERE frozen = 1").one().bytes;
    return { used: d.used + frozen, provisioned: d.sizes + frozen, disks: d.n };
  }

  private free(): number {
    return Math.max(0, (this.meta()?.capacity ?? 0) - this.space().used);
  }

  /** Runs a change that frees layers in one transaction, deletes the freed objects, and answers the bytes freed. */
  private async freeing(change: () => string[]): Promise<number> {
    const before = this.space().used;
    const keys = this.storage.transactionSync(change);
    const freedBytes = before - this.space().used;
    await this.deleteUnreferenced(keys);
    return freedBytes;
  }

  // ---- helpers: disks and layers ----

  /** The parent layer and image of a new disk: a linked clone's come from the frozen layer it sits on. */
  private cloneBase(req: CreateDiskRequest): DsOutcome<{ parent: LayerRow | null; image: Image }> {
    if (req.parentLayer === undefined) {
      const bad = checkImage(req.image, req.sizeBytes);
      return bad ?? ok({ parent: null, image: req.image });
    }
    const parent = this.layers.get(req.parentLayer);
    if (!parent) return fail(404, "not_found", `layer ${req.parentLayer} not found in datastore ${this.meta()!.id}`);
    if (!parent.frozen) return invalid(`layer ${req.parentLayer} is a disk's writable head; clone from a snapshot's layer`);
    if (parent.chunk_bytes !== req.chunkBytes) return invalid(`a clone of layer ${parent.id} must use its chunk size ${parent.chunk_bytes}`);
    if (req.sizeBytes < parent.size) return invalid(`a clone of layer ${parent.id} must be at least ${parent.size} bytes`);
    const image = imageOf(parent);
    if (req.image && (req.image.sha256 !== image?.sha256 || req.image.size !== image.size)) {
      return invalid(`a clone reads through to its parent's image; it cannot name another one`);
    }
    return ok({ parent, image });
  }

  private insertDisk(req: CreateDiskRequest, parent: LayerRow | null, image: Image): void {
    const head = this.layers.createHead({ disk: req.id, parent: parent?.id ?? null, chunkBytes: req.chunkBytes, size: req.sizeBytes, image });
    this.sql.exec(
      `INSERT INTO disks (id, size, chunk_bytes, provisioning, image_sha, image_size, head, state, zeroed, epoch, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?)`,
      req.id, req.sizeBytes, req.chunkBytes, req.provisioning, image?.sha256 ?? null, image?.size ?? null, head,
      req.provisioning === "eagerZeroedThick" ? "zeroing" : "ready", this.now());
  }

  /** Points the disk at a new empty head over `parent`. */
  private replaceHead(d: DiskRow, parent: string): string {
    const head = this.layers.createHead({ disk: d.id, parent, chunkBytes: d.chunk_bytes, size: d.size, image: imageOf(d) });
    this.sql.exec("UPDATE disks SET head = ? WHERE id = ?", head, d.id);
    return head;
  }

  private async writeZeroChunks(d: DiskRow, first: number, n: number): Promise<{ index: number; key: string }[]> {
    const sources = this.layers.resolve(d.head, imageOf(d), d.chunk_bytes, first, n);
    const prefix = chunkKeyPrefix(this.meta()!.id, d.id);
    const entries = sources.flatMap((s, i) => (s.kind === "zero" ? [{ index: first + i, key: `${prefix}${first + i}-${crypto.randomUUID()}` }] : []));
    if (entries.length === 0) return entries;
    // Like every chunk object, with its SHA-256 (checked by R2 on upload, by readers on read).
    const zeros = new Uint8Array(d.chunk_bytes);
    const sha256 = await sha256Hex(zeros);
    await Promise.all(entries.map((e) => this.bucket.put(e.key, zeros, { sha256, customMetadata: { sha256 } })));
    return entries;
  }

  /** Records the zero objects (a concurrent commit's data wins) and moves the zeroing cursor. */
  private commitZeroChunks(d: DiskRow, entries: { index: number; key: string }[], next: number): void {
    this.writes.recordZeros(d.head, entries);
    const zeroed = Math.max(d.zeroed, next);
    const done = zeroed >= chunkCount(d.size, d.chunk_bytes);
    this.sql.exec("UPDATE disks SET zeroed = ?, state = ? WHERE id = ?", zeroed, done ? "ready" : "zeroing", d.id);
  }

  // ---- helpers: R2 ----

  private referenced(keys: string[]): Set<string> {
    if (keys.length === 0) return new Set();
    return new Set(this.sql.exec<{ key: string }>(
      "SELECT DISTINCT key FROM extents WHERE key IN (SELECT value FROM json_each(?))", JSON.stringify(keys)).toArray().map((r) => r.key));
  }

  /** Deletes the objects no extent points at (any more); missing ones are fine. */
  /** Deletions started by commits, in order; settle() waits for them. */
  private deletions: Promise<void> = Promise.resolve();

  private deleteLater(keys: string[]): void {
    if (keys.length === 0) return;
    const referenced = this.referenced(keys);
    const doomed = [...new Set(keys)].filter((k) => !referenced.has(k));
    this.deletions = this.deletions.then(() => this.deleteObjects(doomed)).catch((e) => console.error("deleting replaced chunk objects failed (gc will retry)", e));
  }

  /** Resolves once every deletion started so far has finished. */
  settle(): Promise<void> {
    return this.deletions;
  }

  private async deleteUnreferenced(keys: string[]): Promise<void> {
    const referenced = this.referenced(keys);
    await this.deleteObjects([...new Set(keys)].filter((k) => !referenced.has(k)));
  }

  private async deleteObjects(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) await this.bucket.delete(keys.slice(i, i + 1000));
  }

  // ---- helpers: errors ----

  private diskNotFound(id: string): DsFailure {
    return fail(404, "not_found", `disk ${id} not found in datastore ${this.meta()?.id ?? "(not initialised)"}`);
  }

  private snapshotNotFound(disk: string, id: string): DsFailure {
    return fail(404, "not_found", `disk ${disk} has no snapshot ${id}`);
  }
}

/** Bytes a disk counts against its datastore: thick disks reserve at least their size. */
function diskUsed(provisioning: string, sizeBytes: number, allocatedBytes: number): number {
  return provisioning === "thin" ? allocatedBytes : Math.max(sizeBytes, allocatedBytes);
}

function checkCapacity(bytes: unknown): DsFailure | null {
  return typeof bytes === "number" && Number.isSafeInteger(bytes) && bytes > 0 ? null : invalid(`capacity must be a positive whole number of bytes (got ${String(bytes)})`);
}

function checkHolder(holder: unknown): DsFailure | null {
  return typeof holder === "string" && holder.length > 0 && holder.length <= 256 ? null : invalid("holder must be a non-empty string of at most 256 characters");
}

function notInitialised(): DsFailure {
  return fail(404, "not_found", "the datastore is not initialised (call init first)");
}
