// vMotion with a real Linux guest (the small kernel): a VM printing a counter migrates to a
// host in another region and the sequence carries on with no gap and no repeat, over HTTP
// and over a console WebSocket opened before the move; its disk moves with it; failures
// injected at every protocol step leave exactly one running copy; maintenance mode
// evacuates a host.
import { SELF, env } from "cloudflare:test";
import { describe, it, expect } from "vitest";
import { auth, call, smallKernel, waitTask, ConsoleReader } from "./api.js";

const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

async function migrate(vm: string, host: string, extra: Record<string, unknown> = {}) {
  const r = await call("POST", `/api/vms/${vm}/migrate`, { host, ...extra });
  expect(r.status, JSON.stringify(r.json)).toBe(202);
  return waitTask(r.json.task.id);
}

/** The numbers n=K printed, in order. */
const counter = (text: string) => [...text.matchAll(/n=(\d+)\r?\n/g)].map((m) => Number(m[1]));

/** Every VM object of this VM's incarnations that is running a machine. */
async function running(vm: string, incarnations: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i <= incarnations; i++) {
    const stub = env.VM.get(env.VM.idFromName(`${vm}#${i}`));
    const info = await stub.info();
    if (info.powerState === "POWERED_ON" && info.stats.running) out.push(i);
  }
  return out;
}

