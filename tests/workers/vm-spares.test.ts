// Spare VM objects (src/routes/vm-spares.ts): after a memory snapshot the isolate starts VM
// objects ahead of need, a clone takes one of them, and a spare nobody takes erases its own
// storage by alarm; an object that holds a VM is never treated as a spare.
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, it, expect } from "vitest";
import { call, smallKernel, ConsoleReader } from "./api.js";
import { sparesReady } from "../../src/routes/vm-spares.js";

const tables = (state: DurableObjectState) =>
  state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\'").toArray().map((r) => r.name);

async function until(ok: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!ok()) throw new Error(`timed out waiting for ${what}`);
}

describe("spare VM objects", () => {
  it("an untaken spare keeps nothing once its alarm has run", async () => {
    const stub = env.VM.get(env.VM.idFromName("vm-spare-untaken#0"));
    expect(await stub.warm(60_000)).toBe(true);
    await runInDurableObject(stub, async (_obj, state) => {
      expect(await state.storage.getAlarm()).not.toBeNull();
      expect(tables(state)).toContain("frames");
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    await runInDurableObject(stub, async (_obj, state) => {
      expect(tables(state)).toEqual([]);
      expect(await state.storage.getAlarm()).toBeNull();
    });
  });

  it("a snapshot readies spares, a clone takes one, and an object holding a VM is no spare", async () => {
    const kernel = await smallKernel();
    const r = await call("POST", "/api/vms", { name: "spare-src", memoryMiB: 32, boot: { kernel }, powerOn: true });
    expect(r.status).toBe(201);
    const con = new ConsoleReader(r.json.id);
    await con.waitFor(/init done[\s\S]*# /);
    await con.run("export S=spare");
    const snap = await call("POST", `/api/vms/${r.json.id}/snapshots`, { name: "s" });
    expect(snap.status).toBe(201);
    await until(() => sparesReady() >= 3, "three spares");

    const c = await call("POST", `/api/vms/${r.json.id}/clone`, { name: "spare-clone", snapshot: snap.json.id });
    expect(c.status).toBe(201);
    expect(sparesReady()).toBe(2);
    expect(await new ConsoleReader(c.json.id).run("echo got-$S")).toContain("got-spare");
    // Refilled after the answer; the clone's object holds a VM now, so it is no spare, and
    // the alarm it runs on is the VM's own (it keeps running).
    await until(() => sparesReady() === 3, "the refill");
    const obj = env.VM.get(env.VM.idFromName(`${c.json.id}#0`));
    expect(await obj.warm(1)).toBe(false);
    // Its alarm, whenever it runs, is the VM's: the VM's storage stays.
    await runDurableObjectAlarm(obj);
    await runInDurableObject(obj, (_o, state) => { expect(tables(state)).toContain("frames"); });
    expect((await call("GET", `/api/vms/${c.json.id}`)).json.powerState).toBe("POWERED_ON");
    for (const id of [c.json.id, r.json.id]) {
      await call("POST", `/api/vms/${id}/power?action=stop`);
      expect((await call("DELETE", `/api/vms/${id}`)).status).toBe(204);
    }
  });
});
