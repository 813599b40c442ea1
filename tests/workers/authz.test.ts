// Authorization: every route of the route table (ROUTES) × every predefined role granted on the
// root to a fresh user, allowed or denied as computed from the role's privileges and the route's
// declaration (never hand-written); every route the app serves is declared; a VM user confined to
// one VM; No access masking an inherited Administrator; escalation and predefined-role edits refused.
import { SELF, env } from "cloudflare:test";
import { describe, it, expect } from "vitest";
import { call, smallKernel } from "./api.js";
import { app } from "../../src/app.js";
import { ROUTES } from "../../src/routes/openapi.js";
import { PREDEFINED_ROLES } from "../../src/security/roles.js";
import { requiredChecks } from "../../src/security/route-access.js";
import { loadAuthz } from "../../src/security/inventory-tree.js";
import { openDb } from "../../src/storage/db/index.js";

const PASSWORD = "correct horse battery staple";

async function as(token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const init: RequestInit = { method, headers: { authorization: `Bearer ${token}`, ...headers } };
  if (body !== undefined) init.body = typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body);
  const r = await SELF.fetch(`http://edgevisor${path}`, init);
  const text = await r.text();
  let json: any;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = text; }
  return { status: r.status, json };
}

async function grant(principal: string, role: string, entity: string, propagate = true) {
  const r = await call("POST", "/api/permissions", { principal, role, entity, propagate });
  expect(r.status, JSON.stringify(r.json)).toBe(201);
  return r.json.id as string;
}

/** A new user holding `role` on `entity`; answers an API token of theirs. */
async function userWith(name: string, role?: string, entity = "root", propagate = true): Promise<string> {
  expect((await call("POST", "/api/users", { name, password: PASSWORD })).status).toBe(201);
  if (role) await grant(name, role, entity, propagate);
  const login = await SELF.fetch("http://edgevisor/api/login", { method: "POST", body: JSON.stringify({ name, password: PASSWORD }) });
  expect(login.status).toBe(200);
  const session = ((await login.json()) as { token: string }).token;
  const t = await as(session, "POST", "/api/tokens", { name: "test" });
  expect(t.status).toBe(201);
  return t.json.token as string;
}

async function vm(name: string, kernel: string): Promise<string> {
  const r = await call("POST", "/api/vms", { name, memoryMiB: 32, boot: { kernel } });
  expect(r.status, JSON.stringify(r.json)).toBe(201);
  return r.json.id as string;
}

interface Sample { method: string; path: string; params: Record<string, string>; query: Record<string, string>; body?: unknown; headers?: Record<string, string> }
interface Targets { i: number; vm: string; snap: string; image: string; role: string; perm: string }

