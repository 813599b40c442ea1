// The DatastoreObject over RPC, inside workerd with a real R2 bucket: space accounting for
// thin / lazy / eager disks, chunk commits and the objects they free, lease fencing, chunk
// resolution through layers and images, snapshots, linked clones, consolidation, disk
// deletion, garbage collection, and state that survives the object being evicted.
import { abortAllDurableObjects, env, runInDurableObject } from "cloudflare:test";
import { describe, it, expect } from "vitest";
import { DatastoreStore } from "../../src/storage/datastore/store.js";
import { sha256Hex } from "../../src/encoding.js";
import { chunkKeyPrefix, type ChunkSource, type DsOutcome } from "../../src/storage/datastore/types.js";

const KiB = 1024;
const MiB = 1024 * KiB;
const CB = 64 * KiB;
const SHA = "ab".repeat(32);
const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

let counter = 0;

/** A fresh datastore (its own object) of `capacity` bytes. */
async function datastore(capacity = 64 * MiB) {
  const id = `ds-test-${++counter}`;
  const stub = env.DATASTORE.get(env.DATASTORE.idFromName(id));
  await stub.init(id, `test ${counter}`, capacity);
  return { id, stub };
}

type Stub = Awaited<ReturnType<typeof datastore>>["stub"];

function value<T>(outcome: unknown): T {
  const o = outcome as DsOutcome<T>;
  if (!o.ok) throw new Error(`expected ok, got ${o.status} ${o.code}: ${o.message}`);
  return o.value;
}

function failure(outcome: unknown): { status: number; code: string; message: string } {
  const o = outcome as DsOutcome<unknown>;
  if (o.ok) throw new Error("expected a failure");
  return o;
}

/** Writes a chunk object the way a block backend does (before committing it). */
async function putChunk(ds: string, disk: string, index: number, fill: number): Promise<string> {
  const key = `${chunkKeyPrefix(ds, disk)}${index}-${crypto.randomUUID()}`;
  await env.DISKS.put(key, new Uint8Array(CB).fill(fill));
  return key;
}

async function exists(key: string): Promise<boolean> {
  return (await env.DISKS.head(key)) !== null;
}

/** Commits delete replaced objects after answering: wait for that before looking in R2. */
async function settled(stub: Stub): Promise<void> {
  await stub.settle();
}

async function resolveAll(stub: Stub, disk: string, count: number): Promise<ChunkSource[]> {
  return value<ChunkSource[]>(await stub.resolve(disk, 0, count));
}

async function thinDisk(stub: Stub, id: string, sizeBytes = 1 * MiB) {
  return value<{ head: string }>(await stub.createDisk({ id, sizeBytes, chunkBytes: CB, provisioning: "thin" }));
}

/** Takes the write lease, commits `writes` (index → fill byte) and answers the keys. */
async function write(ds: { id: string; stub: Stub }, disk: string, writes: Record<number, number | null>, holder = "vm-a") {
  const lease = value<{ epoch: number }>(await ds.stub.acquireLease(disk, holder, "write"));
  const entries = await Promise.all(Object.entries(writes).map(async ([i, fill]) =>
    ({ index: Number(i), key: fill === null ? null : await putChunk(ds.id, disk, Number(i), fill) })));
  value(await ds.stub.commit(disk, holder, lease.epoch, entries));
  value(await ds.stub.releaseLease(disk, holder, lease.epoch));
  return Object.fromEntries(entries.map((e) => [e.index, e.key])) as Record<number, string | null>;
}

/** The layer graph's bookkeeping matches its rows: refs, cached allocation, no dead layers. */
async function expectConsistent(stub: Stub): Promise<void> {
  const rows = await runInDurableObject(stub, (_obj, state) => state.storage.sql.exec<{ id: string; refs: number; actual: number; alloc: number; n: number }>(
    `SELECT l.id, l.refs, l.alloc,
       (SELECT COUNT(*) FROM layers c WHERE c.parent = l.id) + (SELECT COUNT(*) FROM disk_snapshots s WHERE s.layer = l.id)
         + (SELECT COUNT(*) FROM disks d WHERE d.head = l.id) AS actual,
       (SELECT COUNT(key) FROM extents e WHERE e.layer = l.id) AS n
     FROM layers l`).toArray());
  for (const r of rows) {
    expect(r.refs, r.id).toBe(r.actual);
    expect(r.refs, r.id).toBeGreaterThan(0);
    expect(r.alloc, r.id).toBe(r.n);
  }
}

