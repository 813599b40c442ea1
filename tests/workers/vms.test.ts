// VMs as Durable Objects with a real Linux guest (the small kernel): create, boot to a shell,
// typed commands, suspend/resume, eviction, idle hibernation, the WebSocket console, and
// the API's answers to bad input.
import { SELF, abortAllDurableObjects } from "cloudflare:test";
import { describe, it, expect } from "vitest";
import { auth, call, smallKernel, ConsoleReader } from "./api.js";

const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

async function bootVm(name: string, extra: Record<string, unknown> = {}) {
  const kernel = await smallKernel();
  const r = await call("POST", "/api/vms", { name, memoryMiB: 32, ...extra, boot: { kernel } });
  expect(r.status).toBe(201);
  const id = r.json.id as string;
  const p = await call("POST", `/api/vms/${id}/power?action=start`);
  expect(p.json).toEqual({ powerState: "POWERED_ON" });
  const con = new ConsoleReader(id);
  await con.waitFor(/init done[\s\S]*# /);
  return { id, con };
}

describe("a Linux VM in a Durable Object", () => {
  it("boots to a shell, runs typed commands, suspends, resumes, survives eviction, stops", async () => {
    const { id, con } = await bootVm("linux-1");
    expect(await con.run("echo hello-$((6*7))")).toContain("hello-42");
    await con.run("export MARK=kept-$((2+3))");

    expect((await call("POST", `/api/vms/${id}/power?action=start`)).status).toBe(409);
    expect((await call("POST", `/api/vms/${id}/power?action=suspend`)).json).toEqual({ powerState: "SUSPENDED" });
    expect((await call("GET", `/api/vms/${id}/power`)).json).toEqual({ powerState: "SUSPENDED" });
    const before = (await call("GET", `/api/vms/${id}/console/output?from=0`)).json.next;
    expect((await call("POST", `/api/vms/${id}/console/input`, "echo x\n")).status).toBe(409);
    await sleep(300);
    expect((await call("GET", `/api/vms/${id}/console/output?from=0`)).json.next).toBe(before);
    // The action may also come as a JSON body.
    const bad = await call("POST", `/api/vms/${id}/power`, { action: "explode" });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/start, stop, reset, suspend, resume .*\?action=.*"action"/);
    expect((await call("POST", `/api/vms/${id}/power`, { action: "resume" })).json).toEqual({ powerState: "POWERED_ON" });
    expect(await con.run("echo $MARK")).toContain("kept-5");

    // Idle long enough for a checkpoint, then lose the object: it resumes from the checkpoint.
    await sleep(1500);
    await abortAllDurableObjects();
    expect(await con.run("echo again-$MARK")).toContain("again-kept-5");

    const info = await call("GET", `/api/vms/${id}`);
    expect(info.json).toMatchObject({ id, name: "linux-1", powerState: "POWERED_ON", memoryMiB: 32 });
    expect(info.json.stats.residentFrames).toBeGreaterThan(0);

    expect((await call("DELETE", `/api/vms/${id}`)).status).toBe(409);
    expect((await call("POST", `/api/vms/${id}/power?action=stop`)).json).toEqual({ powerState: "POWERED_OFF" });
    expect((await call("POST", `/api/vms/${id}/power?action=stop`)).status).toBe(409);
    expect((await call("GET", "/api/vms")).json.find((v: any) => v.id === id).powerState).toBe("POWERED_OFF");
    // A console socket opened just before the delete, and none after it.
    const open = await SELF.fetch(`http://edgevisor/api/vms/${id}/console`, { headers: { ...auth, upgrade: "websocket" } });
    expect(open.status).toBe(101);
    open.webSocket!.accept();
    expect((await call("DELETE", `/api/vms/${id}`)).status).toBe(204);
    expect((await call("GET", `/api/vms/${id}`)).status).toBe(404);
    const gone = await SELF.fetch(`http://edgevisor/api/vms/${id}/console`, { headers: { ...auth, upgrade: "websocket" } });
    expect(gone.status).toBe(404);
    expect((await gone.json() as any).error.code).toBe("not_found");
  });

  it("hibernates when idle with no viewer and wakes on console input", async () => {
    const { id, con } = await bootVm("sleepy", { idleTimeoutSeconds: 1 });
    await con.run("export N=$((40+2)); T0=$(cut -d. -f1 /proc/uptime)");
    await sleep(3500);
    const before = await call("GET", `/api/vms/${id}`);
    expect(before.json.stats.hibernated).toBe(true);
    expect(await con.run("echo woke-$N")).toContain("woke-42");
    // Guest time went on while it slept.
    const slept = Number(/slept-(\d+)-/.exec(await con.run("echo slept-$(( $(cut -d. -f1 /proc/uptime) - T0 ))-s"))![1]);
    expect(slept).toBeGreaterThanOrEqual(2);
  });

  it("streams the console over a WebSocket and takes input from it", async () => {
    const { id, con } = await bootVm("ws-1");
    const res = await SELF.fetch(`http://edgevisor/api/vms/${id}/console?from=0`, { headers: { ...auth, upgrade: "websocket" } });
    expect(res.status).toBe(101);
    const ws = res.webSocket!;
    ws.accept();
    let seen = "";
    const dec = new TextDecoder();
    ws.addEventListener("message", (e) => { seen += typeof e.data === "string" ? e.data : dec.decode(new Uint8Array(e.data as ArrayBuffer)); });
    // A second viewer, live only: it sees what the first one types.
    const res2 = await SELF.fetch(`http://edgevisor/api/vms/${id}/console`, { headers: { ...auth, upgrade: "websocket" } });
    const ws2 = res2.webSocket!;
    ws2.accept();
    let seen2 = "";
    ws2.addEventListener("message", (e) => { seen2 += typeof e.data === "string" ? e.data : dec.decode(new Uint8Array(e.data as ArrayBuffer)); });
    ws.send("echo via-ws-$((3*3))\n");
    for (let i = 0; i < 400 && !(seen.includes("via-ws-9") && seen2.includes("via-ws-9")); i++) await sleep(50);
    expect(seen).toContain("init done");
    expect(seen).toContain("via-ws-9");
    expect(seen2).toContain("via-ws-9");
    expect(seen2).not.toContain("init done");
    expect(await con.run("true")).toBeDefined();
    ws.close();
    ws2.close();
  });

  it("keeps at least the last 1 MiB of console output", async () => {
    const { id, con } = await bootVm("chatty");
    // 1.25 MiB of numbered lines, then a marker.
    await con.run("i=0; while [ $i -lt 20000 ]; do echo line-$i-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; i=$((i+1)); done", 240_000);
    const first = await call("GET", `/api/vms/${id}/console/output?from=0`);
    expect(first.json.start).toBeGreaterThan(0); // the oldest output is gone
    let end = first.json.next;
    for (let r = first.json; r.data.length > 0; r = (await call("GET", `/api/vms/${id}/console/output?from=${end}`)).json) end = r.next;
    expect(end - first.json.start).toBeGreaterThanOrEqual(1 << 20);
    expect(first.json.data).toMatch(/line-\d+-x/);
  }, 300_000);
});

