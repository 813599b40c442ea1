// Virtual disks with a real Linux guest (the small kernel): thin disks on R2 whose writes
// survive eviction and power cycles once synced, used space that follows what is written,
// eager-zeroed thick disks, capacity errors, lease fencing (a revoked holder's writes fail in
// the guest and change nothing), linked clones isolated from each other and their base,
// disks from images, and missing or corrupt chunks as guest I/O errors.
import { abortAllDurableObjects, env } from "cloudflare:test";
import { describe, it, expect } from "vitest";
import { call, smallKernel, waitTask, ConsoleReader } from "./api.js";

const MIB = 1 << 20;
const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

async function createVm(name: string, disks: unknown[], extra: Record<string, unknown> = {}) {
  const kernel = await smallKernel();
  const r = await call("POST", "/api/vms", { name, memoryMiB: 32, boot: { kernel }, disks, ...extra });
  expect(r.status, JSON.stringify(r.json)).toBe(201);
  return r.json as { id: string; disks: { id: string; device: string }[]; tasks?: string[] };
}

async function start(id: string, con = new ConsoleReader(id)) {
  const p = await call("POST", `/api/vms/${id}/power?action=start`);
  expect(p.json, JSON.stringify(p.json)).toEqual({ powerState: "POWERED_ON" });
  await con.waitFor(/init done[^\n]*\n[\s\S]*# /, 120_000, con.text.length);
  return con;
}

async function disk(id: string) {
  const r = await call("GET", `/api/disks/${id}`);
  expect(r.status).toBe(200);
  return r.json;
}

/** Runs a command and returns the exit status it printed. */
async function status(con: ConsoleReader, cmd: string): Promise<number> {
  const out = await con.run(`${cmd}; echo "rc=$?"`);
  const m = /rc=(\d+)/.exec(out);
  if (!m) throw new Error(`no status in ${JSON.stringify(out)}`);
  return Number(m[1]);
}

/** The first bytes of a block device, read from the disk itself (O_DIRECT: no page cache). */
const head = (dev: string, n: number) => `dd if=${dev} bs=4096 count=1 iflag=direct 2>/dev/null | head -c ${n}; echo`;

describe("virtual disks", () => {
  it("keeps synced files across eviction and power cycles; used space follows writes", async () => {
    const ds0 = (await call("GET", "/api/datastores/ds-default")).json;
    const vm = await createVm("disk-1", [{ sizeMiB: 32 }, { sizeMiB: 10240 }]);
    const [vda, vdb] = vm.disks;
    expect(vda!.device).toBe("/dev/vda");
    expect((await disk(vdb!.id)).allocatedBytes).toBe(0);
    const con = await start(vm.id);

    const rc0 = await status(con, "mke2fs -q /dev/vda && mount -t ext4 /dev/vda /mnt && echo payload-$((6*7)) > /mnt/f && sync");
    expect(rc0, con.text.slice(-3000)).toBe(0);
    // 8 MiB into a 10 GiB thin disk: used grows by about 8 MiB, not 10 GiB.
    expect(await status(con, "dd if=/dev/zero of=/dev/vdb bs=1M count=8 conv=fsync 2>/dev/null")).toBe(0);
    const b = await disk(vdb!.id);
    expect(b.allocatedBytes).toBeGreaterThanOrEqual(8 * MIB);
    expect(b.allocatedBytes).toBeLessThanOrEqual(9 * MIB);
    const ds1 = (await call("GET", "/api/datastores/ds-default")).json;
    expect(ds1.used - ds0.used).toBeGreaterThanOrEqual(8 * MIB);
    expect(ds1.provisioned - ds0.provisioned).toBe((32 + 10240) * MIB);

    // Lose the object: the guest resumes from its checkpoint and reads the file from the disk.
    await sleep(500);
    await abortAllDurableObjects();
    // Remounted with the block device's buffers dropped, so the file comes from the disk.
    expect(await con.run("umount /mnt && blockdev --flushbufs /dev/vda && mount -t ext4 /dev/vda /mnt && cat /mnt/f")).toContain("payload-42");

    // A power cycle: a new boot mounts the disk and finds the file.
    expect((await call("POST", `/api/vms/${vm.id}/power?action=stop`)).json).toEqual({ powerState: "POWERED_OFF" });
    await start(vm.id, con);
    expect(await con.run("grep -q /mnt /proc/mounts || mount -t ext4 /dev/vda /mnt; cat /mnt/f")).toContain("payload-42");
    const info = (await call("GET", `/api/vms/${vm.id}`)).json;
    expect(info.disks.map((d: any) => d.id)).toEqual([vda!.id, vdb!.id]);
    expect(info.stats.disks[0].commits).toBeGreaterThanOrEqual(0);

    expect((await call("POST", `/api/vms/${vm.id}/power?action=stop`)).status).toBe(200);
    expect((await call("DELETE", `/api/vms/${vm.id}`)).status).toBe(204);
    expect((await call("GET", `/api/disks/${vdb!.id}`)).status).toBe(404);
    const ds2 = (await call("GET", "/api/datastores/ds-default")).json;
    expect(ds2.provisioned).toBe(ds0.provisioned);
  });

  it("fences a holder whose lease was revoked: its writes fail in the guest and change nothing", async () => {
    const vm = await createVm("disk-fence", [{ sizeMiB: 8 }]);
    const con = await start(vm.id);
    expect(await status(con, "printf KEEP | dd of=/dev/vda conv=fsync 2>/dev/null")).toBe(0);
    const before = await disk(vm.disks[0]!.id);
    expect(before.lease).toMatchObject({ mode: "write" });

    const rv = await call("POST", `/api/disks/${vm.disks[0]!.id}/lease?action=revoke`);
    expect(rv.status).toBe(200);
    expect(rv.json.epoch).toBeGreaterThan(before.epoch);
    expect(await status(con, "printf LOST | dd of=/dev/vda conv=fsync")).not.toBe(0);
    expect(con.text).toMatch(/I\/O error|error/i);
    // The guest is still alive; the disk still holds what was committed under the old epoch.
    expect(await con.run("echo alive-$((1+1))")).toContain("alive-2");
    expect((await disk(vm.disks[0]!.id)).allocatedBytes).toBe(before.allocatedBytes);
    expect((await call("POST", `/api/vms/${vm.id}/power?action=stop`)).status).toBe(200);
    await start(vm.id, con);
    expect(await con.run(head("/dev/vda", 4))).toContain("KEEP");
    await call("POST", `/api/vms/${vm.id}/power?action=stop`);
  });

  it("allocates eager-zeroed thick disks fully, and answers capacity errors clearly", async () => {
    const vm = await createVm("disk-eager", [{ sizeMiB: 4, provisioning: "eagerZeroedThick", chunkKiB: 64 }]);
    expect(vm.tasks).toHaveLength(1);
    const t = await waitTask(vm.tasks![0]!);
    expect(t.state).toBe("succeeded");
    const d = await disk(vm.disks[0]!.id);
    expect(d).toMatchObject({ state: "ready", allocatedBytes: 4 * MIB, usedBytes: 4 * MIB, provisioning: "eagerZeroedThick" });
    const listed = await env.DISKS.list({ prefix: `chunks/ds-default/${vm.disks[0]!.id}/` });
    expect(listed.objects).toHaveLength(64);
    expect((await call("POST", `/api/disks/${vm.disks[0]!.id}/zero`)).status).toBe(409);

    const small = await call("POST", "/api/datastores", { name: "tiny", capacityMiB: 16 });
    expect(small.status).toBe(201);
    const kernel = await smallKernel();
    const big = await call("POST", "/api/vms", { name: "too-big", memoryMiB: 32, boot: { kernel }, disks: [{ sizeMiB: 32, provisioning: "lazyZeroedThick", datastore: small.json.id }] });
    expect(big.status).toBe(503);
    expect(big.json.error.message).toMatch(/free/);
    expect(big.json.error.message).toMatch(/request/);
    expect((await call("GET", "/api/vms")).json.some((v: any) => v.name === "too-big")).toBe(false);
    const badDs = await call("POST", "/api/vms", { name: "bad-ds", memoryMiB: 32, boot: { kernel }, disks: [{ sizeMiB: 4, datastore: "ds-nope" }] });
    expect(badDs.status).toBe(422);
    expect(badDs.json.error.message).toBe("disks.0.datastore: datastore ds-nope does not exist");
    const badChunk = await call("POST", "/api/vms", { name: "bad-chunk", memoryMiB: 32, boot: { kernel }, disks: [{ sizeMiB: 4 }, { sizeMiB: 4, chunkKiB: 3 }] });
    expect(badChunk.status).toBe(422);
    expect(badChunk.json.error.message).toBe("disks.1.chunkKiB: must be a power of two from 64 to 1024");

    // Thin disks may over-provision; writing past the capacity fails in the guest.
    const thin = await createVm("disk-thin-over", [{ sizeMiB: 64, datastore: small.json.id }]);
    const ds = (await call("GET", `/api/datastores/${small.json.id}`)).json;
    expect(ds).toMatchObject({ capacity: 16 * MIB, provisioned: 64 * MIB });
    expect(ds.overProvisioning).toBe(4);
    const con = await start(thin.id);
    // O_DIRECT: the data goes to the disk, not into the guest's page cache (RAM is capped in tests).
    expect(await status(con, "dd if=/dev/zero of=/dev/vda bs=1M count=24 oflag=direct conv=fsync 2>/dev/null")).not.toBe(0);
    expect(await con.run("echo alive")).toContain("alive");
    expect((await call("GET", `/api/datastores/${small.json.id}`)).json.used).toBeLessThanOrEqual(16 * MIB);
    await call("POST", `/api/vms/${thin.id}/power?action=stop`);
    // Adding one disk: the messages name the body's own fields.
    const addChunk = await call("POST", `/api/vms/${thin.id}/disks`, { sizeMiB: 4, chunkKiB: 3 });
    expect(addChunk.status).toBe(422);
    expect(addChunk.json.error.message).toBe("chunkKiB: must be a power of two from 64 to 1024");
    const addDs = await call("POST", `/api/vms/${thin.id}/disks`, { sizeMiB: 4, datastore: "ds-nope" });
    expect(addDs.status).toBe(422);
    expect(addDs.json.error.message).toBe("datastore: datastore ds-nope does not exist");
  });

  it("isolates linked clones from each other and from their base snapshot", async () => {
    const vm = await createVm("disk-base", [{ sizeMiB: 8 }]);
    const con = await start(vm.id);
    expect(await status(con, "printf ORIG | dd of=/dev/vda conv=fsync 2>/dev/null")).toBe(0);
    const snap = await call("POST", `/api/vms/${vm.id}/snapshots`, { name: "s1" });
    expect(snap.status).toBe(201);
    expect(snap.json.disks).toEqual([vm.disks[0]!.id]);

    const c1 = await call("POST", `/api/vms/${vm.id}/clone`, { name: "disk-clone-1", snapshot: snap.json.id, linked: true });
    const c2 = await call("POST", `/api/vms/${vm.id}/clone`, { name: "disk-clone-2", snapshot: snap.json.id, linked: true });
    expect(c1.status, JSON.stringify(c1.json)).toBe(201);
    expect(c2.status).toBe(201);
    const con1 = new ConsoleReader(c1.json.id);
    const con2 = new ConsoleReader(c2.json.id);
    await con1.poll();
    await con2.poll();
    expect(await status(con1, "printf CLN1 | dd of=/dev/vda conv=fsync 2>/dev/null")).toBe(0);
    expect(await status(con2, "printf CLN2 | dd of=/dev/vda conv=fsync 2>/dev/null")).toBe(0);
    expect(await status(con, "printf NEW0 | dd of=/dev/vda conv=fsync 2>/dev/null")).toBe(0);
    expect(await con1.run(head("/dev/vda", 4))).toContain("CLN1");
    expect(await con2.run(head("/dev/vda", 4))).toContain("CLN2");
    expect(await con.run(head("/dev/vda", 4))).toContain("NEW0");

    // The base snapshot's layer is untouched: reverting brings ORIG back.
    expect((await call("POST", `/api/vms/${vm.id}/snapshots/${snap.json.id}/revert`)).status).toBe(200);
    expect(await con.run(head("/dev/vda", 4))).toContain("ORIG");
    // Deleting the snapshot and the base VM leaves the clones' disks readable.
    expect((await call("DELETE", `/api/vms/${vm.id}/snapshots/${snap.json.id}`)).status).toBe(204);
    await call("POST", `/api/vms/${vm.id}/power?action=stop`);
    expect((await call("DELETE", `/api/vms/${vm.id}`)).status).toBe(204);
    await abortAllDurableObjects();
    expect(await con1.run(head("/dev/vda", 4))).toContain("CLN1");
    for (const c of [c1, c2]) await call("POST", `/api/vms/${c.json.id}/power?action=stop`);
  });

  it("reads through to a disk image, and turns missing or corrupt chunks into guest I/O errors", async () => {
    const img = new Uint8Array(MIB + 4096);
    img.set(new TextEncoder().encode("IMGDATA"), 0);
    img.set(new TextEncoder().encode("TAIL"), MIB);
    const up = await call("POST", "/api/images?name=disk-img&kind=disk", img, { "content-type": "application/octet-stream" });
    expect(up.status).toBe(201);
    const vm = await createVm("disk-img-vm", [{ sizeMiB: 4, image: up.json.id }, { sizeMiB: 4, chunkKiB: 64 }]);
    const con = await start(vm.id);
    expect(await con.run(head("/dev/vda", 7))).toContain("IMGDATA");
    expect(await con.run(`dd if=/dev/vda bs=4096 count=1 skip=${MIB / 4096} iflag=direct 2>/dev/null | head -c 4; echo`)).toContain("TAIL");
    expect(await status(con, "printf OVER | dd of=/dev/vda conv=fsync 2>/dev/null")).toBe(0);
    expect(await con.run(head("/dev/vda", 7))).toContain("OVERATA");

    // Two chunks of vdb written and committed one at a time (two objects), then one object
    // lost and the other corrupted in R2.
    expect(await status(con, "dd if=/dev/zero of=/dev/vdb bs=64k count=1 oflag=direct conv=fsync 2>/dev/null")).toBe(0);
    expect(await status(con, "dd if=/dev/zero of=/dev/vdb bs=64k count=1 seek=1 oflag=direct conv=fsync 2>/dev/null")).toBe(0);
    expect((await call("POST", `/api/vms/${vm.id}/power?action=stop`)).status).toBe(200);
    const objs = (await env.DISKS.list({ prefix: `chunks/ds-default/${vm.disks[1]!.id}/` })).objects.map((o) => o.key).sort();
    expect(objs).toHaveLength(2);
    await env.DISKS.delete(objs[0]!);
    await env.DISKS.put(objs[1]!, new Uint8Array(64 * 1024).fill(7), { customMetadata: { sha256: "0".repeat(64) } });
    await start(vm.id, con);
    expect(await status(con, "dd if=/dev/vdb of=/dev/null bs=64k count=1 iflag=direct")).not.toBe(0);
    expect(await status(con, "dd if=/dev/vdb of=/dev/null bs=64k count=1 skip=1 iflag=direct")).not.toBe(0);
    expect(await con.run("echo still-$((2*3))")).toContain("still-6");
    expect((await call("GET", `/api/vms/${vm.id}/power`)).json.powerState).toBe("POWERED_ON");
    await call("POST", `/api/vms/${vm.id}/power?action=stop`);
  });
});
