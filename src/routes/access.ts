// Access: users, login/logout and API tokens. `loginRoutes` is mounted before authentication
// (it is how a user gets a token); `accessRoutes` behind it. Secrets (tokens) appear only in
// the answer that creates them; passwords and hashes never leave D1. Acting on other users
// (creating users, their tokens) needs Authorization.ModifyPermissions on the root: the guard
// checks what ROUTES declares; revoking others' tokens is checked here.
import { Hono, type Context } from "hono";
import { and, asc, eq } from "drizzle-orm";
import type { AppEnv } from "../app.js";
import { openDb, schema, type Db } from "../storage/db/index.js";
import { jsonBody } from "../body.js";
import { createTokenSchema, createUserSchema, loginSchema } from "../schemas/access.js";
import { conflict, errorBody, notFound, unauthorized, unprocessable } from "../errors.js";
import { newId } from "../ids.js";
import { hashPassword, verifyPassword } from "../security/passwords.js";
import { issueToken, revokeToken, SESSION_TTL_MS } from "../security/tokens.js";
import { clearAttempts, countAttempt } from "../security/throttle.js";
import { callerHolds, ROOT_ID } from "../security/inventory-tree.js";

const NO_STORE = { "cache-control": "no-store" };

async function userNamed(db: Db, name: string) {
  const [u] = await db.select().from(schema.users).where(eq(schema.users.name, name));
  return u;
}

/** The caller's user row (the bootstrap token is the admin user). */
async function caller(c: Context<AppEnv>, db: Db) {
  const u = await userNamed(db, c.get("principal").user);
  if (!u) throw unauthorized("the token is not valid");
  return u;
}

export const loginRoutes = new Hono<AppEnv>()
  .post("/login", async (c) => {
    const body = await jsonBody(c, loginSchema);
    const db = openDb(c.env.DB);
    const now = Date.now();
    const key = `name:${body.name}`;
    const wait = await countAttempt(db, key, now);
    if (wait !== undefined) {
      return c.json(errorBody("too_many_requests", `too many failed logins; try again in ${wait} s`), 429, { "retry-after": String(wait) });
    }
    // The same work whether or not the user exists (an absent hash is checked against a dummy).
    const u = await userNamed(db, body.name);
    const ok = await verifyPassword(body.password, u?.passwordHash ?? null);
    if (!u || !ok || u.disabled) throw unauthorized("invalid name or password");
    await clearAttempts(db, key);
    const t = await issueToken(db, { userId: u.id, name: "login", kind: "session", expiresAt: now + SESSION_TTL_MS }, now);
    return c.json({ token: t.token, expiresAt: t.expiresAt }, 200, NO_STORE);
  });

export const accessRoutes = new Hono<AppEnv>()
  .post("/users", async (c) => {
    const body = await jsonBody(c, createUserSchema);
    const db = openDb(c.env.DB);
    if (await userNamed(db, body.name)) throw conflict(`a user named ${body.name} already exists`);
    const row = {
      id: newId("user"), name: body.name, disabled: false, createdAt: Date.now(),
      passwordHash: body.password === undefined ? null : await hashPassword(body.password),
    };
    const [made] = await db.insert(schema.users).values(row).onConflictDoNothing().returning({ id: schema.users.id });
    if (!made) throw conflict(`a user named ${body.name} already exists`);
    return c.json({ id: row.id, name: row.name }, 201);
  })
  .get("/users", async (c) => {
    const u = schema.users;
    const rows = await openDb(c.env.DB)
      .select({ id: u.id, name: u.name, disabled: u.disabled, createdAt: u.createdAt })
      .from(u).orderBy(asc(u.createdAt), asc(u.name));
    return c.json(rows);
  })
  .post("/logout", async (c) => {
    const p = c.get("principal");
    if (!p.tokenId) throw unprocessable("the bootstrap admin token (EDGEVISOR_ADMIN_TOKEN) cannot be logged out");
    const db = openDb(c.env.DB);
    const [t] = await db.select({ kind: schema.tokens.kind }).from(schema.tokens).where(eq(schema.tokens.id, p.tokenId));
    if (t?.kind !== "session") throw unprocessable(`the token in use is an API token; revoke it with DELETE /api/tokens/${p.tokenId}`);
    await revokeToken(db, p.tokenId);
    return c.body(null, 204);
  })
  .post("/tokens", async (c) => {
    const body = await jsonBody(c, createTokenSchema);
    const p = c.get("principal");
    const target = body.user ?? p.user;
    const db = openDb(c.env.DB);
    const u = await userNamed(db, target);
    if (!u) throw unprocessable(`user: user ${target} does not exist`);
    if (u.disabled) throw unprocessable(`user: user ${target} is disabled`);
    const now = Date.now();
    const expiresAt = body.expiresInSeconds === undefined ? null : now + body.expiresInSeconds * 1000;
    const t = await issueToken(db, { userId: u.id, name: body.name, kind: "api", expiresAt }, now);
    return c.json({ id: t.id, token: t.token, expiresAt: t.expiresAt }, 201, NO_STORE);
  })
  .get("/tokens", async (c) => {
    const db = openDb(c.env.DB);
    const p = c.get("principal");
    const wanted = c.req.query("user");
    const u = wanted !== undefined ? await userNamed(db, wanted) : await caller(c, db);
    if (!u) throw notFound("user", wanted!);
    const t = schema.tokens;
    const rows = await db
      .select({ id: t.id, name: t.name, kind: t.kind, createdAt: t.createdAt, expiresAt: t.expiresAt, revokedAt: t.revokedAt, lastUsedAt: t.lastUsedAt })
      .from(t).where(eq(t.userId, u.id)).orderBy(asc(t.createdAt), asc(t.id));
    return c.json(rows.map((r) => ({ ...r, user: u.name, current: r.id === p.tokenId })));
  })
  .delete("/tokens/:id", async (c) => {
    const db = openDb(c.env.DB);
    const id = c.req.param("id");
    const me = await caller(c, db);
    const own = and(eq(schema.tokens.id, id), eq(schema.tokens.userId, me.id));
    const [t] = await db.select({ id: schema.tokens.id }).from(schema.tokens).where(await callerHolds(c, "Authorization.ModifyPermissions", ROOT_ID) ? eq(schema.tokens.id, id) : own);
    // Another user's token answers like a missing one: its existence is not the caller's business.
    if (!t) throw notFound("token", id);
    await revokeToken(db, id);
    return c.body(null, 204);
  });