describe("resident memory is capped", () => {
  it("gives back zero-filled RAM at the cap, and powers off a guest that needs more (24 MiB in tests), with the reason", async () => {
    const { id, con } = await bootVm("hungry", { memoryMiB: 64 });
    // 20 MiB of zeros in tmpfs: past the cap with the kernel's own pages, but all zero.
    expect(await con.run("dd if=/dev/zero of=/tmp/zero bs=1024 count=20480 2>/dev/null; echo zero-$((1+1))")).toContain("zero-2");
    const held = (await call("GET", `/api/vms/${id}`)).json;
    expect(held.powerState).toBe("POWERED_ON");
    expect(held.stats.zeroFramesReclaimed).toBeGreaterThan(256);
    expect(held.stats.residentFrames).toBeLessThanOrEqual(24 * 256);
    // Random bytes cannot be given back.
    await call("POST", `/api/vms/${id}/console/input`, "dd if=/dev/urandom of=/tmp/fill bs=65536 count=640\n");
    let info: any;
    for (let i = 0; i < 600; i++) {
      info = (await call("GET", `/api/vms/${id}`)).json;
      if (info.powerState === "POWERED_OFF") break;
      await sleep(50);
    }
    expect(info.powerState).toBe("POWERED_OFF");
    expect(info.stats.lastError).toMatch(/more RAM than the 24 MiB/);
    void con;
  });
});

