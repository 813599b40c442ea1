// /api/vms/:id/snapshots and /api/vms/:id/clone: memory snapshots stored once by content,
// revert, delete with reference counts, and clones that continue exactly where a snapshot was.
import { Hono } from "hono";
import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import type { AppEnv } from "../app.js";
import type { Env } from "../env.js";
import { openDb, schema } from "../storage/db/index.js";
import { jsonBody } from "../body.js";
import { createSnapshotSchema, cloneSchema } from "../schemas/snapshots.js";
import { ApiError, conflict, notFound } from "../errors.js";
import { newId } from "../ids.js";
import { takeVmId, refillAfterAnswer } from "./vm-spares.js";
import { retain, retainStatements, release } from "../storage/frame-store.js";
import { emit } from "./events.js";
import { runAsTask } from "./tasks.js";
import { findVm, noteVm, vmJson, vmStub, unwrap } from "./vm-common.js";
import type { VmConfig } from "../durable/vm-runtime.js";
import { attachment, cloneDisks, datastoreStub, deleteDisks, vmDisks, type DiskRow } from "./disk-common.js";
import { hostStub } from "./hosts.js";

type SnapshotRow = typeof schema.snapshots.$inferSelect;
interface MemoryRef { key?: string; packs?: string[]; frames?: number }

/** The frame-store keys a snapshot holds (its manifest and packs), empty without memory. */
export function memoryKeys(row: SnapshotRow): string[] {
  const ref = JSON.parse(row.manifest) as MemoryRef;
  return ref.key ? [ref.key, ...(ref.packs ?? [])] : [];
}

/** The disk layers a snapshot froze, [{disk, layer}]. */
function diskLayersOf(row: SnapshotRow): { disk: string; layer: string }[] {
  return JSON.parse(row.disks) as { disk: string; layer: string }[];
}

/** Drops a disk snapshot in each disk's datastore (disks deleted since are skipped). */
async function unpinDiskSnapshot(env: Env, snapshotId: string, layers: { disk: string; layer: string }[]): Promise<void> {
  if (!layers.length) return;
  const rows = await openDb(env.DB).select().from(schema.disks).where(inArray(schema.disks.id, layers.map((l) => l.disk)));
  for (const r of rows) {
    const out = await datastoreStub(env, r.datastoreId).deleteSnapshot(r.id, snapshotId);
    if (!out.ok && out.status !== 404) throw new ApiError(out.status, out.code, out.message);
  }
}

function snapshotJson(r: SnapshotRow) {
  const m = JSON.parse(r.manifest) as MemoryRef & { description?: string };
  return {
    id: r.id, vm: r.vmId, name: r.name, description: m.description, memory: r.memory, powerState: r.powerState,
    parent: r.parentId ?? undefined, frames: m.frames ?? 0, storedBytes: r.storedBytes,
    disks: diskLayersOf(r).map((d) => d.disk),
    createdAt: new Date(r.createdAt).toISOString(),
  };
}

async function findSnapshot(env: Env, vmId: string, sid: string): Promise<SnapshotRow> {
  const [row] = await openDb(env.DB).select().from(schema.snapshots)
    .where(and(eq(schema.snapshots.id, sid), eq(schema.snapshots.vmId, vmId)));
  if (!row) throw notFound("snapshot", `${sid} of VM ${vmId}`);
  return row;
}

/**
 * The D1 writes of a clone of memory snapshot `snapshotId` of VM `vmId`, each conditional on
 * the clone being valid and simple, so they can ride in the lookups' batch: the VM exists,
 * the snapshot is its and holds memory, the name is free, and neither the VM nor the
 * snapshot has disks (disk clones are made in the datastore first). The first statement
 * inserts the clone's inventory row, copied from the source's as the route builds it (the
 * batch's `meta.changes` says whether it did); the second counts the clone's references to
 * the snapshot's manifest and packs, only if the row went in. An invalid request writes
 * nothing, and the route answers it from the lookups as before.
 */
