// The datastore's contract (DESIGN.md "Storage"): what a DatastoreObject answers over RPC
// and what the VM's block backend and the API routes rely on. A virtual disk is a chain of
// layers of fixed-size chunks; the head layer is written under a lease with an epoch
// (fencing token); frozen layers (disk snapshots) are shared by children (linked clones);
// the chain may end in an immutable image (content-addressed chunks in KV).

export type Provisioning = "thin" | "lazyZeroedThick" | "eagerZeroedThick";

/** Every outcome a caller must be able to tell apart; HTTP status included. */
export type DsOutcome<T> =
  | { ok: true; value: T }
  | { ok: false; status: 404 | 409 | 422 | 503; code: string; message: string };

export interface DatastoreStats {
  id: string;
  name: string;
  /** Bytes. */
  capacity: number;
  /** Sum of the disks' sizes plus bytes held by frozen layers (snapshots). */
  provisioned: number;
  /** Bytes actually taken: stored chunks, plus the whole size of thick disks (reserved). */
  used: number;
  /** capacity − used (never negative). */
  free: number;
  /** provisioned / capacity. */
  overProvisioning: number;
  disks: number;
}

export interface LeaseInfo {
  /** Who holds it (a VM object's identity, e.g. `vm-…#3`). */
  holder: string;
  mode: "write" | "read";
  /** Write leases: the fencing token; every commit must carry it. */
  epoch: number;
  /** ms since the epoch; after it anyone may take the lease (the holder may renew until then). */
  expiresAt: number;
}

export interface DiskSnapshotInfo {
  id: string;
  /** The frozen layer this snapshot pins. */
  layer: string;
  createdAt: number;
}

export interface DiskInfo {
  id: string;
  datastore: string;
  sizeBytes: number;
  /** Chunk size in bytes (a power of two, 64 KiB .. 1 MiB), fixed per disk. */
  chunkBytes: number;
  provisioning: Provisioning;
  /** Base image the chain ends in, if any (chunks read through to it). */
  image?: { sha256: string; size: number };
  /** The writable layer. */
  head: string;
  /** Layer ids from the head's parent down to the oldest ancestor. */
  chain: string[];
  /** Bytes stored in the head layer. */
  allocatedBytes: number;
  /** Bytes this disk counts against the datastore (thick: at least its size). */
  usedBytes: number;
  /** "zeroing" while an eager-zeroed thick disk is being written; else "ready". */
  state: "ready" | "zeroing";
  /** Chunks written so far by eager zeroing (equals chunkCount when done). */
  zeroedChunks: number;
  chunkCount: number;
  /** The current write lease (expired ones included until replaced), and read leases. */
  lease?: LeaseInfo;
  readers: LeaseInfo[];
  /** Current write epoch (0 before the first lease). */
  epoch: number;
  snapshots: DiskSnapshotInfo[];
  createdAt: number;
}

export interface CreateDiskRequest {
  id: string;
  sizeBytes: number;
  chunkBytes: number;
  provisioning: Provisioning;
  image?: { sha256: string; size: number };
  /** Linked clone: the new disk's head sits over this frozen layer (of any disk in this datastore). */
  parentLayer?: string;
}

/**
 * Where a chunk's bytes are. `zero`: never written anywhere in the chain (or discarded);
 * `r2`: chunkBytes bytes at `offset` (absent: 0) of an object in the DISKS bucket (one
 * commit may pack several chunks into one object); `image`: bytes
 * [offset, offset + chunkBytes) of the base image (past the image's end reads as zero).
 */
export type ChunkSource =
  | { kind: "zero" }
  | { kind: "r2"; key: string; offset?: number }
  | { kind: "image"; sha256: string; offset: number };

export interface CommitEntry {
  index: number;
  /** R2 key of the new chunk object (already written by the caller); null: the chunk reads as zero (discard). */
  key: string | null;
  /** Where the chunk starts in that object (a multiple of chunkBytes; default 0). */
  offset?: number;
}

/** R2 key prefix of a disk's chunk objects; callers add a unique name (a commit's packed object). */
export function chunkKeyPrefix(datastore: string, disk: string): string {
  return `chunks/${datastore}/${disk}/`;
}

export const MIN_CHUNK_BYTES = 64 * 1024;
/** At most 1 MiB: a chunk waiting for its commit is journaled as one SQLite row (limit 2 MB). */
export const MAX_CHUNK_BYTES = 1024 * 1024;
export const DEFAULT_LEASE_MS = 60_000;

