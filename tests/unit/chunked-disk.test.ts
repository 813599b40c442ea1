// ChunkedDisk (src/storage/disk/chunked-disk.ts) against an in-memory datastore and journal:
// reads of unwritten chunks, partial writes, the journal standing in for evicted chunks,
// flushes answered only after their commit, fencing on a refused epoch, and failed fetches.
import { describe, it, expect } from "vitest";
import { ChunkedDisk, type DiskJournal, type DiskRemote } from "../../src/storage/disk/chunked-disk.js";
import type { ChunkSource, CommitEntry, DsOutcome } from "../../src/storage/datastore/types.js";

const CHUNK = 64 * 1024;

class MemJournal implements DiskJournal {
  rows = new Map<number, { seq: number; data: Uint8Array }>();
  list() { return [...this.rows].map(([index, r]) => ({ index, seq: r.seq })).sort((a, b) => a.index - b.index); }
  get(i: number) { const r = this.rows.get(i); return r ? { seq: r.seq, data: r.data.slice() } : undefined; }
  has(i: number) { return this.rows.has(i); }
  put(i: number, seq: number, data: Uint8Array) { this.rows.set(i, { seq, data: data.slice() }); }
  delete(i: number, seq: number) { if (this.rows.get(i)?.seq === seq) this.rows.delete(i); }
  clear() { this.rows.clear(); }
  bytes() { let n = 0; for (const r of this.rows.values()) n += r.data.length; return n; }
}

class MemRemote implements DiskRemote {
  objects = new Map<string, Uint8Array>();
  extents = new Map<number, { key: string; offset: number } | null>();
  refuse: string | undefined;
  fetches = 0;
  resolves = 0;
  private n = 0;
  async resolve(first: number, count: number): Promise<ChunkSource[]> {
    this.resolves++;
    return Array.from({ length: count }, (_, i) => {
      const k = this.extents.get(first + i);
      return k ? { kind: "r2", key: k.key, offset: k.offset } : { kind: "zero" };
    });
  }
  async fetch(_i: number, s: ChunkSource, count: number): Promise<Uint8Array[]> {
    this.fetches++;
    if (s.kind !== "r2") return Array.from({ length: count }, () => new Uint8Array(CHUNK));
    const o = this.objects.get(s.key);
    if (!o) throw new Error(`missing ${s.key}`);
    const at = s.offset ?? 0;
    return Array.from({ length: count }, (_, i) => o.slice(at + i * CHUNK, at + (i + 1) * CHUNK));
  }
  async put(chunks: Uint8Array[]): Promise<string> {
    const key = `k${this.n++}`;
    const all = new Uint8Array(chunks.length * CHUNK);
    chunks.forEach((c, i) => all.set(c, i * CHUNK));
    this.objects.set(key, all);
    return key;
  }
  async commit(entries: CommitEntry[]): Promise<DsOutcome<{ allocatedBytes: number }>> {
    if (this.refuse) return { ok: false, status: 409, code: this.refuse, message: "the epoch is stale" };
    for (const e of entries) this.extents.set(e.index, e.key ? { key: e.key, offset: e.offset ?? 0 } : null);
    return { ok: true, value: { allocatedBytes: this.extents.size * CHUNK } };
  }
  async drop(keys: string[]) { for (const k of keys) this.objects.delete(k); }
  /** The disk as the datastore has it. */
  committed(offset: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    for (let at = 0; at < len; at++) {
      const pos = offset + at;
      const k = this.extents.get(Math.floor(pos / CHUNK));
      out[at] = k ? this.objects.get(k.key)![k.offset + (pos % CHUNK)]! : 0;
    }
    return out;
  }
}

function setup(cacheBytes = 1 << 20) {
  const remote = new MemRemote();
  const journal = new MemJournal();
  const disk = new ChunkedDisk({ id: "d1", sizeBytes: 16 * CHUNK, chunkBytes: CHUNK, remote, journal, cacheBytes });
  return { remote, journal, disk };
}

const read = (d: ChunkedDisk, off: number, len: number) => new Promise<Uint8Array | undefined>((res) => d.read(off, len, res));
const write = (d: ChunkedDisk, off: number, data: Uint8Array) => new Promise<boolean>((res) => d.write(off, data, res));
const bytes = (s: string) => new TextEncoder().encode(s);

