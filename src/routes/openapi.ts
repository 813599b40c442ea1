// GET /api/openapi.json: the API as an OpenAPI 3.1 document. Request bodies come from the
// zod schemas the routes validate with, so the document cannot drift from the checks.
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app.js";
import { createVmSchema } from "../schemas/vms.js";
import { createSnapshotSchema, cloneSchema } from "../schemas/snapshots.js";
import { createTokenSchema, createUserSchema, loginSchema } from "../schemas/access.js";

type Op = { summary: string; body?: z.ZodType | "octet-stream" | "text"; query?: string[]; status?: number; public?: true };

/** Every route: method → path (OpenAPI style) → what it does. */
export const ROUTES: Record<string, Record<string, Op>> = {
  "/api/images": {
    get: { summary: "List images" },
    post: { summary: "Upload an image (raw bytes; content-addressed, stored once)", body: "octet-stream", query: ["name", "kind", "signature"], status: 201 },
  },
  "/api/images/{id}": {
    get: { summary: "Get an image" },
    delete: { summary: "Delete an image (409 while a VM uses it)", status: 204 },
  },
  "/api/vms": {
    get: { summary: "List VMs" },
    post: { summary: "Create a VM", body: createVmSchema, status: 201 },
  },
  "/api/vms/{id}": {
    get: { summary: "Get a VM: config, power state, host, live stats" },
    delete: { summary: "Delete a powered-off VM", status: 204 },
  },
  "/api/vms/{id}/power": {
    get: { summary: "Get the power state" },
    post: { summary: "Power action: start, stop, reset, suspend, resume", query: ["action"] },
  },
  "/api/vms/{id}/console": {
    get: { summary: "Console WebSocket (Upgrade: websocket; ?from=N replays output from byte N)", query: ["from"], status: 101 },
  },
  "/api/vms/{id}/console/output": {
    get: { summary: "Console output from byte offset `from` → {data, start, next}", query: ["from"] },
  },
  "/api/vms/{id}/console/input": {
    post: { summary: "Type bytes into the guest's serial console", body: "text" },
  },
  "/api/vms/{id}/snapshots": {
    get: { summary: "List a VM's snapshots" },
    post: { summary: "Take a snapshot (memory: true by default for a running or suspended VM)", body: createSnapshotSchema, status: 201 },
  },
  "/api/vms/{id}/snapshots/{sid}": {
    get: { summary: "Get a snapshot" },
    delete: { summary: "Delete a snapshot (clones built on it keep their frames)", status: 204 },
  },
  "/api/vms/{id}/snapshots/{sid}/revert": {
    post: { summary: "Revert the VM to a snapshot (its power state included)" },
  },
  "/api/vms/{id}/clone": {
    post: { summary: "Clone a VM (from a snapshot, or its current state); a running clone continues where the source was", body: cloneSchema, status: 201 },
  },
  "/api/datacenters": { get: { summary: "List datacenters" } },
  "/api/clusters": { get: { summary: "List clusters" } },
  "/api/hosts": { get: { summary: "List hosts" } },
  "/api/hosts/{id}": { get: { summary: "Get a host" } },
  "/api/users": {
    get: { summary: "List users (never passwords or hashes)" },
    post: { summary: "Create a user (password optional, 12-256 characters); 409 on a taken name", body: createUserSchema, status: 201 },
  },
  "/api/login": {
    post: { summary: "Log in (no bearer token needed) → {token, expiresAt}: a 12 h session token; 401 on bad credentials, 429 + Retry-After after 5 failures in 15 min", body: loginSchema, public: true },
  },
  "/api/logout": {
    post: { summary: "Revoke the session token in use", status: 204 },
  },
  "/api/tokens": {
    get: { summary: "List the caller's tokens (?user= for the admin); never secrets", query: ["user"] },
    post: { summary: "Create an API token → {id, token, expiresAt}; the secret appears in this answer only", body: createTokenSchema, status: 201 },
  },
  "/api/tokens/{id}": {
    delete: { summary: "Revoke a token (the caller's own; the admin's: anyone's)", status: 204 },
  },
};

function document() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [path, ops] of Object.entries(ROUTES)) {
    paths[path] = {};
    for (const [method, op] of Object.entries(ops)) {
      const params = [
        ...[...path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: "path", required: true, schema: { type: "string" } })),
        ...(op.query ?? []).map((q) => ({ name: q, in: "query", schema: { type: "string" } })),
      ];
      const body = op.body === undefined ? undefined
        : op.body === "octet-stream" ? { required: true, content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } } }
        : op.body === "text" ? { required: true, content: { "text/plain": { schema: { type: "string" } } } }
        : { required: true, content: { "application/json": { schema: z.toJSONSchema(op.body, { io: "input" }) } } };
      paths[path]![method] = {
        summary: op.summary,
        security: op.public ? [] : [{ bearer: [] }],
        ...(params.length ? { parameters: params } : {}),
        ...(body ? { requestBody: body } : {}),
        responses: {
          [String(op.status ?? 200)]: { description: "success" },
          default: { description: "error", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
        },
      };
    }
  }
  return {
    openapi: "3.1.0",
    info: { title: "Edgevisor", version: "0.1.0", description: "RISC-V VMs in Durable Objects, managed like vSphere." },
    paths,
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      schemas: {
        Error: {
          type: "object",
          properties: { error: { type: "object", properties: { code: { type: "string" }, message: { type: "string" } }, required: ["code", "message"] } },
          required: ["error"],
        },
      },
    },
  };
}

export const openApiRoutes = new Hono<AppEnv>().get("/openapi.json", (c) => c.json(document()));
