// Memory snapshots and clones with a real Linux guest: a clone continues the same shell
// session (variables, files, console history) while the original runs on independently;
// revert; frames stored once; delete keeps what clones still use.
import { abortAllDurableObjects, env } from "cloudflare:test";
import { describe, it, expect } from "vitest";
import { call, smallKernel, ConsoleReader } from "./api.js";

async function bootVm(name: string) {
  const kernel = await smallKernel();
  const r = await call("POST", "/api/vms", { name, memoryMiB: 32, boot: { kernel }, powerOn: true });
  expect(r.status).toBe(201);
  const con = new ConsoleReader(r.json.id);
  await con.waitFor(/init done[\s\S]*# /);
  return { id: r.json.id as string, con };
}

describe("snapshots and clones", () => {
  it("a clone continues the snapshot's shell session while the original keeps running", async () => {
    const a = await bootVm("orig");
    await a.con.run("export SESSION=abc; echo one > /tmp/f; echo marker-$((7*6))");

    const s1 = await call("POST", `/api/vms/${a.id}/snapshots`, { name: "s1" });
    expect(s1.status).toBe(201);
    expect(s1.json).toMatchObject({ name: "s1", memory: true, powerState: "POWERED_ON" });
    expect(s1.json.frames).toBeGreaterThan(100);
    expect(s1.json.storedBytes).toBeGreaterThan(0);

    // A second snapshot of an unchanged guest stores almost nothing new.
    const s2 = await call("POST", `/api/vms/${a.id}/snapshots`, { name: "s2" });
    expect(s2.json.storedBytes).toBeLessThan(s1.json.storedBytes / 4);
    expect((await call("GET", `/api/vms/${a.id}/snapshots`)).json.map((s: any) => s.name)).toEqual(["s1", "s2"]);

    const b = await call("POST", `/api/vms/${a.id}/clone`, { name: "copy", snapshot: s1.json.id });
    expect(b.status).toBe(201);
    expect(b.json).toMatchObject({ name: "copy", powerState: "POWERED_ON", clonedFrom: s1.json.id });
    const bc = new ConsoleReader(b.json.id);
    await bc.poll();
    expect(bc.text).toContain("marker-42"); // the console history came along
    expect(await bc.run("echo $SESSION-$(cat /tmp/f)")).toContain("abc-one");

    // Independent from here on.
    await a.con.run("export SESSION=changed; echo two > /tmp/f");
    expect(await bc.run("echo $SESSION-$(cat /tmp/f)")).toContain("abc-one");
    await bc.run("echo three > /tmp/f");
    expect(await a.con.run("echo $SESSION-$(cat /tmp/f)")).toContain("changed-two");

    // Clones map the snapshot's frames from the isolate's memory instead of copying them:
    // a clone's own memory is a fraction of the original's, and a second clone adds as little.
    const c = await call("POST", `/api/vms/${a.id}/clone`, { name: "copy2", snapshot: s1.json.id });
    const cc = new ConsoleReader(c.json.id);
    expect(await cc.run("echo $SESSION-$(cat /tmp/f)")).toContain("abc-one");
    const stats = async (id: string) => (await call("GET", `/api/vms/${id}`)).json.stats;
    const [sa, sb, sc] = [await stats(a.id), await stats(b.json.id), await stats(c.json.id)];
    for (const s of [sb, sc]) {
      expect(s.sharedFrames).toBeGreaterThan(100);
      expect(s.hostMemoryBytes).toBeLessThan(sa.hostMemoryBytes / 3);
    }
    expect(sa.sharedFrames).toBe(0);
    expect(sb.hostMemoryBytes + sc.hostMemoryBytes + sb.sharedPackBytes + sb.sharedCodeBytes).toBeLessThan(2 * sa.hostMemoryBytes);
    expect(await bc.run("echo $SESSION-$(cat /tmp/f)")).toContain("abc-three");
    // A clone of a clone: the first clone's snapshot holds the frames it maps as well as the
    // ones it wrote, and the second generation continues from it.
    await cc.run("export GEN=two; echo gen > /tmp/g");
    const cs = await call("POST", `/api/vms/${c.json.id}/snapshots`, { name: "of-a-clone" });
    expect(cs.status).toBe(201);
    const g2 = await call("POST", `/api/vms/${c.json.id}/clone`, { name: "grandchild", snapshot: cs.json.id });
    expect(g2.status).toBe(201);
    const gc = new ConsoleReader(g2.json.id);
    expect(await gc.run("echo $SESSION-$GEN-$(cat /tmp/f /tmp/g | tr '\\n' -)")).toContain("abc-two-one-gen-");
    expect((await stats(g2.json.id)).sharedFrames).toBeGreaterThan(100);
    expect((await call("POST", `/api/vms/${g2.json.id}/power?action=stop`)).status).toBe(200);
    expect((await call("POST", `/api/vms/${c.json.id}/power?action=stop`)).status).toBe(200);

    // Revert the original to s1.
    expect((await call("POST", `/api/vms/${a.id}/snapshots/${s1.json.id}/revert`)).json).toEqual({ powerState: "POWERED_ON" });
    expect(await a.con.run("echo $SESSION-$(cat /tmp/f)")).toContain("abc-one");

    // Deleting the snapshots keeps the frames the clone still stands on, across eviction.
    expect((await call("DELETE", `/api/vms/${a.id}/snapshots/${s1.json.id}`)).status).toBe(204);
    expect((await call("DELETE", `/api/vms/${a.id}/snapshots/${s2.json.id}`)).status).toBe(204);
    await abortAllDurableObjects();
    expect(await bc.run("echo $SESSION-$(cat /tmp/f)")).toContain("abc-three");
    expect(await a.con.run("echo $SESSION")).toContain("abc");
    expect((await call("GET", `/api/vms/${a.id}/snapshots/${s1.json.id}`)).status).toBe(404);
  });

  it("clones a running VM's current state, and frees every frame when all holders are gone", async () => {
    const refs = async () => (await env.DB.prepare("SELECT COALESCE(SUM(refs), 0) AS n FROM frame_packs").first<{ n: number }>())!.n;
    const heldBefore = await refs();
    const a = await bootVm("orig2");
    await a.con.run("export K=v2");
    const clones: string[] = [];
    for (const name of ["c1", "c2"]) {
      const r = await call("POST", `/api/vms/${a.id}/clone`, { name });
      expect(r.status).toBe(201);
      clones.push(r.json.id);
    }
    for (const id of clones) expect(await new ConsoleReader(id).run("echo got-$K")).toContain("got-v2");
    const off = await call("POST", `/api/vms/${a.id}/clone`, { name: "c3", powerOn: false });
    expect(off.json.powerState).toBe("SUSPENDED");
    expect((await call("POST", `/api/vms/${off.json.id}/power?action=resume`)).json.powerState).toBe("POWERED_ON");
    expect(await new ConsoleReader(off.json.id).run("echo got-$K")).toContain("got-v2");
    clones.push(off.json.id);

    for (const id of [a.id, ...clones]) {
      await call("POST", `/api/vms/${id}/power?action=stop`);
      expect((await call("DELETE", `/api/vms/${id}`)).status).toBe(204);
    }
    expect(await refs()).toBe(heldBefore);
  });

  it("records a clone of a memory snapshot once, and a refused one not at all", async () => {
    const refs = async () => (await env.DB.prepare("SELECT COALESCE(SUM(refs), 0) AS n FROM frame_packs").first<{ n: number }>())!.n;
    const rows = async (name: string) => (await env.DB.prepare("SELECT COUNT(*) AS n FROM vms WHERE name = ?").bind(name).first<{ n: number }>())!.n;
    const before = await refs();
    const a = await bootVm("rec-src");
    const snap = await call("POST", `/api/vms/${a.id}/snapshots`, { name: "s" });
    expect(snap.status).toBe(201);
    const perHolder = (await refs()) - before;
    expect(perHolder).toBeGreaterThan(1); // the manifest and at least one pack

    const c = await call("POST", `/api/vms/${a.id}/clone`, { name: "rec-1", snapshot: snap.json.id });
    expect(c.status).toBe(201);
    expect(await refs()).toBe(before + 2 * perHolder);
    const got = await call("GET", `/api/vms/${c.json.id}`);
    expect(got.json).toMatchObject({ name: "rec-1", powerState: "POWERED_ON", clonedFrom: snap.json.id, memoryMiB: 32 });
    // Name taken: refused, and neither a row nor a reference is added.
    const taken = await call("POST", `/api/vms/${a.id}/clone`, { name: "rec-1", snapshot: snap.json.id });
    expect(taken.status).toBe(409);
    expect(await rows("rec-1")).toBe(1);
    expect(await refs()).toBe(before + 2 * perHolder);
    // powerOn: false keeps the running snapshot's clone suspended.
    const off = await call("POST", `/api/vms/${a.id}/clone`, { name: "rec-2", snapshot: snap.json.id, powerOn: false });
    expect(off.json.powerState).toBe("SUSPENDED");
    expect((await call("GET", `/api/vms/${off.json.id}`)).json.powerState).toBe("SUSPENDED");
    expect(await refs()).toBe(before + 3 * perHolder);

    for (const id of [c.json.id, off.json.id, a.id]) {
      await call("POST", `/api/vms/${id}/power?action=stop`);
      expect((await call("DELETE", `/api/vms/${id}`)).status).toBe(204);
    }
    await call("DELETE", `/api/vms/${a.id}/snapshots/${snap.json.id}`);
    expect(await refs()).toBe(before);
  });

  it("refuses bad snapshot and clone requests", async () => {
    const kernel = await smallKernel();
    const vm = await call("POST", "/api/vms", { name: "off-1", memoryMiB: 32, boot: { kernel } });
    expect((await call("POST", `/api/vms/${vm.json.id}/snapshots`, { nme: "x" })).status).toBe(422);
    expect((await call("POST", `/api/vms/${vm.json.id}/snapshots/snap-nope/revert`)).status).toBe(404);
    expect((await call("POST", `/api/vms/${vm.json.id}/clone`, { name: "off-1" })).status).toBe(409);
    expect((await call("POST", `/api/vms/${vm.json.id}/clone`, { name: "x", snapshot: "snap-nope" })).status).toBe(404);
    const s = await call("POST", `/api/vms/${vm.json.id}/snapshots`, { name: "cold" });
    expect(s.json).toMatchObject({ memory: false, powerState: "POWERED_OFF" });
    const c = await call("POST", `/api/vms/${vm.json.id}/clone`, { name: "cold-clone", powerOn: false });
    expect(c.json).toMatchObject({ powerState: "POWERED_OFF", clonedFrom: vm.json.id });
  });
});
