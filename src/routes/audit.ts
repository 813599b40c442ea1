// GET /api/audit: the audit trail, newest first, filtered by user, entity, result and time.
import { Hono } from "hono";
import { and, desc, eq, gte, lte, type SQL } from "drizzle-orm";
import type { AppEnv } from "../app.js";
import { openDb, schema } from "../storage/db/index.js";
import { badRequest } from "../errors.js";

const a = schema.audit;

function time(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(n)) throw badRequest(`${name} must be an ISO date or milliseconds since the epoch`);
  return n;
}

export const auditRoutes = new Hono<AppEnv>().get("/audit", async (c) => {
  const q = (k: string) => c.req.query(k);
  const limitText = q("limit") ?? "100";
  if (!/^\d{1,4}$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > 1000) throw badRequest("limit must be 1..1000");
  const since = time(q("since"), "since");
  const until = time(q("until"), "until");
  const result = q("result");
  if (result !== undefined && result !== "ok" && result !== "error") throw badRequest("result must be ok or error");
  const where: SQL[] = [];
  if (q("user")) where.push(eq(a.user, q("user")!));
  if (q("entity")) where.push(eq(a.entityId, q("entity")!));
  if (result) where.push(eq(a.result, result));
  if (since !== undefined) where.push(gte(a.at, since));
  if (until !== undefined) where.push(lte(a.at, until));
  const rows = await openDb(c.env.DB).select().from(a).where(where.length ? and(...where) : undefined)
    .orderBy(desc(a.id)).limit(Number(limitText));
  return c.json(rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() })));
});
