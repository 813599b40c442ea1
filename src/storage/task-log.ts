// Task and event rows in D1, shared by the Worker's routes and the objects that run work
// themselves (the CoordinatorObject's migrations): a task is queued, then moved on with
// updateTask, and every state change is also an event (`task`) for GET /api/events.
import { openDb, schema } from "./db/index.js";
import { newId } from "../ids.js";

export type TaskRow = typeof schema.tasks.$inferSelect;

/** What a task update changes (any subset). */
export interface TaskPatch {
  state?: "running" | "succeeded" | "failed";
  progress?: number;
  result?: unknown;
  error?: { code: string; message: string };
}

export function eventStatement(db: D1Database, kind: string, entityId: string | null, message: string, data?: unknown): D1PreparedStatement {
  return db.prepare("INSERT INTO events (at, kind, entity_id, message, data) VALUES (?, ?, ?, ?, ?)")
    .bind(Date.now(), kind, entityId, message, data === undefined ? null : JSON.stringify(data));
}

/** Records an inventory event (what GET /api/events streams). */
export async function recordEvent(db: D1Database, kind: string, entityId: string, message: string, data?: unknown): Promise<void> {
  await eventStatement(db, kind, entityId, message, data).run();
}

/** A new task row, queued (whoever runs it moves it on with updateTask). */
export async function queueTask(db: D1Database, kind: string, entityId: string): Promise<TaskRow> {
  const now = Date.now();
  const row: TaskRow = { id: newId("task"), kind, state: "queued", progress: 0, entityId, result: null, error: null, createdAt: now, updatedAt: now };
  await openDb(db).insert(schema.tasks).values(row);
  return row;
}

/** Updates a task (progress 0..100, rounded); a state change is recorded as an event in the same batch. */
export async function updateTask(db: D1Database, task: Pick<TaskRow, "id" | "kind" | "entityId">, patch: TaskPatch): Promise<void> {
  const sets: string[] = ["updated_at = ?"];
  const args: (string | number)[] = [Date.now()];
  if (patch.state) { sets.push("state = ?"); args.push(patch.state); }
  if (patch.progress !== undefined) { sets.push("progress = ?"); args.push(Math.max(0, Math.min(100, Math.round(patch.progress)))); }
  if (patch.result !== undefined) { sets.push("result = ?"); args.push(JSON.stringify(patch.result ?? null)); }
  if (patch.error) { sets.push("error = ?"); args.push(JSON.stringify(patch.error)); }
  const stmts = [db.prepare(`UPDATE tasks SET ${sets.join(", ")} WHERE id = ?`).bind(...args, task.id)];
  if (patch.state) {
    stmts.push(eventStatement(db, "task", task.entityId, `${task.kind} ${task.id} ${patch.state}`, { task: task.id, state: patch.state }));
  }
  await db.batch(stmts);
}
