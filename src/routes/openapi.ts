// GET /api/openapi.json: the API as an OpenAPI 3.1 document. Request bodies come from the
// zod schemas the routes validate with, so the document cannot drift from the checks.
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app.js";
import { createVmSchema, diskSpecSchema, extendDiskSchema } from "../schemas/vms.js";
import { createDatastoreSchema, updateDatastoreSchema } from "../schemas/datastores.js";
import { createHostSchema, migrateSchema } from "../schemas/hosts.js";
import { createSnapshotSchema, cloneSchema } from "../schemas/snapshots.js";
import { createTokenSchema, createUserSchema, loginSchema } from "../schemas/access.js";
import { createPermissionSchema, createRoleSchema, updateRoleSchema } from "../schemas/authz.js";
import { bodyField, type Access, type GuardInput } from "../security/route-access.js";
import { IMAGES_DATACENTER } from "../security/inventory-tree.js";
import type { Privilege } from "../security/privileges.js";

const DEFAULT_HOST = "host-default";

type Op = Access & { summary: string; body?: z.ZodType | "octet-stream" | "text"; query?: string[]; status?: number; public?: true };

/** Power actions and the privilege each needs (anything else: System.Read, and the route answers 400). */
const POWER: Record<string, Privilege> = {
  start: "VirtualMachine.Interact.PowerOn", stop: "VirtualMachine.Interact.PowerOff",
  suspend: "VirtualMachine.Interact.Suspend", resume: "VirtualMachine.Interact.Suspend", reset: "VirtualMachine.Interact.Reset",
};

/** The privilege a power action needs (the route itself answers 400 for an unknown action). */
const powerPrivilege = (action: string | undefined): Privilege =>
  action !== undefined && Object.hasOwn(POWER, action) ? POWER[action]! : "System.Read";

/** Acting on another user (their tokens) needs Authorization.ModifyPermissions on the root. */
const forOthers = (user: string | undefined, r: GuardInput): Privilege | "none" =>
  user !== undefined && user !== r.user ? "Authorization.ModifyPermissions" : "none";

/**
 * Every route: method → path (OpenAPI style) → what it does, and the privilege it needs on which
 * entity (src/security/route-access.ts); the guard (src/middleware/guard.ts) enforces it and
 * answers 404 for a route missing here. List routes need no privilege: they answer only what
 * the caller may see.
 */