function recordClone(db: ReturnType<typeof openDb>, o: { vmId: string; snapshotId: string; id: string; name: string; powerOn: boolean; now: number }) {
  // The values in the table's column order: id, name, host_id, memory_mib, vcpus, boot,
  // power_state, incarnation, settings, cloned_from, created_at, updated_at.
  return [
    db.insert(schema.vms).select(sql`SELECT ${o.id}, ${o.name}, v.host_id, v.memory_mib, v.vcpus, v.boot,
        CASE WHEN s.power_state = 'POWERED_ON' AND ${o.powerOn ? 1 : 0} = 0 THEN 'SUSPENDED' ELSE s.power_state END,
        0, v.settings, s.id, ${o.now}, ${o.now}
      FROM vms v JOIN snapshots s ON s.id = ${o.snapshotId} AND s.vm_id = v.id
      WHERE v.id = ${o.vmId}
        AND json_extract(s.manifest, '$.key') IS NOT NULL
        AND json_array_length(s.disks) = 0
        AND NOT EXISTS (SELECT 1 FROM disks WHERE vm_id = ${o.vmId})
        AND NOT EXISTS (SELECT 1 FROM vms WHERE name = ${o.name})`),
    db.update(schema.framePacks).set({ refs: sql`${schema.framePacks.refs} + 1` }).where(sql`${schema.framePacks.key} IN (
        SELECT json_extract(manifest, '$.key') FROM snapshots WHERE id = ${o.snapshotId}
        UNION SELECT j.value FROM snapshots, json_each(snapshots.manifest, '$.packs') AS j WHERE snapshots.id = ${o.snapshotId})
      AND EXISTS (SELECT 1 FROM vms WHERE id = ${o.id})`),
  ] as const;
}