/** Concrete requests for one route; a route the test does not know fails it. */
function samples(path: string, method: string, t: Targets): Sample[] {
  const params: Record<string, string> = {};
  if (path.includes("{id}")) {
    const by: Record<string, string> = {
      "/api/vms/": t.vm, "/api/images/": t.image, "/api/hosts/": "host-default", "/api/tokens/": "token-nope",
      "/api/roles/": t.role, "/api/permissions/": t.perm, "/api/tasks/": "task-nope",
      "/api/disks/": "disk-nope", "/api/datastores/": "ds-default",
    };
    const prefix = Object.keys(by).find((p) => path.startsWith(p));
    if (!prefix) throw new Error(`no sample id for ${path}`);
    params.id = by[prefix]!;
  }
  if (path.includes("{sid}")) params.sid = t.snap;
  if (path.includes("{diskId}")) params.diskId = "disk-nope";
  const filled = path.replace(/\{(\w+)\}/g, (_, n: string) => params[n]!);
  const s = (query: Record<string, string> = {}, body?: unknown, headers?: Record<string, string>): Sample =>
    ({ method: method.toUpperCase(), path: filled, params, query, body, ...(headers ? { headers } : {}) });
  const key = `${method} ${path}`;
  switch (key) {
    case "post /api/images": return [s({ name: `m-img-${t.i}`, kind: "kernel" }, new Uint8Array([1, 2, 3, t.i]), { "content-type": "application/octet-stream" })];
    case "post /api/vms": return [s({}, { name: `m-new-${t.i}`, memoryMiB: 32, boot: { kernel: t.image } })];
    case "post /api/vms/{id}/power": return ["stop", "suspend", "resume", "reset"].map((action) => s({ action }));
    case "get /api/vms/{id}/console/output": return [s({ from: "0" })];
    case "post /api/vms/{id}/console/input": return [s({}, "x", { "content-type": "text/plain" })];
    case "post /api/vms/{id}/snapshots": return [s({}, { name: "m" })];
    case "post /api/vms/{id}/clone": return [s({}, { name: `m-clone-${t.i}`, powerOn: false })];
    case "post /api/users": return [s({}, { name: `m-user-${t.i}` })];
    case "post /api/tokens": return [s({}, { name: "mine" }), s({}, { user: "admin", name: "theirs" })];
    case "get /api/tokens": return [s(), s({ user: "admin" })];
    case "post /api/roles": return [s({}, { name: `m-role-new-${t.i}`, privileges: [] })];
    case "patch /api/roles/{id}": return [s({}, { privileges: ["System.View"] })];
    case "post /api/permissions": return [s({}, { principal: "m-target", role: "role-vm-consoleuser", entity: t.vm })];
    case "get /api/permissions": return [s(), s({ entity: t.vm })];
    case "get /api/events": return [s({ follow: "0" })];
    case "post /api/vms/{id}/disks": return [s({}, { sizeMiB: 4 })];
    case "patch /api/vms/{id}/disks/{diskId}": return [s({}, { sizeMiB: 8 })];
    case "post /api/disks/{id}/lease": return [s({ action: "revoke" })];
    case "post /api/disks/{id}/zero": return [s()];
    case "post /api/datastores": return [s({}, { name: `m-ds-${t.i}`, capacityMiB: 64 })];
    case "patch /api/datastores/{id}": return [s({}, { capacityGiB: 100 })];
    case "post /api/datastores/{id}/gc": return [s()];
    case "post /api/hosts": return [s({}, { name: `m-host-${t.i}`, region: "weur", memoryMiB: 1024 })];
    case "post /api/hosts/{id}/maintenance": return [s({ action: "exit" })];
    case "post /api/vms/{id}/migrate": return [s({}, { host: "host-nope" })];
  }
  if (method === "get" || method === "delete" || key === "post /api/logout" || key.endsWith("/revert")) return [s()];
  throw new Error(`no sample request for ${key}`);
}

const ORDER = (x: Sample) => (x.method !== "DELETE" ? 0 : x.path.startsWith("/api/vms/") && !x.path.includes("/snapshots/") ? 2 : 1);

describe("the route table", () => {
  it("declares every route the app serves", () => {
    const served = app.routes
      .filter((r) => r.method !== "ALL" && r.path.startsWith("/api"))
      .map((r) => ({ method: r.method.toLowerCase(), path: r.path.replace(/\/$/, "").replace(/:(\w+)/g, "{$1}") }));
    expect(served.length).toBeGreaterThan(20);
    const missing = served.filter((r) => !(ROUTES[r.path] as Record<string, unknown> | undefined)?.[r.method]);
    expect(missing).toEqual([]);
  });
});

