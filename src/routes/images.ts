// Images: immutable, content-addressed boot and disk images. Upload streams the raw bytes into
// the KV blob store (src/storage/image-store.ts) and registers a D1 row; the same name, kind and
// bytes registered again answer the existing row. Delete is refused while a VM boots from it.
import { Hono } from "hono";
import { and, asc, count, eq, sql } from "drizzle-orm";
import type { AppEnv } from "../app.js";
import { intSetting } from "../env.js";
import { badRequest, conflict, notFound, tooLarge, unprocessable } from "../errors.js";
import { newId } from "../ids.js";
import { openDb, schema, type Db } from "../storage/db/index.js";
import { BlobRejected, deleteBlob, getImage, writeBlob } from "../storage/image-store.js";
import { visibleIds } from "../security/inventory-tree.js";
import { ImageUploadQuery, type Image } from "../schemas/images.js";

const { images, vms } = schema;
type ImageRow = typeof images.$inferSelect;

const DEFAULT_MAX_IMAGE_BYTES = 100 * 1024 * 1024;

function toImage(r: ImageRow): Image {
  const { signature, ...rest } = r;
  return { ...rest, kind: rest.kind as Image["kind"], ...(signature !== null ? { signature } : {}) };
}

/** VMs whose boot config (JSON {kernel, initrd?, cmdline?}) names the image. */
const bootsFrom = (id: string) =>
  sql`case when json_valid(${vms.boot}) then ${id} in (json_extract(${vms.boot}, '$.kernel'), json_extract(${vms.boot}, '$.initrd')) else 0 end`;

function parseUploadQuery(q: Record<string, string>): ImageUploadQuery {
  if (q.name === undefined) throw badRequest("the name query parameter is required: POST /api/images?name=<name>&kind=<kind>");
  const r = ImageUploadQuery.safeParse(q);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw unprocessable(`${issue.path.join(".") || "query"}: ${issue.message}`);
  }
  return r.data;
}

/** Inserts the row unless one with the same name, kind and sha256 exists; answers the row that is there. */
async function register(db: Db, row: ImageRow): Promise<{ image: ImageRow; created: boolean }> {
  const same = and(eq(images.name, row.name), eq(images.kind, row.kind), eq(images.sha256, row.sha256));
  await db.run(sql`insert into ${images} (id, name, kind, size, sha256, signature, created_at)
    select ${row.id}, ${row.name}, ${row.kind}, ${row.size}, ${row.sha256}, ${row.signature}, ${row.createdAt}
    where not exists (select 1 from ${images} where ${same})`);
  const [image] = await db.select().from(images).where(same).orderBy(asc(images.createdAt), sql`rowid`).limit(1);
  if (!image) throw new Error(`image ${row.id} vanished after its insert`);
  return { image, created: image.id === row.id };
}

export const imageRoutes = new Hono<AppEnv>()
  .post("/", async (c) => {
    const q = parseUploadQuery(c.req.query());
    const limit = intSetting(c.env.EDGEVISOR_MAX_IMAGE_BYTES, DEFAULT_MAX_IMAGE_BYTES);
    const tooBig = () => tooLarge(`image is larger than the ${limit}-byte limit (EDGEVISOR_MAX_IMAGE_BYTES); upload a smaller image`);
    const declared = c.req.header("content-length");
    if (declared !== undefined && Number(declared) > limit) throw tooBig();
    let blob;
    try {
      blob = await writeBlob(c.env.BLOBS, c.req.raw.body, limit);
    } catch (e) {
      if (e instanceof BlobRejected && e.reason === "too_large") throw tooBig();
      if (e instanceof BlobRejected) throw unprocessable("the body is empty: send the image bytes as application/octet-stream");
      throw e;
    }
    const db = openDb(c.env.DB);
    const { image, created } = await register(db, {
      id: newId("img"), name: q.name, kind: q.kind, size: blob.size, sha256: blob.sha256,
      signature: q.signature ?? null, createdAt: Date.now(),
    });
    if (!created && q.signature !== undefined && image.signature !== q.signature) {
      throw conflict(`image ${image.id} (${image.name}, ${image.kind}) already holds these bytes with a different signature; delete it first or use another name`);
    }
    return c.json(toImage(image), created ? 201 : 200);
  })
  .get("/", async (c) => {
    const [rows, seen] = await Promise.all([openDb(c.env.DB).select().from(images).orderBy(asc(images.createdAt), sql`rowid`), visibleIds(c, "image")]);
    return c.json(rows.filter((r) => seen.has(r.id)).map(toImage));
  })
  .get("/:id", async (c) => {
    const row = await getImage(openDb(c.env.DB), c.req.param("id"));
    if (!row) throw notFound("image", c.req.param("id"));
    return c.json(toImage(row));
  })
  .delete("/:id", async (c) => {
    const id = c.req.param("id");
    const db = openDb(c.env.DB);
    const row = await getImage(db, id);
    if (!row) throw notFound("image", id);
    const inUse = () => conflict(`image ${id} is in use`);
    const users = await db.select({ id: vms.id, name: vms.name }).from(vms).where(bootsFrom(id));
    if (users.length) {
      const list = users.map((v) => `${v.name} (${v.id})`).join(", ");
      throw conflict(`image ${id} is in use by VM ${list}; delete those VMs or change their boot images first`);
    }
    // Checked again in the delete itself, so a VM created meanwhile still keeps its image.
    const gone = await db.delete(images)
      .where(and(eq(images.id, id), sql`not exists (select 1 from ${vms} where ${bootsFrom(id)})`))
      .returning({ sha256: images.sha256 });
    if (!gone.length) throw (await getImage(db, id)) ? inUse() : notFound("image", id);
    const [left] = await db.select({ n: count() }).from(images).where(eq(images.sha256, row.sha256));
    if (!left?.n) await deleteBlob(c.env.BLOBS, row.sha256);
    return c.body(null, 204);
  });