export const snapshotRoutes = new Hono<AppEnv>()
  .post("/:id/snapshots", async (c) => {
    const body = await jsonBody(c, createSnapshotSchema);
    const vm = await findVm(c.env, c.req.param("id"));
    const take = async (progress: (p: number) => Promise<void>) => {
      const stub = vmStub(c.env, vm);
      const [{ powerState }, disks] = await Promise.all([stub.info(), vmDisks(c.env, vm.id)]);
      const wantMemory = (body.memory ?? true) && powerState !== "POWERED_OFF";
      const id = newId("snap");
      let ref: MemoryRef = {};
      let storedBytes = 0;
      // The disks are frozen under the snapshot's id at the instant the memory is taken.
      let diskLayers: { disk: string; layer: string }[] = [];
      if (wantMemory) {
        const cap = unwrap(await stub.captureSnapshot(disks.length ? id : undefined));
        await progress(80);
        await retain(c.env.DB, [cap.manifest, ...cap.packs]);
        ref = { key: cap.manifest, packs: cap.packs, frames: cap.frames };
        storedBytes = cap.storedBytes;
        diskLayers = cap.disks;
      } else if (disks.length) {
        diskLayers = unwrap(await stub.snapshotDisks(id)).disks;
      }
      const db = openDb(c.env.DB);
      const [parent] = await db.select({ id: schema.snapshots.id }).from(schema.snapshots)
        .where(eq(schema.snapshots.vmId, vm.id)).orderBy(desc(schema.snapshots.createdAt)).limit(1);
      const row: SnapshotRow = {
        id, vmId: vm.id, name: body.name, memory: wantMemory, parentId: parent?.id ?? null,
        powerState, storedBytes, manifest: JSON.stringify({ ...ref, ...(body.description ? { description: body.description } : {}) }),
        refs: 0, createdAt: Date.now(), disks: JSON.stringify(diskLayers),
      };
      await db.insert(schema.snapshots).values(row);
      emit(c, "snapshot.created", vm.id, `snapshot ${row.name} (${row.id}) taken`);
      // Clones of a memory snapshot are likely next: their objects get started now.
      if (wantMemory) refillAfterAnswer(c);
      return snapshotJson(row);
    };
    // `?async=true`: answered at once with a task (202) that carries the snapshot as its result.
    if (c.req.query("async") === "true") return runAsTask(c, "snapshot", vm.id, take);
    return c.json(await take(async () => {}), 201);
  })
  .get("/:id/snapshots", async (c) => {
    const vm = await findVm(c.env, c.req.param("id"));
    const rows = await openDb(c.env.DB).select().from(schema.snapshots).where(eq(schema.snapshots.vmId, vm.id)).orderBy(asc(schema.snapshots.createdAt));
    return c.json(rows.map(snapshotJson));
  })
  .get("/:id/snapshots/:sid", async (c) => {
    const vm = await findVm(c.env, c.req.param("id"));
    return c.json(snapshotJson(await findSnapshot(c.env, vm.id, c.req.param("sid"))));
  })
  .post("/:id/snapshots/:sid/revert", async (c) => {
    const vm = await findVm(c.env, c.req.param("id"));
    const snap = await findSnapshot(c.env, vm.id, c.req.param("sid"));
    const ref = JSON.parse(snap.manifest) as MemoryRef;
    const stub = vmStub(c.env, vm);
    const disks = diskLayersOf(snap);
    if (snap.memory && ref.key) {
      const r = unwrap(await stub.applySnapshot(ref.key, true, disks.length ? snap.id : undefined));
      await openDb(c.env.DB).update(schema.vms).set({ powerState: r.powerState, updatedAt: Date.now() }).where(eq(schema.vms.id, vm.id));
      return c.json(r);
    }
    // A snapshot without memory: the VM is powered off, as vSphere does.
    const { powerState } = await stub.info();
    if (powerState !== "POWERED_OFF") unwrap(await stub.power("stop"));
    if (disks.length) unwrap(await stub.revertDisks(snap.id));
    return c.json({ powerState: "POWERED_OFF" });
  })
  .delete("/:id/snapshots/:sid", async (c) => {
    const vm = await findVm(c.env, c.req.param("id"));
    const snap = await findSnapshot(c.env, vm.id, c.req.param("sid"));
    await openDb(c.env.DB).delete(schema.snapshots).where(eq(schema.snapshots.id, snap.id));
    // Clones built on it hold their own references: their frames stay, and so do the disk
    // layers they sit on; a layer no one needs any more is consolidated into its child.
    await release(c.env.BLOBS, c.env.DB, memoryKeys(snap));
    await unpinDiskSnapshot(c.env, snap.id, diskLayersOf(snap));
    return c.body(null, 204);
  })
  .post("/:id/clone", async (c) => {
    const body = await jsonBody(c, cloneSchema);
    const db = openDb(c.env.DB);
    const vmId = c.req.param("id");
    const newVmId = takeVmId();
    const now = Date.now();
    const powerOn = body.powerOn ?? true;
    // Every lookup in one D1 round trip; a clone of a memory snapshot of a VM without disks
    // (the common case) is recorded in that same round trip (recordClone).
    const [[src], [dup], snaps, images, srcDiskRows, hostRows, ...recording] = await db.batch([
      db.select().from(schema.vms).where(eq(schema.vms.id, vmId)),
      db.select({ id: schema.vms.id }).from(schema.vms).where(eq(schema.vms.name, body.name)),
      db.select().from(schema.snapshots).where(and(eq(schema.snapshots.id, body.snapshot ?? ""), eq(schema.snapshots.vmId, vmId))),
      db.select({ id: schema.images.id, sha256: schema.images.sha256 }).from(schema.images),
      db.select().from(schema.disks).where(eq(schema.disks.vmId, vmId)),
      db.select().from(schema.hosts),
      ...(body.snapshot ? recordClone(db, { vmId, snapshotId: body.snapshot, id: newVmId, name: body.name, powerOn, now }) : []),
    ]);
    const recorded = (recording[0] as { meta?: { changes?: number } } | undefined)?.meta?.changes === 1;
    if (!src) throw notFound("VM", vmId);
    const snap = body.snapshot ? snaps[0] : undefined;
    if (body.snapshot && !snap) throw notFound("snapshot", `${body.snapshot} of VM ${vmId}`);
    if (dup) throw conflict(`a VM named ${body.name} already exists (${dup.id})`);
    // The memory to continue from: the snapshot's, or the source's current state.
    let memory: { key: string; packs: string[]; powerState: string } | undefined;
    let from: string = src.id;
    const srcDisks = srcDiskRows.sort((a, b) => (a.slot ?? 0) - (b.slot ?? 0));
    // The disk layers the clone's disks are linked to: the snapshot's, or ones frozen now
    // (under a transient snapshot id that is dropped once the clone's disks hold them).
    let layers: { disk: string; layer: string }[] = [];
    let transient: string | undefined;
    if (snap) {
      const ref = JSON.parse(snap.manifest) as MemoryRef;
      if (ref.key) memory = { key: ref.key, packs: ref.packs ?? [], powerState: snap.powerState };
      from = snap.id;
      layers = diskLayersOf(snap);
    } else {
      transient = srcDisks.length ? newId("clonesnap") : undefined;
      const stubSrc = vmStub(c.env, src);
      const cap = await stubSrc.captureSnapshot(transient);
      if (cap.ok) {
        memory = { key: cap.value.manifest, packs: cap.value.packs, powerState: cap.value.powerState };
        layers = cap.value.disks;
      } else if (cap.status !== 409 || cap.code !== "wrong_state") unwrap(cap);
      else if (transient) layers = unwrap(await stubSrc.snapshotDisks(transient)).disks; // powered off: disks only
    }
    let disks: DiskRow[] = [];
    try {
      disks = await cloneDisks(c.env, "", layers.map((l) => {
        const row = srcDisks.find((d) => d.id === l.disk);
        if (!row) throw new ApiError(409, "conflict", `disk ${l.disk} of the snapshot no longer exists`);
        return { row, layer: l.layer };
      }));
    } finally {
      if (transient) await unpinDiskSnapshot(c.env, transient, layers);
    }
    const row = {
      ...src, id: newVmId, name: body.name, incarnation: 0, clonedFrom: from, createdAt: now, updatedAt: now,
      powerState: !memory ? "POWERED_OFF" : memory.powerState === "POWERED_ON" && !powerOn ? "SUSPENDED" : memory.powerState,
    };
    const boot = JSON.parse(src.boot) as { kernel: string; initrd?: string; cmdline?: string };
    const sha = (id: string) => {
      const img = images.find((i) => i.id === id);
      if (!img) throw new ApiError(409, "conflict", `the source VM's image ${id} no longer exists`);
      return { image: id, sha256: img.sha256 };
    };
    let config: VmConfig;
    try {
      config = {
        id: row.id, name: row.name, memoryMiB: row.memoryMiB, kernel: sha(boot.kernel),
        ...(boot.initrd ? { initrd: sha(boot.initrd) } : {}),
        ...(boot.cmdline !== undefined ? { cmdline: boot.cmdline } : {}),
        idleTimeoutMs: 30_000,
        ...(JSON.parse(src.settings) as Partial<VmConfig>),
      };
    } catch (e) {
      // Recorded already (the lookups' batch): undone.
      if (recorded && memory) {
        await db.delete(schema.vms).where(eq(schema.vms.id, row.id));
        await release(c.env.BLOBS, c.env.DB, [memory.key, ...memory.packs]);
      }
      throw e;
    }
    for (const d of disks) d.vmId = row.id;
    if (disks.length) config.disks = disks.map(attachment);
    const diskInserts = disks.map((d) => db.insert(schema.disks).values(d));
    const stub = vmStub(c.env, row);
    // The clone runs on the source's host: its memory is reserved there while the clone's
    // object starts (a refusal undoes the clone).
    const hostObj = hostStub(c.env, row.hostId);
    const hrow = hostRows.find((h) => h.id === row.hostId);
    const reserving = hostObj.reserve(row.id, row.memoryMiB, hrow ? { id: hrow.id, region: hrow.region, memoryMiB: hrow.memoryMiB } : undefined);
    if (!memory) {
      const reserved = await reserving;
      if (!reserved.ok) {
        await deleteDisks(c.env, disks);
        throw new ApiError(503, "capacity", reserved.message);
      }
      await Promise.all([stub.create(config), db.batch([db.insert(schema.vms).values(row), ...diskInserts])]);
      if (powerOn) row.powerState = unwrap(await stub.power("start")).powerState;
      emit(c, "vm.created", row.id, `VM ${row.name} cloned from ${from}`);
      return c.json(vmJson(row), 201);
    }
    // The inventory row and the clone's pack references land in one D1 batch while the
    // clone's object starts; if the object fails, both are undone.
    const keys = [memory.key, ...memory.packs];
    const [r, reserved] = await Promise.all([
      stub.createFromSnapshot(config, memory.key, powerOn),
      reserving,
      recorded ? Promise.resolve() : c.env.DB.batch([
        c.env.DB.prepare("INSERT INTO vms (id, name, host_id, memory_mib, vcpus, boot, power_state, incarnation, settings, cloned_from, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)")
          .bind(row.id, row.name, row.hostId, row.memoryMiB, row.vcpus, row.boot, row.powerState, row.settings, row.clonedFrom, now, now),
        ...retainStatements(c.env.DB, keys),
      ]),
      ...(diskInserts.length ? [db.batch(diskInserts as [typeof diskInserts[0], ...typeof diskInserts])] : []),
    ]);
    if (!r.ok || !reserved.ok) {
      await stub.destroy();
      await db.delete(schema.vms).where(eq(schema.vms.id, row.id));
      await db.delete(schema.disks).where(eq(schema.disks.vmId, row.id));
      await deleteDisks(c.env, disks);
      await hostObj.release(row.id);
      await release(c.env.BLOBS, c.env.DB, keys);
      if (!reserved.ok) throw new ApiError(503, "capacity", reserved.message);
      unwrap(r);
    } else if (r.value.powerState !== row.powerState) {
      row.powerState = r.value.powerState;
      await db.update(schema.vms).set({ powerState: row.powerState }).where(eq(schema.vms.id, row.id));
    }
    emit(c, "vm.created", row.id, `VM ${row.name} cloned from ${from}`);
    noteVm(row);
    refillAfterAnswer(c);
    return c.json(vmJson(row), 201);
  });