describe("the role matrix", () => {
  it("allows or denies every route for every predefined role as its privileges say", async () => {
    const kernel = await smallKernel();
    expect((await call("POST", "/api/users", { name: "m-target" })).status).toBe(201);
    const wrong: string[] = [];
    let checked = 0;
    for (const [i, role] of PREDEFINED_ROLES.entries()) {
      const token = await userWith(`m-${role.vsphereName.toLowerCase()}`, role.id);
      const user = `m-${role.vsphereName.toLowerCase()}`;
      const target = await vm(`m-vm-${i}`, kernel);
      const snap = await call("POST", `/api/vms/${target}/snapshots`, { name: "s" });
      const custom = await call("POST", "/api/roles", { name: `m-role-${i}`, privileges: [] });
      const perm = await grant("m-target", "role-readonly", target);
      const t: Targets = { i, vm: target, snap: snap.json.id, image: kernel, role: custom.json.id, perm };
      const list = Object.entries(ROUTES).flatMap(([path, ops]) =>
        Object.entries(ops).filter(([, op]) => !op!.public).flatMap(([method, op]) => samples(path, method, t).map((x) => ({ ...x, op: op! }))));
      list.sort((a, b) => ORDER(a) - ORDER(b));
      for (const smp of list) {
        const authz = await loadAuthz(openDb(env.DB));
        const checks = await requiredChecks(smp.op, {
          user, params: smp.params, query: (k) => smp.query[k], body: async () => smp.body, authz,
        });
        const allowed = checks.every((c) => role.privileges.includes(c.privilege));
        const qs = new URLSearchParams(smp.query).toString();
        const r = await as(token, smp.method, `${smp.path}${qs ? `?${qs}` : ""}`, smp.body, smp.headers);
        const denials = role.privileges.length === 0 && checks.some((c) => c.fromPath) ? [403, 404] : [403];
        const ok = allowed ? r.status !== 403 : denials.includes(r.status);
        if (!ok) wrong.push(`${role.name}: ${smp.method} ${smp.path}?${qs} → ${r.status} (expected ${allowed ? "allowed" : "denied"}) ${JSON.stringify(r.json)}`);
        checked++;
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(7 * 30);
  });
});

describe("permissions on the inventory", () => {
  it("a Virtual machine user on one VM powers it on, and neither sees nor touches another", async () => {
    const kernel = await smallKernel();
    const mine = await vm("vmu-mine", kernel);
    const other = await vm("vmu-other", kernel);
    const token = await userWith("vmu", "role-vm-user", mine);

    const on = await as(token, "POST", `/api/vms/${mine}/power?action=start`);
    expect(on.status).toBe(200);
    expect(on.json).toEqual({ powerState: "POWERED_ON" });
    expect((await as(token, "POST", `/api/vms/${mine}/power?action=stop`)).json).toEqual({ powerState: "POWERED_OFF" });
    // Visible but not allowed: 403 naming the privilege.
    const del = await as(token, "DELETE", `/api/vms/${mine}`);
    expect(del.status).toBe(403);
    expect(del.json).toEqual({ error: { code: "forbidden", message: `missing privilege VirtualMachine.Inventory.Delete on ${mine}` } });

    // Another VM answers exactly as a missing one.
    const hidden = await as(token, "GET", `/api/vms/${other}`);
    const missing = await call("GET", "/api/vms/vm-0000000000000000");
    expect(hidden.status).toBe(404);
    expect(hidden.json.error.code).toBe(missing.json.error.code);
    expect(hidden.json.error.message).toBe(`VM ${other} does not exist`);
    expect((await as(token, "POST", `/api/vms/${other}/power?action=start`)).status).toBe(404);
    expect((await as(token, "GET", `/api/vms/${other}/console/output`)).status).toBe(404);
    expect((await as(token, "POST", `/api/vms/${other}/snapshots`, { name: "x" })).status).toBe(404);
    expect((await call("GET", `/api/vms/${other}/power`)).json).toEqual({ powerState: "POWERED_OFF" });

    const list = await as(token, "GET", "/api/vms");
    expect(list.status).toBe(200);
    expect(list.json.map((v: any) => v.id)).toEqual([mine]);
    // Its ancestors are not visible from a permission on the VM alone.
    expect((await as(token, "GET", "/api/hosts")).json).toEqual([]);
    expect((await as(token, "POST", "/api/vms", { name: "vmu-new", memoryMiB: 32, boot: { kernel } })).status).toBe(403);
    // The admin sees both.
    expect((await call("GET", "/api/vms")).json.map((v: any) => v.id)).toEqual(expect.arrayContaining([mine, other]));
  });

  it("No access on a host masks a propagated Administrator", async () => {
    const kernel = await smallKernel();
    const target = await vm("masked-vm", kernel);
    const token = await userWith("masked", "role-admin");
    expect((await as(token, "GET", `/api/vms/${target}`)).status).toBe(200);
    await grant("masked", "role-noaccess", "host-default");
    expect((await as(token, "GET", `/api/vms/${target}`)).status).toBe(404);
    expect((await as(token, "DELETE", `/api/vms/${target}`)).status).toBe(404);
    expect((await as(token, "GET", "/api/vms")).json).toEqual([]);
    expect((await as(token, "GET", "/api/hosts")).json.map((h: any) => h.id)).not.toContain("host-default");
    expect((await as(token, "GET", "/api/clusters")).json.map((c: any) => c.id)).toEqual(["cluster-default"]);
    expect((await as(token, "POST", "/api/vms", { name: "masked-new", memoryMiB: 32, boot: { kernel } })).status).toBe(403);
    // Still Administrator elsewhere: images hang under the datacenter.
    expect((await as(token, "GET", `/api/images/${kernel}`)).status).toBe(200);
  });

  it("a non-propagating permission stops at its entity", async () => {
    const token = await userWith("flat", "role-readonly", "cluster-default", false);
    expect((await as(token, "GET", "/api/clusters")).json.map((c: any) => c.id)).toEqual(["cluster-default"]);
    expect((await as(token, "GET", "/api/hosts")).json).toEqual([]);
    expect((await as(token, "GET", "/api/hosts/host-default")).status).toBe(404);
  });
});

describe("escalation", () => {
  it("a read-only user cannot power a VM by putting the action in the body", async () => {
    const kernel = await smallKernel();
    const target = await vm("ro-power", kernel);
    const token = await userWith("ro-power-user", "role-readonly", target);
    for (const action of ["start", "reset", "suspend"]) {
      const r = await as(token, "POST", `/api/vms/${target}/power`, { action });
      expect(r.status, action).toBe(403);
      expect(r.json.error.message).toMatch(/^missing privilege VirtualMachine\.Interact\./);
    }
    // A query action wins over a body action, and is what the privilege is checked for.
    expect((await as(token, "POST", `/api/vms/${target}/power?action=start`, { action: "bogus" })).status).toBe(403);
    expect((await call("GET", `/api/vms/${target}/power`)).json).toEqual({ powerState: "POWERED_OFF" });
  });

  it("a user without Authorization.ModifyPermissions cannot grant himself a role", async () => {
    const token = await userWith("selfish", "role-vm-poweruser");
    const r = await as(token, "POST", "/api/permissions", { principal: "selfish", role: "role-admin", entity: "root" });
    expect(r.status).toBe(403);
    expect(r.json.error.message).toBe("missing privilege Authorization.ModifyPermissions on root");
    expect((await as(token, "POST", "/api/roles", { name: "mine", privileges: ["Authorization.ModifyPermissions"] })).status).toBe(403);
  });

  it("a delegate may grant only roles whose privileges he holds on that entity", async () => {
    const role = await call("POST", "/api/roles", { name: "Delegate", privileges: ["Authorization.ModifyPermissions", "VirtualMachine.Interact.PowerOn"] });
    expect(role.status).toBe(201);
    const token = await userWith("delegate", role.json.id);
    await userWith("helper");
    const up = await as(token, "POST", "/api/permissions", { principal: "delegate", role: "role-admin", entity: "root" });
    expect(up.status).toBe(403);
    expect(up.json.error.message).toContain("needs privileges the caller does not hold");
    expect((await as(token, "POST", "/api/permissions", { principal: "helper", role: "role-vm-user", entity: "root" })).status).toBe(403);
    const ro = await as(token, "POST", "/api/permissions", { principal: "helper", role: "role-readonly", entity: "root" });
    expect(ro.status).toBe(201);
    expect(ro.json).toMatchObject({ principal: "helper", role: "role-readonly", entity: "root", propagate: true });
  });

  it("Authorization.ModifyRoles gives no privilege the caller lacks; the built-in admin cannot be locked out", async () => {
    const role = await call("POST", "/api/roles", { name: "Role editor", privileges: ["Authorization.ModifyRoles"] });
    const token = await userWith("roleeditor", role.json.id);
    const up = await as(token, "PATCH", `/api/roles/${role.json.id}`, { privileges: ["Authorization.ModifyRoles", "Authorization.ModifyPermissions"] });
    expect(up.status).toBe(403);
    expect(up.json.error.message).toContain("Authorization.ModifyPermissions");
    expect((await as(token, "POST", "/api/roles", { name: "Everything", privileges: ["VirtualMachine.Inventory.Delete"] })).status).toBe(403);
    expect((await as(token, "POST", "/api/roles", { name: "Viewer", privileges: [] })).status).toBe(201);

    expect((await call("DELETE", "/api/permissions/perm-admin")).status).toBe(409);
    expect((await call("POST", "/api/permissions", { principal: "admin", role: "role-noaccess", entity: "host-default" })).status).toBe(409);
    expect((await call("GET", "/api/hosts")).json.map((h: any) => h.id)).toContain("host-default");
  });

  it("predefined roles cannot be edited or deleted", async () => {
    const patch = await call("PATCH", "/api/roles/role-readonly", { privileges: ["Authorization.ModifyRoles"] });
    expect(patch.status).toBe(403);
    expect(patch.json.error.message).toBe("predefined roles cannot be changed");
    expect((await call("DELETE", "/api/roles/role-admin")).status).toBe(403);
    expect((await call("POST", "/api/roles", { name: "Administrator", privileges: [] })).status).toBe(409);
    expect((await call("POST", "/api/roles", { name: "read-only", privileges: [] })).status).toBe(409);
    const roles = await call("GET", "/api/roles");
    expect(roles.json.find((r: any) => r.id === "role-readonly")).toEqual({
      id: "role-readonly", name: "Read-only", privileges: ["System.Anonymous", "System.View", "System.Read"], system: true,
    });
  });
});

describe("roles and permissions API", () => {
  it("creates, edits and deletes custom roles; refuses a role in use", async () => {
    const made = await call("POST", "/api/roles", { name: "Operator", privileges: ["VirtualMachine.Interact.PowerOn"] });
    expect(made.status).toBe(201);
    expect(made.json).toEqual({ id: expect.stringMatching(/^role-/), name: "Operator", privileges: ["System.Anonymous", "System.View", "System.Read", "VirtualMachine.Interact.PowerOn"], system: false });
    expect((await call("POST", "/api/roles", { name: "operator", privileges: [] })).status).toBe(409);
    expect((await call("POST", "/api/roles", { name: "Bad", privileges: ["No.Such"] })).status).toBe(422);
    const edited = await call("PATCH", `/api/roles/${made.json.id}`, { name: "Operator 2" });
    expect(edited.status).toBe(200);
    expect(edited.json.name).toBe("Operator 2");
    expect((await call("GET", "/api/roles")).json.map((r: any) => r.name)).toEqual(expect.arrayContaining(["Administrator", "Operator 2"]));
    expect((await call("GET", "/api/roles")).json.filter((r: any) => r.system)).toHaveLength(7);

    await userWith("opuser");
    const perm = await grant("opuser", made.json.id, "host-default");
    expect((await call("POST", "/api/permissions", { principal: "opuser", role: made.json.id, entity: "host-default" })).status).toBe(409);
    expect((await call("GET", "/api/permissions?entity=host-default")).json.filter((p: any) => p.principal === "opuser")).toEqual([
      expect.objectContaining({ id: perm, principal: "opuser", role: made.json.id, entity: "host-default", propagate: true }),
    ]);
    expect((await call("GET", "/api/permissions?entity=root")).json).toEqual(expect.arrayContaining([
      expect.objectContaining({ principal: "admin", role: "role-admin", entity: "root" }),
    ]));
    expect((await call("DELETE", `/api/roles/${made.json.id}`)).status).toBe(409);
    expect((await call("DELETE", `/api/permissions/${perm}`)).status).toBe(204);
    expect((await call("DELETE", `/api/permissions/${perm}`)).status).toBe(404);
    expect((await call("DELETE", `/api/roles/${made.json.id}`)).status).toBe(204);
    expect((await call("PATCH", `/api/roles/${made.json.id}`, { name: "x" })).status).toBe(404);
  });

  it("refuses unknown users, roles and entities with 422", async () => {
    expect((await call("POST", "/api/permissions", { principal: "nobody-here", role: "role-readonly", entity: "root" })).status).toBe(422);
    expect((await call("POST", "/api/permissions", { principal: "admin", role: "role-nope", entity: "root" })).status).toBe(422);
    expect((await call("POST", "/api/permissions", { principal: "admin", role: "role-readonly", entity: "vm-nope" })).status).toBe(422);
    expect((await call("GET", "/api/permissions?entity=vm-nope")).status).toBe(404);
    const doc = await call("GET", "/api/openapi.json");
    expect(doc.json.paths["/api/vms/{id}"].delete["x-privilege"]).toEqual({ privilege: "VirtualMachine.Inventory.Delete", entity: "id" });
    const privs = await call("GET", "/api/privileges");
    expect(privs.json).toEqual(expect.arrayContaining([{ id: "VirtualMachine.Interact.PowerOn", group: "VirtualMachine.Interact" }]));
  });
});