describe("bad input changes nothing", () => {
  it("answers 4xx with a message for malformed or invalid VM requests", async () => {
    const kernel = await smallKernel();
    const count = async () => (await call("GET", "/api/vms")).json.length as number;
    const n = await count();
    const cases: [unknown, number, RegExp][] = [
      ["{not json", 400, /not valid JSON/],
      [{ name: "a", memoryMiB: 0, boot: { kernel } }, 422, /memoryMiB/],
      [{ name: "a", memoryMiB: 100000, boot: { kernel } }, 422, /memoryMiB.*cap/],
      [{ name: "a", memoryMiB: 32, boot: { kernel: "img-nope" } }, 422, /img-nope does not exist/],
      [{ name: "bad name!", memoryMiB: 32, boot: { kernel } }, 422, /name/],
      [{ name: "a", memoryMiB: 32 }, 422, /boot/],
      [{ name: "a", memoryMiB: 32, boot: { kernel }, host: "host-nope" }, 422, /host-nope/],
    ];
    for (const [body, status, msg] of cases) {
      const r = await call("POST", "/api/vms", body);
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect(r.json.error.message).toMatch(msg);
    }
    expect(await count()).toBe(n);
    const vm = await call("POST", "/api/vms", { name: "ok-1", memoryMiB: 32, boot: { kernel } });
    expect(vm.status).toBe(201);
    expect((await call("POST", "/api/vms", { name: "ok-1", memoryMiB: 32, boot: { kernel } })).status).toBe(409);
    expect((await call("POST", `/api/vms/${vm.json.id}/power?action=fly`)).status).toBe(400);
    expect((await call("POST", `/api/vms/${vm.json.id}/power?action=suspend`)).status).toBe(409);
    expect((await call("POST", `/api/vms/${vm.json.id}/power?action=resume`)).status).toBe(409);
    expect((await call("GET", `/api/vms/${vm.json.id}/console/output?from=-1`)).status).toBe(400);
    expect((await call("POST", `/api/vms/${vm.json.id}/console/input`, "x".repeat(70_000))).status).toBe(413);
    expect((await call("GET", `/api/vms/vm-nope`)).status).toBe(404);
    expect((await call("GET", `/api/vms/${vm.json.id}/power`)).json).toEqual({ powerState: "POWERED_OFF" });
  });

  it("refuses to boot a kernel that is not one, and the VM stays off", async () => {
    const junk = new Uint8Array(8192).map((_, i) => (i * 7919) & 0xff);
    const img = await call("POST", "/api/images?name=junk&kind=kernel", junk, { "content-type": "application/octet-stream" });
    expect(img.status).toBe(201);
    const vm = await call("POST", "/api/vms", { name: "junk-vm", memoryMiB: 32, boot: { kernel: img.json.id } });
    const r = await call("POST", `/api/vms/${vm.json.id}/power?action=start`);
    expect(r.status).toBe(422);
    expect(r.json.error.message).toMatch(/cannot start/);
    expect((await call("GET", `/api/vms/${vm.json.id}/power`)).json).toEqual({ powerState: "POWERED_OFF" });
  });
});
