// The audit trail: every mutating request (anything but GET, HEAD, OPTIONS) is recorded after
// it is answered — who (the authenticated user, or "anonymous"), the method and path, the
// query's `action` word, the entity named in the path, the status and result, and the source
// address. Nothing from bodies, headers or other query parameters is kept, so no password,
// token or key can reach the log. Written after the answer, in one D1 batch with the
// request's events (storage/db/after-answer.ts): the answer does not wait for it.
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app.js";
import { writeAfterAnswer } from "../storage/db/after-answer.js";

const READS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The entity a path names: the id after the collection (`/api/vms/vm-1/power` → vm-1). */
export function entityOf(path: string): string | undefined {
  const parts = path.split("/").filter(Boolean);
  const id = parts[0] === "api" ? parts[2] : undefined;
  return id && /^[A-Za-z0-9._-]{1,128}$/.test(id) ? id : undefined;
}

function sourceOf(req: Request): string {
  return req.headers.get("cf-connecting-ip")
    ?? req.headers.get("x-real-ip")
    ?? req.headers.get("x-forwarded-for")?.split(",")[0]?.trim()
    ?? "local";
}

export const auditTrail = () =>
  createMiddleware<AppEnv>(async function auditTrail(c, next) {
    await next();
    if (READS.has(c.req.method)) return;
    const status = c.res.status;
    const action = c.req.query("action");
    // A create names its new entity in the answer.
    let entity = entityOf(c.req.path);
    if (status === 201 && c.res.headers.get("content-type")?.includes("json")) {
      try {
        const id = ((await c.res.clone().json()) as { id?: unknown }).id;
        if (typeof id === "string" && !entity) entity = id;
        else if (typeof id === "string") entity = `${entity}/${id}`.slice(0, 128);
      } catch { /* not an object */ }
    }
    const write = writeAfterAnswer(c, c.env.DB.prepare(
      "INSERT INTO audit (at, user, method, path, action, entity_id, status, result, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    ).bind(
      Date.now(), c.get("principal")?.user ?? "anonymous", c.req.method, c.req.path,
      action && /^[a-z]{1,16}$/.test(action) ? action : null, entity ?? null,
      status, status < 400 ? "ok" : "error", sourceOf(c.req.raw).slice(0, 64),
    ));
    // Without an execution context (tests) the answer waits for it.
    try { c.executionCtx.waitUntil(write); } catch { await write; }
  });