describe("datastore space", () => {
  it("counts thin, lazy-zeroed and eager-zeroed thick disks", async () => {
    const ds = await datastore(8 * MiB);
    await thinDisk(ds.stub, "thin", 4 * MiB);
    expect(await ds.stub.stats()).toMatchObject({ capacity: 8 * MiB, provisioned: 4 * MiB, used: 0, free: 8 * MiB, disks: 1 });
    value(await ds.stub.createDisk({ id: "lazy", sizeBytes: 2 * MiB, chunkBytes: CB, provisioning: "lazyZeroedThick" }));
    expect(await ds.stub.stats()).toMatchObject({ provisioned: 6 * MiB, used: 2 * MiB, free: 6 * MiB });

    const eager = value<any>(await ds.stub.createDisk({ id: "eager", sizeBytes: 1 * MiB, chunkBytes: CB, provisioning: "eagerZeroedThick" }));
    expect(eager).toMatchObject({ state: "zeroing", zeroedChunks: 0, chunkCount: 16, usedBytes: 1 * MiB });
    let info = eager;
    for (let i = 0; i < 10 && info.state === "zeroing"; i++) info = value<any>(await ds.stub.zeroChunks("eager", 5));
    expect(info).toMatchObject({ state: "ready", zeroedChunks: 16, allocatedBytes: 1 * MiB, usedBytes: 1 * MiB });
    const listed = await env.DISKS.list({ prefix: chunkKeyPrefix(ds.id, "eager") });
    expect(listed.objects.length).toBe(16);
    expect(listed.objects.every((o) => o.size === CB)).toBe(true);
    // Zero objects carry their SHA-256 like every chunk object (readers verify it).
    const one = await env.DISKS.head(listed.objects[0]!.key);
    expect(one?.customMetadata?.sha256).toBe(await sha256Hex(new Uint8Array(CB)));
    const sources = await resolveAll(ds.stub, "eager", 16);
    expect(sources.every((s) => s.kind === "r2")).toBe(true);
    expect(await ds.stub.stats()).toMatchObject({ provisioned: 7 * MiB, used: 3 * MiB, free: 5 * MiB, overProvisioning: 7 / 8 });

    // Growing an eager-zeroed disk zeroes the new chunks too.
    info = value<any>(await ds.stub.extendDisk("eager", 1.5 * MiB));
    expect(info).toMatchObject({ state: "zeroing", zeroedChunks: 16, chunkCount: 24 });
    while (info.state === "zeroing") info = value<any>(await ds.stub.zeroChunks("eager", 64));
    expect((await env.DISKS.list({ prefix: chunkKeyPrefix(ds.id, "eager") })).objects.length).toBe(24);
    expect((await ds.stub.stats()).used).toBe(3.5 * MiB);
  });

  it("refuses disks the datastore cannot hold, saying how much is free and asked for", async () => {
    const ds = await datastore(8 * MiB);
    value(await ds.stub.createDisk({ id: "big", sizeBytes: 6.5 * MiB, chunkBytes: CB, provisioning: "lazyZeroedThick" }));
    const r = failure(await ds.stub.createDisk({ id: "more", sizeBytes: 2 * MiB, chunkBytes: CB, provisioning: "eagerZeroedThick" }));
    expect(r).toMatchObject({ status: 503, code: "no_space" });
    expect(r.message).toContain("1.5 MiB free, 2.0 MiB requested");
    expect(r.message).toContain(`${1.5 * MiB} bytes free`);
    // Thin disks are over-provisioned freely, until nothing is free at all.
    await thinDisk(ds.stub, "thin", 32 * MiB);
    expect((await ds.stub.stats()).overProvisioning).toBeCloseTo(38.5 / 8);
    expect(failure(await ds.stub.setCapacity(4 * MiB))).toMatchObject({ status: 422 });
    value(await ds.stub.setCapacity(6.5 * MiB));
    expect(failure(await ds.stub.createDisk({ id: "thin2", sizeBytes: MiB, chunkBytes: CB, provisioning: "thin" }))).toMatchObject({ status: 503, code: "no_space" });
    // Growing a thick disk reserves the difference.
    expect(failure(await ds.stub.extendDisk("big", 7 * MiB))).toMatchObject({ status: 503 });
    expect(failure(await ds.stub.extendDisk("big", 6 * MiB))).toMatchObject({ status: 422 });
    value(await ds.stub.setCapacity(8 * MiB));
    expect(value<any>(await ds.stub.extendDisk("big", 7 * MiB))).toMatchObject({ sizeBytes: 7 * MiB, usedBytes: 7 * MiB });
  });

  it("validates sizes, ids and unknown disks", async () => {
    const ds = await datastore();
    const bad = [
      { id: "a", sizeBytes: 1000, chunkBytes: CB, provisioning: "thin" },
      { id: "a", sizeBytes: MiB, chunkBytes: 96 * KiB, provisioning: "thin" },
      { id: "a", sizeBytes: MiB, chunkBytes: 8 * MiB, provisioning: "thin" },
      { id: "a/b", sizeBytes: MiB, chunkBytes: CB, provisioning: "thin" },
      { id: "a", sizeBytes: MiB, chunkBytes: CB, provisioning: "thick" },
      { id: "a", sizeBytes: MiB, chunkBytes: CB, provisioning: "thin", image: { sha256: SHA, size: 2 * MiB } },
    ];
    for (const req of bad) expect(failure(await ds.stub.createDisk(req as any)).status).toBe(422);
    await thinDisk(ds.stub, "a");
    expect(failure(await ds.stub.createDisk({ id: "a", sizeBytes: MiB, chunkBytes: CB, provisioning: "thin" }))).toMatchObject({ status: 409, code: "exists" });
    const missing = failure(await ds.stub.getDisk("nope"));
    expect(missing).toMatchObject({ status: 404, code: "not_found" });
    expect(missing.message).toContain("nope");
    expect(failure(await ds.stub.resolve("a", 10, 7)).status).toBe(422);
    expect((await ds.stub.listDisks()).map((d) => d.id)).toEqual(["a"]);
  });
});

