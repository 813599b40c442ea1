// A virtual disk as the VM sees it (a BlockBackend for virtio-blk): fixed-size chunks held in
// a bounded write-back cache, a journal of chunks written since their last commit (kept in
// the VM object's SQLite as part of each checkpoint, so a checkpoint's RAM and its disk
// always agree), and commits that put chunk versions into R2 and point the datastore's
// extent map at them under the VM's lease epoch. A guest flush completes only after every
// write completed before it is committed. A refused epoch fences the disk: from then on
// writes and flushes fail (the guest sees I/O errors) and reads come from the datastore.
//
// Requests inside the cache complete synchronously (inside the guest's MMIO write); others
// complete when their chunks arrive, between run slices.

import type { BlockBackend } from "../../machine/ports.js";
import type { ChunkSource, CommitEntry, DsOutcome } from "../datastore/types.js";

/** The world outside the VM object: the datastore and the chunk objects. */
export interface DiskRemote {
  /** Where chunks [first, first + count) are. Throws when the datastore cannot say. */
  resolve(first: number, count: number): Promise<ChunkSource[]>;
  /**
   * The bytes of `count` consecutive chunks from one source, verified: for `r2`, chunks
   * stored one after the other from the source's offset; otherwise count is 1. Throws when
   * missing or corrupt.
   */
  fetch(index: number, source: ChunkSource, count: number): Promise<Uint8Array[]>;
  /** Stores chunk versions packed into one object (chunk i at offset i × chunkBytes); returns its key. */
  put(chunks: Uint8Array[]): Promise<string>;
  /** Points the chunks at the stored versions under the lease. */
  commit(entries: CommitEntry[]): Promise<DsOutcome<{ allocatedBytes: number }>>;
  /** Deletes versions that were stored but not committed. */
  drop(keys: string[]): Promise<void>;
}

/** Chunks written since their last commit, in the VM object's SQLite (synchronous). */
export interface DiskJournal {
  /** Journaled chunks with their version numbers. */
  list(): { index: number; seq: number }[];
  /** A journaled chunk; an empty array means "reads as zero" (discarded). */
  get(index: number): { seq: number; data: Uint8Array } | undefined;
  has(index: number): boolean;
  put(index: number, seq: number, data: Uint8Array): void;
  /** Removes the row only if it still holds version seq. */
  delete(index: number, seq: number): void;
  clear(): void;
  bytes(): number;
}

export interface ChunkedDiskOptions {
  id: string;
  sizeBytes: number;
  chunkBytes: number;
  readOnly?: boolean;
  remote: DiskRemote;
  journal: DiskJournal;
  /** Clean chunks kept in memory (bytes). */
  cacheBytes?: number;
  /** Chunks read ahead of a sequential reader (default: 2 MiB worth). */
  readAhead?: number;
  /** Called when a request finishes asynchronously (the embedding wakes the guest). */
  onComplete?: () => void;
}

interface Entry {
  data: Uint8Array;
  /** Version: bumped by every write. */
  seq: number;
  /** Changed since it was last journaled. */
  dirty: boolean;
  /** The whole chunk was discarded and reads as zero (commits as a zero extent). */
  zero: boolean;
}

const EMPTY = new Uint8Array(0);
const PUT_CONCURRENCY = 8;
/** Chunks packed into one object by a commit: up to 1 MiB (or one chunk) and 16 chunks. */
const PACK_BYTES = 1 << 20;
const PACK_MAX_CHUNKS = 16;
/** Bytes read ahead of a sequential reader (at least 2 chunks). */
const READ_AHEAD_BYTES = 2 << 20;
/** Chunks located per datastore call. */
const RESOLVE_WINDOW = 64;
/** Journaled bytes sent per datastore commit. */
const COMMIT_BATCH_BYTES = 4 << 20;
/** Dirty (not yet journaled) bytes above which the embedding should checkpoint soon. */
const DIRTY_SOFT_BYTES = 2 << 20;
/** Journaled bytes above which a commit starts without waiting for a guest flush (so puts overlap the guest's work). */
const WRITEBACK_BYTES = 2 << 20;

