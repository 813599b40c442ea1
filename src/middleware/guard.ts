// Enforcement: every request behind authentication passes one check of the privilege its route
// declares (src/routes/openapi.ts ROUTES) on the declared entity. The bootstrap admin token is
// the `admin` user and is checked like anyone (it holds Administrator on the root). An entity
// from the path the caller may not see at all answers 404, exactly as a missing one, so its
// existence does not leak; a visible entity without the privilege answers 403. A request
// matching no declared route answers the app's 404 (an undeclared route is unreachable), or
// 405 with Allow when the path is declared for other methods.
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app.js";
import { errorBody, forbidden, notFound } from "../errors.js";
import { authzOf, privilegesOn } from "../security/inventory-tree.js";
import { requiredChecks, type Access, type GuardInput } from "../security/route-access.js";

const BUILTIN_ADMIN = "admin";

const LABEL: Record<string, string> = { vm: "VM", image: "image", host: "host", cluster: "cluster", datacenter: "datacenter" };

async function input(c: Context<AppEnv>, params: Record<string, string>): Promise<GuardInput> {
  return {
    user: c.get("principal").user,
    params,
    query: (name) => c.req.query(name),
    body: async () => {
      try {
        return JSON.parse(await c.req.text()) as unknown;
      } catch {
        return undefined;
      }
    },
    authz: await authzOf(c),
  };
}

/** Throws 404/403 unless the caller passes every check of `access` for this request. */
export async function enforce(c: Context<AppEnv>, access: Access, params: Record<string, string>): Promise<void> {
  // The built-in admin holds Administrator on the root, propagating, and its permissions can
  // be neither removed nor masked (routes/authz.ts): every check passes, so the inventory
  // need not be loaded for it.
  if (c.get("principal").user === BUILTIN_ADMIN) return;
  const r = await input(c, params);
  for (const check of await requiredChecks(access, r)) {
    const entity = r.authz.tree.get(check.entity);
    if (!entity) continue; // a missing entity from the path: the route answers 404
    const held = await privilegesOn(c, check.entity);
    if (check.fromPath) {
      const own = params.id !== undefined && r.authz.tree.has(params.id) ? await privilegesOn(c, params.id) : held;
      if (own.size === 0) {
        const e = r.authz.tree.get(params.id ?? check.entity)!;
        throw notFound(LABEL[e.type] ?? e.type, e.id);
      }
    }
    if (!held.has(check.privilege)) throw forbidden(`missing privilege ${check.privilege} on ${check.entity}`);
  }
}

type Table = Readonly<Record<string, Partial<Record<string, Access>>>>;

/** Compiles the route table ("/api/vms/{id}") into matchers. */
function compile(table: Table) {
  return Object.entries(table).map(([path, ops]) => {
    const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    const re = new RegExp(`^${path.replace(/[.]/g, "\\.").replace(/\{\w+\}/g, "([^/]+)")}/?$`);
    return { re, names, ops };
  });
}

/** The one guard: finds the request's declaration in the table and enforces it. */
export const guardRoutes = (table: Table) => {
  const routes = compile(table);
  return createMiddleware<AppEnv>(async (c, next) => {
    const path = c.req.path;
    const method = c.req.method.toLowerCase();
    let allowed: string[] | undefined;
    for (const { re, names, ops } of routes) {
      const m = re.exec(path);
      if (!m) continue;
      const access = ops[method === "head" ? "get" : method];
      if (!access) {
        allowed = Object.keys(ops).map((k) => k.toUpperCase());
        break;
      }
      let params: Record<string, string>;
      try {
        params = Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)]));
      } catch {
        break; // a malformed escape: no such entity
      }
      await enforce(c, access, params);
      return next();
    }
    if (allowed) {
      if (allowed.includes("GET")) allowed.push("HEAD");
      c.header("Allow", allowed.join(", "));
      return c.json(errorBody("method_not_allowed", `${c.req.method} is not allowed on ${path}; use ${allowed.join(", ")}`), 405);
    }
    return c.json(errorBody("not_found", `no route for ${c.req.method} ${path}`), 404);
  });
};
