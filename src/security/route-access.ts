// What a route needs: a privilege on an inventory entity, as declared per operation in the
// route table (src/routes/openapi.ts ROUTES). A declaration names the privilege (or "none":
// any authenticated caller) and the entity — "root", "id" (the path's {id}), "parent-of-id"
// (the {id} entity's parent, e.g. the host a clone lands on), or a function of the request
// (the host in a create body, the entity of a permission). requiredChecks turns a declaration
// and a request into concrete (privilege, entity) checks; the guard and the matrix test share it.
import type { Privilege } from "./privileges.js";
import { ROOT_ID, type Authz } from "./inventory-tree.js";

export interface GuardInput {
  /** The caller's user name. */
  readonly user: string;
  readonly params: Readonly<Record<string, string>>;
  query(name: string): string | undefined;
  /** The JSON body, parsed (undefined when absent or not JSON). */
  body(): Promise<unknown>;
  readonly authz: Authz;
}

export type EntityRef = "root" | "id" | "parent-of-id" | ((r: GuardInput) => string | Promise<string>);
export type PrivilegeRef = Privilege | "none" | ((r: GuardInput) => Privilege | "none" | Promise<Privilege | "none">);

export interface Access {
  /** "none": authenticated only. */
  readonly privilege: PrivilegeRef;
  /** Default: the root. */
  readonly entity?: EntityRef;
  /** Further checks, all required (clone: Provisioning.Clone on the VM + CreateFromExisting on its host). */
  readonly also?: readonly { readonly privilege: Privilege; readonly entity: EntityRef }[];
}

export interface Check {
  readonly privilege: Privilege;
  readonly entity: string;
  /** The entity comes from the path: not seeing it answers 404, as for a missing one. */
  readonly fromPath: boolean;
}

async function resolveEntity(ref: EntityRef | undefined, r: GuardInput): Promise<{ id: string; fromPath: boolean }> {
  if (ref === undefined || ref === "root") return { id: ROOT_ID, fromPath: false };
  if (ref === "id" || ref === "parent-of-id") {
    const id = r.params.id ?? "";
    if (ref === "id") return { id, fromPath: true };
    return { id: r.authz.tree.get(id)?.parentId ?? id, fromPath: true };
  }
  const id = await ref(r);
  // An entity named in a body or query that does not exist: checked on the root (the route
  // then answers 422/404 to those allowed there).
  return { id: r.authz.tree.has(id) ? id : ROOT_ID, fromPath: false };
}

/** The checks a request must pass under a declaration (empty: authenticated is enough). */
export async function requiredChecks(access: Access, r: GuardInput): Promise<Check[]> {
  const out: Check[] = [];
  const p = typeof access.privilege === "function" ? await access.privilege(r) : access.privilege;
  if (p !== "none") out.push({ privilege: p, ...entity(await resolveEntity(access.entity, r)) });
  for (const a of access.also ?? []) out.push({ privilege: a.privilege, ...entity(await resolveEntity(a.entity, r)) });
  return out;
}

const entity = (e: { id: string; fromPath: boolean }) => ({ entity: e.id, fromPath: e.fromPath });

/** The JSON body's string field, if any (declarations reading a body use it). */
export async function bodyField(r: GuardInput, field: string): Promise<string | undefined> {
  const b = await r.body();
  const v = typeof b === "object" && b !== null ? (b as Record<string, unknown>)[field] : undefined;
  return typeof v === "string" ? v : undefined;
}