export class DiskFencedError extends Error {
  override name = "DiskFencedError";
}

export class ChunkedDisk implements BlockBackend {
  readonly id: string;
  readonly sizeBytes: number;
  readonly readOnly: boolean;
  readonly chunkBytes: number;
  readonly chunkCount: number;
  private readonly remote: DiskRemote;
  private readonly journal: DiskJournal;
  private readonly cacheBytes: number;
  private readonly readAhead: number;
  private readonly onComplete: () => void;
  /** LRU: the first key is the least recently used. */
  private readonly cache = new Map<number, Entry>();
  private cachedBytes = 0;
  private dirtyBytes = 0;
  private readonly loading = new Map<number, Promise<Entry>>();
  private readonly sources = new Map<number, ChunkSource>();
  private resolving = new Map<number, Promise<void>>();
  private seq = 0;
  private lastReadEnd = -1;
  /** Loads were started since the machine last asked (takeYieldHint). */
  private startedLoads = false;
  /** Flush waiters for the next commit round. */
  private waiters: ((ok: boolean) => void)[] = [];
  private committing: Promise<void> | undefined;
  /** The last commit was refused (e.g. no space): background write-back waits for a flush. */
  private stalled = false;
  /** Why writes are refused, once the lease is lost. */
  fenced: string | undefined;
  /** Figures for stats and benchmarks. */
  readonly counters = { reads: 0, writes: 0, flushes: 0, remoteReads: 0, puts: 0, commits: 0, commitFailures: 0, fetchMs: 0, readWaitMs: 0, putMs: 0, commitMs: 0, resolveMs: 0 };
  lastError: string | undefined;

  constructor(o: ChunkedDiskOptions) {
    this.id = o.id;
    this.sizeBytes = o.sizeBytes;
    this.chunkBytes = o.chunkBytes;
    this.readOnly = o.readOnly ?? false;
    this.chunkCount = Math.ceil(o.sizeBytes / o.chunkBytes);
    this.remote = o.remote;
    this.journal = o.journal;
    this.cacheBytes = o.cacheBytes ?? 8 << 20;
    this.readAhead = Math.max(2, o.readAhead ?? Math.floor(READ_AHEAD_BYTES / o.chunkBytes));
    this.onComplete = o.onComplete ?? (() => {});
    for (const r of this.journal.list()) this.seq = Math.max(this.seq, r.seq);
  }

  // ---- BlockBackend ------------------------------------------------------------------------

  read(offset: number, length: number, done: (data: Uint8Array | undefined) => void): void {
    this.counters.reads++;
    const parts = this.split(offset, length);
    const assemble = (entries: Entry[]): Uint8Array => {
      const out = new Uint8Array(length);
      parts.forEach((p, i) => out.set(entries[i]!.data.subarray(p.from, p.from + p.len), p.at));
      return out;
    };
    // Sequential: this request's chunks and the next ones are fetched together (chunks
    // packed in one object come in one request).
    const sequential = offset === this.lastReadEnd;
    this.lastReadEnd = offset + length;
    const hit = parts.map((p) => this.cached(p.index));
    if (sequential) {
      const last = parts[parts.length - 1]!.index;
      const more: number[] = [];
      for (let n = last + 1; n <= last + this.readAhead && n < this.chunkCount; n++) more.push(n);
      this.startLoads([...parts.filter((_, i) => !hit[i]).map((p) => p.index), ...more]);
    }
    if (hit.every((e) => e !== undefined)) return done(assemble(hit as Entry[]));
    const t0 = Date.now();
    Promise.all(parts.map((p) => this.entry(p.index))).then(
      (entries) => { this.counters.readWaitMs += Date.now() - t0; done(assemble(entries)); this.onComplete(); },
      (e) => { this.lastError = `read at ${offset}: ${(e as Error).message}`; done(undefined); this.onComplete(); },
    );
  }

