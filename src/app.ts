// The Hono root: request ids, login, authentication, the resource sub-apps, and the one place
// where errors become `{"error":{"code","message"}}` answers.
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Env } from "./env.js";
import { ApiError, errorBody } from "./errors.js";
import { authenticate, type Principal } from "./middleware/auth.js";
import { imageRoutes } from "./routes/images.js";
import { vmRoutes } from "./routes/vms.js";
import { snapshotRoutes } from "./routes/snapshots.js";
import { inventoryRoutes } from "./routes/inventory.js";
import { openApiRoutes, ROUTES } from "./routes/openapi.js";
import { guardRoutes } from "./middleware/guard.js";
import { auditTrail } from "./middleware/audit.js";
import { auditRoutes } from "./routes/audit.js";
import { eventRoutes } from "./routes/events.js";
import { taskRoutes } from "./routes/tasks.js";
import { datastoreRoutes } from "./routes/datastores.js";
import { diskRoutes, vmDiskRoutes } from "./routes/disks.js";
import { hostRoutes, migrateRoutes } from "./routes/hosts.js";
import { authzRoutes } from "./routes/authz.js";
import { accessRoutes, loginRoutes } from "./routes/access.js";
import type { Authz } from "./security/inventory-tree.js";

export type AppEnv = { Bindings: Env; Variables: { principal: Principal; authz?: Authz | undefined } };

const api = new Hono<AppEnv>()
  // Time spent inside the Worker (clocks advance across I/O), for clients and benchmarks.
  .use("*", async (c, next) => {
    const t0 = Date.now();
    await next();
    // A WebSocket upgrade's headers are immutable: it goes out as it is.
    if (c.res.status === 101) return;
    const timing = `app;dur=${Date.now() - t0}`;
    try {
      c.res.headers.set("server-timing", timing);
    } catch {
      // Headers of a response passed through from elsewhere may be immutable: copy it.
      c.res = new Response(c.res.body, c.res);
      c.res.headers.set("server-timing", timing);
    }
  })
  // Mutations are recorded (after they are answered), failed logins and 401s included.
  .use("*", auditTrail())
  // POST /api/login answers before authentication: it is how a user gets a token.
  .route("/", loginRoutes)
  .use("*", authenticate())
  .use("*", guardRoutes(ROUTES))
  .route("/", openApiRoutes)
  .route("/", accessRoutes)
  .route("/", authzRoutes)
  .route("/images", imageRoutes)
  .route("/vms", vmRoutes)
  .route("/vms", snapshotRoutes)
  .route("/vms", vmDiskRoutes)
  .route("/vms", migrateRoutes)
  .route("/", hostRoutes)
  .route("/datastores", datastoreRoutes)
  .route("/", diskRoutes)
  .route("/", inventoryRoutes)
  .route("/", auditRoutes)
  .route("/", eventRoutes)
  .route("/", taskRoutes);

export const app = new Hono<AppEnv>()
  .get("/", (c) => c.json({ service: "edgevisor", api: "/api", openapi: "/api/openapi.json" }))
  .route("/api", api);

app.notFound((c) => c.json(errorBody("not_found", `no route for ${c.req.method} ${new URL(c.req.url).pathname}`), 404));

app.onError((err, c) => {
  if (err instanceof ApiError) return c.json(errorBody(err.code, err.message), err.httpStatus);
  if (err instanceof HTTPException) {
    const status = err.status;
    const code = status === 400 ? "bad_request" : status === 401 ? "unauthorized" : status === 413 ? "too_large" : "error";
    return c.json(errorBody(code, err.message || "request failed"), status as 400);
  }
  console.error("unhandled error", err);
  return c.json(errorBody("internal", "internal error; the request may not have completed"), 500);
});

export type AppType = typeof app;
