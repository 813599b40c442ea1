// Permissions on the inventory tree and the privileges they give, following vSphere:
//   - walk from the entity up to the root; the nearest entity holding an applicable permission for
//     the principal decides, and nothing farther up counts (a child's permission overrides what
//     would be inherited, even if it grants less);
//   - on the entity itself every permission applies; on an ancestor only those with propagate=true
//     (a non-propagating permission on an ancestor is invisible below it);
//   - several permissions on the deciding entity are unioned, unless one is No access: then the
//     principal has nothing there (No access masks whatever would be inherited).
// Pure logic: no Workers, Hono, drizzle or I/O imports (runs in Node and workerd).
import { isPrivilege, type Privilege } from "./privileges.js";
import { NO_ACCESS_ROLE_ID, PREDEFINED_ROLES, type RoleLike } from "./roles.js";

export const ENTITY_TYPES = ["root", "datacenter", "folder", "cluster", "host", "vm", "datastore", "image"] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

export interface InventoryEntity {
  readonly id: string;
  readonly type: EntityType;
  /** The parent's id; none (null/undefined) for the root only. */
  readonly parentId?: string | null | undefined;
}

/** The inventory by entity id (build one with buildTree to have it checked). */
export type InventoryTree = ReadonlyMap<string, InventoryEntity>;

export interface Permission {
  /** A user name. */
  readonly principal: string;
  readonly roleId: string;
  readonly entityId: string;
  readonly propagate: boolean;
}

/** Roles to look permissions' roleIds up in; the predefined roles are always known (and win). */
export type RoleSource = Iterable<RoleLike> | ReadonlyMap<string, RoleLike>;

/** Where each type of entity may sit. */
export const ALLOWED_PARENTS: Readonly<Record<EntityType, readonly EntityType[]>> = {
  root: [],
  datacenter: ["root", "folder"],
  folder: ["root", "datacenter", "folder"],
  cluster: ["datacenter", "folder"],
  host: ["cluster", "datacenter", "folder"],
  vm: ["host"],
  datastore: ["datacenter", "folder"],
  image: ["datacenter", "folder"],
};

export type AuthzErrorCode = "unknown_entity" | "cycle" | "unknown_role" | "invalid_tree";

export class AuthzError extends Error {
  override readonly name = "AuthzError";
  constructor(readonly code: AuthzErrorCode, message: string, readonly entityId?: string) {
    super(message);
  }
}

export function isAllowedParent(child: EntityType, parent: EntityType): boolean {
  return ALLOWED_PARENTS[child].includes(parent);
}

/** The entity, then its parent, ... up to the root (last). Throws on an unknown entity or a cycle. */
export function ancestry(entityId: string, tree: InventoryTree): InventoryEntity[] {
  const chain: InventoryEntity[] = [];
  const seen = new Set<string>();
  let id: string | null | undefined = entityId;
  while (id !== null && id !== undefined) {
    if (seen.has(id)) throw new AuthzError("cycle", `the inventory has a cycle through ${id}`, id);
    const entity = tree.get(id);
    if (!entity) {
      const of = chain.at(-1);
      throw new AuthzError("unknown_entity", of ? `${of.id}'s parent ${id} does not exist` : `entity ${id} does not exist`, id);
    }
    seen.add(id);
    chain.push(entity);
    id = entity.parentId;
  }
  return chain;
}

/**
 * Build and check an inventory tree: unique ids, one root, every other entity under an existing
 * parent of an allowed type, no cycles. Throws AuthzError.
 */
export function buildTree(entities: Iterable<InventoryEntity>): InventoryTree {
  const tree = new Map<string, InventoryEntity>();
  let root: string | undefined;
  for (const e of entities) {
    if (typeof e.id !== "string" || e.id === "") throw new AuthzError("invalid_tree", "an entity has no id");
    if (!(ENTITY_TYPES as readonly string[]).includes(e.type)) throw new AuthzError("invalid_tree", `entity ${e.id} has unknown type ${String(e.type)}`, e.id);
    if (tree.has(e.id)) throw new AuthzError("invalid_tree", `entity ${e.id} appears twice`, e.id);
    const hasParent = e.parentId !== null && e.parentId !== undefined;
    if ((e.type === "root") === hasParent) {
      throw new AuthzError("invalid_tree", e.type === "root" ? `root ${e.id} has a parent` : `entity ${e.id} has no parent`, e.id);
    }
    if (e.type === "root") {
      if (root !== undefined) throw new AuthzError("invalid_tree", `two roots: ${root} and ${e.id}`, e.id);
      root = e.id;
    }
    tree.set(e.id, e);
  }
  if (root === undefined) throw new AuthzError("invalid_tree", "the inventory has no root");
  const reachesRoot = new Set<string>([root]);
  for (const e of tree.values()) {
    const parent = e.parentId ? tree.get(e.parentId) : undefined;
    if (e.parentId && !parent) throw new AuthzError("unknown_entity", `${e.id}'s parent ${e.parentId} does not exist`, e.parentId);
    if (parent && !isAllowedParent(e.type, parent.type)) {
      throw new AuthzError("invalid_tree", `a ${e.type} cannot be under a ${parent.type} (${e.id} under ${parent.id})`, e.id);
    }
    if (reachesRoot.has(e.id)) continue;
    const chain = ancestry(e.id, tree); // throws on a cycle
    for (const c of chain) reachesRoot.add(c.id);
  }
  return tree;
}

