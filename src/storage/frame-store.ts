// Snapshot frames stored once by content. A frame's SHA-256 names it; new frames are written
// to KV in packs of up to 256 (1 MiB, itself named by its SHA-256 so it is immutable and
// verifiable), D1 maps each frame hash to its pack and slot, and packs carry reference counts
// (snapshots and the clones built on them). PackCache keeps packs in memory once per isolate,
// in the memory the isolate's machines run in (isolateArena), so every clone of one snapshot
// in an isolate maps the same frames read-only, and copies only those it writes.

import { sha256Hex } from "../encoding.js";
import { MemoryArena, UNIT } from "../machine/core/arena.js";

const PAGE = 4096;
const PACK_FRAMES = 256;
/** D1 allows 100 bound parameters per statement. */
const IN_BATCH = 90;

export interface FrameRef { pack: string; slot: number }

export class FrameStoreError extends Error {}


/**
 * Stores frames not already in the store; returns where each one lives and how many bytes
 * were newly written. `frames` maps a frame number to its 4 KiB content.
 */
export async function storeFrames(kv: KVNamespace, db: D1Database, frames: Map<number, Uint8Array>, now: number): Promise<{ refs: Map<number, FrameRef>; newBytes: number }> {
  const byHash = new Map<string, Uint8Array>();
  const hashOf = new Map<number, string>();
  await Promise.all([...frames].map(async ([pfn, bytes]) => {
    const h = await sha256Hex(bytes);
    hashOf.set(pfn, h);
    byHash.set(h, bytes);
  }));
  const known = new Map<string, FrameRef>();
  const hashes = [...byHash.keys()];
  for (let i = 0; i < hashes.length; i += IN_BATCH) {
    const part = hashes.slice(i, i + IN_BATCH);
    const rows = await db.prepare(`SELECT hash, pack, slot FROM frame_index WHERE hash IN (${part.map(() => "?").join(",")})`)
      .bind(...part).all<{ hash: string; pack: string; slot: number }>();
    for (const r of rows.results) known.set(r.hash, { pack: r.pack, slot: r.slot });
  }
  const missing = hashes.filter((h) => !known.has(h));
  let newBytes = 0;
  for (let i = 0; i < missing.length; i += PACK_FRAMES) {
    const part = missing.slice(i, i + PACK_FRAMES);
    const pack = new Uint8Array(part.length * PAGE);
    part.forEach((h, j) => pack.set(byHash.get(h)!, j * PAGE));
    const key = `pack/${await sha256Hex(pack)}`;
    await kv.put(key, pack);
    sharedPacks.put(key, pack);
    newBytes += pack.length;
    const stmts = [db.prepare("INSERT OR IGNORE INTO frame_packs (key, frames, refs, created_at) VALUES (?, ?, 0, ?)").bind(key, part.length, now)];
    for (let j = 0; j < part.length; j += 30) {
      const rows = part.slice(j, j + 30);
      stmts.push(db.prepare(`INSERT OR IGNORE INTO frame_index (hash, pack, slot) VALUES ${rows.map(() => "(?, ?, ?)").join(",")}`)
        .bind(...rows.flatMap((h, k) => [h, key, j + k])));
    }
    await db.batch(stmts);
    part.forEach((h, j) => known.set(h, { pack: key, slot: j }));
  }
  const refs = new Map<number, FrameRef>();
  for (const [pfn, h] of hashOf) refs.set(pfn, known.get(h)!);
  return { refs, newBytes };
}

/** Stores an immutable blob (a snapshot manifest) by content; its key joins the counted packs. */
export async function storeManifest(kv: KVNamespace, db: D1Database, json: string, now: number): Promise<string> {
  const bytes = new TextEncoder().encode(json);
  const key = `manifest/${await sha256Hex(bytes)}`;
  await kv.put(key, bytes);
  await db.prepare("INSERT OR IGNORE INTO frame_packs (key, frames, refs, created_at) VALUES (?, 0, 0, ?)").bind(key, now).run();
  return key;
}

/** Manifests are immutable (named by their hash): decoded ones are kept per isolate. */
const manifests = new Map<string, unknown>();

export async function loadManifest<T>(kv: KVNamespace, key: string): Promise<T> {
  const hit = manifests.get(key);
  if (hit !== undefined) return hit as T;
  const value = await fetchManifest<T>(kv, key);
  if (manifests.size >= 32) manifests.delete(manifests.keys().next().value!);
  manifests.set(key, value);
  return value;
}

async function fetchManifest<T>(kv: KVNamespace, key: string): Promise<T> {
  const bytes = await kv.get(key, "arrayBuffer");
  if (!bytes) throw new FrameStoreError(`snapshot manifest ${key} is missing`);
  if (`manifest/${await sha256Hex(new Uint8Array(bytes))}` !== key) throw new FrameStoreError(`snapshot manifest ${key} is corrupt`);
  return JSON.parse(new TextDecoder().decode(bytes)) as T;
}

/** One more holder for each key (a snapshot or a clone now depends on them). */
export async function retain(db: D1Database, keys: Iterable<string>): Promise<void> {
  const stmts = retainStatements(db, keys);
  if (stmts.length) await db.batch(stmts);
}

/** The statements of retain(), to run in the caller's own batch (one transaction). */
export function retainStatements(db: D1Database, keys: Iterable<string>): D1PreparedStatement[] {
  const all = [...new Set(keys)];
  const stmts: D1PreparedStatement[] = [];
  for (let i = 0; i < all.length; i += IN_BATCH) {
    const part = all.slice(i, i + IN_BATCH);
    stmts.push(db.prepare(`UPDATE frame_packs SET refs = refs + 1 WHERE key IN (${part.map(() => "?").join(",")})`).bind(...part));
  }
  return stmts;
}

