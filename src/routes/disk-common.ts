// Shared by the VM, disk, snapshot and datastore routes: the datastore's object (set up on
// first use), a disk's JSON form, and provisioning — turning disk specs of a request into
// disks in their datastores plus inventory rows, with everything undone if one fails, and
// eager zeroing run as a task with progress.
import type { Context } from "hono";
import { eq, inArray } from "drizzle-orm";
import type { AppEnv } from "../app.js";
import type { Env } from "../env.js";
import { openDb, schema } from "../storage/db/index.js";
import { ApiError, notFound, unprocessable } from "../errors.js";
import { newId } from "../ids.js";
import { startTask } from "./tasks.js";
import type { DiskAttachment } from "../durable/vm-disks.js";
import type { DiskInfo, DsOutcome, Provisioning } from "../storage/datastore/types.js";
import { MAX_CHUNK_BYTES, MIN_CHUNK_BYTES } from "../storage/datastore/types.js";
import type { z } from "zod";
import type { diskSpecSchema } from "../schemas/vms.js";

export type DiskRow = typeof schema.disks.$inferSelect;
export type DatastoreRow = typeof schema.datastores.$inferSelect;

export const DEFAULT_DATASTORE = "ds-default";
/**
 * Chosen with bench/disk (README, "bench/disk"): with commits packing chunks into objects of
 * up to 1 MiB, 64 KiB chunks keep 4 KiB random writes cheap (a 64 KiB read-modify-write)
 * while sequential I/O still moves 1 MiB per request.
 */
export const DEFAULT_CHUNK_KIB = 64;
/** Chunks zeroed per datastore call while an eager-zeroed thick disk is prepared. */
const ZERO_BATCH = 16;

/** A disk as requests describe it (POST /api/vms `disks`, POST /api/vms/:id/disks). */
export type DiskSpec = z.infer<typeof diskSpecSchema>;

/** The datastore's Durable Object (its RPC methods answer DsOutcome). */
export function datastoreStub(env: Env, id: string) {
  return env.DATASTORE.get(env.DATASTORE.idFromName(id));
}

/** The datastore row and its object, set up on first use. 404 when unknown. */
export async function openDatastore(env: Env, id: string, field?: string) {
  const [row] = await openDb(env.DB).select().from(schema.datastores).where(eq(schema.datastores.id, id));
  if (!row) {
    if (field) throw unprocessable(`${field}: datastore ${id} does not exist`);
    throw notFound("datastore", id);
  }
  const stub = datastoreStub(env, id);
  await stub.init(row.id, row.name);
  return { row, stub };
}

/** An RPC outcome of a datastore as a value, or the ApiError it stands for. */
export function dsUnwrap<T>(o: DsOutcome<T>): T {
  if (o.ok) return o.value;
  throw new ApiError(o.status, o.code, o.message);
}

export function attachment(row: DiskRow): DiskAttachment {
  return { id: row.id, datastore: row.datastoreId, sizeBytes: row.sizeBytes, chunkBytes: row.chunkBytes };
}

export function diskJson(row: DiskRow, info?: DiskInfo) {
  return {
    id: row.id,
    vm: row.vmId ?? undefined,
    slot: row.slot ?? undefined,
    device: row.slot !== null ? `/dev/vd${String.fromCharCode(97 + row.slot)}` : undefined,
    datastore: row.datastoreId,
    sizeMiB: row.sizeBytes / (1 << 20),
    sizeBytes: row.sizeBytes,
    provisioning: row.provisioning,
    chunkKiB: row.chunkBytes / 1024,
    image: row.imageId ?? undefined,
    ...(info ? {
      state: info.state,
      usedBytes: info.usedBytes,
      allocatedBytes: info.allocatedBytes,
      layers: info.chain.length + 1,
      lease: info.lease,
      epoch: info.epoch,
      snapshots: info.snapshots.map((s) => s.id),
      ...(info.state === "zeroing" ? { zeroedChunks: info.zeroedChunks, chunkCount: info.chunkCount } : {}),
    } : {}),
    createdAt: new Date(row.createdAt).toISOString(),
  };
}

/** A VM's disks in slot order. */
export async function vmDisks(env: Env, vmId: string): Promise<DiskRow[]> {
  const rows = await openDb(env.DB).select().from(schema.disks).where(eq(schema.disks.vmId, vmId));
  return rows.sort((a, b) => (a.slot ?? 0) - (b.slot ?? 0));
}

/** A body field's path for messages: "name" at the top, "prefix.name" inside a list entry. */
const at = (prefix: string, name: string) => (prefix === "" ? name : `${prefix}.${name}`);
/** Entry i of the list `field` (as zod names it: disks.0), or the body itself when field is "". */
const entryPath = (field: string, i: number) => (field === "" ? "" : `${field}.${i}`);

