// The `migrate` and `maintenance` commands against a fake service: the request they send, the
// progress bar while the task runs, the figures or the failure at the end, and API errors.
import { describe, it, expect } from "vitest";
import { bar, migrateCommand, maintenanceCommand } from "../../src/cli/migrate.js";
import { ApiCallError, type ApiTarget } from "../../src/cli/api-client.js";

function fakeService(states: { state: string; progress: number; result?: unknown; error?: unknown }[]) {
  const calls: { method: string; url: string; body?: unknown; auth: string | null }[] = [];
  let poll = 0;
  const f = (async (url: string, init: RequestInit) => {
    const headers = new Headers(init.headers);
    calls.push({ method: init.method ?? "GET", url, body: init.body ? JSON.parse(init.body as string) : undefined, auth: headers.get("authorization") });
    if (url.endsWith("/migrate")) return new Response(JSON.stringify({ task: { id: "task-1", state: "queued", progress: 0 } }), { status: 202 });
    if (url.includes("/maintenance")) return new Response(JSON.stringify({ id: "host-b", state: "maintenance", task: { id: "task-1" } }), { status: 202 });
    if (url.endsWith("/api/tasks/task-1")) return new Response(JSON.stringify({ id: "task-1", ...states[Math.min(poll++, states.length - 1)] }));
    return new Response(JSON.stringify({ error: { code: "not_found", message: "VM vm-x does not exist" } }), { status: 404 });
  }) as unknown as typeof fetch;
  const target: ApiTarget = { url: "http://svc", token: "tok", fetch: f };
  return { target, calls };
}

const sink = () => { const o = { text: "", isTTY: false, write: (s: string) => { o.text += s; } }; return o; };

describe("edgevisor migrate", () => {
  it("draws a bar as the task runs and prints the migration's figures", async () => {
    const { target, calls } = fakeService([
      { state: "running", progress: 10 }, { state: "running", progress: 60 },
      { state: "succeeded", progress: 100, result: { downtimeMs: 12, totalMs: 840, rounds: 3, bytesSent: 3 << 20, framesPerRound: [700, 40, 3], dirtyRate: 55 } },
    ]);
    const out = sink();
    expect(await migrateCommand(target, "vm-1", "host-b", out)).toBe(0);
    expect(calls[0]).toMatchObject({ method: "POST", url: "http://svc/api/vms/vm-1/migrate", body: { host: "host-b" }, auth: "Bearer tok" });
    expect(out.text).toContain(`${bar(60)} running`);
    expect(out.text).toContain("downtime 12 ms, total 840 ms, 3 rounds");
    expect(out.text).toContain("sent 3.0 MiB, frames per round [700,40,3]");
  });

  it("says where the VM is when the migration fails, and exits 1", async () => {
    const { target } = fakeService([{ state: "failed", progress: 20, error: { code: "migration_failed", message: "resuming on the target timed out" } }]);
    const out = sink();
    expect(await migrateCommand(target, "vm-1", "host-b", out)).toBe(1);
    expect(out.text).toContain("migration failed: resuming on the target timed out (the VM runs on where it was)");
  });

  it("evacuates a host, and turns API errors into one line", async () => {
    const { target } = fakeService([{ state: "succeeded", progress: 100, result: { moved: [{ vm: "vm-1", host: "host-a" }] } }]);
    const out = sink();
    expect(await maintenanceCommand(target, "host-b", "enter", out)).toBe(0);
    expect(out.text).toContain("host host-b is in maintenance; 1 VM(s) moved: vm-1 → host-a");
    const bad = { ...target, fetch: (async () => new Response(JSON.stringify({ error: { code: "invalid", message: "host: host h does not exist" } }), { status: 422 })) as unknown as typeof fetch };
    await expect(migrateCommand(bad, "vm-1", "h", sink())).rejects.toThrow(new ApiCallError(422, "POST /api/vms/vm-1/migrate: 422 host: host h does not exist"));
    expect(bar(0, 10)).toBe("[..........]   0%");
    expect(bar(100, 10)).toBe("[##########] 100%");
  });
});
