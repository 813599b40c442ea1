// The inventory tree, permissions and custom roles as D1 holds them, for permission checks:
// root → datacenters → clusters → hosts → VMs (by host_id); datastores under their datacenter;
// images under the default datacenter.
// Loaded once per request (one D1 batch) and kept in the Hono context (`authz`); a route that
// changes the inventory or permissions and checks again afterwards calls forgetAuthz first.
import type { Context } from "hono";
import { openDb, schema, type Db } from "../storage/db/index.js";
import {
  buildTree,
  effectivePrivileges,
  visibleEntities,
  type EntityType,
  type InventoryEntity,
  type InventoryTree,
  type Permission,
} from "./permissions.js";
import { PREDEFINED_ROLES, type Role } from "./roles.js";
import { isPrivilege, type Privilege } from "./privileges.js";
import type { AppEnv } from "../app.js";

export const ROOT_ID = "root";
/** Images hang under this datacenter until datastores exist. */
export const IMAGES_DATACENTER = "dc-default";

export interface StoredPermission extends Permission {
  readonly id: string;
  readonly createdAt: number;
}

export interface Authz {
  readonly tree: InventoryTree;
  readonly permissions: readonly StoredPermission[];
  /** Custom roles (the predefined ones are always known to the evaluator). */
  readonly roles: readonly Role[];
}

type Ctx = Context<AppEnv>;

export function customRole(r: typeof schema.roles.$inferSelect): Role {
  const privileges = (JSON.parse(r.privileges) as unknown[]).filter(isPrivilege);
  return { id: r.id, name: r.name, privileges, system: false };
}

export async function loadAuthz(db: Db): Promise<Authz> {
  const [dcs, clusters, hosts, vms, images, perms, roles, datastores] = await db.batch([
    db.select({ id: schema.datacenters.id }).from(schema.datacenters),
    db.select({ id: schema.clusters.id, parent: schema.clusters.datacenterId }).from(schema.clusters),
    db.select({ id: schema.hosts.id, parent: schema.hosts.clusterId }).from(schema.hosts),
    db.select({ id: schema.vms.id, parent: schema.vms.hostId }).from(schema.vms),
    db.select({ id: schema.images.id }).from(schema.images),
    db.select().from(schema.permissions),
    db.select().from(schema.roles),
    db.select({ id: schema.datastores.id, parent: schema.datastores.datacenterId }).from(schema.datastores),
  ]);
  const entities: InventoryEntity[] = [{ id: ROOT_ID, type: "root", parentId: null }];
  const add = (type: EntityType, rows: { id: string; parent: string }[]) => {
    for (const r of rows) entities.push({ id: r.id, type, parentId: r.parent });
  };
  add("datacenter", dcs.map((d) => ({ id: d.id, parent: ROOT_ID })));
  add("cluster", clusters);
  add("host", hosts);
  add("vm", vms);
  add("datastore", datastores);
  if (dcs.some((d) => d.id === IMAGES_DATACENTER)) add("image", images.map((i) => ({ id: i.id, parent: IMAGES_DATACENTER })));
  return {
    tree: buildTree(entities),
    permissions: perms.map((p) => ({ id: p.id, principal: p.principal, roleId: p.roleId, entityId: p.entityId, propagate: p.propagate, createdAt: p.createdAt })),
    roles: roles.map(customRole),
  };
}

/** The request's authorization data, loaded on first use. */
export async function authzOf(c: Ctx): Promise<Authz> {
  let a = c.get("authz");
  if (!a) {
    a = await loadAuthz(openDb(c.env.DB));
    c.set("authz", a);
  }
  return a;
}

export function forgetAuthz(c: Ctx): void {
  c.set("authz", undefined);
}

/** Every role a permission may name: predefined and custom. */
export function allRoles(a: Authz): Role[] {
  return [...PREDEFINED_ROLES, ...a.roles];
}

/** The caller's effective privileges on an entity (empty for an unknown entity). */
export async function privilegesOn(c: Ctx, entityId: string): Promise<ReadonlySet<Privilege>> {
  const a = await authzOf(c);
  if (!a.tree.has(entityId)) return new Set();
  return effectivePrivileges(c.get("principal").user, entityId, a.tree, a.permissions, a.roles);
}

export async function callerHolds(c: Ctx, privilege: Privilege, entityId: string): Promise<boolean> {
  return (await privilegesOn(c, entityId)).has(privilege);
}

/** The ids of the entities of a type the caller may see (list routes filter with it). */
export async function visibleIds(c: Ctx, type?: EntityType): Promise<Set<string>> {
  const a = await authzOf(c);
  return new Set(visibleEntities(c.get("principal").user, a.tree, a.permissions, a.roles, type ? { type } : {}));
}
