// Tasks: long operations answered with 202 {task} run in the background (waitUntil) and are
// followed through GET /api/tasks/:id — queued, running, succeeded or failed, with progress,
// the result or the error. Each state change is also an event (`task`), so SSE clients see it.
import { Hono, type Context } from "hono";
import { desc, eq } from "drizzle-orm";
import type { AppEnv } from "../app.js";
import { openDb, schema } from "../storage/db/index.js";
import { ApiError, notFound } from "../errors.js";
import { queueTask, updateTask, type TaskRow } from "../storage/task-log.js";

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
export async function startTask(c: Context<AppEnv>, kind: string, entityId: string, work: (progress: (p: number) => Promise<void>) => Promise<unknown>): Promise<ReturnType<typeof taskJson>> {
  const row = await queueTask(c.env.DB, kind, entityId);
  const run = (async () => {
    await updateTask(c.env.DB, row, { state: "running" });
    try {
      const result = await work((p) => updateTask(c.env.DB, row, { progress: p }));
      await updateTask(c.env.DB, row, { state: "succeeded", progress: 100, result: result ?? null });
    } catch (e) {
      const error = e instanceof ApiError ? { code: e.code, message: e.message } : { code: "internal", message: (e as Error).message };
      await updateTask(c.env.DB, row, { state: "failed", error });
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
