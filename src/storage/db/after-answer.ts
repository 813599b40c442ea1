// Inventory writes that need not hold up a request's answer (its events, its audit record):
// the statements a request queues go to D1 together, as one batch, on the turn after the
// answer, instead of one D1 request each. A statement queued once that batch has started
// starts the next one.
import type { Context } from "hono";
import type { AppEnv } from "../../app.js";

type Ctx = Context<AppEnv, any>;

/** Per request: the statements waiting, and the batch that will write them. */
const queues = new WeakMap<Ctx, { stmts: D1PreparedStatement[]; done: Promise<void> }>();

/**
 * Queues `stmt` for the request's after-answer batch. Returns the batch's promise (it never
 * rejects: a failure is logged), already handed to waitUntil when the request has
 * an execution context.
 */
export function writeAfterAnswer(c: Ctx, stmt: D1PreparedStatement): Promise<void> {
  const queued = queues.get(c);
  if (queued) {
    queued.stmts.push(stmt);
    return queued.done;
  }
  const stmts = [stmt];
  const done = new Promise((res) => setTimeout(res, 0))
    .then(() => {
      queues.delete(c);
      return c.env.DB.batch(stmts);
    })
    .then(() => undefined, (e: unknown) => console.error("inventory writes after the answer failed", e));
  queues.set(c, { stmts, done });
  try { c.executionCtx.waitUntil(done); } catch { /* no execution context (tests): it still runs */ }
  return done;
}