  write(offset: number, data: Uint8Array, done: (ok: boolean) => void): void {
    this.counters.writes++;
    if (this.readOnly || this.fenced) return done(false);
    const parts = this.split(offset, data.length);
    const apply = (entries: (Entry | undefined)[]): void => {
      parts.forEach((p, i) => {
        const src = data.subarray(p.at, p.at + p.len);
        // The cache (or journal) holds the newest version; a loaded copy only if neither does.
        let e = this.cached(p.index) ?? entries[i];
        if (e) {
          if (this.cache.get(p.index) !== e) this.install(p.index, e);
          if (e.zero) { e.data = new Uint8Array(this.chunkBytes); e.zero = false; }
          e.data.set(src, p.from);
        } else {
          e = { data: src.slice(), seq: 0, dirty: false, zero: false }; // a whole chunk
          this.install(p.index, e);
        }
        this.touched(e);
      });
      this.trim();
    };
    // Whole chunks need no read; partial ones are read, patched and written back.
    const needs = parts.map((p) => p.len < this.chunkBytes && !this.cached(p.index));
    if (!needs.some(Boolean)) { apply([]); return done(true); }
    Promise.all(parts.map((p, i) => (needs[i] ? this.entry(p.index) : Promise.resolve(undefined)))).then(
      (entries) => {
        if (this.fenced) { done(false); this.onComplete(); return; }
        apply(entries); done(true); this.onComplete();
      },
      (e) => { this.lastError = `write at ${offset}: ${(e as Error).message}`; done(false); this.onComplete(); },
    );
  }

  takeYieldHint(): boolean {
    const r = this.startedLoads;
    this.startedLoads = false;
    return r;
  }

  flush(done: (ok: boolean) => void): void {
    this.counters.flushes++;
    if (this.fenced) return done(false);
    this.waiters.push((ok) => { done(ok); this.onComplete(); });
  }

  discard(offset: number, length: number, done: (ok: boolean) => void): void {
    if (this.readOnly || this.fenced) return done(false);
    // Whole chunks become zero extents; the partial ends are written with zeros.
    const parts = this.split(offset, length);
    const partial = parts.filter((p) => p.len < this.chunkBytes);
    for (const p of parts) {
      if (p.len < this.chunkBytes) continue;
      this.loading.delete(p.index);
      const e: Entry = { data: new Uint8Array(this.chunkBytes), seq: 0, dirty: false, zero: true };
      this.install(p.index, e);
      this.touched(e);
    }
    if (partial.length === 0) { this.trim(); return done(true); }
    let left = partial.length;
    let ok = true;
    for (const p of partial) {
      this.write(p.index * this.chunkBytes + p.from, new Uint8Array(p.len), (r) => {
        ok &&= r;
        if (--left === 0) done(ok);
      });
    }
  }

  // ---- what the embedding drives ------------------------------------------------------------

  /** True when a checkpoint should come soon: a flush waits, or much is unjournaled. */
  get wantsCheckpoint(): boolean {
    return (this.waiters.length > 0 && !this.committing) || this.dirtyBytes >= DIRTY_SOFT_BYTES;
  }

  /** True when a commit round should start (after a checkpoint). */
  get wantsCommit(): boolean {
    if (this.committing || this.fenced) return false;
    // After a refused commit (datastore full), only a guest flush tries again.
    return this.waiters.length > 0 || (!this.stalled && this.journalBytes() >= WRITEBACK_BYTES);
  }

  /** Requests waiting on the datastore or R2 (reads, flushes, a commit round). */
  get busy(): boolean {
    return this.loading.size > 0 || this.committing !== undefined || this.waiters.length > 0;
  }

  /** Chunks changed since the last journal write, and the journal's size. */
  get pending(): { dirtyBytes: number; journalBytes: number; waitingFlushes: number } {
    return { dirtyBytes: this.dirtyBytes, journalBytes: this.journalBytes(), waitingFlushes: this.waiters.length };
  }

