// /api/vms: create, list, inspect and delete VMs, power actions, and the console (WebSocket,
// output by offset, input). The inventory row lives in D1; the live VM is its VmObject.
import { Hono } from "hono";
import { eq, asc } from "drizzle-orm";
import type { AppEnv } from "../app.js";
import type { Env } from "../env.js";
import { intSetting } from "../env.js";
import { openDb, schema } from "../storage/db/index.js";
import { jsonBody } from "../body.js";
import { createVmSchema, powerActionSchema, powerBodySchema } from "../schemas/vms.js";
import { ApiError, badRequest, conflict, tooLarge, unavailable, unprocessable } from "../errors.js";
import { hostStub, leastLoadedHost } from "./hosts.js";
import { newId } from "../ids.js";
import { release } from "../storage/frame-store.js";
import { emit } from "./events.js";
import { memoryKeys } from "./snapshots.js";
import type { VmConfig } from "../durable/vm-runtime.js";
import { callerHolds, visibleIds } from "../security/inventory-tree.js";
import { findVm, forgetVm, guessVm, vmJson, vmStub, unwrap, type VmRow } from "./vm-common.js";
import { attachment, deleteDisks, diskJson, provisionDisks, startZeroing, vmDisks } from "./disk-common.js";


const MAX_INPUT_BYTES = 64 * 1024;

/**
 * The console WebSocket as the client sees it: one socket for the VM's life. The Worker
 * holds it and relays to the VM's current object; when a migration fences that object, it
 * closes its side with 4001 "moved <offset>", and the relay reconnects to the new object
 * from that offset: nothing is lost or shown twice, and input typed meanwhile is held.
 * `guessing`: `row` is only where the VM was last seen; undefined when that object holds
 * no VM (the caller then asks D1).
 */
async function bridgeConsole(env: Env, row: Pick<VmRow, "id" | "incarnation">, url: string, guessing = false): Promise<Response | undefined> {
  let upstream: WebSocket | undefined;
  const held: (string | ArrayBuffer)[] = [];
  let server: WebSocket | undefined;
  const connect = async (vm: Pick<VmRow, "id" | "incarnation">, from?: number, guess = false): Promise<WebSocket | undefined> => {
    const u = new URL(url);
    if (from !== undefined) u.searchParams.set("from", String(from));
    const res = await vmStub(env, vm).fetch(new Request(u, { headers: { upgrade: "websocket" } }));
    const ws = res.webSocket;
    if (!ws) {
      if (guess && res.status === 404) return undefined;
      throw new ApiError(502, "console_unavailable", `the VM's console did not accept the connection (${res.status})`);
    }
    ws.accept();
    ws.addEventListener("message", (e) => { try { server?.send(e.data); } catch { /* client gone */ } });
    ws.addEventListener("close", (e) => {
      const moved = e.code === 4001 ? /^moved (\d+)$/.exec(e.reason) : null;
      if (!moved) { try { server?.close(e.code === 1005 || e.code === 1006 ? 1000 : e.code, e.reason); } catch { /* closed */ } return; }
      upstream = undefined;
      void findVm(env, vm.id).then((fresh) => connect(fresh, Number(moved[1]))).then((next) => {
        upstream = next;
        for (const m of held.splice(0)) next?.send(m);
      }).catch(() => { try { server?.close(1011, "the VM's console could not be reached after it moved"); } catch { /* closed */ } });
    });
    return ws;
  };
  const from = new URL(url).searchParams.get("from");
  upstream = await connect(row, from !== null && /^\d+$/.test(from) ? Number(from) : undefined, guessing);
  if (!upstream) return undefined;
  const pair = new WebSocketPair();
  const client = pair[0];
  server = pair[1];
  server.accept();
  server.addEventListener("message", (e) => {
    if (upstream) upstream.send(e.data);
    else held.push(e.data);
  });
  server.addEventListener("close", () => { try { upstream?.close(1000, "the viewer left"); } catch { /* closed */ } });
  return new Response(null, { status: 101, webSocket: client });
}

