// Datacenters, clusters and hosts (read side; hosts are created in routes/hosts.ts, clusters
// with the HA/DRS issues). Lists answer only the entities the caller may see; a host also
// shows the memory its VMs reserve on its HostObject.
import { Hono, type Context } from "hono";
import { asc, eq } from "drizzle-orm";
import type { AppEnv } from "../app.js";
import { openDb, schema } from "../storage/db/index.js";
import { notFound } from "../errors.js";
import { visibleIds } from "../security/inventory-tree.js";
import { hostStub } from "./hosts.js";
import type { EntityType } from "../security/permissions.js";

async function visible<T extends { id: string }>(c: Context<AppEnv>, type: EntityType, rows: Promise<T[]>): Promise<T[]> {
  const [all, seen] = await Promise.all([rows, visibleIds(c, type)]);
  return all.filter((r) => seen.has(r.id));
}

export const inventoryRoutes = new Hono<AppEnv>()
  .get("/datacenters", async (c) => c.json(await visible(c, "datacenter", openDb(c.env.DB).select().from(schema.datacenters).orderBy(asc(schema.datacenters.createdAt)))))
  .get("/clusters", async (c) => {
    const rows = await visible(c, "cluster", openDb(c.env.DB).select().from(schema.clusters).orderBy(asc(schema.clusters.createdAt)));
    return c.json(rows.map((r) => ({ ...r, ha: JSON.parse(r.ha) as unknown, drs: JSON.parse(r.drs) as unknown })));
  })
  .get("/hosts", async (c) => c.json(await visible(c, "host", openDb(c.env.DB).select().from(schema.hosts).orderBy(asc(schema.hosts.createdAt)))))
  .get("/hosts/:id", async (c) => {
    const [h] = await openDb(c.env.DB).select().from(schema.hosts).where(eq(schema.hosts.id, c.req.param("id")));
    if (!h) throw notFound("host", c.req.param("id"));
    // Its HostObject's admission figures: memory reserved by the VMs placed on it.
    const live = await hostStub(c.env, h.id).init(h.id, h.region, h.memoryMiB);
    return c.json({ ...h, reservedMiB: live.reservedMiB, freeMiB: live.memoryMiB - live.reservedMiB, vms: live.vms });
  });