  private journalBytes(): number {
    return this.journal.bytes();
  }

  /**
   * Writes every chunk changed since the last call into the journal. Called inside the VM's
   * checkpoint transaction, so the journal matches the checkpointed RAM.
   */
  journalDirty(): void {
    for (const [index, e] of this.cache) {
      if (!e.dirty) continue;
      this.journal.put(index, e.seq, e.zero ? EMPTY : e.data);
      e.dirty = false;
    }
    this.dirtyBytes = 0;
    this.trim();
  }

  /**
   * One commit round: the journal as it is now goes to R2 and the extent map; flush
   * waiters registered before the round are answered by it. Call after a checkpoint.
   * Rounds run one at a time; the promise settles when this round is over.
   */
  commit(): Promise<void> {
    if (this.committing) return this.committing;
    const waiters = this.waiters;
    this.waiters = [];
    this.committing = this.commitRound().then(
      () => { this.stalled = false; for (const w of waiters) w(true); },
      (e) => {
        this.stalled = true;
        this.counters.commitFailures++;
        this.lastError = (e as Error).message;
        for (const w of waiters) w(false);
      },
    ).finally(() => { this.committing = undefined; });
    return this.committing;
  }

  /** Commits everything, journaled or not (power-off: RAM is discarded, disk writes stay). Throws on failure. */
  async commitAll(): Promise<void> {
    if (this.committing) await this.committing;
    this.journalDirty();
    await this.commitRound();
  }

  /** The lease is gone: refuse writes, drop what cannot be committed any more. */
  fence(reason: string): void {
    if (this.fenced) return;
    this.fenced = reason;
    this.lastError = reason;
    for (const w of this.waiters.splice(0)) w(false);
    this.journal.clear();
    this.dropCache();
  }

  /** The lease is held again (an aborted migration took it back): writes are accepted. */
  unfence(): void {
    this.fenced = undefined;
    this.stalled = false;
  }

  /** Forgets everything not committed (a revert replaced the disk's contents). */
  reset(): void {
    for (const w of this.waiters.splice(0)) w(false);
    this.journal.clear();
    this.dropCache();
  }

  /** Forgets cached chunks and locations (after a revert, or when the disk changed under us). */
  dropCache(): void {
    this.cache.clear();
    this.loading.clear();
    this.sources.clear();
    this.resolving.clear();
    this.cachedBytes = 0;
    this.dirtyBytes = 0;
  }

  // ---- internals -----------------------------------------------------------------------

  private async commitRound(): Promise<void> {
    if (this.fenced) throw new DiskFencedError(this.fenced);
    const rows = this.journal.list();
    // In batches, so a large journal never sits in memory whole.
    for (let at = 0; at < rows.length;) {
      const batch: { index: number; seq: number; data: Uint8Array }[] = [];
      let bytes = 0;
      while (at < rows.length && (batch.length === 0 || bytes < COMMIT_BATCH_BYTES)) {
        const row = rows[at++]!;
        // The cached copy of the same version saves reading the row back.
        const e = this.cache.get(row.index);
        const j = e && e.seq === row.seq ? { seq: e.seq, data: e.zero ? EMPTY : e.data.slice() } : this.journal.get(row.index);
        if (!j) continue;
        batch.push({ index: row.index, seq: j.seq, data: j.data });
        bytes += j.data.length;
      }
      await this.commitBatch(batch);
    }
  }

