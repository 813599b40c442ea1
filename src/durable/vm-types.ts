// The contracts around a VM object: its stored configuration, what its runtime needs from
// the Durable Object that hosts it, the outcome type of its RPC methods, and what a memory
// snapshot produces.
import type { PowerState } from "../cluster/power.js";
import type { DiskAttachment } from "./vm-disks.js";
import type { MigrationBatch } from "./vm-migration.js";
import type { DatastoreApi } from "../storage/datastore/types.js";

/** What the VM object keeps about its VM (written once at creation). */
export interface VmConfig {
  id: string;
  name: string;
  memoryMiB: number;
  kernel: { image: string; sha256: string };
  initrd?: { image: string; sha256: string };
  cmdline?: string;
  /** Idle time (WFI, no console viewer) before the VM checkpoints and hibernates. */
  idleTimeoutMs: number;
  /** Most guest RAM the machine may hold in host memory, in MiB (the isolate's budget). */
  maxResidentMiB?: number;
  /** Virtual disks, /dev/vda first (changed only while powered off). */
  disks?: DiskAttachment[];
}

/** What the runtime needs from its Durable Object. */
export interface RuntimeHost {
  now(): number;
  loadBlob(sha256: string): Promise<Uint8Array>;
  /** Sends console output to every connected viewer. */
  broadcast(bytes: Uint8Array): void;
  viewers(): number;
  setAlarm(at: number | null): Promise<void>;
  /** Reports a power-state change (inventory, events). */
  powerChanged(state: PowerState, reason: string): Promise<void>;
  randomSeed(): bigint;
  /** KV (content-addressed snapshot frames) and D1 (their index and reference counts). */
  blobs: KVNamespace;
  db: D1Database;
  /** Disks: their datastores, the chunk bucket, and this object's name as a lease holder. */
  datastore(id: string): DatastoreApi;
  /** Another VM object by name (a migration's target). */
  vm(name: string): {
    migrationFrames(batch: MigrationBatch): Promise<Outcome<{ need: number[] }>>;
    migrationConsoleHistory(start: number, tail: Uint8Array): Promise<Outcome<null>>;
  };
  bucket: R2Bucket;
  holder: string;
}

/** The memory snapshot a VM's RAM is layered on (clones, reverts). */
export interface BaseLayer { manifest: string; packs: string[] }

/** What a memory snapshot of a VM produced (the caller records and retains it). */
export interface CapturedSnapshot {
  manifest: string; packs: string[]; powerState: PowerState; frames: number; storedBytes: number;
  /** The disks' frozen layers, when a snapshot id was given. */
  disks: { disk: string; layer: string }[];
}

/** An RPC answer: a value, or the HTTP status, code and message of why not. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; status: 404 | 409 | 422 | 500; code: string; message: string };
