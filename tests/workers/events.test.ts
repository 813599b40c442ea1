// GET /api/events: server-sent events of inventory changes and power states, resumable with
// Last-Event-ID, filtered by what the caller may see.
import { SELF } from "cloudflare:test";
import { describe, it, expect } from "vitest";
import { auth, call, smallKernel } from "./api.js";

interface Ev { id: string; event: string; data: { entity: string; kind: string; message: string } }

async function events(headers: Record<string, string>, query = "follow=0"): Promise<Ev[]> {
  const r = await SELF.fetch(`http://edgevisor/api/events?${query}`, { headers });
  expect(r.status).toBe(200);
  expect(r.headers.get("content-type")).toContain("text/event-stream");
  const text = await r.text();
  return text.split("\n\n").filter((b) => b.includes("data:")).map((block) => {
    const f = (k: string) => block.split("\n").find((l) => l.startsWith(`${k}:`))?.slice(k.length + 1).trim() ?? "";
    return { id: f("id"), event: f("event"), data: JSON.parse(f("data")) as Ev["data"] };
  });
}

const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

describe("server-sent events", () => {
  it("streams VM creation and power changes, resumes after an id, and hides what the caller cannot see", async () => {
    const kernel = await smallKernel();
    const vm = (await call("POST", "/api/vms", { name: "evented", memoryMiB: 32, boot: { kernel } })).json;
    await call("POST", `/api/vms/${vm.id}/power?action=start`);
    await call("POST", `/api/vms/${vm.id}/power?action=stop`);
    let mine: Ev[] = [];
    for (let i = 0; i < 40 && mine.filter((e) => e.event === "vm.power").length < 2; i++) {
      mine = (await events(auth)).filter((e) => e.data.entity === vm.id);
      await sleep(50);
    }
    expect(mine.map((e) => e.event)).toEqual(["vm.created", "vm.power", "vm.power"]);
    expect(mine[1]!.data.message).toMatch(/POWERED_ON/);
    expect(mine[2]!.data.message).toMatch(/POWERED_OFF/);

    // Resume after the first one.
    const after = (await events({ ...auth, "last-event-id": mine[0]!.id })).filter((e) => e.data.entity === vm.id);
    expect(after.map((e) => e.event)).toEqual(["vm.power", "vm.power"]);

    // A user without any permission sees none of it.
    await call("POST", "/api/users", { name: "no-rights", password: "a long enough password" });
    const login = await SELF.fetch("http://edgevisor/api/login", { method: "POST", body: JSON.stringify({ name: "no-rights", password: "a long enough password" }) });
    const token = (await login.json() as { token: string }).token;
    expect(await events({ authorization: `Bearer ${token}` })).toEqual([]);
    expect((await SELF.fetch("http://edgevisor/api/events?since=x", { headers: auth })).status).toBe(400);
  });
});