  private async commitBatch(items: { index: number; seq: number; data: Uint8Array }[]): Promise<void> {
    if (items.length === 0) return;
    // Chunks with data are packed into objects; zero (discarded) chunks need none.
    const packs: number[][] = [];
    let pack: number[] = [];
    items.forEach((it, i) => {
      if (it.data.length === 0) return;
      if (pack.length === PACK_MAX_CHUNKS || (pack.length > 0 && (pack.length + 1) * this.chunkBytes > PACK_BYTES)) { packs.push(pack); pack = []; }
      pack.push(i);
    });
    if (pack.length) packs.push(pack);
    const where: ({ key: string; offset: number } | null)[] = new Array(items.length).fill(null);
    const stored: string[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < packs.length) {
        const members = packs[next++]!;
        const t0 = Date.now();
        const key = await this.remote.put(members.map((i) => items[i]!.data));
        this.counters.putMs += Date.now() - t0;
        this.counters.puts++;
        stored.push(key);
        members.forEach((i, slot) => { where[i] = { key, offset: slot * this.chunkBytes }; });
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(PUT_CONCURRENCY, packs.length) }, worker));
    } catch (e) {
      await this.remote.drop(stored).catch(() => {});
      throw new Error(`storing chunks failed: ${(e as Error).message}`);
    }
    const t0 = Date.now();
    const r = await this.remote.commit(items.map((it, i) => {
      const w = where[i];
      return w ? { index: it.index, key: w.key, ...(w.offset ? { offset: w.offset } : {}) } : { index: it.index, key: null };
    }));
    this.counters.commitMs += Date.now() - t0;
    if (!r.ok) {
      await this.remote.drop(stored).catch(() => {});
      if (r.code === "stale_epoch" || r.code === "lease_lost") this.fence(`disk ${this.id}: ${r.message}`);
      throw new Error(r.message);
    }
    this.counters.commits++;
    items.forEach((it, i) => {
      this.journal.delete(it.index, it.seq);
      const w = where[i];
      this.sources.set(it.index, w ? (w.offset ? { kind: "r2", key: w.key, offset: w.offset } : { kind: "r2", key: w.key }) : { kind: "zero" });
    });
  }

  private split(offset: number, length: number): { index: number; from: number; len: number; at: number }[] {
    const parts = [];
    for (let at = 0; at < length;) {
      const pos = offset + at;
      const index = Math.floor(pos / this.chunkBytes);
      const from = pos - index * this.chunkBytes;
      const len = Math.min(this.chunkBytes - from, length - at);
      parts.push({ index, from, len, at });
      at += len;
    }
    return parts;
  }

  /** A cached chunk (moved to the LRU's end), or the journal's copy brought into the cache. */
  private cached(index: number): Entry | undefined {
    const e = this.cache.get(index);
    if (e) {
      this.cache.delete(index);
      this.cache.set(index, e);
      return e;
    }
    const j = this.journal.get(index);
    if (!j) return undefined;
    const zero = j.data.length === 0;
    const entry: Entry = { data: zero ? new Uint8Array(this.chunkBytes) : j.data, seq: j.seq, dirty: false, zero };
    this.install(index, entry);
    return entry;
  }

  /** The chunk, from the cache, the journal or the datastore. */
  private entry(index: number): Promise<Entry> {
    const c = this.cached(index);
    if (c) return Promise.resolve(c);
    if (!this.loading.has(index)) this.startLoads([index]);
    return this.loading.get(index)!;
  }

  /**
   * Starts loading the chunks among `indices` that are neither cached, journaled nor on
   * their way: located together, and runs of consecutive chunks packed in one object
   * fetched with one ranged read.
   */
  private startLoads(indices: number[]): void {
    const todo = [...new Set(indices)].filter((n) => n >= 0 && n < this.chunkCount && !this.cache.has(n) && !this.loading.has(n) && !this.journal.has(n));
    if (todo.length === 0) return;
    this.startedLoads = true;
    const fetched = this.fetchAll(todo);
    fetched.catch(() => { /* each chunk's promise reports it */ });
    for (const n of todo) {
      const p = fetched.then((m) => {
        const r = m.get(n);
        if (r instanceof Error) throw r;
        return this.installLoaded(n, r!);
      }).finally(() => this.loading.delete(n));
      p.catch(() => { /* the guest's read reports it */ });
      this.loading.set(n, p);
    }
  }

  /** Bytes of each chunk (or the error that kept it from loading). */
  private async fetchAll(todo: number[]): Promise<Map<number, Uint8Array | Error>> {
    const out = new Map<number, Uint8Array | Error>();
    const located = await Promise.all(todo.map((n) => this.source(n).then((s) => ({ n, s }), (e: Error) => ({ n, e }))));
    const runs: { first: number; src: ChunkSource; count: number }[] = [];
    for (const l of located) {
      if ("e" in l) { out.set(l.n, l.e); continue; }
      const prev = runs[runs.length - 1];
      const s = l.s;
      if (s.kind === "zero") { out.set(l.n, new Uint8Array(this.chunkBytes)); continue; }
      if (prev && s.kind === "r2" && prev.src.kind === "r2" && prev.src.key === s.key && prev.first + prev.count === l.n &&
          (prev.src.offset ?? 0) + prev.count * this.chunkBytes === (s.offset ?? 0) && prev.count < PACK_MAX_CHUNKS) {
        prev.count++;
        continue;
      }
      runs.push({ first: l.n, src: s, count: 1 });
    }
    await Promise.all(runs.map(async (r) => {
      try {
        this.counters.remoteReads++;
        const t0 = Date.now();
        const chunks = await this.remote.fetch(r.first, r.src, r.count);
        this.counters.fetchMs += Date.now() - t0;
        chunks.forEach((c, i) => {
          out.set(r.first + i, c.length === this.chunkBytes ? c : new Error(`chunk ${r.first + i} of disk ${this.id} has ${c.length} bytes, expected ${this.chunkBytes}`));
        });
      } catch (e) {
        for (let i = 0; i < r.count; i++) out.set(r.first + i, e as Error);
      }
    }));
    return out;
  }

  private installLoaded(index: number, data: Uint8Array): Entry {
    // A write or a discard may have installed the chunk meanwhile: theirs is newer.
    const now = this.cached(index);
    if (now) return now;
    const e: Entry = { data, seq: 0, dirty: false, zero: false };
    this.install(index, e);
    return e;
  }

  private async source(index: number): Promise<ChunkSource> {
    const known = this.sources.get(index);
    if (known) return known;
    // Aligned windows: the chunks of one read (and its read-ahead) share one or two lookups
    // instead of each starting its own.
    const window = Math.max(RESOLVE_WINDOW, this.readAhead);
    const first = index - (index % window);
    const count = Math.min(window, this.chunkCount - first);
    let p = this.resolving.get(first);
    if (!p) {
      const t0 = Date.now();
      p = this.remote.resolve(first, count).then((srcs) => {
        this.counters.resolveMs += Date.now() - t0;
        if (this.sources.size > 1 << 16) this.sources.clear();
        srcs.forEach((s, i) => { if (!this.sources.has(first + i)) this.sources.set(first + i, s); });
      }).finally(() => this.resolving.delete(first));
      this.resolving.set(first, p);
    }
    await p;
    const s = this.sources.get(index);
    if (!s) throw new Error(`the datastore did not locate chunk ${index} of disk ${this.id}`);
    return s;
  }

  private install(index: number, e: Entry): void {
    const old = this.cache.get(index);
    if (old) {
      this.cachedBytes -= this.chunkBytes;
      if (old.dirty) this.dirtyBytes -= this.chunkBytes;
      this.cache.delete(index);
    }
    this.cache.set(index, e);
    this.cachedBytes += this.chunkBytes;
    if (e.dirty) this.dirtyBytes += this.chunkBytes;
  }

  private touched(e: Entry): void {
    e.seq = ++this.seq;
    if (!e.dirty) { e.dirty = true; this.dirtyBytes += this.chunkBytes; }
  }

  /** Evicts least recently used chunks that are journaled or clean, down to the cache size. */
  private trim(): void {
    if (this.cachedBytes <= this.cacheBytes) return;
    for (const [index, e] of this.cache) {
      if (this.cachedBytes <= this.cacheBytes) break;
      if (e.dirty) continue; // only its journal row can stand in for it
      this.cache.delete(index);
      this.cachedBytes -= this.chunkBytes;
    }
  }
}
