// The datastore's SQLite schema (its Durable Object's storage) and the row shapes read back.
// A disk points at its head layer; layers form chains through `parent`; `extents` maps a
// layer's chunk index to an R2 key (NULL: a zero tombstone hiding what lies below).
// `layers.alloc` caches COUNT(key) of the layer's extents: it is recomputed from the rows
// (LayerGraph.recount) in the transaction that changes them, never adjusted by hand.

const TABLES = [
  `CREATE TABLE IF NOT EXISTS meta (
     singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
     id TEXT NOT NULL, name TEXT NOT NULL, capacity INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS disks (
     id TEXT PRIMARY KEY, size INTEGER NOT NULL, chunk_bytes INTEGER NOT NULL, provisioning TEXT NOT NULL,
     image_sha TEXT, image_size INTEGER, head TEXT NOT NULL, state TEXT NOT NULL,
     zeroed INTEGER NOT NULL DEFAULT 0, epoch INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL)`,
  // size: the disk's size when the layer was frozen (a linked clone must be at least as big);
  // chunk_bytes and the image are kept here too so a layer outlives the disk that made it.
  `CREATE TABLE IF NOT EXISTS layers (
     id TEXT PRIMARY KEY, disk TEXT NOT NULL, parent TEXT, frozen INTEGER NOT NULL DEFAULT 0,
     refs INTEGER NOT NULL DEFAULT 0, chunk_bytes INTEGER NOT NULL, size INTEGER NOT NULL,
     image_sha TEXT, image_size INTEGER, alloc INTEGER NOT NULL DEFAULT 0)`,
  "CREATE INDEX IF NOT EXISTS layers_parent ON layers (parent)",
  `CREATE TABLE IF NOT EXISTS extents (
     layer TEXT NOT NULL, idx INTEGER NOT NULL, key TEXT, off INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (layer, idx)) WITHOUT ROWID`,
  "CREATE INDEX IF NOT EXISTS extents_key ON extents (key)",
  // One write lease per disk (mode 'write'), any number of read leases (one per holder).
  `CREATE TABLE IF NOT EXISTS leases (
     disk TEXT NOT NULL, holder TEXT NOT NULL, mode TEXT NOT NULL, epoch INTEGER NOT NULL,
     expires_at INTEGER NOT NULL, ttl_ms INTEGER NOT NULL, PRIMARY KEY (disk, mode, holder))`,
  `CREATE TABLE IF NOT EXISTS disk_snapshots (
     disk TEXT NOT NULL, id TEXT NOT NULL, layer TEXT NOT NULL, created_at INTEGER NOT NULL,
     PRIMARY KEY (disk, id))`,
];

export function createSchema(sql: SqlStorage): void {
  for (const statement of TABLES) sql.exec(statement);
}

export type MetaRow = { id: string; name: string; capacity: number };

export type DiskRow = {
  id: string; size: number; chunk_bytes: number; provisioning: string;
  image_sha: string | null; image_size: number | null; head: string; state: string;
  zeroed: number; epoch: number; created_at: number;
};

export type LayerRow = {
  id: string; disk: string; parent: string | null; frozen: number; refs: number;
  chunk_bytes: number; size: number; image_sha: string | null; image_size: number | null; alloc: number;
};

export type LeaseRow = { disk: string; holder: string; mode: string; epoch: number; expires_at: number; ttl_ms: number };

export type SnapshotRow = { disk: string; id: string; layer: string; created_at: number };

/** The base image a disk or layer reads through to, as stored in two nullable columns. */
export function imageOf(row: { image_sha: string | null; image_size: number | null }): { sha256: string; size: number } | undefined {
  return row.image_sha !== null && row.image_size !== null ? { sha256: row.image_sha, size: row.image_size } : undefined;
}
