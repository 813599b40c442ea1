// The Worker answers, authenticates and has a fresh install's inventory.
import { SELF, env } from "cloudflare:test";
import { describe, it, expect } from "vitest";

const auth = { authorization: `Bearer ${env.EDGEVISOR_ADMIN_TOKEN}` };

describe("the Worker", () => {
  it("refuses requests without a valid token", async () => {
    const r = await SELF.fetch("http://x/api/hosts");
    expect(r.status).toBe(401);
    expect(await r.json()).toMatchObject({ error: { code: "unauthorized" } });
    const r2 = await SELF.fetch("http://x/api/hosts", { headers: { authorization: "Bearer nope" } });
    expect(r2.status).toBe(401);
  });
  it("has a default datacenter, cluster and host", async () => {
    const hosts = await (await SELF.fetch("http://x/api/hosts", { headers: auth })).json();
    expect(hosts).toEqual([expect.objectContaining({ id: "host-default", clusterId: "cluster-default" })]);
    const r = await SELF.fetch("http://x/api/nope", { headers: auth });
    expect(r.status).toBe(404);
  });
  it("dates a fresh install's own inventory at its install, not 1970", async () => {
    const year2020 = Date.UTC(2020, 0, 1);
    const get = async (path: string) => (await SELF.fetch(`http://x/api/${path}`, { headers: auth })).json() as Promise<{ id: string; createdAt: number | string }[]>;
    const dated = async (path: string, id: string) => {
      const row = (await get(path)).find((r) => r.id === id);
      expect(row, `${path} ${id}`).toBeDefined();
      return new Date(row!.createdAt).getTime();
    };
    for (const [path, id] of [["datacenters", "dc-default"], ["clusters", "cluster-default"], ["hosts", "host-default"], ["users", "user-admin"], ["datastores", "ds-default"]] as const) {
      const t = await dated(path, id);
      expect(t, `${path} ${id}`).toBeGreaterThan(year2020);
      expect(t, `${path} ${id}`).toBeLessThanOrEqual(Date.now());
    }
  });
  it("answers 405 with Allow for a declared path and a method it does not have", async () => {
    const r = await SELF.fetch("http://x/api/vms", { method: "PUT", headers: auth, body: "{}" });
    expect(r.status).toBe(405);
    expect(r.headers.get("allow")).toBe("GET, POST, HEAD");
    expect(await r.json()).toMatchObject({ error: { code: "method_not_allowed", message: expect.stringMatching(/PUT is not allowed on \/api\/vms; use GET, POST/) } });
    const d = await SELF.fetch("http://x/api/vms/vm-x/power", { method: "DELETE", headers: auth });
    expect(d.status).toBe(405);
    expect(d.headers.get("allow")).toContain("POST");
  });
});
