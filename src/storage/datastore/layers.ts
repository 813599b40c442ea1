// The layer graph of a datastore: chains of layers (head → parents), where each chunk of a
// disk is found, and the reference counts that decide when a layer (and its chunk objects)
// goes away. refs = child layers + snapshots pinning the layer + 1 if it is a disk's head.
// Everything here is synchronous SQL; callers run it inside one transaction and delete the
// R2 objects whose keys are handed back once the transaction has committed.
import type { ChunkSource } from "./types.js";
import type { LayerRow } from "./schema.js";

export interface NewLayer {
  disk: string;
  parent: string | null;
  chunkBytes: number;
  size: number;
  image: { sha256: string; size: number } | undefined;
}

export class LayerGraph {
  constructor(private readonly sql: SqlStorage) {}

  /** A new unfrozen layer with one reference (the head of `disk`); its parent gains a child. */
  createHead(layer: NewLayer): string {
    const id = `layer-${crypto.randomUUID()}`;
    this.sql.exec(
      `INSERT INTO layers (id, disk, parent, frozen, refs, chunk_bytes, size, image_sha, image_size)
       VALUES (?, ?, ?, 0, 1, ?, ?, ?, ?)`,
      id, layer.disk, layer.parent, layer.chunkBytes, layer.size, layer.image?.sha256 ?? null, layer.image?.size ?? null);
    if (layer.parent !== null) this.addRefs(layer.parent, 1);
    return id;
  }

  get(id: string): LayerRow | undefined {
    return this.sql.exec<LayerRow>("SELECT * FROM layers WHERE id = ?", id).toArray()[0];
  }

  addRefs(id: string, delta: number): void {
    this.sql.exec("UPDATE layers SET refs = refs + ? WHERE id = ?", delta, id);
  }

  /**
   * Freezes a head for a snapshot. Its refs stay as they are: the snapshot's pin replaces the
   * head reference, and the new head created over it (createHead) adds the child reference.
   */
  freeze(id: string, diskSize: number): void {
    this.sql.exec("UPDATE layers SET frozen = 1, size = ? WHERE id = ?", diskSize, id);
  }

  /** Layer ids from `id` down to the oldest ancestor (one recursive query). */
  chain(id: string): string[] {
    return this.sql.exec<{ id: string }>(
      `WITH RECURSIVE chain(id, parent, depth) AS (
         SELECT id, parent, 0 FROM layers WHERE id = ?
         UNION ALL SELECT l.id, l.parent, c.depth + 1 FROM layers l JOIN chain c ON l.id = c.parent)
       SELECT id FROM chain ORDER BY depth`, id).toArray().map((r) => r.id);
  }

  /** Stored bytes of a layer (chunks with an object; tombstones take nothing). */
  allocatedBytes(id: string): number {
    const row = this.get(id);
    return row ? row.alloc * row.chunk_bytes : 0;
  }

  /** Recomputes the cached count of a layer's stored chunks from its extent rows. */
  recount(id: string): void {
    this.sql.exec("UPDATE layers SET alloc = (SELECT COUNT(key) FROM extents WHERE layer = ?) WHERE id = ?", id, id);
  }

  /**
   * Where chunks [first, first + count) are, looking from layer `top` down its chain (null:
   * nothing above the image). One query for the whole chain: per chunk the nearest layer
   * with a row decides; a NULL key there is a zero tombstone.
   */
  resolve(top: string | null, image: { sha256: string; size: number } | undefined, chunkBytes: number, first: number, count: number): ChunkSource[] {
    const out = new Array<ChunkSource | undefined>(count).fill(undefined);
    if (top !== null && count > 0) {
      // SQLite takes the bare column `key` from the row holding MIN(depth).
      const rows = this.sql.exec<{ idx: number; key: string | null; off: number; depth: number }>(
        `WITH RECURSIVE chain(id, parent, depth) AS (
           SELECT id, parent, 0 FROM layers WHERE id = ?
           UNION ALL SELECT l.id, l.parent, c.depth + 1 FROM layers l JOIN chain c ON l.id = c.parent)
         SELECT e.idx AS idx, e.key AS key, e.off AS off, MIN(c.depth) AS depth
         FROM chain c JOIN extents e ON e.layer = c.id
         WHERE e.idx BETWEEN ? AND ? GROUP BY e.idx`, top, first, first + count - 1);
      for (const r of rows) out[r.idx - first] = r.key === null ? { kind: "zero" } : r.off ? { kind: "r2", key: r.key, offset: r.off } : { kind: "r2", key: r.key };
    }
    return out.map((source, i) => source ?? imageOrZero(image, chunkBytes, first + i));
  }

  /**
   * Drops one reference to `id`. A layer left with none is deleted (its keys go to `freedKeys`)
   * and the reference it held on its parent is dropped in turn, up the chain.
   */
  release(id: string, freedKeys: string[]): void {
    let current: string | null = id;
    while (current !== null) {
      const row = this.get(current);
      if (!row) return;
      if (row.refs > 1) {
        this.addRefs(current, -1);
        return;
      }
      this.drop(current, freedKeys);
      current = row.parent;
    }
  }

  /**
   * Merges a frozen layer that only one child needs into that child: rows the child lacks
   * move down to it, the overridden rest is freed, and the child takes the layer's parent.
   * Answers false (nothing done) unless the layer has exactly one reference, a child.
   */
  consolidate(id: string, freedKeys: string[]): boolean {
    const row = this.get(id);
    if (!row || row.refs !== 1) return false;
    const children = this.sql.exec<{ id: string }>("SELECT id FROM layers WHERE parent = ?", id).toArray();
    const child = children[0];
    if (children.length !== 1 || !child) return false;
    this.sql.exec(
      `UPDATE extents SET layer = ? WHERE layer = ?
         AND NOT EXISTS (SELECT 1 FROM extents x WHERE x.layer = ? AND x.idx = extents.idx)`,
      child.id, id, child.id);
    this.sql.exec("UPDATE layers SET parent = ? WHERE id = ?", row.parent, child.id);
    this.drop(id, freedKeys);
    this.recount(child.id);
    return true;
  }

  /** Deletes a layer and its extent rows, handing back the keys of its objects. */
  private drop(id: string, freedKeys: string[]): void {
    for (const r of this.sql.exec<{ key: string }>("SELECT key FROM extents WHERE layer = ? AND key IS NOT NULL", id)) freedKeys.push(r.key);
    this.sql.exec("DELETE FROM extents WHERE layer = ?", id);
    this.sql.exec("DELETE FROM layers WHERE id = ?", id);
  }
}

function imageOrZero(image: { sha256: string; size: number } | undefined, chunkBytes: number, index: number): ChunkSource {
  const offset = index * chunkBytes;
  return image && offset < image.size ? { kind: "image", sha256: image.sha256, offset } : { kind: "zero" };
}