describe("live migration", () => {
  it("moves a running VM to another region: the counter, the disk and the console WebSocket carry on", async () => {
    const host = await call("POST", "/api/hosts", { name: "host-weur", region: "weur", memoryMiB: 1024 });
    expect(host.status, JSON.stringify(host.json)).toBe(201);
    const kernel = await smallKernel();
    const created = await call("POST", "/api/vms", { name: "mover", memoryMiB: 32, boot: { kernel }, disks: [{ sizeMiB: 8 }], powerOn: true });
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    const con = new ConsoleReader(id);
    await con.waitFor(/init done[\s\S]*# /);
    expect(await con.run("mke2fs -q /dev/vda && mount -t ext4 /dev/vda /mnt && echo moved-file-$((6*7)) > /mnt/f && sync")).not.toMatch(/rror/);

    // A viewer on the WebSocket from before the move.
    const res = await SELF.fetch(`http://edgevisor/api/vms/${id}/console?from=${con.text.length}`, { headers: { ...auth, upgrade: "websocket" } });
    expect(res.status).toBe(101);
    const ws = res.webSocket!;
    ws.accept();
    let seen = "";
    ws.addEventListener("message", (e) => { seen += typeof e.data === "string" ? e.data : new TextDecoder().decode(e.data as ArrayBuffer); });

    const N = 150;
    await call("POST", `/api/vms/${id}/console/input`, `i=0; while [ $i -lt ${N} ]; do echo "n=$i"; i=$((i+1)); sleep 0.02; done; echo loop-$((40+2))\n`, { "content-type": "text/plain" });
    await con.waitFor(/n=20\r?\n/);
    const t = await migrate(id, host.json.id);
    expect(t.state, JSON.stringify(t.error)).toBe("succeeded");
    expect(t.result).toMatchObject({ cold: false, powerState: "POWERED_ON", to: { host: host.json.id, incarnation: 1 } });
    expect(t.result.rounds).toBeGreaterThanOrEqual(2);
    expect(t.result.bytesSent).toBeGreaterThan(0);
    expect(t.result.downtimeMs).toBeGreaterThanOrEqual(0);
    expect(t.result.framesPerRound.length).toBe(t.result.rounds);
    // A viewer connecting right after the move (this isolate last saw the VM in its old
    // object, which now refuses) reaches the new object.
    const late = await SELF.fetch(`http://edgevisor/api/vms/${id}/console?from=0`, { headers: { ...auth, upgrade: "websocket" } });
    expect(late.status).toBe(101);
    const ws2 = late.webSocket!;
    ws2.accept();
    let seen2 = "";
    ws2.addEventListener("message", (e) => { seen2 += typeof e.data === "string" ? e.data : new TextDecoder().decode(e.data as ArrayBuffer); });

    await con.waitFor("loop-42", 120_000);
    const numbers = counter(con.text);
    expect(numbers).toEqual(Array.from({ length: N }, (_, i) => i));
    for (let i = 0; i < 100 && !seen.includes("loop-42"); i++) await sleep(50);
    expect(counter(seen)).toEqual(Array.from({ length: N }, (_, i) => i));
    for (let i = 0; i < 100 && !seen2.includes("loop-42"); i++) await sleep(50);
    expect(seen2).toContain("init done");
    expect(seen2).toContain("loop-42");
    ws2.close();

    const info = (await call("GET", `/api/vms/${id}`)).json;
    expect(info).toMatchObject({ host: host.json.id, powerState: "POWERED_ON" });
    // The memory reservation moved with it.
    expect((await call("GET", `/api/hosts/${host.json.id}`)).json).toMatchObject({ reservedMiB: 32, freeMiB: 1024 - 32, vms: 1 });
    expect(await con.run("cat /mnt/f")).toContain("moved-file-42");
    expect(await con.run("umount /mnt && blockdev --flushbufs /dev/vda && mount -t ext4 /dev/vda /mnt && cat /mnt/f")).toContain("moved-file-42");
    // Writes after the move land: the target holds the disk's lease.
    expect(await con.run("echo after > /mnt/g && sync && cat /mnt/g")).toContain("after");
    expect(await running(id, 1)).toEqual([1]);
    ws.close();
  });

  it("moves a running clone hot, a suspended VM and a powered-off one cold", async () => {
    const host = await call("POST", "/api/hosts", { name: "host-apac", region: "apac", memoryMiB: 1024 });
    const kernel = await smallKernel();
    const created = await call("POST", "/api/vms", { name: "sleeper", memoryMiB: 32, boot: { kernel }, host: "host-default", powerOn: true });
    const id = created.json.id as string;
    const con = new ConsoleReader(id);
    await con.waitFor(/init done[\s\S]*# /);
    await con.run("export S=suspended-$((5*5))");
    // A running clone (its RAM layered on the snapshot's frames) migrates hot.
    const snap = await call("POST", `/api/vms/${id}/snapshots`, { name: "base" });
    expect(snap.status).toBe(201);
    const clone = await call("POST", `/api/vms/${id}/clone`, { name: "sleeper-clone", snapshot: snap.json.id });
    expect(clone.status, JSON.stringify(clone.json)).toBe(201);
    const cc = new ConsoleReader(clone.json.id);
    await cc.poll();
    const moved = await migrate(clone.json.id, host.json.id);
    expect(moved.state, JSON.stringify(moved.error)).toBe("succeeded");
    expect(moved.result.cold).toBe(false);
    expect(await cc.run("echo clone-$S")).toContain("clone-suspended-25");
    expect((await call("POST", `/api/vms/${clone.json.id}/power?action=stop`)).status).toBe(200);
    expect((await call("DELETE", `/api/vms/${clone.json.id}`)).status).toBe(204);
    // Every snapshot-frame reference is given back (the fenced source's included).
    expect((await call("DELETE", `/api/vms/${id}/snapshots/${snap.json.id}`)).status).toBe(204);
    expect((await env.DB.prepare("SELECT COALESCE(SUM(refs), 0) AS n FROM frame_packs").first<{ n: number }>())!.n).toBe(0);

    expect((await call("POST", `/api/vms/${id}/power?action=suspend`)).json).toEqual({ powerState: "SUSPENDED" });
    const t = await migrate(id, host.json.id);
    expect(t.state, JSON.stringify(t.error)).toBe("succeeded");
    expect(t.result).toMatchObject({ cold: true, powerState: "SUSPENDED" });
    expect((await call("GET", `/api/vms/${id}`)).json).toMatchObject({ host: host.json.id, powerState: "SUSPENDED" });
    expect((await call("POST", `/api/vms/${id}/power?action=resume`)).json).toEqual({ powerState: "POWERED_ON" });
    expect(await con.run("echo $S")).toContain("suspended-25");

    expect((await call("POST", `/api/vms/${id}/power?action=stop`)).json).toEqual({ powerState: "POWERED_OFF" });
    const back = await migrate(id, "host-default");
    expect(back.state, JSON.stringify(back.error)).toBe("succeeded");
    expect(back.result).toMatchObject({ cold: true, powerState: "POWERED_OFF" });
    expect((await call("POST", `/api/vms/${id}/power?action=start`)).json).toEqual({ powerState: "POWERED_ON" });
    await con.waitFor(/init done[\s\S]*# /, 120_000, con.text.length);
    expect((await call("GET", `/api/vms/${id}`)).json.host).toBe("host-default");
  });

  it("leaves exactly one running copy whatever step fails, and evacuates a host in maintenance mode", async () => {
    const host = await call("POST", "/api/hosts", { name: "host-enam", region: "enam", memoryMiB: 1024 });
    const kernel = await smallKernel();
    const created = await call("POST", "/api/vms", { name: "faulty", memoryMiB: 32, boot: { kernel }, disks: [{ sizeMiB: 4 }], powerOn: true });
    const id = created.json.id as string;
    const con = new ConsoleReader(id);
    await con.waitFor(/init done[\s\S]*# /);
    await con.run("export K=kept-$((3*3))");
    let incarnation = 0;
    let where = "host-default";
    for (const failAt of ["prepare", "precopy", "stop", "handover", "finish", "switch"]) {
      const to = where === "host-default" ? host.json.id : "host-default";
      const t = await migrate(id, to, { failAt });
      if (failAt === "switch") {
        // After the switch the target is the VM even if fencing the source failed.
        expect(t.state).toBe("succeeded");
        incarnation++;
        where = to;
      } else {
        expect(t.state).toBe("failed");
        expect(t.error.message).toContain(`injected failure at ${failAt}`);
      }
      const vm = (await call("GET", `/api/vms/${id}`)).json;
      expect(vm.host).toBe(where);
      expect(await running(id, incarnation + 1)).toEqual([incarnation]);
      expect(await con.run("echo $K")).toContain("kept-9");
      // Whoever runs holds the disk: a synced write succeeds.
      expect(await con.run(`printf ${failAt} | dd of=/dev/vda oflag=direct conv=fsync 2>/dev/null; echo "rc=$?"`)).toContain("rc=0");
    }

    // Maintenance: every VM leaves the host; new placements avoid it.
    const m = await call("POST", `/api/hosts/${where}/maintenance?action=enter`);
    expect(m.status).toBe(202);
    const ev = await waitTask(m.json.task.id);
    expect(ev.state, JSON.stringify(ev.error)).toBe("succeeded");
    const after = (await call("GET", `/api/vms/${id}`)).json;
    expect(after.host).not.toBe(where);
    expect(await con.run("echo $K")).toContain("kept-9");
    expect((await call("POST", `/api/hosts/${where}/maintenance?action=exit`)).json).toMatchObject({ state: "connected" });

    // Bad requests change nothing.
    expect((await call("POST", `/api/vms/${id}/migrate`, { host: "host-nope" })).status).toBe(422);
    expect((await call("POST", `/api/vms/${id}/migrate`, { host: after.host })).status).toBe(409);
    expect((await call("POST", "/api/hosts", { name: "bad", region: "mars", memoryMiB: 1024 })).status).toBe(422);
  });
});