describe("chunk commits", () => {
  it("a thin disk grows by what is written and an overwrite frees the old object", async () => {
    const ds = await datastore(MiB);
    await thinDisk(ds.stub, "d", 4 * MiB);
    const lease = value<{ epoch: number }>(await ds.stub.acquireLease("d", "vm-a", "write"));
    expect(lease.epoch).toBe(1);
    const keys = await Promise.all([0, 1, 2].map((i) => putChunk(ds.id, "d", i, i + 1)));
    expect(value(await ds.stub.commit("d", "vm-a", 1, keys.map((key, index) => ({ index, key }))))).toEqual({ allocatedBytes: 3 * CB });
    expect(await ds.stub.stats()).toMatchObject({ used: 3 * CB, free: MiB - 3 * CB });

    const k0 = await putChunk(ds.id, "d", 0, 9);
    value(await ds.stub.commit("d", "vm-a", 1, [{ index: 0, key: k0 }, { index: 1, key: null }]));
    await settled(ds.stub);
    expect(await exists(keys[0]!)).toBe(false);
    expect(await exists(keys[1]!)).toBe(false);
    expect(await exists(k0)).toBe(true);
    expect(await resolveAll(ds.stub, "d", 4)).toEqual([{ kind: "r2", key: k0 }, { kind: "zero" }, { kind: "r2", key: keys[2] }, { kind: "zero" }]);
    expect((await ds.stub.stats()).used).toBe(2 * CB);

    // A bad index changes nothing; so does a batch the datastore has no room for.
    expect(failure(await ds.stub.commit("d", "vm-a", 1, [{ index: 3, key: k0 }, { index: 64, key: k0 }])).status).toBe(422);
    value(await ds.stub.setCapacity(3 * CB));
    const more = await Promise.all([3, 4].map((i) => putChunk(ds.id, "d", i, 7)));
    const full = failure(await ds.stub.commit("d", "vm-a", 1, more.map((key, i) => ({ index: 3 + i, key }))));
    expect(full).toMatchObject({ status: 503, code: "no_space" });
    expect(full.message).toBe(`datastore ${ds.id} has ${CB} bytes free; ${2 * CB} more are needed`);
    expect(await resolveAll(ds.stub, "d", 5)).toEqual([{ kind: "r2", key: k0 }, { kind: "zero" }, { kind: "r2", key: keys[2] }, { kind: "zero" }, { kind: "zero" }]);
  });
});