describe("ChunkedDisk", () => {
  it("reads zeros where nothing was written, and what was written across chunk edges", async () => {
    const { disk } = setup();
    expect(await read(disk, 0, 1024)).toEqual(new Uint8Array(1024));
    const data = bytes("across-the-edge");
    expect(await write(disk, CHUNK - 6, data)).toBe(true);
    expect(await read(disk, CHUNK - 6, data.length)).toEqual(data);
  });

  it("answers a flush only after its writes are committed, from the journal written at checkpoint", async () => {
    const { disk, remote, journal } = setup();
    await write(disk, 100, bytes("hello"));
    let flushed: boolean | undefined;
    disk.flush((ok) => { flushed = ok; });
    expect(disk.wantsCheckpoint).toBe(true);
    disk.journalDirty(); // the VM's checkpoint
    expect(journal.rows.size).toBe(1);
    expect(flushed).toBeUndefined();
    expect(disk.wantsCommit).toBe(true);
    await disk.commit();
    expect(flushed).toBe(true);
    expect(journal.rows.size).toBe(0);
    expect(new TextDecoder().decode(remote.committed(100, 5))).toBe("hello");
  });

  it("locates the chunks of a sequential read and its read-ahead with one datastore lookup per window", async () => {
    const remote = new MemRemote();
    const disk = new ChunkedDisk({ id: "d1", sizeBytes: 256 * CHUNK, chunkBytes: CHUNK, remote, journal: new MemJournal(), cacheBytes: 64 << 20 });
    for (let at = 0; at < 64 * CHUNK; at += 1 << 20) expect(await read(disk, at, 1 << 20)).toEqual(new Uint8Array(1 << 20));
    // 4 MiB read 1 MiB at a time with 2 MiB of read-ahead: chunks 0..95, two 64-chunk windows.
    expect(remote.resolves).toBe(2);
  });

  it("asks the machine to yield once after starting remote loads, not after a cached read", async () => {
    const { disk } = setup();
    const pending = read(disk, 0, 4096);
    expect(disk.takeYieldHint()).toBe(true);
    expect(disk.takeYieldHint()).toBe(false);
    await pending;
    await read(disk, 0, 4096);
    expect(disk.takeYieldHint()).toBe(false);
  });

  it("serves evicted chunks from the journal before their commit", async () => {
    const { disk, remote } = setup(2 * CHUNK);
    for (let i = 0; i < 6; i++) await write(disk, i * CHUNK, new Uint8Array(CHUNK).fill(i + 1));
    disk.journalDirty();
    for (let i = 0; i < 6; i++) expect((await read(disk, i * CHUNK + 7, 1))![0]).toBe(i + 1);
    expect(remote.fetches).toBe(0);
    await disk.commitAll();
    const fresh = new ChunkedDisk({ id: "d1", sizeBytes: 16 * CHUNK, chunkBytes: CHUNK, remote, journal: new MemJournal() });
    expect((await read(fresh, 5 * CHUNK, 1))![0]).toBe(6);
  });

  it("fences the disk when the datastore refuses its epoch: the flush and later writes fail, nothing lands", async () => {
    const { disk, remote } = setup();
    await write(disk, 0, bytes("old"));
    await disk.commitAll();
    remote.refuse = "stale_epoch";
    await write(disk, 0, bytes("new"));
    let flushed: boolean | undefined;
    disk.flush((ok) => { flushed = ok; });
    disk.journalDirty();
    await disk.commit();
    expect(flushed).toBe(false);
    expect(disk.fenced).toMatch(/stale/);
    expect(await write(disk, 0, bytes("x"))).toBe(false);
    expect(new TextDecoder().decode(remote.committed(0, 3))).toBe("old");
    expect(new TextDecoder().decode((await read(disk, 0, 3))!)).toBe("old");
    expect([...remote.objects.keys()]).toHaveLength(1); // the refused version was deleted again
  });

  it("packs a commit's chunks into one object and reads a sequential run back with one request", async () => {
    const { disk, remote } = setup();
    await write(disk, 0, new Uint8Array(4 * CHUNK).fill(5));
    await disk.commitAll();
    expect(remote.objects.size).toBe(1);
    const fresh = new ChunkedDisk({ id: "d1", sizeBytes: 16 * CHUNK, chunkBytes: CHUNK, remote, journal: new MemJournal() });
    remote.fetches = 0;
    await read(fresh, 0, CHUNK);
    expect((await read(fresh, CHUNK, 3 * CHUNK))!.every((b) => b === 5)).toBe(true);
    expect(remote.fetches).toBeLessThanOrEqual(2);
  });

  it("fails a read whose chunk is missing without failing the disk", async () => {
    const { disk, remote } = setup();
    await write(disk, 0, new Uint8Array(2 * CHUNK).fill(9));
    await disk.commitAll();
    const fresh = new ChunkedDisk({ id: "d1", sizeBytes: 16 * CHUNK, chunkBytes: CHUNK, remote, journal: new MemJournal() });
    // Both chunks went into one object: losing it fails both reads, and only those.
    expect(remote.extents.get(0)!.key).toBe(remote.extents.get(1)!.key);
    remote.objects.delete(remote.extents.get(0)!.key);
    expect(await read(fresh, 0, 512)).toBeUndefined();
    expect(fresh.lastError).toMatch(/missing/);
    expect(await read(fresh, CHUNK, 512)).toBeUndefined();
    expect((await read(fresh, 2 * CHUNK, 512))![0]).toBe(0);
  });
});
