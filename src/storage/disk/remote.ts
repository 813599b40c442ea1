// What a VM's disk reaches outside its object: the DatastoreObject (extent map, leases),
// chunk objects in R2 (a commit packs up to 1 MiB of chunks into one object under a fresh
// key, with every chunk's SHA-256 in its metadata, so ranged reads are verified) and the
// base image's content-addressed chunks in KV.
import type { DiskRemote } from "./chunked-disk.js";
import type { ChunkSource, CommitEntry, DatastoreApi, DsOutcome } from "../datastore/types.js";
import { chunkKeyPrefix } from "../datastore/types.js";
import { blobManifest, readBlobChunk, type BlobManifest } from "../image-store.js";
import { concatBytes, fromBase64, sha256Hex, toBase64, toHex } from "../../encoding.js";

/**
 * The hex SHA-256 of each chunk slot of an object: from the `chunks` metadata (packed
 * objects), or the whole object's `sha256` when it holds exactly one chunk (zero fills).
 */
function chunkDigests(meta: Record<string, string> | undefined, size: number, chunkBytes: number): string[] | undefined {
  if (meta?.chunks !== undefined) {
    const out: string[] = [];
    for (let at = 0; at + 44 <= meta.chunks.length; at += 44) {
      try { out.push(toHex(fromBase64(meta.chunks.slice(at, at + 44)))); } catch { return undefined; }
    }
    return out;
  }
  if (meta?.sha256 !== undefined && size === chunkBytes) return [meta.sha256];
  return undefined;
}

export interface RemoteOptions {
  datastore: Pick<DatastoreApi, "resolve" | "commit">;
  datastoreId: string;
  diskId: string;
  chunkBytes: number;
  bucket: R2Bucket;
  blobs: KVNamespace;
  /** The lease this VM holds on the disk. */
  lease: () => { holder: string; epoch: number };
}

export class DatastoreRemote implements DiskRemote {
  private manifests = new Map<string, Promise<BlobManifest>>();
  /** The last image chunks read (a disk chunk is at most one image chunk). */
  private imageChunks = new Map<string, Uint8Array>();

  constructor(private readonly o: RemoteOptions) {}

  async resolve(first: number, count: number): Promise<ChunkSource[]> {
    const r = await this.o.datastore.resolve(this.o.diskId, first, count);
    if (!r.ok) throw new Error(r.message);
    return r.value;
  }

  async fetch(index: number, src: ChunkSource, count: number): Promise<Uint8Array[]> {
    const cb = this.o.chunkBytes;
    if (src.kind === "zero") return Array.from({ length: count }, () => new Uint8Array(cb));
    if (src.kind === "image") return [await this.imageRange(src.sha256, src.offset)];
    const offset = src.offset ?? 0;
    const what = count > 1 ? `chunks ${index}..${index + count - 1}` : `chunk ${index}`;
    const obj = await this.o.bucket.get(src.key, { range: { offset, length: count * cb } });
    if (obj === null) throw new Error(`${what} of disk ${this.o.diskId} missing (${src.key})`);
    const data = new Uint8Array(await obj.arrayBuffer());
    const digests = chunkDigests(obj.customMetadata, obj.size, cb);
    if (!digests) throw new Error(`${what} of disk ${this.o.diskId} corrupt (${src.key}): no chunk checksums`);
    const out: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      const chunk = data.subarray(i * cb, (i + 1) * cb);
      const slot = offset / cb + i;
      if (chunk.length !== cb || digests[slot] === undefined || (await sha256Hex(chunk)) !== digests[slot]) {
        throw new Error(`chunk ${index + i} of disk ${this.o.diskId} corrupt (${src.key}): its SHA-256 does not match`);
      }
      out.push(chunk);
    }
    return out;
  }

  async put(chunks: Uint8Array[]): Promise<string> {
    const key = `${chunkKeyPrefix(this.o.datastoreId, this.o.diskId)}${crypto.randomUUID()}`;
    const body = chunks.length === 1 ? chunks[0]! : concatBytes(chunks);
    // Per-chunk SHA-256s (base64, 44 characters each) let ranged reads verify what they
    // fetch; they are the object's checksum too (one hashing pass, not two).
    const digests = await Promise.all(chunks.map((c) => crypto.subtle.digest("SHA-256", c)));
    await this.o.bucket.put(key, body, { customMetadata: { chunks: digests.map((d) => toBase64(new Uint8Array(d))).join("") } });
    return key;
  }

  commit(entries: CommitEntry[]): Promise<DsOutcome<{ allocatedBytes: number }>> {
    const { holder, epoch } = this.o.lease();
    return this.o.datastore.commit(this.o.diskId, holder, epoch, entries);
  }

  async drop(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) await this.o.bucket.delete(keys.slice(i, i + 1000));
  }

  /** chunkBytes of the image from offset (zeros past its end). */
  private async imageRange(sha256: string, offset: number): Promise<Uint8Array> {
    let mp = this.manifests.get(sha256);
    if (!mp) {
      mp = blobManifest(this.o.blobs, sha256);
      this.manifests.set(sha256, mp);
      mp.catch(() => this.manifests.delete(sha256));
    }
    const m = await mp;
    const out = new Uint8Array(this.o.chunkBytes);
    for (let at = 0; at < out.length;) {
      const pos = offset + at;
      if (pos >= m.size) break;
      const ci = Math.floor(pos / m.chunkSize);
      const key = `${sha256}/${ci}`;
      let chunk = this.imageChunks.get(key);
      if (!chunk) {
        chunk = await readBlobChunk(this.o.blobs, sha256, ci, m);
        if (this.imageChunks.size >= 2) this.imageChunks.delete(this.imageChunks.keys().next().value!);
        this.imageChunks.set(key, chunk);
      }
      const from = pos - ci * m.chunkSize;
      const n = Math.min(out.length - at, chunk.length - from);
      if (n <= 0) break;
      out.set(chunk.subarray(from, from + n), at);
      at += n;
    }
    return out;
  }
}
