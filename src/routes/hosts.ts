// /api/hosts (creation, maintenance mode) and /api/vms/:id/migrate (vMotion). A host is a
// D1 row plus its HostObject (admission control, created in the host's region); migrations
// run in the CoordinatorObject as tasks.
import { Hono } from "hono";
import { and, asc, eq, ne } from "drizzle-orm";
import type { AppEnv } from "../app.js";
import type { Env } from "../env.js";
import { openDb, schema } from "../storage/db/index.js";
import { jsonBody } from "../body.js";
import { badRequest, conflict, notFound, unavailable, unprocessable } from "../errors.js";
import { newId } from "../ids.js";
import { createHostSchema, migrateSchema } from "../schemas/hosts.js";
import { emit } from "./events.js";
import { startTask, taskJson } from "./tasks.js";
import { queueTask, updateTask } from "../storage/task-log.js";
import { findVm } from "./vm-common.js";
import type { MigrateOptions } from "../durable/coordinator.js";

export function hostStub(env: Env, id: string) {
  return env.HOST.get(env.HOST.idFromName(id));
}

export function coordinator(env: Env) {
  return env.COORDINATOR.get(env.COORDINATOR.idFromName("coordinator"));
}

/** Starts a migration task (202 body). */
async function startMigration(c: Parameters<typeof startTask>[0], vmId: string, host: string, opts: MigrateOptions) {
  const db = openDb(c.env.DB);
  const { id } = await queueTask(c.env.DB, "migrate", vmId);
  const r = await coordinator(c.env).migrate(id, vmId, host, opts);
  if (!r.ok) {
    await updateTask(c.env.DB, { id, kind: "migrate", entityId: vmId }, { state: "failed", error: { code: "conflict", message: r.message } });
    throw conflict(r.message);
  }
  const [row] = await db.select().from(schema.tasks).where(eq(schema.tasks.id, id));
  return taskJson(row!);
}

/** The connected host (other than `except`) with the most free memory that fits `memoryMiB`. */
export async function leastLoadedHost(env: Env, memoryMiB: number, except?: string, allowed: (host: string) => Promise<boolean> = async () => true): Promise<string | undefined> {
  const db = openDb(env.DB);
  const all = await db.select().from(schema.hosts).where(except ? and(eq(schema.hosts.state, "connected"), ne(schema.hosts.id, except)) : eq(schema.hosts.state, "connected")).orderBy(asc(schema.hosts.createdAt));
  const ok = await Promise.all(all.map((h) => allowed(h.id)));
  const hosts = all.filter((_, i) => ok[i]);
  const stats = await Promise.all(hosts.map(async (h) => {
    const s = await hostStub(env, h.id).init(h.id, h.region, h.memoryMiB);
    return { id: h.id, free: s.memoryMiB - s.reservedMiB };
  }));
  return stats.filter((s) => s.free >= memoryMiB).sort((a, b) => b.free - a.free)[0]?.id;
}

export const hostRoutes = new Hono<AppEnv>()
  .post("/hosts", async (c) => {
    const body = await jsonBody(c, createHostSchema);
    const db = openDb(c.env.DB);
    const clusterId = body.cluster ?? "cluster-default";
    const [cl] = await db.select({ id: schema.clusters.id }).from(schema.clusters).where(eq(schema.clusters.id, clusterId));
    if (!cl) throw unprocessable(`cluster: cluster ${clusterId} does not exist`);
    const [dup] = await db.select({ id: schema.hosts.id }).from(schema.hosts).where(eq(schema.hosts.name, body.name));
    if (dup) throw conflict(`a host named ${body.name} already exists (${dup.id})`);
    const row = { id: newId("host"), name: body.name, clusterId, region: body.region, memoryMiB: body.memoryMiB, state: "connected", createdAt: Date.now() };
    const stub = c.env.HOST.get(c.env.HOST.idFromName(row.id), { locationHint: body.region });
    await stub.init(row.id, row.region, row.memoryMiB);
    await db.insert(schema.hosts).values(row);
    emit(c, "host.created", row.id, `host ${row.name} created in ${row.region}`);
    return c.json(row, 201);
  })
  .post("/hosts/:id/maintenance", async (c) => {
    const action = c.req.query("action");
    if (action !== "enter" && action !== "exit") throw badRequest("action must be enter or exit (?action=...)");
    const db = openDb(c.env.DB);
    const [h] = await db.select().from(schema.hosts).where(eq(schema.hosts.id, c.req.param("id")));
    if (!h) throw notFound("host", c.req.param("id"));
    if (action === "exit") {
      await db.update(schema.hosts).set({ state: "connected" }).where(eq(schema.hosts.id, h.id));
      emit(c, "host.maintenance", h.id, `host ${h.name} left maintenance mode`);
      return c.json({ id: h.id, state: "connected" });
    }
    await db.update(schema.hosts).set({ state: "maintenance" }).where(eq(schema.hosts.id, h.id));
    emit(c, "host.maintenance", h.id, `host ${h.name} entered maintenance mode`);
    // Every VM on it moves to the least-loaded other host, one after the other.
    const task = await startTask(c, "host.evacuate", h.id, async (progress) => {
      const vms = await db.select().from(schema.vms).where(eq(schema.vms.hostId, h.id));
      const moved: { vm: string; host: string; task: string }[] = [];
      for (const [i, vm] of vms.entries()) {
        const to = await leastLoadedHost(c.env, vm.memoryMiB, h.id);
        if (!to) throw unavailable(`no other connected host has ${vm.memoryMiB} MiB free for VM ${vm.id}`);
        const { id: taskId } = await queueTask(c.env.DB, "migrate", vm.id);
        await coordinator(c.env).migrateNow(taskId, vm.id, to, {});
        const [t] = await db.select().from(schema.tasks).where(eq(schema.tasks.id, taskId));
        if (t?.state !== "succeeded") throw conflict(`migrating VM ${vm.id} failed: ${t?.error ?? "unknown"}`);
        moved.push({ vm: vm.id, host: to, task: taskId });
        await progress((100 * (i + 1)) / vms.length);
      }
      return { host: h.id, moved };
    });
    return c.json({ id: h.id, state: "maintenance", task }, 202);
  });

export const migrateRoutes = new Hono<AppEnv>()
  .post("/:id/migrate", async (c) => {
    const body = await jsonBody(c, migrateSchema);
    const vm = await findVm(c.env, c.req.param("id"));
    const [h] = await openDb(c.env.DB).select().from(schema.hosts).where(eq(schema.hosts.id, body.host));
    if (!h) throw unprocessable(`host: host ${body.host} does not exist`);
    if (h.id === vm.hostId) throw conflict(`VM ${vm.id} is on host ${h.id} already`);
    if (h.state !== "connected") throw conflict(`host ${h.id} is in ${h.state} mode`);
    if (body.failAt && c.env.EDGEVISOR_TEST_FAULTS !== "1") throw unprocessable("failAt: fault injection is for tests only");
    const opts: MigrateOptions = {
      ...(body.downtimeMs !== undefined ? { downtimeMs: body.downtimeMs } : {}),
      ...(body.maxRounds !== undefined ? { maxRounds: body.maxRounds } : {}),
      ...(body.failAt !== undefined ? { failAt: body.failAt } : {}),
    };
    const task = await startMigration(c, vm.id, h.id, opts);
    emit(c, "vm.migrating", vm.id, `VM ${vm.name} migrating to ${h.name}`);
    return c.json({ task }, 202);
  });
