// DatastoreObject: one Durable Object per datastore (DESIGN.md "Storage"). A thin shell over
// DatastoreStore, which keeps everything in the object's SQLite (it survives eviction) and
// deletes chunk objects in the DISKS bucket; each RPC method forwards to it.
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.js";
import { DatastoreStore } from "../storage/datastore/store.js";
import type {
  ChunkSource, CommitEntry, CreateDiskRequest, DatastoreApi, DatastoreStats, DiskInfo, DiskSnapshotInfo, DsOutcome, LeaseInfo,
} from "../storage/datastore/types.js";

export class DatastoreObject extends DurableObject<Env> implements DatastoreApi {
  private readonly store: DatastoreStore;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new DatastoreStore(ctx.storage, env.DISKS, () => Date.now());
  }

  async init(id: string, name: string, capacityBytes?: number): Promise<DatastoreStats> {
    return this.store.init(id, name, capacityBytes);
  }

  async settle(): Promise<void> {
    return this.store.settle();
  }

  async transferLease(id: string, holder: string, ttlMs?: number): Promise<DsOutcome<LeaseInfo>> {
    return this.store.transferLease(id, holder, ttlMs);
  }

  async stats(): Promise<DatastoreStats> {
    return this.store.stats();
  }

  async setCapacity(bytes: number): Promise<DsOutcome<DatastoreStats>> {
    return this.store.setCapacity(bytes);
  }

  async createDisk(req: CreateDiskRequest): Promise<DsOutcome<DiskInfo>> {
    return this.store.createDisk(req);
  }

  async getDisk(id: string): Promise<DsOutcome<DiskInfo>> {
    return this.store.getDisk(id);
  }

  async listDisks(): Promise<DiskInfo[]> {
    return this.store.listDisks();
  }

  async extendDisk(id: string, sizeBytes: number): Promise<DsOutcome<DiskInfo>> {
    return this.store.extendDisk(id, sizeBytes);
  }

  async deleteDisk(id: string, force?: boolean): Promise<DsOutcome<{ freedBytes: number }>> {
    return this.store.deleteDisk(id, force);
  }

  async zeroChunks(id: string, count: number): Promise<DsOutcome<DiskInfo>> {
    return this.store.zeroChunks(id, count);
  }

  async acquireLease(id: string, holder: string, mode: "write" | "read", ttlMs?: number): Promise<DsOutcome<LeaseInfo>> {
    return this.store.acquireLease(id, holder, mode, ttlMs);
  }

  async renewLease(id: string, holder: string, epoch: number, ttlMs?: number): Promise<DsOutcome<LeaseInfo>> {
    return this.store.renewLease(id, holder, epoch, ttlMs);
  }

  async releaseLease(id: string, holder: string, epoch: number): Promise<DsOutcome<null>> {
    return this.store.releaseLease(id, holder, epoch);
  }

  async revokeLease(id: string): Promise<DsOutcome<{ epoch: number }>> {
    return this.store.revokeLease(id);
  }

  async resolve(id: string, first: number, count: number): Promise<DsOutcome<ChunkSource[]>> {
    return this.store.resolve(id, first, count);
  }

  async commit(id: string, holder: string, epoch: number, entries: CommitEntry[]): Promise<DsOutcome<{ allocatedBytes: number }>> {
    return this.store.commit(id, holder, epoch, entries);
  }

  async snapshotDisk(id: string, snapshotId: string): Promise<DsOutcome<DiskSnapshotInfo>> {
    return this.store.snapshotDisk(id, snapshotId);
  }

  async deleteSnapshot(id: string, snapshotId: string): Promise<DsOutcome<{ freedBytes: number }>> {
    return this.store.deleteSnapshot(id, snapshotId);
  }

  async revertDisk(id: string, snapshotId: string, holder?: string): Promise<DsOutcome<DiskInfo>> {
    return this.store.revertDisk(id, snapshotId, holder);
  }

  async gc(graceMs?: number): Promise<{ deleted: number; kept: number }> {
    return this.store.gc(graceMs);
  }
}