describe("leases", () => {
  it("fences a revoked writer off and hands out a new epoch each time", async () => {
    const ds = await datastore();
    await thinDisk(ds.stub, "d");
    const key = await putChunk(ds.id, "d", 0, 1);
    expect(value<any>(await ds.stub.acquireLease("d", "vm-a", "write"))).toMatchObject({ holder: "vm-a", mode: "write", epoch: 1 });
    const held = failure(await ds.stub.acquireLease("d", "vm-b", "write"));
    expect(held).toMatchObject({ status: 409, code: "lease_held" });
    expect(held.message).toContain("vm-a");
    expect(value(await ds.stub.revokeLease("d"))).toEqual({ epoch: 2 });

    expect(failure(await ds.stub.commit("d", "vm-a", 1, [{ index: 0, key }]))).toMatchObject({ status: 409, code: "stale_epoch" });
    expect(failure(await ds.stub.renewLease("d", "vm-a", 1))).toMatchObject({ status: 409, code: "lease_lost" });
    expect(await resolveAll(ds.stub, "d", 1)).toEqual([{ kind: "zero" }]);

    expect(value<any>(await ds.stub.acquireLease("d", "vm-b", "write")).epoch).toBe(3);
    value(await ds.stub.commit("d", "vm-b", 3, [{ index: 0, key }]));
    expect(value<any>(await ds.stub.getDisk("d"))).toMatchObject({ epoch: 3, lease: { holder: "vm-b", epoch: 3 } });
    // The same holder taking it again still gets a new epoch; the old one is dead.
    expect(value<any>(await ds.stub.acquireLease("d", "vm-b", "write")).epoch).toBe(4);
    expect(failure(await ds.stub.commit("d", "vm-b", 3, [])).code).toBe("stale_epoch");
  });

  it("an expired lease can be taken by another, or renewed if no one took it", async () => {
    const ds = await datastore();
    await thinDisk(ds.stub, "d");
    const a = value<any>(await ds.stub.acquireLease("d", "vm-a", "write", 1));
    await sleep(10);
    const renewed = value<any>(await ds.stub.renewLease("d", "vm-a", a.epoch, 60_000));
    expect(renewed.epoch).toBe(a.epoch);
    expect(renewed.expiresAt).toBeGreaterThan(Date.now() + 50_000);

    value(await ds.stub.renewLease("d", "vm-a", a.epoch, 1));
    await sleep(10);
    const b = value<any>(await ds.stub.acquireLease("d", "vm-b", "write"));
    expect(b.epoch).toBe(a.epoch + 1);
    expect(failure(await ds.stub.renewLease("d", "vm-a", a.epoch)).code).toBe("lease_lost");
    expect(failure(await ds.stub.commit("d", "vm-a", a.epoch, [])).code).toBe("stale_epoch");
  });

  it("read leases keep writers out and are kept out by a writer", async () => {
    const ds = await datastore();
    await thinDisk(ds.stub, "d");
    const r1 = value<any>(await ds.stub.acquireLease("d", "reader-1", "read"));
    value(await ds.stub.acquireLease("d", "reader-2", "read"));
    expect(failure(await ds.stub.acquireLease("d", "vm-w", "write")).message).toContain("reader-1");
    // A reader's own read lease does not block it; the other reader does.
    expect(failure(await ds.stub.acquireLease("d", "reader-1", "write")).message).toContain("reader-2");
    value(await ds.stub.releaseLease("d", "reader-2", r1.epoch));
    const w = value<any>(await ds.stub.acquireLease("d", "reader-1", "write"));
    expect(failure(await ds.stub.acquireLease("d", "reader-3", "read"))).toMatchObject({ status: 409, code: "lease_held" });
    expect(value<any>(await ds.stub.getDisk("d"))).toMatchObject({ lease: { holder: "reader-1", epoch: w.epoch }, readers: [{ holder: "reader-1", mode: "read" }] });
    value(await ds.stub.releaseLease("d", "reader-1", w.epoch));
    value(await ds.stub.acquireLease("d", "reader-3", "read"));
  });
});

