// /api/datastores: the datastores (capacity, provisioned and used space, over-provisioning),
// creating one, changing its capacity, its disks, and collecting chunk objects no disk
// references any more.
import { Hono } from "hono";
import { asc, eq } from "drizzle-orm";
import type { AppEnv } from "../app.js";
import { openDb, schema } from "../storage/db/index.js";
import { jsonBody } from "../body.js";
import { conflict } from "../errors.js";
import { newId } from "../ids.js";
import { createDatastoreSchema, updateDatastoreSchema } from "../schemas/datastores.js";
import { emit } from "./events.js";
import { visibleIds } from "../security/inventory-tree.js";
import { datastoreStub, diskJson, dsUnwrap, openDatastore } from "./disk-common.js";
import type { DatastoreStats } from "../storage/datastore/types.js";

const GIB = 1 << 30;
const MIB = 1 << 20;

const capacityOf = (b: { capacityMiB?: number | undefined; capacityGiB?: number | undefined }) =>
  b.capacityGiB !== undefined ? b.capacityGiB * GIB : (b.capacityMiB ?? 0) * MIB;

function datastoreJson(row: typeof schema.datastores.$inferSelect, s: DatastoreStats) {
  return {
    id: row.id, name: row.name, datacenter: row.datacenterId,
    capacity: s.capacity, provisioned: s.provisioned, used: s.used, free: s.free,
    overProvisioning: Math.round(s.overProvisioning * 1000) / 1000, disks: s.disks,
    createdAt: new Date(row.createdAt).toISOString(),
  };
}

export const datastoreRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const [rows, seen] = await Promise.all([
      openDb(c.env.DB).select().from(schema.datastores).orderBy(asc(schema.datastores.createdAt)),
      visibleIds(c, "datastore"),
    ]);
    return c.json(await Promise.all(rows.filter((r) => seen.has(r.id)).map(async (r) => {
      const { stub } = await openDatastore(c.env, r.id);
      return datastoreJson(r, await stub.stats());
    })));
  })
  .post("/", async (c) => {
    const body = await jsonBody(c, createDatastoreSchema);
    const db = openDb(c.env.DB);
    const [dup] = await db.select({ id: schema.datastores.id }).from(schema.datastores).where(eq(schema.datastores.name, body.name));
    if (dup) throw conflict(`a datastore named ${body.name} already exists (${dup.id})`);
    const row = { id: newId("ds"), name: body.name, datacenterId: body.datacenter ?? "dc-default", createdAt: Date.now() };
    const [dc] = await db.select({ id: schema.datacenters.id }).from(schema.datacenters).where(eq(schema.datacenters.id, row.datacenterId));
    if (!dc) throw conflict(`datacenter ${row.datacenterId} does not exist`);
    const stats = await datastoreStub(c.env, row.id).init(row.id, row.name, capacityOf(body));
    await db.insert(schema.datastores).values(row);
    emit(c, "datastore.created", row.id, `datastore ${row.name} created`);
    return c.json(datastoreJson(row, stats), 201);
  })
  .get("/:id", async (c) => {
    const { row, stub } = await openDatastore(c.env, c.req.param("id"));
    return c.json(datastoreJson(row, await stub.stats()));
  })
  .patch("/:id", async (c) => {
    const body = await jsonBody(c, updateDatastoreSchema);
    const { row, stub } = await openDatastore(c.env, c.req.param("id"));
    const stats = dsUnwrap(await stub.setCapacity(capacityOf(body)));
    emit(c, "datastore.updated", row.id, `datastore ${row.name} capacity set to ${stats.capacity} bytes`);
    return c.json(datastoreJson(row, stats));
  })
  .get("/:id/disks", async (c) => {
    const { row, stub } = await openDatastore(c.env, c.req.param("id"));
    const [infos, rows] = await Promise.all([stub.listDisks(), openDb(c.env.DB).select().from(schema.disks).where(eq(schema.disks.datastoreId, row.id))]);
    return c.json(rows.map((r) => diskJson(r, infos.find((i) => i.id === r.id))));
  })
  .post("/:id/gc", async (c) => {
    const { stub } = await openDatastore(c.env, c.req.param("id"));
    return c.json(await stub.gc());
  });
