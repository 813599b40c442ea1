// Identities and credentials: users with passwords, login sessions, API tokens (shown once,
// expiry, revocation), login throttling, and no secret at rest or in any later answer.
import { SELF, env } from "cloudflare:test";
import { describe, it, expect } from "vitest";
import { call } from "./api.js";

const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));
const PASSWORD = "correct horse battery staple";

/** A call without the admin token: as `token`'s holder, or anonymous. */
async function as(token: string | undefined, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const r = await SELF.fetch(`http://edgevisor${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await r.text();
  return { status: r.status, headers: r.headers, text, json: text ? JSON.parse(text) : undefined };
}

async function user(name: string, password: string | undefined = PASSWORD) {
  const r = await call("POST", "/api/users", { name, ...(password !== undefined ? { password } : {}) });
  expect(r.status).toBe(201);
  expect(r.json).toEqual({ id: expect.stringMatching(/^user-/), name });
  return r.json.id as string;
}

async function login(name: string, password = PASSWORD): Promise<string> {
  const r = await as(undefined, "POST", "/api/login", { name, password });
  expect(r.status).toBe(200);
  return r.json.token as string;
}

describe("users and login", () => {
  it("creates a user; its login gives a session token that works", async () => {
    await user("alice");
    const before = Date.now();
    const r = await as(undefined, "POST", "/api/login", { name: "alice", password: PASSWORD });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ token: expect.stringMatching(/^evt_[A-Za-z0-9_-]{43}$/), expiresAt: expect.any(Number) });
    expect(r.json.expiresAt - before).toBeGreaterThanOrEqual(12 * 3600_000 - 1000);
    expect(r.json.expiresAt - before).toBeLessThanOrEqual(12 * 3600_000 + 60_000);
    expect((await as(r.json.token, "GET", "/api/hosts")).status).toBe(200);
    const users = await call("GET", "/api/users");
    expect(users.json.map((u: any) => u.name)).toEqual(expect.arrayContaining(["admin", "alice"]));
    expect(JSON.stringify(users.json)).not.toMatch(/pbkdf2|password/i);
  });

  it("answers a wrong password and an unknown user identically", async () => {
    await user("bob");
    const wrong = await as(undefined, "POST", "/api/login", { name: "bob", password: "not the password at all" });
    const unknown = await as(undefined, "POST", "/api/login", { name: "nobody-here", password: "not the password at all" });
    const noPassword = await as(undefined, "POST", "/api/login", { name: "admin", password: "not the password at all" });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toBe(unknown.text);
    expect(noPassword.text).toBe(unknown.text);
    expect(wrong.json).toEqual({ error: { code: "unauthorized", message: "invalid name or password" } });
  });

  it("refuses the 6th attempt after 5 failures with 429 and Retry-After, even with the right password", async () => {
    await user("carol");
    for (let i = 0; i < 5; i++) {
      expect((await as(undefined, "POST", "/api/login", { name: "carol", password: `wrong password ${i}` })).status).toBe(401);
    }
    const sixth = await as(undefined, "POST", "/api/login", { name: "carol", password: "wrong password 6" });
    expect(sixth.status).toBe(429);
    const wait = Number(sixth.headers.get("retry-after"));
    expect(wait).toBeGreaterThan(800);
    expect(wait).toBeLessThanOrEqual(900);
    const right = await as(undefined, "POST", "/api/login", { name: "carol", password: PASSWORD });
    expect(right.status).toBe(429);
    expect(right.text).not.toContain("evt_");
    // Unknown names are throttled the same way, so a 429 tells nothing either.
    for (let i = 0; i < 5; i++) await as(undefined, "POST", "/api/login", { name: "ghost", password: "whatever it is" });
    expect((await as(undefined, "POST", "/api/login", { name: "ghost", password: "whatever it is" })).status).toBe(429);
    // Other names are not affected.
    await user("carol2");
    expect((await as(undefined, "POST", "/api/login", { name: "carol2", password: PASSWORD })).status).toBe(200);
  });

  it("a success clears earlier failures", async () => {
    await user("dave");
    for (let i = 0; i < 4; i++) await as(undefined, "POST", "/api/login", { name: "dave", password: "wrong wrong wrong" });
    await login("dave");
    for (let i = 0; i < 4; i++) await as(undefined, "POST", "/api/login", { name: "dave", password: "wrong wrong wrong" });
    await login("dave");
  });

  it("enforces the password policy and unique names", async () => {
    const short = await call("POST", "/api/users", { name: "erin", password: "short" });
    expect(short.status).toBe(422);
    expect(short.json.error.message).toContain("password");
    expect((await call("POST", "/api/users", { name: "erin", password: "x".repeat(257) })).status).toBe(422);
    expect((await call("POST", "/api/users", { name: "erin", password: "🔑".repeat(11) })).status).toBe(422);
    expect((await call("POST", "/api/users", { name: "bad name!" })).status).toBe(422);
    await user("erin", "x".repeat(12));
    const dup = await call("POST", "/api/users", { name: "erin" });
    expect(dup.status).toBe(409);
    expect((await call("POST", "/api/users", { name: "admin" })).status).toBe(409);
  });

  it("logout revokes the session in use", async () => {
    await user("frank");
    const t = await login("frank");
    expect((await as(t, "GET", "/api/hosts")).status).toBe(200);
    expect((await as(t, "POST", "/api/logout")).status).toBe(204);
    const after = await as(t, "GET", "/api/hosts");
    expect(after.status).toBe(401);
    expect(after.json).toEqual({ error: { code: "unauthorized", message: "the token is not valid" } });
    expect((await call("POST", "/api/logout")).status).toBe(422); // the bootstrap token
  });
});

describe("API tokens", () => {
  it("are shown once, listed without secrets, work, and stop working when revoked", async () => {
    await user("grace");
    const session = await login("grace");
    const made = await as(session, "POST", "/api/tokens", { name: "ci" });
    expect(made.status).toBe(201);
    expect(made.json).toEqual({ id: expect.stringMatching(/^token-/), token: expect.stringMatching(/^evt_/), expiresAt: null });
    expect(made.headers.get("cache-control")).toBe("no-store");
    const secret = made.json.token as string;

    const list = await as(secret, "GET", "/api/tokens");
    expect(list.status).toBe(200);
    expect(list.json).toEqual(expect.arrayContaining([
      expect.objectContaining({ id: made.json.id, name: "ci", kind: "api", user: "grace", revokedAt: null, current: true }),
      expect.objectContaining({ kind: "session", current: false }),
    ]));
    expect(list.text).not.toContain(secret);
    expect(list.text).not.toContain(secret.slice(4));
    expect(list.text).not.toMatch(/[0-9a-f]{64}/);
    expect(list.json.find((t: any) => t.id === made.json.id).lastUsedAt).toEqual(expect.any(Number));

    expect((await as(secret, "DELETE", `/api/tokens/${made.json.id}`)).status).toBe(204);
    const gone = await as(secret, "GET", "/api/hosts");
    expect(gone.status).toBe(401);
    expect(gone.json.error.message).toBe("the token is not valid");
    expect((await as(session, "GET", "/api/tokens")).json.find((t: any) => t.id === made.json.id).revokedAt).toEqual(expect.any(Number));
  });

  it("expire", async () => {
    await user("heidi");
    const session = await login("heidi");
    const made = await as(session, "POST", "/api/tokens", { name: "short-lived", expiresInSeconds: 1 });
    expect(made.status).toBe(201);
    expect((await as(made.json.token, "GET", "/api/hosts")).status).toBe(200);
    await sleep(1500);
    const r = await as(made.json.token, "GET", "/api/hosts");
    expect(r.status).toBe(401);
    expect(r.json.error.message).toBe("the token is not valid");
    expect((await as(session, "POST", "/api/tokens", { name: "x", expiresInSeconds: 0 })).status).toBe(422);
  });

  it("for another user: only the admin; others' tokens cannot be revoked by a non-admin", async () => {
    await user("ivan");
    await user("judy");
    const ivan = await login("ivan");
    const judy = await login("judy");
    const refused = await as(ivan, "POST", "/api/tokens", { user: "judy", name: "sneaky" });
    expect(refused.status).toBe(403);
    expect(refused.json.error.message).toContain("Authorization.ModifyPermissions");
    expect((await as(ivan, "POST", "/api/users", { name: "mallory" })).status).toBe(403);
    expect((await as(ivan, "GET", "/api/tokens?user=judy")).status).toBe(403);

    const byAdmin = await call("POST", "/api/tokens", { user: "judy", name: "from-admin" });
    expect(byAdmin.status).toBe(201);
    expect((await as(byAdmin.json.token, "GET", "/api/hosts")).status).toBe(200);
    expect((await call("POST", "/api/tokens", { user: "nobody-at-all", name: "x" })).status).toBe(422);

    expect((await as(ivan, "DELETE", `/api/tokens/${byAdmin.json.id}`)).status).toBe(404);
    expect((await as(byAdmin.json.token, "GET", "/api/hosts")).status).toBe(200);
    expect((await call("DELETE", `/api/tokens/${byAdmin.json.id}`)).status).toBe(204);
    expect((await as(byAdmin.json.token, "GET", "/api/hosts")).status).toBe(401);
    expect((await as(judy, "GET", "/api/hosts")).status).toBe(200);
  });

  it("the admin's own API tokens act as admin", async () => {
    const made = await call("POST", "/api/tokens", { name: "automation" });
    expect(made.status).toBe(201);
    expect((await as(made.json.token, "POST", "/api/users", { name: "kim" })).status).toBe(201);
  });

  it("leave no secret in D1", async () => {
    await user("leo");
    const session = await login("leo");
    const made = await as(session, "POST", "/api/tokens", { name: "stored" });
    const dump = JSON.stringify([
      (await env.DB.prepare("SELECT * FROM tokens").all()).results,
      (await env.DB.prepare("SELECT * FROM users").all()).results,
      (await env.DB.prepare("SELECT * FROM login_failures").all()).results,
    ]);
    for (const secret of [session, made.json.token as string]) {
      expect(dump).not.toContain(secret);
      expect(dump).not.toContain(secret.slice(4));
    }
    expect(dump).not.toContain(PASSWORD);
    const users = (await env.DB.prepare("SELECT password_hash FROM users WHERE name = 'leo'").all()).results;
    expect(users[0]!.password_hash).toMatch(/^pbkdf2-sha256\$100000\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
  });
});