export const vmRoutes = new Hono<AppEnv>()
  .post("/", async (c) => {
    const body = await jsonBody(c, createVmSchema);
    const cap = intSetting(c.env.EDGEVISOR_MAX_VM_MEMORY_MIB, 512);
    if (body.memoryMiB > cap) throw unprocessable(`memoryMiB: ${body.memoryMiB} MiB is above this service's cap of ${cap} MiB`);
    if (body.secureBoot) throw unprocessable("secureBoot: Secure Boot is not available yet");
    if (body.encrypted) throw unprocessable("encrypted: VM encryption is not available yet");
    const db = openDb(c.env.DB);
    const image = async (id: string, field: string, kind: string) => {
      const [img] = await db.select().from(schema.images).where(eq(schema.images.id, id));
      if (!img) throw unprocessable(`${field}: image ${id} does not exist`);
      if (img.kind !== kind) throw unprocessable(`${field}: image ${id} is a ${img.kind} image, not a ${kind}`);
      return { image: img.id, sha256: img.sha256 };
    };
    const kernel = await image(body.boot.kernel, "boot.kernel", "kernel");
    const initrd = body.boot.initrd ? await image(body.boot.initrd, "boot.initrd", "initrd") : undefined;
    // Placement: the host asked for, or the connected host with the most free memory.
    // (Only hosts where the caller may create VMs are candidates.)
    const hostId = body.host ?? (await leastLoadedHost(c.env, body.memoryMiB, undefined, (h) => callerHolds(c, "VirtualMachine.Inventory.Create", h)));
    if (!hostId) throw unavailable(`no connected host has ${body.memoryMiB} MiB of memory free`);
    const [host] = await db.select().from(schema.hosts).where(eq(schema.hosts.id, hostId));
    if (!host) throw unprocessable(`host: host ${hostId} does not exist`);
    const [dup] = await db.select({ id: schema.vms.id }).from(schema.vms).where(eq(schema.vms.name, body.name));
    if (dup) throw conflict(`a VM named ${body.name} already exists (${dup.id})`);

    const now = Date.now();
    const vmId = newId("vm");
    const hostObj = hostStub(c.env, host.id);
    const reserved = await hostObj.reserve(vmId, body.memoryMiB, { id: host.id, region: host.region, memoryMiB: host.memoryMiB });
    if (!reserved.ok) throw unavailable(reserved.message);
    const row: VmRow = {
      id: vmId, name: body.name, hostId, memoryMiB: body.memoryMiB, vcpus: 1,
      boot: JSON.stringify({ kernel: kernel.image, ...(initrd ? { initrd: initrd.image } : {}), ...(body.boot.cmdline !== undefined ? { cmdline: body.boot.cmdline } : {}) }),
      powerState: "POWERED_OFF", incarnation: 0, settings: "{}", clonedFrom: null, createdAt: now, updatedAt: now,
    };
    const settings = {
      idleTimeoutMs: (body.idleTimeoutSeconds ?? intSetting(c.env.EDGEVISOR_IDLE_TIMEOUT_SECONDS, 30)) * 1000,
      maxResidentMiB: intSetting(c.env.EDGEVISOR_MAX_RESIDENT_MIB, 96),
    };
    row.settings = JSON.stringify(settings);
    // Disks are created in their datastores first (503 when one does not fit: nothing is kept).
    const disks = await provisionDisks(c.env, row.id, body.disks ?? [], 0).catch(async (e: unknown) => {
      await hostObj.release(vmId);
      throw e;
    });
    const config: VmConfig = {
      id: row.id, name: row.name, memoryMiB: row.memoryMiB, kernel,
      ...(initrd ? { initrd } : {}),
      ...(body.boot.cmdline !== undefined ? { cmdline: body.boot.cmdline } : {}),
      ...settings,
      ...(disks.length ? { disks: disks.map(attachment) } : {}),
    };
    const stub = vmStub(c.env, row);
    try {
      await stub.create(config);
      await db.batch([db.insert(schema.vms).values(row), ...disks.map((d) => db.insert(schema.disks).values(d))]);
    } catch (e) {
      await deleteDisks(c.env, disks);
      await hostObj.release(vmId);
      throw e;
    }
    const tasks = await startZeroing(c, disks);
    if (body.powerOn) {
      const r = await stub.power("start");
      if (r.ok) row.powerState = r.value.powerState;
    }
    emit(c, "vm.created", row.id, `VM ${row.name} created`);
    return c.json({ ...vmJson(row), disks: disks.map((d) => diskJson(d)), ...(tasks.length ? { tasks } : {}) }, 201);
  })
  .get("/", async (c) => {
    const [rows, seen] = await Promise.all([openDb(c.env.DB).select().from(schema.vms).orderBy(asc(schema.vms.createdAt)), visibleIds(c, "vm")]);
    return c.json(rows.filter((r) => seen.has(r.id)).map(vmJson));
  })
  .get("/:id", async (c) => {
    const row = await findVm(c.env, c.req.param("id"));
    const [live, disks] = await Promise.all([vmStub(c.env, row).info(), vmDisks(c.env, row.id)]);
    return c.json({ ...vmJson(row), powerState: live.powerState, disks: disks.map((d) => diskJson(d)), stats: live.stats });
  })
  .delete("/:id", async (c) => {
    const row = await findVm(c.env, c.req.param("id"));
    const stub = vmStub(c.env, row);
    const { powerState } = await stub.info();
    if (powerState !== "POWERED_OFF") throw conflict(`VM ${row.id} is ${powerState}; stop it before deleting it`);
    await stub.destroy();
    forgetVm(row.id);
    // Its disks and snapshots go with it (clones made from them keep their own references,
    // and the disk layers they are built on).
    const disks = await vmDisks(c.env, row.id);
    await deleteDisks(c.env, disks);
    const db = openDb(c.env.DB);
    const snaps = await db.select().from(schema.snapshots).where(eq(schema.snapshots.vmId, row.id));
    // One release per snapshot: each holds its own reference to packs they share.
    for (const s of snaps) await release(c.env.BLOBS, c.env.DB, memoryKeys(s));
    await db.batch([
      db.delete(schema.snapshots).where(eq(schema.snapshots.vmId, row.id)),
      db.delete(schema.vms).where(eq(schema.vms.id, row.id)),
      db.delete(schema.disks).where(eq(schema.disks.vmId, row.id)),
    ]);
    await hostStub(c.env, row.hostId).release(row.id);
    emit(c, "vm.deleted", row.id, `VM ${row.name} deleted`);
    return c.body(null, 204);
  })
  .post("/:id/power", async (c) => {
    const action = powerActionSchema.safeParse(c.req.query("action") ?? (await jsonBody(c, powerBodySchema)).action);
    if (!action.success) throw badRequest("action must be one of start, stop, reset, suspend, resume (?action=..., or a JSON body {\"action\": ...})");
    const row = await findVm(c.env, c.req.param("id"));
    const r = unwrap(await vmStub(c.env, row).power(action.data));
    await openDb(c.env.DB).update(schema.vms).set({ powerState: r.powerState, updatedAt: Date.now() }).where(eq(schema.vms.id, row.id));
    return c.json(r);
  })
  .get("/:id/power", async (c) => {
    const row = await findVm(c.env, c.req.param("id"));
    const { powerState } = await vmStub(c.env, row).info();
    return c.json({ powerState });
  })
  .get("/:id/console", async (c) => {
    const id = c.req.param("id");
    const websocket = c.req.header("upgrade")?.toLowerCase() === "websocket";
    // The object this isolate last saw the VM in, without asking D1; it refuses if it holds no VM.
    const guess = websocket ? guessVm(id) : undefined;
    const fast = guess ? await bridgeConsole(c.env, guess, c.req.url, true) : undefined;
    if (fast) return fast;
    const row = await findVm(c.env, id);
    if (!websocket) {
      throw new ApiError(426, "upgrade_required", "the console is a WebSocket: send Upgrade: websocket (or use /console/output and /console/input)");
    }
    return (await bridgeConsole(c.env, row, c.req.url))!;
  })
  .get("/:id/console/output", async (c) => {
    const from = c.req.query("from") ?? "0";
    if (!/^\d{1,16}$/.test(from) || !Number.isSafeInteger(Number(from))) throw badRequest("from must be a byte offset (a non-negative integer)");
    const row = await findVm(c.env, c.req.param("id"));
    return c.json(await vmStub(c.env, row).consoleOutput(Number(from)));
  })
  .post("/:id/console/input", async (c) => {
    const len = Number(c.req.header("content-length") ?? "0");
    if (len > MAX_INPUT_BYTES) throw tooLarge(`console input is limited to ${MAX_INPUT_BYTES} bytes per request`);
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    if (bytes.length > MAX_INPUT_BYTES) throw tooLarge(`console input is limited to ${MAX_INPUT_BYTES} bytes per request`);
    const row = await findVm(c.env, c.req.param("id"));
    return c.json(unwrap(await vmStub(c.env, row).consoleInput(bytes)));
  });
