// The image blob store in KV (env.BLOBS), immutable and content-addressed: a blob is split into
// 1 MiB chunks, each stored once under `chunk/<sha256 of the chunk>`, and described by a
// manifest under `blob/<sha256 of the whole>` = {size, chunkSize, chunks: [hex, ...]}.
// Uploads are streamed (at most two chunks in memory); reads verify every byte.
import { eq } from "drizzle-orm";
import type { Db } from "./db/index.js";
import { schema } from "./db/index.js";
import { sha256Hex, toHex } from "../encoding.js";

export const CHUNK_SIZE = 1 << 20;
const READ_CONCURRENCY = 8;

export interface BlobManifest {
  size: number;
  chunkSize: number;
  chunks: string[];
}

export interface StoredBlob extends BlobManifest {
  sha256: string;
}

/** A blob that cannot be read back intact (missing or corrupt manifest or chunk). */
export class BlobError extends Error {
  override name = "BlobError";
}

/** An upload refused while streaming: nothing was registered and its new chunks were removed. */
export class BlobRejected extends Error {
  override name = "BlobRejected";
  constructor(readonly reason: "empty" | "too_large", message: string) {
    super(message);
  }
}

const chunkKey = (hex: string) => `chunk/${hex}`;
const blobKey = (sha256: string) => `blob/${sha256}`;
const isHex256 = (s: string) => /^[0-9a-f]{64}$/.test(s);


/** Whether a key exists, without downloading its value. */
async function exists(kv: KVNamespace, key: string): Promise<boolean> {
  const s = await kv.get(key, "stream");
  if (s === null) return false;
  await s.cancel();
  return true;
}

/**
 * Streams `body` into the store. Throws BlobRejected("too_large") as soon as more than
 * `maxBytes` have arrived (the rest is not read) and BlobRejected("empty") for no bytes; on any
 * failure the chunks this upload created are removed unless a stored manifest lists them.
 */
export async function writeBlob(kv: KVNamespace, body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<StoredBlob> {
  if (!body) throw new BlobRejected("empty", "no bytes");
  const reader = body.getReader();
  const whole = new crypto.DigestStream("SHA-256");
  const hasher = whole.getWriter();
  const chunks: string[] = [];
  const created: string[] = [];
  let pending: Promise<void> = Promise.resolve();
  const putChunk = (bytes: Uint8Array) => {
    const index = chunks.push("") - 1;
    pending = (async () => {
      const hex = await sha256Hex(bytes);
      chunks[index] = hex;
      if (!(await exists(kv, chunkKey(hex)))) {
        created.push(hex);
        await kv.put(chunkKey(hex), bytes);
      }
    })();
    pending.catch(() => {}); // awaited below; keeps a failure from counting as unhandled meanwhile
  };
  let size = 0;
  let buf = new Uint8Array(CHUNK_SIZE);
  let fill = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        throw new BlobRejected("too_large", `more than ${maxBytes} bytes`);
      }
      await hasher.write(value);
      for (let off = 0; off < value.byteLength; ) {
        const n = Math.min(CHUNK_SIZE - fill, value.byteLength - off);
        buf.set(value.subarray(off, off + n), fill);
        fill += n;
        off += n;
        if (fill === CHUNK_SIZE) {
          await pending; // at most one chunk in flight while the next one fills
          putChunk(buf);
          buf = new Uint8Array(CHUNK_SIZE);
          fill = 0;
        }
      }
    }
    if (size === 0) throw new BlobRejected("empty", "no bytes");
    await pending;
    if (fill > 0) putChunk(buf.subarray(0, fill));
    await pending;
    await hasher.close();
    const sha256 = toHex(await whole.digest);
    const manifest: BlobManifest = { size, chunkSize: CHUNK_SIZE, chunks };
    if (!(await exists(kv, blobKey(sha256)))) await kv.put(blobKey(sha256), JSON.stringify(manifest));
    return { sha256, ...manifest };
  } catch (e) {
    await Promise.allSettled([reader.cancel(), hasher.abort(e), whole.digest, pending]);
    if (created.length) await removeUnlisted(kv, created);
    throw e;
  }
}

async function readManifest(kv: KVNamespace, sha256: string): Promise<BlobManifest | null> {
  const m = await kv.get<BlobManifest>(blobKey(sha256), "json");
  if (m === null) return null;
  const n = Number.isSafeInteger(m.size) && m.size >= 0 && Number.isSafeInteger(m.chunkSize) && m.chunkSize > 0
    ? Math.ceil(m.size / m.chunkSize) : -1;
  if (!Array.isArray(m.chunks) || m.chunks.length !== n || !m.chunks.every((h) => typeof h === "string" && isHex256(h))) {
    throw new BlobError(`the manifest of blob ${sha256} is corrupt`);
  }
  return m;
}