/**
 * The RPC surface of DatastoreObject (src/durable/datastore.ts). Every method is
 * idempotent where it says so; errors come back as DsOutcome, never as exceptions.
 */
export interface DatastoreApi {
  /** Sets the datastore up (idempotent; an existing one keeps its capacity unless given). */
  init(id: string, name: string, capacityBytes?: number): Promise<DatastoreStats>;
  stats(): Promise<DatastoreStats>;
  /** 422 below the bytes already used. */
  setCapacity(bytes: number): Promise<DsOutcome<DatastoreStats>>;

  /** 409 if the id exists, 404 unknown parent layer, 422 bad sizes, 503 not enough free space (message gives free and requested bytes). */
  createDisk(req: CreateDiskRequest): Promise<DsOutcome<DiskInfo>>;
  getDisk(id: string): Promise<DsOutcome<DiskInfo>>;
  listDisks(): Promise<DiskInfo[]>;
  /** Grows a disk (shrinking: 422); thick disks reserve the difference (503 without room). */
  extendDisk(id: string, sizeBytes: number): Promise<DsOutcome<DiskInfo>>;
  /** Deletes the disk, its head layer and every layer no one references any more (chunks in R2 included). 409 while an unexpired write lease is held unless `force`. */
  deleteDisk(id: string, force?: boolean): Promise<DsOutcome<{ freedBytes: number }>>;
  /**
   * Eager zeroing: writes zero objects for up to `count` chunks not yet written, in order;
   * call until `zeroedChunks === chunkCount` (the disk is then "ready").
   */
  zeroChunks(id: string, count: number): Promise<DsOutcome<DiskInfo>>;

  /**
   * Takes the write lease (a new epoch each time it is granted) or a read lease. Write:
   * 409 `lease_held` while another holder's write lease or any other reader is unexpired.
   * Read: 409 while another holder's write lease is unexpired.
   */
  acquireLease(id: string, holder: string, mode: "write" | "read", ttlMs?: number): Promise<DsOutcome<LeaseInfo>>;
  /** Extends the holder's lease; 409 `lease_lost` if the epoch is stale (revoked or taken by another). */
  renewLease(id: string, holder: string, epoch: number, ttlMs?: number): Promise<DsOutcome<LeaseInfo>>;
  /** Gives the lease up (idempotent). */
  releaseLease(id: string, holder: string, epoch: number): Promise<DsOutcome<null>>;
  /** Revokes every lease and gives `holder` the write lease, atomically (a migration's handover: the source is fenced, the target holds the disk). */
  transferLease(id: string, holder: string, ttlMs?: number): Promise<DsOutcome<LeaseInfo>>;
  /** Revokes every lease on the disk and bumps the epoch: the old holder's commits are refused from now on. */
  revokeLease(id: string): Promise<DsOutcome<{ epoch: number }>>;

  /** Where chunks [first, first + count) are (any caller; no lease needed). 422 out of range. */
  resolve(id: string, first: number, count: number): Promise<DsOutcome<ChunkSource[]>>;
  /**
   * Points chunks of the head layer at new objects, atomically for the whole batch.
   * 409 `stale_epoch` unless `epoch` is the current write epoch held by `holder` (an expired
   * lease no one has taken since still commits, and is renewed); 503 `no_space` when new
   * chunks would exceed capacity; 422 index out of range. Replaced objects are deleted
   * in the background (settle() waits for that).
   */
  commit(id: string, holder: string, epoch: number, entries: CommitEntry[]): Promise<DsOutcome<{ allocatedBytes: number }>>;

  /** Freezes the head (it becomes snapshot `snapshotId`'s layer) and starts a new empty head over it. */
  snapshotDisk(id: string, snapshotId: string): Promise<DsOutcome<DiskSnapshotInfo>>;
  /** Drops a snapshot; its layer is merged into its only child when nothing else needs it (consolidation), and unreferenced layers are deleted. */
  deleteSnapshot(id: string, snapshotId: string): Promise<DsOutcome<{ freedBytes: number }>>;
  /** The head is replaced by a new empty layer over the snapshot's layer (the old head is dropped). 409 while a write lease is unexpired unless the caller holds it (`holder`). */
  revertDisk(id: string, snapshotId: string, holder?: string): Promise<DsOutcome<DiskInfo>>;

  /** Resolves once the chunk objects that commits replaced are deleted (they go after the answer). */
  settle(): Promise<void>;

  /** Deletes objects under the datastore's chunk prefix that no layer references and that are older than `graceMs`. */
  gc(graceMs?: number): Promise<{ deleted: number; kept: number }>;
}
