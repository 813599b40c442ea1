// Roles, privileges and permissions (API.md "Access"). Predefined roles live in code and cannot
// be changed; custom roles and permissions live in D1. The guard (src/middleware/guard.ts) has
// checked the declared privilege already; here: validation, and the escalation rule — a caller
// may grant only a role whose every privilege he holds on that entity himself.
import { Hono, type Context } from "hono";
import { eq } from "drizzle-orm";
import type { AppEnv } from "../app.js";
import { jsonBody } from "../body.js";
import { conflict, forbidden, notFound, unprocessable } from "../errors.js";
import { newId } from "../ids.js";
import { openDb, schema } from "../storage/db/index.js";
import { createPermissionSchema, createRoleSchema, updateRoleSchema } from "../schemas/authz.js";
import { PRIVILEGES, privilegeGroup, type Privilege } from "../security/privileges.js";
import { isPredefinedRoleId, predefinedRole, RoleError, validateCustomRole, validateRoleUpdate, type Role } from "../security/roles.js";
import { allRoles, authzOf, privilegesOn, ROOT_ID, visibleIds, type StoredPermission } from "../security/inventory-tree.js";

const roleJson = (r: Role) => ({ id: r.id, name: r.name, privileges: [...r.privileges], system: r.system });
const permissionJson = (p: StoredPermission) => ({
  id: p.id, principal: p.principal, role: p.roleId, entity: p.entityId, propagate: p.propagate, createdAt: p.createdAt,
});

function roleError(e: unknown): never {
  if (!(e instanceof RoleError)) throw e;
  if (e.code === "immutable") throw forbidden("predefined roles cannot be changed");
  if (e.code === "reserved_name" || e.code === "duplicate_name") throw conflict(e.message);
  throw unprocessable(e.message);
}

/** The built-in admin's permissions are fixed: removing or masking them would lock the service out. */
const BUILTIN_ADMIN = "admin";

/** A role may gain only privileges the caller holds on the root (ModifyRoles is no way up). */
async function assertHeldOnRoot(c: Context<AppEnv>, privileges: readonly string[], had: readonly string[] = []): Promise<void> {
  const held = await privilegesOn(c, ROOT_ID);
  const added = privileges.filter((p) => !had.includes(p) && !held.has(p as Privilege));
  if (added.length) throw forbidden(`a role may gain only privileges the caller holds on root; missing: ${added.slice(0, 5).join(", ")}${added.length > 5 ? ", ..." : ""}`);
}

async function customRoleOr404(c: Context<AppEnv>, id: string): Promise<Role> {
  if (isPredefinedRoleId(id)) throw forbidden("predefined roles cannot be changed");
  const role = (await authzOf(c)).roles.find((r) => r.id === id);
  if (!role) throw notFound("role", id);
  return role;
}

export const authzRoutes = new Hono<AppEnv>()
  .get("/roles", async (c) => c.json(allRoles(await authzOf(c)).map(roleJson)))
  .post("/roles", async (c) => {
    const body = await jsonBody(c, createRoleSchema);
    const others = (await authzOf(c)).roles.map((r) => r.name);
    let def;
    try {
      def = validateCustomRole(body, others);
    } catch (e) {
      roleError(e);
    }
    await assertHeldOnRoot(c, def.privileges);
    const row = { id: newId("role"), name: def.name, privileges: JSON.stringify(def.privileges), createdAt: Date.now() };
    const [made] = await openDb(c.env.DB).insert(schema.roles).values(row).onConflictDoNothing().returning({ id: schema.roles.id });
    if (!made) throw conflict(`a role named "${def.name}" already exists`);
    return c.json(roleJson({ id: row.id, name: def.name, privileges: def.privileges, system: false }), 201);
  })
  .patch("/roles/:id", async (c) => {
    const role = await customRoleOr404(c, c.req.param("id"));
    const body = await jsonBody(c, updateRoleSchema);
    const others = (await authzOf(c)).roles.filter((r) => r.id !== role.id).map((r) => r.name);
    let def;
    try {
      def = validateRoleUpdate(role, { name: body.name ?? role.name, privileges: body.privileges ?? role.privileges }, others);
    } catch (e) {
      roleError(e);
    }
    await assertHeldOnRoot(c, def.privileges, role.privileges);
    await openDb(c.env.DB).update(schema.roles).set({ name: def.name, privileges: JSON.stringify(def.privileges) }).where(eq(schema.roles.id, role.id));
    return c.json(roleJson({ ...role, name: def.name, privileges: def.privileges }));
  })
  .delete("/roles/:id", async (c) => {
    const role = await customRoleOr404(c, c.req.param("id"));
    const users = (await authzOf(c)).permissions.filter((p) => p.roleId === role.id);
    if (users.length) throw conflict(`role ${role.id} is in use by ${users.length} permission(s); remove them first`);
    await openDb(c.env.DB).delete(schema.roles).where(eq(schema.roles.id, role.id));
    return c.body(null, 204);
  })
  .get("/privileges", (c) => c.json(PRIVILEGES.map((id) => ({ id, group: privilegeGroup(id) }))))
  .post("/permissions", async (c) => {
    const body = await jsonBody(c, createPermissionSchema);
    const a = await authzOf(c);
    const db = openDb(c.env.DB);
    const [user] = await db.select({ id: schema.users.id }).from(schema.users).where(eq(schema.users.name, body.principal));
    if (!user) throw unprocessable(`principal: user ${body.principal} does not exist`);
    const role = predefinedRole(body.role) ?? a.roles.find((r) => r.id === body.role);
    if (!role) throw unprocessable(`role: role ${body.role} does not exist`);
    if (!a.tree.has(body.entity)) throw unprocessable(`entity: entity ${body.entity} does not exist`);
    if (body.principal === BUILTIN_ADMIN) throw conflict("the built-in admin's permissions cannot be changed");
    const held = await privilegesOn(c, body.entity);
    const missing = role.privileges.filter((p) => !held.has(p));
    if (missing.length) {
      throw forbidden(`granting ${role.name} on ${body.entity} needs privileges the caller does not hold there: ${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", ..." : ""}`);
    }
    const row: StoredPermission = {
      id: newId("perm"), principal: body.principal, roleId: role.id, entityId: body.entity, propagate: body.propagate, createdAt: Date.now(),
    };
    const [made] = await db.insert(schema.permissions).values(row).onConflictDoNothing().returning({ id: schema.permissions.id });
    if (!made) throw conflict(`${body.principal} already holds ${role.id} on ${body.entity}`);
    return c.json(permissionJson(row), 201);
  })
  .get("/permissions", async (c) => {
    const a = await authzOf(c);
    const entity = c.req.query("entity");
    if (entity !== undefined && !a.tree.has(entity)) throw notFound("entity", entity);
    const seen = entity === undefined ? await visibleIds(c) : new Set([entity]);
    const list = a.permissions.filter((p) => seen.has(p.entityId)).sort((x, y) => x.createdAt - y.createdAt || x.id.localeCompare(y.id));
    return c.json(list.map(permissionJson));
  })
  .delete("/permissions/:id", async (c) => {
    const id = c.req.param("id");
    const p = (await authzOf(c)).permissions.find((x) => x.id === id);
    if (!p) throw notFound("permission", id);
    if (p.principal === BUILTIN_ADMIN) throw conflict("the built-in admin's permissions cannot be changed");
    await openDb(c.env.DB).delete(schema.permissions).where(eq(schema.permissions.id, id));
    return c.body(null, 204);
  });