export function chunkBytesOf(spec: DiskSpec, field: string): number {
  const kib = spec.chunkKiB ?? DEFAULT_CHUNK_KIB;
  const bytes = kib * 1024;
  if (!Number.isInteger(kib) || bytes < MIN_CHUNK_BYTES || bytes > MAX_CHUNK_BYTES || (bytes & (bytes - 1)) !== 0) {
    throw unprocessable(`${at(field, "chunkKiB")}: must be a power of two from ${MIN_CHUNK_BYTES / 1024} to ${MAX_CHUNK_BYTES / 1024}`);
  }
  return bytes;
}

/**
 * Creates the disks of `specs` for VM `vmId` in slots from `firstSlot`: validated first
 * (images, datastores, sizes), then created one by one; if one is refused, those created
 * are deleted again and the refusal is thrown. Returns the rows (not yet inserted).
 */
export async function provisionDisks(env: Env, vmId: string, specs: DiskSpec[], firstSlot: number, field = "disks"): Promise<DiskRow[]> {
  const db = openDb(env.DB);
  const imageIds = specs.map((s) => s.image).filter((x): x is string => x !== undefined);
  const images = imageIds.length ? await db.select().from(schema.images).where(inArray(schema.images.id, imageIds)) : [];
  const now = Date.now();
  const planned: { row: DiskRow; image?: { sha256: string; size: number } }[] = [];
  for (const [i, spec] of specs.entries()) {
    const f = entryPath(field, i);
    const sizeBytes = spec.sizeMiB * (1 << 20);
    const chunkBytes = chunkBytesOf(spec, f);
    let image: { sha256: string; size: number } | undefined;
    if (spec.image !== undefined) {
      const img = images.find((m) => m.id === spec.image);
      if (!img) throw unprocessable(`${at(f, "image")}: image ${spec.image} does not exist`);
      if (img.kind !== "disk") throw unprocessable(`${at(f, "image")}: image ${img.id} is a ${img.kind} image, not a disk`);
      if (img.size > sizeBytes) throw unprocessable(`${at(f, "sizeMiB")}: the image ${img.id} has ${img.size} bytes; the disk needs at least ${Math.ceil(img.size / (1 << 20))} MiB`);
      image = { sha256: img.sha256, size: img.size };
    }
    planned.push({
      row: {
        id: newId("disk"), vmId, slot: firstSlot + i, datastoreId: spec.datastore ?? DEFAULT_DATASTORE, sizeBytes,
        provisioning: spec.provisioning ?? "thin", chunkBytes, imageId: spec.image ?? null, createdAt: now,
      },
      ...(image ? { image } : {}),
    });
  }
  const created: DiskRow[] = [];
  try {
    for (const [i, p] of planned.entries()) {
      const { stub } = await openDatastore(env, p.row.datastoreId, at(entryPath(field, i), "datastore"));
      dsUnwrap(await stub.createDisk({
        id: p.row.id, sizeBytes: p.row.sizeBytes, chunkBytes: p.row.chunkBytes,
        provisioning: p.row.provisioning as Provisioning, ...(p.image ? { image: p.image } : {}),
      }));
      created.push(p.row);
    }
  } catch (e) {
    await deleteDisks(env, created);
    throw e;
  }
  return created;
}

/** Linked clones of frozen layers (a clone's disks): same sizes and chunking as the originals. */
export async function cloneDisks(env: Env, vmId: string, from: { row: DiskRow; layer: string }[]): Promise<DiskRow[]> {
  const created: DiskRow[] = [];
  const now = Date.now();
  try {
    for (const f of from) {
      const row: DiskRow = { ...f.row, id: newId("disk"), vmId, provisioning: "thin", createdAt: now };
      dsUnwrap(await datastoreStub(env, row.datastoreId).createDisk({
        id: row.id, sizeBytes: row.sizeBytes, chunkBytes: row.chunkBytes, provisioning: "thin", parentLayer: f.layer,
      }));
      created.push(row);
    }
  } catch (e) {
    await deleteDisks(env, created);
    throw e;
  }
  return created;
}

/** Deletes disks from their datastores (leases broken: their VM is gone or off). */
export async function deleteDisks(env: Env, rows: DiskRow[]): Promise<void> {
  for (const r of rows) {
    const out = await datastoreStub(env, r.datastoreId).deleteDisk(r.id, true);
    if (!out.ok && out.status !== 404) throw new ApiError(out.status, out.code, out.message);
  }
}

/** Starts eager zeroing of the eager-zeroed thick disks among rows, one task each. */
export async function startZeroing(c: Context<AppEnv>, rows: DiskRow[]): Promise<string[]> {
  const tasks: string[] = [];
  for (const r of rows) {
    if (r.provisioning !== "eagerZeroedThick") continue;
    const t = await startTask(c, "disk.zero", r.id, async (progress) => {
      const stub = datastoreStub(c.env, r.datastoreId);
      for (;;) {
        const info = dsUnwrap(await stub.zeroChunks(r.id, ZERO_BATCH));
        if (info.state === "ready") return { disk: r.id, chunks: info.chunkCount, bytes: info.chunkCount * info.chunkBytes };
        await progress((100 * info.zeroedChunks) / Math.max(1, info.chunkCount));
      }
    });
    tasks.push(t.id);
  }
  return tasks;
}
