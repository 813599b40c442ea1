// GET /api/events: server-sent events of inventory changes and power states (the events
// table), only for entities the caller may see. `Last-Event-ID` or `?since=N` resumes after
// event N; `?follow=0` sends what is there and ends. A followed stream polls D1 every second
// and ends after five minutes (clients reconnect with Last-Event-ID), so no invocation runs
// unbounded.
import { Hono, type Context } from "hono";
import { streamSSE } from "hono/streaming";
import { asc, gt } from "drizzle-orm";
import type { AppEnv } from "../app.js";
import { openDb, schema } from "../storage/db/index.js";
import { badRequest } from "../errors.js";
import { visibleIds } from "../security/inventory-tree.js";
import { eventStatement } from "../storage/task-log.js";
import { writeAfterAnswer } from "../storage/db/after-answer.js";

const POLL_MS = 1000;
const MAX_MS = 5 * 60_000;

export const eventRoutes = new Hono<AppEnv>().get("/events", async (c) => {
  const from = c.req.header("last-event-id") ?? c.req.query("since") ?? "0";
  if (!/^\d{1,15}$/.test(from)) throw badRequest("since (or Last-Event-ID) must be an event id");
  const follow = c.req.query("follow") !== "0";
  const db = openDb(c.env.DB);
  const admin = c.get("principal").user === "admin";
  const seen = admin ? undefined : await visibleIds(c);
  return streamSSE(c, async (stream) => {
    let last = Number(from);
    const started = Date.now();
    let open = true;
    stream.onAbort(() => { open = false; });
    while (open) {
      const rows = await db.select().from(schema.events).where(gt(schema.events.id, last)).orderBy(asc(schema.events.id)).limit(200);
      for (const e of rows) {
        last = e.id;
        if (seen && (!e.entityId || !seen.has(e.entityId))) continue;
        await stream.writeSSE({
          id: String(e.id),
          event: e.kind,
          data: JSON.stringify({ id: e.id, at: new Date(e.at).toISOString(), kind: e.kind, entity: e.entityId, message: e.message, data: e.data ? JSON.parse(e.data) as unknown : undefined }),
        });
      }
      if (rows.length === 200) continue;
      if (!follow || Date.now() - started > MAX_MS) break;
      await stream.sleep(POLL_MS);
    }
  });
});

/** Records an event without holding up the answer (with the request's other after-answer writes). */
export function emit(c: Context<AppEnv>, kind: string, entityId: string, message: string, data?: unknown): void {
  void writeAfterAnswer(c, eventStatement(c.env.DB, kind, entityId, message, data));
}
