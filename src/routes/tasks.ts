// Tasks: long operations answered with 202 {task} run in the background (waitUntil) and are
// followed through GET /api/tasks/:id — queued, running, succeeded or failed, with progress,
// the result or the error. Each state change is also an event (`task`), so SSE clients see it.
import { Hono, type Context } from "hono";
import { desc, eq } from "drizzle-orm";
import type { AppEnv } from "../app.js";
import { openDb, schema } from "../storage/db/index.js";
import { ApiError, notFound } from "../errors.js";
import { newId } from "../ids.js";
import { recordEvent } from "./events.js";

type TaskRow = typeof schema.tasks.$inferSelect;

export function taskJson(t: TaskRow) {
  return {
    id: t.id, kind: t.kind, state: t.state, progress: t.progress, entity: t.entityId ?? undefined,
    result: t.result ? JSON.parse(t.result) as unknown : undefined,
    error: t.error ? JSON.parse(t.error) as unknown : undefined,
    createdAt: new Date(t.createdAt).toISOString(), updatedAt: new Date(t.updatedAt).toISOString(),
  };
}

/**
 * Starts `work` as a task on `entityId` and returns the task (queued). `work` reports
 * progress (0..100) and returns the result; an ApiError or any error fails the task with its
 * message. It runs on after the answer (waitUntil).
 */
/** A new task row, queued (whoever runs it moves it on: startTask, or the CoordinatorObject). */
export async function queueTask(d1: D1Database, kind: string, entityId: string): Promise<TaskRow> {
  const now = Date.now();
  const row: TaskRow = { id: newId("task"), kind, state: "queued", progress: 0, entityId, result: null, error: null, createdAt: now, updatedAt: now };
  await openDb(d1).insert(schema.tasks).values(row);
  return row;
}

export async function startTask(c: Context<AppEnv>, kind: string, entityId: string, work: (progress: (p: number) => Promise<void>) => Promise<unknown>): Promise<ReturnType<typeof taskJson>> {
  const db = openDb(c.env.DB);
  const row = await queueTask(c.env.DB, kind, entityId);
  const set = async (v: Partial<TaskRow>) => {
    await db.update(schema.tasks).set({ ...v, updatedAt: Date.now() }).where(eq(schema.tasks.id, row.id));
    if (v.state) await recordEvent(c.env.DB, "task", entityId, `${kind} ${row.id} ${v.state}`, { task: row.id, state: v.state });
  };
  const run = (async () => {
    await set({ state: "running" });
    try {
      const result = await work((p) => set({ progress: Math.max(0, Math.min(100, Math.round(p))) }));
      await set({ state: "succeeded", progress: 100, result: JSON.stringify(result ?? null) });
    } catch (e) {
      const err = e instanceof ApiError ? { code: e.code, message: e.message } : { code: "internal", message: (e as Error).message };
      await set({ state: "failed", error: JSON.stringify(err) });
    }
  })().catch((e: unknown) => console.error("task bookkeeping failed", e));
  try { c.executionCtx.waitUntil(run); } catch { /* no execution context: it still runs */ }
  return taskJson(row);
}

/** startTask, answered 202 {task}. */
export async function runAsTask(c: Context<AppEnv>, kind: string, entityId: string, work: (progress: (p: number) => Promise<void>) => Promise<unknown>): Promise<Response> {
  return c.json({ task: await startTask(c, kind, entityId, work) }, 202);
}

export const taskRoutes = new Hono<AppEnv>()
  .get("/tasks", async (c) => {
    const rows = await openDb(c.env.DB).select().from(schema.tasks).orderBy(desc(schema.tasks.createdAt)).limit(200);
    return c.json(rows.map(taskJson));
  })
  .get("/tasks/:id", async (c) => {
    const [t] = await openDb(c.env.DB).select().from(schema.tasks).where(eq(schema.tasks.id, c.req.param("id")));
    if (!t) throw notFound("task", c.req.param("id"));
    return c.json(taskJson(t));
  });