describe("layers", () => {
  it("resolves through the head, frozen layers and the image; a snapshot keeps its view", async () => {
    const ds = await datastore();
    value(await ds.stub.createDisk({ id: "d", sizeBytes: MiB, chunkBytes: CB, provisioning: "thin", image: { sha256: SHA, size: 200 * KiB } }));
    const before = await write(ds, "d", { 1: 1, 2: 2 });
    const view1 = await resolveAll(ds.stub, "d", 6);
    expect(view1).toEqual([
      { kind: "image", sha256: SHA, offset: 0 }, { kind: "r2", key: before[1] }, { kind: "r2", key: before[2] },
      { kind: "image", sha256: SHA, offset: 3 * CB }, { kind: "zero" }, { kind: "zero" }]);

    const snap = value<any>(await ds.stub.snapshotDisk("d", "s1"));
    expect(failure(await ds.stub.snapshotDisk("d", "s1")).status).toBe(409);
    const after = await write(ds, "d", { 1: null, 2: 3, 3: null, 4: 4 });
    expect(await resolveAll(ds.stub, "d", 6)).toEqual([
      { kind: "image", sha256: SHA, offset: 0 }, { kind: "zero" }, { kind: "r2", key: after[2] },
      { kind: "zero" }, { kind: "r2", key: after[4] }, { kind: "zero" }]);
    // Objects of the frozen layer stay.
    expect(await exists(before[2]!)).toBe(true);
    const info = value<any>(await ds.stub.getDisk("d"));
    expect(info.chain).toEqual([snap.layer]);
    expect(info.allocatedBytes).toBe(2 * CB);

    // The snapshot's layer still reads as before, through a clone and after a revert.
    value(await ds.stub.createDisk({ id: "view", sizeBytes: MiB, chunkBytes: CB, provisioning: "thin", parentLayer: snap.layer }));
    expect(await resolveAll(ds.stub, "view", 6)).toEqual(view1);
    const lease = value<any>(await ds.stub.acquireLease("d", "vm-a", "write"));
    expect(failure(await ds.stub.revertDisk("d", "s1"))).toMatchObject({ status: 409, code: "lease_held" });
    value(await ds.stub.revertDisk("d", "s1", "vm-a"));
    expect(await resolveAll(ds.stub, "d", 6)).toEqual(view1);
    value(await ds.stub.commit("d", "vm-a", lease.epoch, [])); // the holder keeps writing, to the new head
    await expectConsistent(ds.stub);
    expect(await exists(after[2]!)).toBe(false);
    expect(await exists(after[4]!)).toBe(false);
  });

  it("linked clones are isolated from each other and from their base", async () => {
    const ds = await datastore();
    await thinDisk(ds.stub, "base");
    const base = await write(ds, "base", { 0: 1, 1: 2 });
    const snap = value<any>(await ds.stub.snapshotDisk("base", "gold"));
    const clone = (id: string, extra: object = {}) => ds.stub.createDisk({ id, sizeBytes: MiB, chunkBytes: CB, provisioning: "thin", parentLayer: snap.layer, ...extra });
    value(await clone("c1"));
    value(await clone("c2", { sizeBytes: 2 * MiB }));
    expect(failure(await clone("c3", { sizeBytes: MiB / 2 })).status).toBe(422);
    expect(failure(await clone("c3", { chunkBytes: 2 * CB })).status).toBe(422);
    expect(failure(await clone("c3", { parentLayer: "layer-nope" })).status).toBe(404);
    const head = value<any>(await ds.stub.getDisk("base")).head;
    expect(failure(await clone("c3", { parentLayer: head })).status).toBe(422);

    const c1 = await write(ds, "c1", { 0: 11 });
    const c2 = await write(ds, "c2", { 1: 22 });
    const b = await write(ds, "base", { 0: 33 });
    expect(await resolveAll(ds.stub, "c1", 2)).toEqual([{ kind: "r2", key: c1[0] }, { kind: "r2", key: base[1] }]);
    expect(await resolveAll(ds.stub, "c2", 2)).toEqual([{ kind: "r2", key: base[0] }, { kind: "r2", key: c2[1] }]);
    expect(await resolveAll(ds.stub, "base", 2)).toEqual([{ kind: "r2", key: b[0] }, { kind: "r2", key: base[1] }]);
    expect(value<any>(await ds.stub.getDisk("c1")).chain).toEqual([snap.layer]);
    // Frozen bytes count once: 2 in the snapshot, 1 in each head.
    expect((await ds.stub.stats()).used).toBe(5 * CB);
    await expectConsistent(ds.stub);
  });

  it("deleting a snapshot merges its layer into the child: same contents, overridden objects freed", async () => {
    const ds = await datastore();
    await thinDisk(ds.stub, "d");
    const old = await write(ds, "d", { 0: 1, 1: 2, 2: 3 });
    value(await ds.stub.snapshotDisk("d", "s1"));
    const neu = await write(ds, "d", { 1: 4, 2: null });
    const view = await resolveAll(ds.stub, "d", 4);
    expect((await ds.stub.stats()).used).toBe(4 * CB);

    expect(value(await ds.stub.deleteSnapshot("d", "s1"))).toEqual({ freedBytes: 2 * CB });
    expect(await resolveAll(ds.stub, "d", 4)).toEqual(view);
    expect(view[1]).toEqual({ kind: "r2", key: neu[1] });
    expect(await exists(old[0]!)).toBe(true);
    expect(await exists(old[1]!)).toBe(false);
    expect(await exists(old[2]!)).toBe(false);
    expect(value<any>(await ds.stub.getDisk("d"))).toMatchObject({ chain: [], snapshots: [], allocatedBytes: 2 * CB });
    expect(failure(await ds.stub.deleteSnapshot("d", "s1")).status).toBe(404);
    await expectConsistent(ds.stub);
  });

  it("an older snapshot merges into the newer; one nothing stands on is deleted with its objects", async () => {
    const ds = await datastore();
    await thinDisk(ds.stub, "d");
    const one = await write(ds, "d", { 0: 1, 1: 1 });
    value(await ds.stub.snapshotDisk("d", "s1"));
    const two = await write(ds, "d", { 1: 2, 2: 2 });
    const s2 = value<any>(await ds.stub.snapshotDisk("d", "s2"));
    const atS2 = await resolveAll(ds.stub, "d", 4);
    await write(ds, "d", { 3: 3 });

    // s1's layer merges into s2's: s2 still reads the same, s1's overridden chunk 1 is freed.
    expect(value(await ds.stub.deleteSnapshot("d", "s1"))).toEqual({ freedBytes: CB });
    expect(await exists(one[1]!)).toBe(false);
    expect(value<any>(await ds.stub.getDisk("d")).chain).toEqual([s2.layer]);
    value(await ds.stub.revertDisk("d", "s2"));
    expect(await resolveAll(ds.stub, "d", 4)).toEqual(atS2);

    // A snapshot taken, then reverted away from: nothing but its pin holds its layer.
    const three = await write(ds, "d", { 3: 3 });
    value(await ds.stub.snapshotDisk("d", "s4"));
    value(await ds.stub.revertDisk("d", "s2"));
    expect(value(await ds.stub.deleteSnapshot("d", "s4"))).toEqual({ freedBytes: CB });
    expect(await exists(three[3]!)).toBe(false);
    expect(await resolveAll(ds.stub, "d", 4)).toEqual(atS2);
    expect(await exists(one[0]!)).toBe(true);
    expect(await exists(two[2]!)).toBe(true);
    expect(value<any>(await ds.stub.getDisk("d")).snapshots.map((x: any) => x.id)).toEqual(["s2"]);
    await expectConsistent(ds.stub);
  });

  it("deleting a disk keeps what a linked clone stands on, and the clone frees the rest", async () => {
    const ds = await datastore();
    await thinDisk(ds.stub, "base");
    const base = await write(ds, "base", { 0: 1, 1: 2 });
    const snap = value<any>(await ds.stub.snapshotDisk("base", "gold"));
    const later = await write(ds, "base", { 0: 5 });
    value(await ds.stub.createDisk({ id: "clone", sizeBytes: MiB, chunkBytes: CB, provisioning: "thin", parentLayer: snap.layer }));
    const mine = await write(ds, "clone", { 1: 9 });

    const lease = value<any>(await ds.stub.acquireLease("base", "vm-a", "write"));
    expect(failure(await ds.stub.deleteDisk("base"))).toMatchObject({ status: 409, code: "lease_held" });
    expect(value(await ds.stub.deleteDisk("base", true))).toEqual({ freedBytes: CB });
    expect(await exists(later[0]!)).toBe(false);
    expect(failure(await ds.stub.commit("base", "vm-a", lease.epoch, [])).status).toBe(404);
    expect(await resolveAll(ds.stub, "clone", 2)).toEqual([{ kind: "r2", key: base[0] }, { kind: "r2", key: mine[1] }]);
    expect(await exists(base[0]!)).toBe(true);
    await expectConsistent(ds.stub);

    expect(value(await ds.stub.deleteDisk("clone"))).toEqual({ freedBytes: 3 * CB });
    expect((await env.DISKS.list({ prefix: `chunks/${ds.id}/` })).objects).toEqual([]);
    expect(await ds.stub.stats()).toMatchObject({ used: 0, provisioned: 0, disks: 0 });
    await expectConsistent(ds.stub);
  });
});