/** Reads a whole blob, verifying every chunk's SHA-256, the size and the blob's SHA-256. */
export async function readBlob(kv: KVNamespace, sha256: string): Promise<Uint8Array> {
  if (!isHex256(sha256)) throw new BlobError(`"${sha256}" is not a lowercase hex SHA-256`);
  const m = await readManifest(kv, sha256);
  if (!m) throw new BlobError(`blob ${sha256} does not exist (no manifest)`);
  const out = new Uint8Array(m.size);
  let next = 0;
  const worker = async () => {
    while (next < m.chunks.length) {
      const i = next++;
      const hex = m.chunks[i]!;
      const where = `chunk ${i} (${hex}) of blob ${sha256}`;
      const expected = Math.min(m.chunkSize, m.size - i * m.chunkSize);
      const data = await kv.get(chunkKey(hex), "arrayBuffer");
      if (data === null) throw new BlobError(`${where} is missing`);
      const bytes = new Uint8Array(data);
      if (bytes.length !== expected) throw new BlobError(`${where} is corrupt: ${bytes.length} bytes, expected ${expected}`);
      if ((await sha256Hex(bytes)) !== hex) throw new BlobError(`${where} is corrupt: its SHA-256 does not match`);
      out.set(bytes, i * m.chunkSize);
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, m.chunks.length) }, worker));
  if ((await sha256Hex(out)) !== sha256) throw new BlobError(`blob ${sha256} is corrupt: its SHA-256 does not match`);
  return out;
}

/**
 * One chunk of a blob (chunk `index` covers bytes [index × chunkSize, …)), verified against
 * its SHA-256; `manifest` may be passed in to save its read. Disks read their base image so.
 */
export async function readBlobChunk(kv: KVNamespace, sha256: string, index: number, manifest?: BlobManifest): Promise<Uint8Array> {
  const m = manifest ?? (isHex256(sha256) ? await readManifest(kv, sha256) : null);
  if (!m) throw new BlobError(`blob ${sha256} does not exist (no manifest)`);
  const hex = m.chunks[index];
  if (hex === undefined) throw new BlobError(`blob ${sha256} has no chunk ${index}`);
  const where = `chunk ${index} (${hex}) of blob ${sha256}`;
  const data = await kv.get(chunkKey(hex), "arrayBuffer");
  if (data === null) throw new BlobError(`${where} is missing`);
  const bytes = new Uint8Array(data);
  const expected = Math.min(m.chunkSize, m.size - index * m.chunkSize);
  if (bytes.length !== expected) throw new BlobError(`${where} is corrupt: ${bytes.length} bytes, expected ${expected}`);
  if ((await sha256Hex(bytes)) !== hex) throw new BlobError(`${where} is corrupt: its SHA-256 does not match`);
  return bytes;
}

/** A blob's manifest (size, chunk size, chunk hashes); throws when missing or corrupt. */
export async function blobManifest(kv: KVNamespace, sha256: string): Promise<BlobManifest> {
  const m = isHex256(sha256) ? await readManifest(kv, sha256) : null;
  if (!m) throw new BlobError(`blob ${sha256} does not exist (no manifest)`);
  return m;
}

/** Deletes a blob's manifest and those of its chunks no other stored manifest lists. */
export async function deleteBlob(kv: KVNamespace, sha256: string): Promise<void> {
  let m: BlobManifest | null = null;
  try {
    m = await readManifest(kv, sha256);
  } catch (e) {
    if (!(e instanceof BlobError)) throw e; // a corrupt manifest still gets deleted
  }
  await kv.delete(blobKey(sha256));
  if (m) await removeUnlisted(kv, m.chunks, sha256);
}

/** Deletes the given chunks except those listed by a stored manifest (other than `except`). */
async function removeUnlisted(kv: KVNamespace, chunks: string[], except?: string): Promise<void> {
  const listed = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await kv.list({ prefix: "blob/", ...(cursor ? { cursor } : {}) });
    for (const k of page.keys) {
      const sha = k.name.slice("blob/".length);
      if (sha === except) continue;
      const other = await kv.get<BlobManifest>(k.name, "json").catch(() => null);
      if (Array.isArray(other?.chunks)) for (const h of other.chunks) listed.add(h);
    }
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  await Promise.all([...new Set(chunks)].filter((h) => !listed.has(h)).map((h) => kv.delete(chunkKey(h))));
}

/** The image's D1 row, or undefined. */
export async function getImage(db: Db, id: string): Promise<typeof schema.images.$inferSelect | undefined> {
  const [row] = await db.select().from(schema.images).where(eq(schema.images.id, id));
  return row;
}