/** One holder fewer; keys no one holds any more are deleted from KV and the index. */
export async function release(kv: KVNamespace, db: D1Database, keys: Iterable<string>): Promise<number> {
  const all = [...new Set(keys)];
  let freed = 0;
  for (let i = 0; i < all.length; i += IN_BATCH) {
    const part = all.slice(i, i + IN_BATCH);
    const marks = part.map(() => "?").join(",");
    await db.prepare(`UPDATE frame_packs SET refs = refs - 1 WHERE key IN (${marks})`).bind(...part).run();
    const dead = (await db.prepare(`SELECT key FROM frame_packs WHERE refs <= 0 AND key IN (${marks})`).bind(...part).all<{ key: string }>()).results.map((r) => r.key);
    if (!dead.length) continue;
    const dm = dead.map(() => "?").join(",");
    await db.batch([
      db.prepare(`DELETE FROM frame_index WHERE pack IN (${dm})`).bind(...dead),
      db.prepare(`DELETE FROM frame_packs WHERE key IN (${dm})`).bind(...dead),
    ]);
    await Promise.all(dead.map((k) => kv.delete(k)));
    freed += dead.length;
  }
  return freed;
}

interface CachedPack { offset: number; length: number; pins: number; used: number }

/** The arena memory a cached pack takes (its region is whole units). */
const heldBytes = (p: CachedPack): number => Math.ceil(p.length / UNIT) * UNIT;

/**
 * Packs in memory, shared by every VM object of the isolate: each pack is a shared region
 * of the arena the isolate's machines run in, so a machine can map its frames directly.
 * Pinned while a VM uses them (a machine mapping a pack's frames holds a pin).
 */
export class PackCache {
  private readonly packs = new Map<string, CachedPack>();
  private tick = 0;

  constructor(private readonly capBytes: number, readonly arena: MemoryArena) {}

  /** Fetches (and verifies) the packs not yet cached and pins all of them. */
  async pin(kv: KVNamespace, keys: readonly string[]): Promise<void> {
    const need = [...new Set(keys)].filter((k) => !this.packs.has(k));
    const got = await Promise.all(need.map(async (k) => {
      const b = await kv.get(k, "arrayBuffer");
      if (!b) throw new FrameStoreError(`snapshot frames ${k} are missing`);
      if (`pack/${await sha256Hex(new Uint8Array(b as ArrayBuffer))}` !== k) throw new FrameStoreError(`snapshot frames ${k} are corrupt`);
      return [k, new Uint8Array(b)] as const;
    }));
    for (const [k, bytes] of got) if (!this.packs.has(k)) this.add(k, bytes, 0);
    for (const k of new Set(keys)) this.packs.get(k)!.pins++;
    this.trim();
  }

  /** Adds a pack whose bytes are known to match its key (just written). */
  put(key: string, bytes: Uint8Array): void {
    if (!this.packs.has(key)) this.add(key, bytes, ++this.tick);
    this.trim();
  }

  private add(key: string, bytes: Uint8Array, used: number): void {
    const offset = this.arena.allocShared(bytes.length);
    if (offset === 0) throw new FrameStoreError(`no memory in this isolate for ${bytes.length} bytes of snapshot frames`);
    new Uint8Array(this.arena.memory.buffer, offset, bytes.length).set(bytes);
    this.packs.set(key, { offset, length: bytes.length, pins: 0, used });
  }

  unpin(keys: readonly string[]): void {
    for (const k of new Set(keys)) {
      const p = this.packs.get(k);
      if (p && p.pins > 0) p.pins--;
    }
    this.trim();
  }

  /** Where a frame lives in the arena (for a machine to map), or undefined if the pack is not cached. */
  frameOffset(pack: string, slot: number): number | undefined {
    const p = this.packs.get(pack);
    if (!p || slot < 0 || (slot + 1) * PAGE > p.length) return undefined;
    p.used = ++this.tick;
    return p.offset + slot * PAGE;
  }

  /** A frame's bytes (a view, valid until the arena grows; copy before keeping), or undefined if the pack is not cached. */
  frame(pack: string, slot: number): Uint8Array | undefined {
    const at = this.frameOffset(pack, slot);
    return at === undefined ? undefined : new Uint8Array(this.arena.memory.buffer, at, PAGE);
  }

  /** Memory the cached packs take (whole arena units). */
  get bytes(): number {
    let n = 0;
    for (const p of this.packs.values()) n += heldBytes(p);
    return n;
  }

  /** Drops unpinned packs, least recently used first, while over the cap. */
  private trim(): void {
    let total = this.bytes;
    if (total <= this.capBytes) return;
    const idle = [...this.packs].filter(([, p]) => p.pins === 0).sort((a, b) => a[1].used - b[1].used);
    for (const [k, p] of idle) {
      if (total <= this.capBytes) break;
      this.packs.delete(k);
      this.arena.freeShared(p.offset);
      total -= heldBytes(p);
    }
  }
}

/**
 * The memory this isolate's machines run in: every VM object's hart, and the snapshot
 * frames (with their decoded code) that clones in the isolate share.
 */
export const isolateArena = new MemoryArena();

/** The isolate's pack cache. */
export const sharedPacks = new PackCache(64 << 20, isolateArena);