describe("garbage collection and eviction", () => {
  it("gc deletes orphans older than the grace and keeps referenced objects", async () => {
    const ds = await datastore();
    await thinDisk(ds.stub, "d");
    const kept = await write(ds, "d", { 0: 1 });
    const orphan = await putChunk(ds.id, "d", 5, 5);
    expect(await ds.stub.gc()).toEqual({ deleted: 0, kept: 2 });
    expect(await exists(orphan)).toBe(true);
    // Eleven minutes later (the store's clock is injected).
    const later = await runInDurableObject(ds.stub, (_obj, state) =>
      new DatastoreStore(state.storage, env.DISKS, () => Date.now() + 11 * 60_000).gc());
    expect(later).toEqual({ deleted: 1, kept: 1 });
    expect(await exists(orphan)).toBe(false);
    expect(await exists(kept[0]!)).toBe(true);
  });

  it("everything survives the object being evicted", async () => {
    const ds = await datastore();
    await thinDisk(ds.stub, "d");
    const keys = await write(ds, "d", { 0: 1, 3: 2 });
    value(await ds.stub.snapshotDisk("d", "s1"));
    const lease = value<any>(await ds.stub.acquireLease("d", "vm-a", "write"));
    const disk = value<any>(await ds.stub.getDisk("d"));
    const stats = await ds.stub.stats();

    await abortAllDurableObjects();
    const again = env.DATASTORE.get(env.DATASTORE.idFromName(ds.id));
    expect(await again.stats()).toEqual(stats);
    expect(value<any>(await again.getDisk("d"))).toEqual(disk);
    expect(await resolveAll(again, "d", 4)).toEqual([{ kind: "r2", key: keys[0] }, { kind: "zero" }, { kind: "zero" }, { kind: "r2", key: keys[3] }]);
    const key = await putChunk(ds.id, "d", 1, 3);
    expect(value(await again.commit("d", "vm-a", lease.epoch, [{ index: 1, key }]))).toEqual({ allocatedBytes: CB });
  });
});
