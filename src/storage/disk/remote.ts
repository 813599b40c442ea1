// What a VM's disk reaches outside its object: the DatastoreObject (extent map, leases),
// chunk objects in R2 (each stored under a fresh key with its SHA-256 in the metadata and
// verified on every read) and the base image's content-addressed chunks in KV.
import type { DiskRemote } from "./chunked-disk.js";
import type { ChunkSource, CommitEntry, DatastoreApi, DsOutcome } from "../datastore/types.js";
import { chunkKeyPrefix } from "../datastore/types.js";
import { blobManifest, readBlobChunk, type BlobManifest } from "../image-store.js";
import { sha256Hex } from "../../encoding.js";

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

  async fetch(index: number, src: ChunkSource): Promise<Uint8Array> {
    if (src.kind === "zero") return new Uint8Array(this.o.chunkBytes);
    if (src.kind === "r2") {
      const obj = await this.o.bucket.get(src.key);
      if (obj === null) throw new Error(`chunk ${index} of disk ${this.o.diskId} is missing (${src.key})`);
      const data = new Uint8Array(await obj.arrayBuffer());
      const want = obj.customMetadata?.sha256;
      if (!want || (await sha256Hex(data)) !== want) throw new Error(`chunk ${index} of disk ${this.o.diskId} is corrupt (${src.key}): its SHA-256 does not match`);
      return data;
    }
    return this.imageRange(src.sha256, src.offset);
  }

  async put(index: number, data: Uint8Array): Promise<string> {
    const key = `${chunkKeyPrefix(this.o.datastoreId, this.o.diskId)}${index}-${crypto.randomUUID()}`;
    const sha256 = await sha256Hex(data);
    await this.o.bucket.put(key, data, { sha256, customMetadata: { sha256 } });
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