export const ROUTES: Record<string, Partial<Record<"get" | "post" | "patch" | "delete", Op>>> = {
  "/api/images": {
    get: { summary: "List images (those the caller may see)", privilege: "none" },
    post: { summary: "Upload an image (raw bytes; content-addressed, stored once)", body: "octet-stream", query: ["name", "kind", "signature"], status: 201, privilege: "Datastore.AllocateSpace", entity: () => IMAGES_DATACENTER },
  },
  "/api/images/{id}": {
    get: { summary: "Get an image", privilege: "System.Read", entity: "id" },
    delete: { summary: "Delete an image (409 while a VM uses it)", status: 204, privilege: "Datastore.DeleteFile", entity: "id" },
  },
  "/api/vms": {
    get: { summary: "List VMs (those the caller may see)", privilege: "none" },
    post: { summary: "Create a VM", body: createVmSchema, status: 201, privilege: "VirtualMachine.Inventory.Create", entity: async (r) => (await bodyField(r, "host")) ?? DEFAULT_HOST },
  },
  "/api/vms/{id}": {
    get: { summary: "Get a VM: config, power state, host, live stats", privilege: "System.Read", entity: "id" },
    delete: { summary: "Delete a powered-off VM", status: 204, privilege: "VirtualMachine.Inventory.Delete", entity: "id" },
  },
  "/api/vms/{id}/power": {
    get: { summary: "Get the power state", privilege: "System.Read", entity: "id" },
    post: { summary: "Power action: start, stop, reset, suspend, resume (?action=..., or a JSON body {action})", query: ["action"], privilege: async (r) => powerPrivilege(r.query("action") ?? (await bodyField(r, "action"))), entity: "id" },
  },
  "/api/vms/{id}/console": {
    get: { summary: "Console WebSocket (Upgrade: websocket; ?from=N replays output from byte N)", query: ["from"], status: 101, privilege: "VirtualMachine.Interact.ConsoleInteract", entity: "id" },
  },
  "/api/vms/{id}/console/output": {
    get: { summary: "Console output from byte offset `from` → {data, start, next}", query: ["from"], privilege: "VirtualMachine.Interact.ConsoleInteract", entity: "id" },
  },
  "/api/vms/{id}/console/input": {
    post: { summary: "Type bytes into the guest's serial console", body: "text", privilege: "VirtualMachine.Interact.ConsoleInteract", entity: "id" },
  },
  "/api/vms/{id}/snapshots": {
    get: { summary: "List a VM's snapshots", privilege: "System.Read", entity: "id" },
    post: { summary: "Take a snapshot (memory: true by default for a running or suspended VM); ?async=true answers 202 {task} at once", body: createSnapshotSchema, query: ["async"], status: 201, privilege: "VirtualMachine.State.CreateSnapshot", entity: "id" },
  },
  "/api/vms/{id}/snapshots/{sid}": {
    get: { summary: "Get a snapshot", privilege: "System.Read", entity: "id" },
    delete: { summary: "Delete a snapshot (clones built on it keep their frames)", status: 204, privilege: "VirtualMachine.State.RemoveSnapshot", entity: "id" },
  },
  "/api/vms/{id}/snapshots/{sid}/revert": {
    post: { summary: "Revert the VM to a snapshot (its power state included)", privilege: "VirtualMachine.State.RevertToSnapshot", entity: "id" },
  },
  "/api/vms/{id}/clone": {
    post: { summary: "Clone a VM (from a snapshot, or its current state); a running clone continues where the source was", body: cloneSchema, status: 201,
      privilege: "VirtualMachine.Provisioning.Clone", entity: "id", also: [{ privilege: "VirtualMachine.Inventory.CreateFromExisting", entity: "parent-of-id" }] },
  },
  "/api/vms/{id}/disks": {
    get: { summary: "List a VM's disks with their space, state and lease", privilege: "System.Read", entity: "id" },
    post: { summary: "Add a disk to a powered-off VM {sizeMiB, provisioning?, image?, datastore?, chunkKiB?}; eager-zeroed disks answer with a zeroing task", body: diskSpecSchema, status: 201, privilege: "VirtualMachine.Config.AddNewDisk", entity: "id" },
  },
  "/api/vms/{id}/disks/{diskId}": {
    get: { summary: "One disk of a VM", privilege: "System.Read", entity: "id" },
    patch: { summary: "Grow a disk of a powered-off VM {sizeMiB}", body: extendDiskSchema, privilege: "VirtualMachine.Config.DiskExtend", entity: "id" },
    delete: { summary: "Remove and delete a disk of a powered-off VM (layers linked clones use stay)", status: 204, privilege: "VirtualMachine.Config.RemoveDisk", entity: "id" },
  },
  "/api/disks/{id}": {
    get: { summary: "A disk: size, provisioning, used and allocated bytes, layers, lease and epoch", privilege: "System.Read" },
  },
  "/api/disks/{id}/zero": {
    post: { summary: "Go on zeroing an eager-zeroed thick disk whose zeroing stopped → 202 {task} (409 when it is ready)", status: 202, privilege: "Datastore.AllocateSpace" },
  },
  "/api/disks/{id}/lease": {
    post: { summary: "?action=revoke: break every lease on the disk and bump its epoch (the old holder's writes are refused from then on)", query: ["action"], privilege: "Datastore.FileManagement" },
  },
  "/api/datastores": {
    get: { summary: "List datastores → [{id, name, capacity, provisioned, used, free, overProvisioning, disks}] (bytes)", privilege: "none" },
    post: { summary: "Create a datastore {name, capacityMiB | capacityGiB, datacenter?}", body: createDatastoreSchema, status: 201, privilege: "Datastore.FileManagement", entity: async (r) => (await bodyField(r, "datacenter")) ?? "dc-default" },
  },
  "/api/datastores/{id}": {
    get: { summary: "A datastore: capacity, provisioned, used, free (bytes), overProvisioning", privilege: "System.Read", entity: "id" },
    patch: { summary: "Change a datastore's capacity {capacityMiB | capacityGiB} (not below what is used)", body: updateDatastoreSchema, privilege: "Datastore.FileManagement", entity: "id" },
  },
  "/api/datastores/{id}/disks": {
    get: { summary: "The disks on a datastore", privilege: "Datastore.Browse", entity: "id" },
  },
  "/api/datastores/{id}/gc": {
    post: { summary: "Delete chunk objects no disk layer references (older than 10 minutes) → {deleted, kept}", privilege: "Datastore.FileManagement", entity: "id" },
  },
  "/api/datacenters": { get: { summary: "List datacenters (those the caller may see)", privilege: "none" } },
  "/api/clusters": { get: { summary: "List clusters (those the caller may see)", privilege: "none" } },
  "/api/hosts": {
    get: { summary: "List hosts (those the caller may see)", privilege: "none" },
    post: { summary: "Create a host {name, region (a location hint: wnam, enam, sam, weur, eeur, apac, oc, afr, me), memoryMiB, cluster?}", body: createHostSchema, status: 201,
      privilege: "Host.Inventory.AddHostToCluster", entity: async (r) => (await bodyField(r, "cluster")) ?? "cluster-default" },
  },
  "/api/hosts/{id}/maintenance": {
    post: { summary: "?action=enter migrates every VM off the host (202 {task}) and keeps new ones away; ?action=exit", query: ["action"], privilege: "Host.Config.Maintenance", entity: "id" },
  },
  "/api/vms/{id}/migrate": {
    post: { summary: "Live-migrate a VM to another host {host, downtimeMs?, maxRounds?} → 202 {task}; the task's result: totalMs, downtimeMs, rounds, bytesSent, framesPerRound, dirtyRate", body: migrateSchema, status: 202, privilege: "Resource.HotMigrate", entity: "id" },
  },
  "/api/hosts/{id}": { get: { summary: "Get a host with its memory reserved by VMs (reservedMiB, freeMiB, vms)", privilege: "System.Read", entity: "id" } },
  "/api/users": {
    get: { summary: "List users (never passwords or hashes)", privilege: "System.Read" },
    post: { summary: "Create a user (password optional, 12-256 characters); 409 on a taken name", body: createUserSchema, status: 201, privilege: "Authorization.ModifyPermissions" },
  },
  "/api/login": {
    post: { summary: "Log in (no bearer token needed) → {token, expiresAt}: a 12 h session token; 401 on bad credentials, 429 + Retry-After after 5 failures in 15 min", body: loginSchema, public: true, privilege: "none" },
  },
  "/api/logout": {
    post: { summary: "Revoke the session token in use", status: 204, privilege: "none" },
  },
  "/api/tokens": {
    get: { summary: "List the caller's tokens (?user=: another user's, with Authorization.ModifyPermissions); never secrets", query: ["user"], privilege: (r) => forOthers(r.query("user"), r) },
    post: { summary: "Create an API token → {id, token, expiresAt}; the secret appears in this answer only", body: createTokenSchema, status: 201, privilege: async (r) => forOthers(await bodyField(r, "user"), r) },
  },
  "/api/tokens/{id}": {
    delete: { summary: "Revoke a token (the caller's own; with Authorization.ModifyPermissions on the root: anyone's)", status: 204, privilege: "none" },
  },
  "/api/roles": {
    get: { summary: "List roles → [{id, name, privileges, system}]: the predefined ones and custom ones", privilege: "System.Read" },
    post: { summary: "Create a custom role {name, privileges}", body: createRoleSchema, status: 201, privilege: "Authorization.ModifyRoles" },
  },
  "/api/roles/{id}": {
    patch: { summary: "Change a custom role's name or privileges (predefined roles: 403)", body: updateRoleSchema, privilege: "Authorization.ModifyRoles" },
    delete: { summary: "Delete a custom role (predefined: 403; in use by a permission: 409)", status: 204, privilege: "Authorization.ModifyRoles" },
  },
  "/api/events": {
    get: { summary: "Server-sent events (inventory changes, power states) for what the caller may see; Last-Event-ID or ?since= resumes, ?follow=0 ends after the backlog", query: ["since", "follow"], privilege: "none" },
  },
  "/api/tasks": {
    get: { summary: "Recent tasks, newest first", privilege: "System.Read" },
  },
  "/api/tasks/{id}": {
    get: { summary: "A task: {id, kind, state: queued|running|succeeded|failed, progress, result?, error?}", privilege: "System.Read" },
  },
  "/api/audit": {
    get: { summary: "The audit trail of mutating requests, newest first (?user=&entity=&result=ok|error&since=&until=&limit=)", query: ["user", "entity", "result", "since", "until", "limit"], privilege: "Global.Diagnostics" },
  },
  "/api/privileges": {
    get: { summary: "List the privileges → [{id, group}]", privilege: "System.Read" },
  },
  "/api/permissions": {
    get: { summary: "List permissions (on ?entity=, or on every entity the caller may see)", query: ["entity"], privilege: (r) => (r.query("entity") ? "System.Read" : "none"), entity: (r) => r.query("entity") ?? "root" },
    post: { summary: "Grant a role to a user on an entity (only a role whose privileges the caller holds there)", body: createPermissionSchema, status: 201,
      privilege: "Authorization.ModifyPermissions", entity: async (r) => (await bodyField(r, "entity")) ?? "root" },
  },
  "/api/permissions/{id}": {
    delete: { summary: "Remove a permission", status: 204, privilege: "Authorization.ModifyPermissions",
      entity: (r) => r.authz.permissions.find((p) => p.id === r.params.id)?.entityId ?? "root" },
  },
  "/api/openapi.json": {
    get: { summary: "This document", privilege: "System.Anonymous" },
  },
};

/** The declaration as the document shows it (functions of the request are described, not run). */
function privilegeDoc(op: Op) {
  const what = (r: unknown) => (typeof r === "function" ? "depends on the request" : r);
  return {
    privilege: what(op.privilege),
    ...(op.privilege !== "none" ? { entity: what(op.entity ?? "root") } : {}),
    ...(op.also ? { also: op.also.map((a) => ({ privilege: a.privilege, entity: what(a.entity) })) } : {}),
  };
}

function document() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [path, ops] of Object.entries(ROUTES)) {
    paths[path] = {};
    for (const [method, op] of Object.entries(ops)) {
      if (!op) continue;
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
        "x-privilege": privilegeDoc(op),
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
