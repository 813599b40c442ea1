// Writes to a disk's head layer: checking a commit batch, planning it (the last entry per
// chunk wins; a discard leaves a zero tombstone only where a lower layer or the image would
// otherwise show through, else the head's row just goes), applying it in one statement per
// kind, and recording eager-zeroing objects without overwriting data a commit put there.
import type { CommitEntry } from "./types.js";
import type { DiskRow } from "./schema.js";
import { imageOf } from "./schema.js";
import type { LayerGraph } from "./layers.js";
import { chunkCount, invalid, type DsFailure } from "./outcome.js";

/** Most chunks one resolve or commit may cover. */
export const MAX_BATCH_CHUNKS = 4096;

/** Largest object several chunks may be packed into. */
const MAX_OBJECT_BYTES = 16 << 20;

/** What a commit will change in the head layer (computed before anything is written). */
export interface CommitPlan {
  /** [index, key, byte offset of the chunk in the object]. */
  upserts: [number, string | null, number][];
  deletes: number[];
  /** Keys the head no longer points at afterwards (deleted once unreferenced). */
  replaced: string[];
  /** Stored chunks gained (negative: lost) by the head. */
  chunkDelta: number;
}

export class HeadWrites {
  constructor(private readonly sql: SqlStorage, private readonly layers: LayerGraph) {}

  /** Indices inside the disk; keys null or under the datastore's chunk prefix. */
  check(d: DiskRow, datastore: string, entries: CommitEntry[]): DsFailure | null {
    if (!Array.isArray(entries) || entries.length > MAX_BATCH_CHUNKS) return invalid(`entries must be a list of at most ${MAX_BATCH_CHUNKS}`);
    const total = chunkCount(d.size, d.chunk_bytes);
    const prefix = `chunks/${datastore}/`;
    for (const e of entries) {
      if (!Number.isSafeInteger(e?.index) || e.index < 0 || e.index >= total) {
        return invalid(`chunk index ${String(e?.index)} is not within disk ${d.id}'s ${total} chunks`);
      }
      if (e.key !== null && (typeof e.key !== "string" || !e.key.startsWith(prefix) || e.key.length > 1024)) {
        return invalid(`chunk ${e.index}: key must be null or an R2 key under ${prefix}`);
      }
      if (e.offset !== undefined && (!Number.isSafeInteger(e.offset) || e.offset < 0 || e.offset % d.chunk_bytes !== 0 || e.offset > MAX_OBJECT_BYTES)) {
        return invalid(`chunk ${e.index}: offset must be a multiple of the chunk size within an object of at most ${MAX_OBJECT_BYTES} bytes`);
      }
    }
    return null;
  }

  plan(d: DiskRow, entries: CommitEntry[]): CommitPlan {
    const wanted = new Map<number, string | null>();
    const offsets = new Map<number, number>();
    const superseded: string[] = [];
    for (const e of entries) {
      const earlier = wanted.get(e.index);
      if (earlier) superseded.push(earlier);
      wanted.set(e.index, e.key);
      offsets.set(e.index, e.offset ?? 0);
    }
    const old = this.headKeys(d.head, [...wanted.keys()]);
    const showsThrough = this.showsThrough(d, [...wanted].filter(([, key]) => key === null).map(([i]) => i));
    const plan: CommitPlan = { upserts: [], deletes: [], replaced: superseded, chunkDelta: 0 };
    for (const [index, key] of wanted) {
      const before = old.get(index);
      if (key !== null || showsThrough.has(index)) plan.upserts.push([index, key, key === null ? 0 : offsets.get(index)!]);
      else if (before !== undefined) plan.deletes.push(index);
      if (before && before !== key) plan.replaced.push(before);
      plan.chunkDelta += (key !== null ? 1 : 0) - (before ? 1 : 0);
    }
    return plan;
  }

  apply(head: string, plan: CommitPlan): void {
    if (plan.upserts.length > 0) {
      this.sql.exec(
        `INSERT INTO extents (layer, idx, key, off)
         SELECT ?, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]') FROM json_each(?) WHERE true
         ON CONFLICT (layer, idx) DO UPDATE SET key = excluded.key, off = excluded.off`,
        head, JSON.stringify(plan.upserts));
    }
    if (plan.deletes.length > 0) {
      this.sql.exec("DELETE FROM extents WHERE layer = ? AND idx IN (SELECT value FROM json_each(?))", head, JSON.stringify(plan.deletes));
    }
    this.layers.recount(head);
  }

  /** Zero objects go where the head has no object yet (a tombstone or nothing). */
  recordZeros(head: string, entries: { index: number; key: string }[]): void {
    this.sql.exec(
      `INSERT INTO extents (layer, idx, key)
       SELECT ?, json_extract(value, '$.index'), json_extract(value, '$.key') FROM json_each(?) WHERE true
       ON CONFLICT (layer, idx) DO UPDATE SET key = excluded.key WHERE extents.key IS NULL`,
      head, JSON.stringify(entries));
    this.layers.recount(head);
  }

  /** The head's rows for these chunks: index → key (null: tombstone). */
  private headKeys(head: string, indices: number[]): Map<number, string | null> {
    const rows = this.sql.exec<{ idx: number; key: string | null }>(
      "SELECT idx, key FROM extents WHERE layer = ? AND idx IN (SELECT value FROM json_each(?))", head, JSON.stringify(indices));
    return new Map([...rows].map((r) => [r.idx, r.key]));
  }

  /** Which of these chunks a layer below the head or the image has (a discard must hide them). */
  private showsThrough(d: DiskRow, indices: number[]): Set<number> {
    if (indices.length === 0) return new Set();
    const first = Math.min(...indices);
    const below = this.layers.resolve(this.layers.get(d.head)?.parent ?? null, imageOf(d), d.chunk_bytes, first, Math.max(...indices) - first + 1);
    return new Set(indices.filter((i) => below[i - first]?.kind !== "zero"));
  }
}
