// /api/vms/:id/disks: a VM's virtual disks — list, add, extend, remove (while the VM is
// powered off) — and /api/disks/:id: one disk with its space and lease, and breaking a
// lease (what HA and migration do to fence a holder).
import { Hono } from "hono";
import { and, eq } from "drizzle-orm";
import type { AppEnv } from "../app.js";
import { openDb, schema } from "../storage/db/index.js";
import { jsonBody } from "../body.js";
import { badRequest, conflict, notFound, unprocessable } from "../errors.js";
import { diskSpecSchema, extendDiskSchema } from "../schemas/vms.js";
import { emit } from "./events.js";
import { findVm, unwrap, vmStub, type VmRow } from "./vm-common.js";
import {
  attachment, datastoreStub, deleteDisks, diskJson, dsUnwrap, provisionDisks, startZeroing, vmDisks, type DiskRow,
} from "./disk-common.js";
import type { Env } from "../env.js";

const MAX_DISKS = 6;

async function findDisk(env: Env, vmId: string, diskId: string): Promise<DiskRow> {
  const [row] = await openDb(env.DB).select().from(schema.disks).where(and(eq(schema.disks.id, diskId), eq(schema.disks.vmId, vmId)));
  if (!row) throw notFound("disk", `${diskId} of VM ${vmId}`);
  return row;
}

/** Disk changes need the VM powered off; the VM object gets the new list. */
async function requireOff(env: Env, vm: VmRow): Promise<void> {
  const { powerState } = await vmStub(env, vm).info();
  if (powerState !== "POWERED_OFF") throw conflict(`VM ${vm.id} is ${powerState}; power it off to change its disks`);
}

async function pushDisks(env: Env, vm: VmRow): Promise<DiskRow[]> {
  const rows = await vmDisks(env, vm.id);
  unwrap(await vmStub(env, vm).setDisks(rows.map(attachment)));
  return rows;
}

async function withInfo(env: Env, row: DiskRow) {
  const info = await datastoreStub(env, row.datastoreId).getDisk(row.id);
  return diskJson(row, info.ok ? info.value : undefined);
}

export const vmDiskRoutes = new Hono<AppEnv>()
  .get("/:id/disks", async (c) => {
    const vm = await findVm(c.env, c.req.param("id"));
    const rows = await vmDisks(c.env, vm.id);
    return c.json(await Promise.all(rows.map((r) => withInfo(c.env, r))));
  })
  .get("/:id/disks/:diskId", async (c) => {
    const vm = await findVm(c.env, c.req.param("id"));
    return c.json(await withInfo(c.env, await findDisk(c.env, vm.id, c.req.param("diskId"))));
  })
  .post("/:id/disks", async (c) => {
    const spec = await jsonBody(c, diskSpecSchema);
    const vm = await findVm(c.env, c.req.param("id"));
    await requireOff(c.env, vm);
    const existing = await vmDisks(c.env, vm.id);
    if (existing.length >= MAX_DISKS) throw conflict(`VM ${vm.id} has ${existing.length} disks already (at most ${MAX_DISKS})`);
    const slot = existing.length === 0 ? 0 : Math.max(...existing.map((d) => d.slot ?? 0)) + 1;
    if (slot >= MAX_DISKS) throw conflict(`VM ${vm.id} has no free disk slot`);
    const [row] = await provisionDisks(c.env, vm.id, [spec], slot, "");
    try {
      await openDb(c.env.DB).insert(schema.disks).values(row!);
      await pushDisks(c.env, vm);
    } catch (e) {
      await deleteDisks(c.env, [row!]);
      await openDb(c.env.DB).delete(schema.disks).where(eq(schema.disks.id, row!.id));
      throw e;
    }
    const tasks = await startZeroing(c, [row!]);
    emit(c, "disk.added", vm.id, `disk ${row!.id} (${spec.sizeMiB} MiB) added to VM ${vm.name}`);
    return c.json({ ...(await withInfo(c.env, row!)), ...(tasks.length ? { task: tasks[0] } : {}) }, 201);
  })
  .patch("/:id/disks/:diskId", async (c) => {
    const body = await jsonBody(c, extendDiskSchema);
    const vm = await findVm(c.env, c.req.param("id"));
    const row = await findDisk(c.env, vm.id, c.req.param("diskId"));
    const sizeBytes = body.sizeMiB * (1 << 20);
    if (sizeBytes < row.sizeBytes) throw unprocessable(`sizeMiB: disks only grow; ${row.id} has ${row.sizeBytes / (1 << 20)} MiB`);
    await requireOff(c.env, vm);
    const info = dsUnwrap(await datastoreStub(c.env, row.datastoreId).extendDisk(row.id, sizeBytes));
    await openDb(c.env.DB).update(schema.disks).set({ sizeBytes }).where(eq(schema.disks.id, row.id));
    await pushDisks(c.env, vm);
    emit(c, "disk.extended", vm.id, `disk ${row.id} of VM ${vm.name} extended to ${body.sizeMiB} MiB`);
    return c.json(diskJson({ ...row, sizeBytes }, info));
  })
  .delete("/:id/disks/:diskId", async (c) => {
    const vm = await findVm(c.env, c.req.param("id"));
    const row = await findDisk(c.env, vm.id, c.req.param("diskId"));
    await requireOff(c.env, vm);
    await deleteDisks(c.env, [row]);
    await openDb(c.env.DB).delete(schema.disks).where(eq(schema.disks.id, row.id));
    await pushDisks(c.env, vm);
    emit(c, "disk.removed", vm.id, `disk ${row.id} removed from VM ${vm.name}`);
    return c.body(null, 204);
  });

export const diskRoutes = new Hono<AppEnv>()
  .get("/disks/:id", async (c) => {
    const [row] = await openDb(c.env.DB).select().from(schema.disks).where(eq(schema.disks.id, c.req.param("id")));
    if (!row) throw notFound("disk", c.req.param("id"));
    return c.json(await withInfo(c.env, row));
  })
  .post("/disks/:id/zero", async (c) => {
    // An eager-zeroed thick disk whose zeroing task stopped (an isolate restart) goes on.
    const [row] = await openDb(c.env.DB).select().from(schema.disks).where(eq(schema.disks.id, c.req.param("id")));
    if (!row) throw notFound("disk", c.req.param("id"));
    const info = dsUnwrap(await datastoreStub(c.env, row.datastoreId).getDisk(row.id));
    if (info.state !== "zeroing") throw conflict(`disk ${row.id} is ${info.state}: there is nothing left to zero`);
    const [task] = await startZeroing(c, [row]);
    return c.json({ task }, 202);
  })
  .post("/disks/:id/lease", async (c) => {
    if (c.req.query("action") !== "revoke") throw badRequest("action must be revoke (?action=revoke)");
    const [row] = await openDb(c.env.DB).select().from(schema.disks).where(eq(schema.disks.id, c.req.param("id")));
    if (!row) throw notFound("disk", c.req.param("id"));
    const r = dsUnwrap(await datastoreStub(c.env, row.datastoreId).revokeLease(row.id));
    emit(c, "disk.lease.revoked", row.vmId ?? row.id, `lease on disk ${row.id} revoked (epoch now ${r.epoch})`);
    return c.json(r);
  });