/** How a principal's privileges on an entity were decided. */
export interface Resolution {
  readonly privileges: ReadonlySet<Privilege>;
  /** The entity whose permissions decided (the entity itself or an ancestor); null if none applies. */
  readonly decidingEntityId: string | null;
  /** The permissions that applied there (empty if none applies). */
  readonly permissions: readonly Permission[];
}

const NOTHING: ReadonlySet<Privilege> = Object.freeze(new Set<Privilege>());

/** One principal's permissions indexed by entity, and the roles: built once, asked many times. */
class Evaluator {
  private readonly byEntity = new Map<string, Permission[]>();
  private readonly roles = new Map<string, RoleLike>();

  constructor(principal: string, readonly tree: InventoryTree, permissions: Iterable<Permission>, roles: RoleSource) {
    for (const p of permissions) {
      if (p.principal !== principal) continue;
      const list = this.byEntity.get(p.entityId);
      if (list) list.push(p);
      else this.byEntity.set(p.entityId, [p]);
    }
    const given = isMap(roles) ? roles.values() : roles;
    for (const r of given) this.roles.set(r.id, r);
    for (const r of PREDEFINED_ROLES) this.roles.set(r.id, r);
  }

  resolve(entityId: string): Resolution {
    const chain = ancestry(entityId, this.tree);
    for (const [i, entity] of chain.entries()) {
      const own = this.byEntity.get(entity.id);
      if (!own) continue;
      const applicable = i === 0 ? own : own.filter((p) => p.propagate);
      if (applicable.length > 0) {
        return { privileges: this.grant(applicable), decidingEntityId: entity.id, permissions: applicable };
      }
    }
    return { privileges: NOTHING, decidingEntityId: null, permissions: [] };
  }

  private grant(permissions: readonly Permission[]): ReadonlySet<Privilege> {
    if (permissions.some((p) => p.roleId === NO_ACCESS_ROLE_ID)) return NOTHING;
    const out = new Set<Privilege>();
    for (const p of permissions) {
      const role = this.roles.get(p.roleId);
      if (!role) throw new AuthzError("unknown_role", `permission on ${p.entityId} names unknown role ${p.roleId}`, p.entityId);
      for (const priv of role.privileges) if (isPrivilege(priv)) out.add(priv);
    }
    return out;
  }
}

function isMap(roles: RoleSource): roles is ReadonlyMap<string, RoleLike> {
  const m = roles as Partial<ReadonlyMap<string, RoleLike>>;
  return typeof m.get === "function" && typeof m.has === "function";
}

/** The principal's privileges on an entity and where they come from. Throws AuthzError. */
export function resolvePrivileges(
  principal: string,
  entityId: string,
  tree: InventoryTree,
  permissions: Iterable<Permission>,
  roles: RoleSource = [],
): Resolution {
  return new Evaluator(principal, tree, permissions, roles).resolve(entityId);
}

/** The principal's effective privileges on an entity. Throws AuthzError (unknown entity, cycle, unknown role). */
export function effectivePrivileges(
  principal: string,
  entityId: string,
  tree: InventoryTree,
  permissions: Iterable<Permission>,
  roles: RoleSource = [],
): ReadonlySet<Privilege> {
  return resolvePrivileges(principal, entityId, tree, permissions, roles).privileges;
}

/** Whether the principal holds `privilege` on the entity. */
export function can(
  principal: string,
  privilege: Privilege,
  entityId: string,
  tree: InventoryTree,
  permissions: Iterable<Permission>,
  roles: RoleSource = [],
): boolean {
  return effectivePrivileges(principal, entityId, tree, permissions, roles).has(privilege);
}

export interface VisibleOptions {
  /** Only entities of this type (a list route's kind). */
  readonly type?: EntityType | undefined;
}

/**
 * The ids of the entities the principal may see (holds any privilege on them, which for every
 * role but No access includes System.View), in the tree's order. For list routes.
 */
export function visibleEntities(
  principal: string,
  tree: InventoryTree,
  permissions: Iterable<Permission>,
  roles: RoleSource = [],
  options: VisibleOptions = {},
): string[] {
  const evaluator = new Evaluator(principal, tree, permissions, roles);
  const out: string[] = [];
  for (const entity of tree.values()) {
    if (options.type !== undefined && entity.type !== options.type) continue;
    if (evaluator.resolve(entity.id).privileges.size > 0) out.push(entity.id);
  }
  return out;
}
