// The audit trail: mutating requests are recorded with who, what, entity, result and source;
// reads are not; no password or token ever appears in it; only privileged users may read it.
import { SELF, env } from "cloudflare:test";
import { describe, it, expect } from "vitest";
import { call, smallKernel } from "./api.js";

const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

async function auditOf(query: string): Promise<any[]> {
  // Records are written after the answer (waitUntil): wait for them to land.
  for (let i = 0; i < 40; i++) {
    const r = await call("GET", `/api/audit?${query}`);
    expect(r.status).toBe(200);
    if (r.json.length > 0) return r.json;
    await sleep(25);
  }
  return [];
}

describe("the audit trail", () => {
  it("records mutations with who, what, entity, result and source, and no secret", async () => {
    const kernel = await smallKernel();
    const vm = await call("POST", "/api/vms", { name: "audited", memoryMiB: 32, boot: { kernel } });
    await call("POST", `/api/vms/${vm.json.id}/power?action=suspend`); // 409: recorded as an error
    await call("GET", `/api/vms/${vm.json.id}`); // a read: not recorded
    await auditOf(`entity=${vm.json.id}`);
    await sleep(100);
    const all = (await call("GET", `/api/audit?entity=${vm.json.id}`)).json as any[];
    const power = all.find((r) => r.action === "suspend");
    expect(power).toMatchObject({ user: "admin", method: "POST", status: 409, result: "error", entityId: vm.json.id });
    expect(power.source).toBeTypeOf("string");
    expect(all.every((r) => r.method !== "GET")).toBe(true);

    // A user with a password, a failed login and a token: none of the secrets is recorded.
    const password = "correct horse battery staple";
    await call("POST", "/api/users", { name: "audit-user", password });
    await SELF.fetch("http://edgevisor/api/login", { method: "POST", body: JSON.stringify({ name: "audit-user", password: "wrong password here" }) });
    const login = await SELF.fetch("http://edgevisor/api/login", { method: "POST", body: JSON.stringify({ name: "audit-user", password }) });
    const session = (await login.json() as { token: string }).token;
    const token = (await call("POST", "/api/tokens", { name: "audit-token" })).json.token as string;
    const failed = await auditOf("result=error&user=anonymous");
    expect(failed.some((r) => r.path === "/api/login" && r.status === 401)).toBe(true);
    await sleep(100);
    const dump = JSON.stringify((await env.DB.prepare("SELECT * FROM audit").all()).results);
    for (const secret of [password, "wrong password here", session, token]) expect(dump).not.toContain(secret);

    // Reading the trail needs Global.Diagnostics: a user without a role gets 403.
    const r = await SELF.fetch("http://edgevisor/api/audit", { headers: { authorization: `Bearer ${session}` } });
    expect(r.status).toBe(403);
    expect((await call("GET", "/api/audit?limit=0")).status).toBe(400);
  });
});
