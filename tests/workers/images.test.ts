// Images API and the KV chunk store, in workerd: upload (streamed, chunked, deduplicated,
// size-limited), validation, get/list, delete with chunk garbage collection and the in-use
// guard, and readBlob's verification. The limit is 16 MiB here (vitest.config.ts).
import { SELF, env } from "cloudflare:test";
import { beforeEach, describe, it, expect } from "vitest";
import { BlobError, CHUNK_SIZE, readBlob } from "../../src/storage/image-store.js";
import { openDb, schema } from "../../src/storage/db/index.js";

const auth = { authorization: `Bearer ${env.EDGEVISOR_ADMIN_TOKEN}` };
const MiB = 1 << 20;
const LIMIT = 16 * MiB;

function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let off = 0; off < n; off += 65536) crypto.getRandomValues(out.subarray(off, Math.min(n, off + 65536)));
  return out;
}

/** Index of the first differing byte, or -1 (vitest's toEqual is very slow on MiB arrays). */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

async function sha256(bytes: Uint8Array): Promise<string> {
  return [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function upload(body: BodyInit | null, query: string): Promise<Response> {
  return SELF.fetch(`http://x/api/images?${query}`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/octet-stream" },
    body,
  });
}

async function uploadOk(bytes: Uint8Array, query: string, status = 201): Promise<Record<string, unknown> & { id: string; sha256: string }> {
  const r = await upload(bytes, query);
  const body = await r.json();
  expect(r.status, JSON.stringify(body)).toBe(status);
  return body as Record<string, unknown> & { id: string; sha256: string };
}

async function kvKeys(prefix = ""): Promise<string[]> {
  const names: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.BLOBS.list({ prefix, ...(cursor ? { cursor } : {}) });
    names.push(...page.keys.map((k) => k.name));
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return names.sort();
}

async function manifest(sha: string): Promise<{ size: number; chunkSize: number; chunks: string[] } | null> {
  return env.BLOBS.get(`blob/${sha}`, "json");
}

// Storage is shared by the tests of this file: each starts from no images, no VMs, empty KV.
beforeEach(async () => {
  const db = openDb(env.DB);
  await db.delete(schema.vms);
  await db.delete(schema.images);
  await Promise.all((await kvKeys()).map((k) => env.BLOBS.delete(k)));
});

const api = (path: string, init: RequestInit = {}) => SELF.fetch(`http://x/api/images${path}`, { ...init, headers: auth });
const imageCount = async () => ((await (await api("")).json()) as unknown[]).length;

describe("POST /api/images", () => {
  it("registers an image: 201 with its size and SHA-256", async () => {
    const bytes = randomBytes(1000);
    const img = await uploadOk(bytes, "name=tiny.bin&kind=kernel");
    expect(img).toEqual({ id: expect.stringMatching(/^img-[0-9a-f]{16}$/), name: "tiny.bin", kind: "kernel", size: 1000, sha256: await sha256(bytes), createdAt: expect.any(Number) });
    expect(firstDifference(await readBlob(env.BLOBS, img.sha256), bytes)).toBe(-1);
  });

  it("splits 3.5 MiB into four 1 MiB chunks that read back identical", async () => {
    const bytes = randomBytes(3.5 * MiB);
    const img = await uploadOk(bytes, "name=big&kind=disk");
    expect(img.size).toBe(bytes.length);
    const m = await manifest(img.sha256);
    expect(m).toMatchObject({ size: bytes.length, chunkSize: CHUNK_SIZE });
    expect(m!.chunks).toHaveLength(4);
    expect(m!.chunks[3]).toBe(await sha256(bytes.subarray(3 * MiB)));
    for (const h of m!.chunks) expect(await env.BLOBS.get(`chunk/${h}`, "arrayBuffer")).not.toBeNull();
    expect(firstDifference(await readBlob(env.BLOBS, img.sha256), bytes)).toBe(-1);
  });

  it("stores the same bytes once under another name, and re-registration answers the existing record", async () => {
    const bytes = randomBytes(2 * MiB + 5);
    const a = await uploadOk(bytes, "name=one&kind=initrd");
    const keys = await kvKeys();
    const b = await uploadOk(bytes, "name=two&kind=initrd");
    expect(b.id).not.toBe(a.id);
    expect(b.sha256).toBe(a.sha256);
    expect(await kvKeys()).toEqual(keys);
    const chunkKeys = (await manifest(a.sha256))!.chunks.map((h) => `chunk/${h}`);
    expect(keys.filter((k) => chunkKeys.includes(k))).toHaveLength(3);
    const again = await uploadOk(bytes, "name=one&kind=initrd", 200);
    expect(again).toEqual(a);
    const otherKind = await uploadOk(bytes, "name=one&kind=firmware");
    expect(otherKind.id).not.toBe(a.id);
    expect(await imageCount()).toBe(3);
  });

  it("keeps a signature in canonical base64 (an unencoded '+' arriving as a space is accepted)", async () => {
    const sig = new Uint8Array(64).map((_, i) => 0xf8 + (i % 8)); // base64 full of '+' and '/'
    const b64 = btoa(String.fromCharCode(...sig));
    expect(b64).toMatch(/\+/);
    const a = await uploadOk(randomBytes(10), `name=signed&kind=firmware&signature=${encodeURIComponent(b64)}`);
    expect(a.signature).toBe(b64);
    const b = await uploadOk(randomBytes(10), `name=signed2&kind=firmware&signature=${b64.replace(/=+$/, "")}`);
    expect(b.signature).toBe(b64);
  });

  it.each([
    ["name missing", "kind=kernel", 400, "bad_request", /name query parameter is required/],
    ["name malformed", "name=no%20spaces&kind=kernel", 422, "invalid", /^name: name must be 1-128 characters/],
    ["name empty", "name=&kind=kernel", 422, "invalid", /^name: /],
    ["name too long", `name=${"a".repeat(129)}&kind=kernel`, 422, "invalid", /^name: /],
    ["kind missing", "name=k", 422, "invalid", /^kind: kind must be one of kernel, initrd, disk, firmware/],
    ["kind unknown", "name=k&kind=iso", 422, "invalid", /^kind: kind must be one of/],
    ["signature not base64", "name=k&kind=kernel&signature=***", 422, "invalid", /^signature: signature must be the base64 encoding of a 64-byte/],
    ["signature 63 bytes", `name=k&kind=kernel&signature=${encodeURIComponent(btoa("x".repeat(63)))}`, 422, "invalid", /64-byte/],
  ])("refuses %s", async (_what, query, status, code, message) => {
    const keys = await kvKeys();
    const r = await upload(randomBytes(100), query);
    expect(r.status).toBe(status);
    const body = (await r.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe(code);
    expect(body.error.message).toMatch(message);
    expect(await imageCount()).toBe(0);
    expect(await kvKeys()).toEqual(keys);
  });

  it("refuses an empty body with 422", async () => {
    for (const body of [new Uint8Array(0), null]) {
      const r = await upload(body, "name=empty&kind=kernel");
      expect(r.status).toBe(422);
      expect(await r.json()).toEqual({ error: { code: "invalid", message: expect.stringMatching(/body is empty/) } });
    }
    expect(await imageCount()).toBe(0);
    expect(await kvKeys()).toEqual([]);
  });

  it("accepts exactly the limit and refuses one byte more (Content-Length) with 413", async () => {
    await uploadOk(randomBytes(LIMIT), "name=max&kind=disk");
    const keys = await kvKeys();
    const r = await upload(randomBytes(LIMIT + 1), "name=over&kind=disk");
    expect(r.status).toBe(413);
    expect(await r.json()).toEqual({ error: { code: "too_large", message: expect.stringContaining("image is larger than the 16777216-byte limit") } });
    expect(await imageCount()).toBe(1);
    expect(await kvKeys()).toEqual(keys);
  });

  it("refuses a streamed body (no Content-Length) with 413 once it passes the limit, stops reading and leaves no chunks", async () => {
    const before = await kvKeys();
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled >= 64 * MiB) return controller.close();
        pulled += MiB;
        controller.enqueue(randomBytes(MiB));
      },
    }, { highWaterMark: 0 });
    const r = await upload(stream, "name=stream&kind=disk");
    expect(r.status).toBe(413);
    expect(await r.json()).toMatchObject({ error: { code: "too_large", message: expect.stringContaining("16777216-byte limit") } });
    expect(pulled).toBeGreaterThan(LIMIT);
    expect(pulled).toBeLessThan(32 * MiB);
    expect(await imageCount()).toBe(0);
    expect(await kvKeys()).toEqual(before);
  });
});

describe("GET /api/images", () => {
  it("lists records oldest first, gets one, and answers 404 for an unknown id", async () => {
    const a = await uploadOk(randomBytes(10), "name=a&kind=kernel");
    const b = await uploadOk(randomBytes(10), "name=b&kind=initrd");
    expect(await (await api("")).json()).toEqual([a, b]);
    expect(await (await api(`/${b.id}`)).json()).toEqual(b);
    const r = await api("/img-0000000000000000");
    expect(r.status).toBe(404);
    expect(await r.json()).toEqual({ error: { code: "not_found", message: "image img-0000000000000000 does not exist" } });
  });
});

describe("DELETE /api/images/:id", () => {
  it("keeps the bytes while another record shares them and empties KV with the last one", async () => {
    const bytes = randomBytes(2.5 * MiB);
    const a = await uploadOk(bytes, "name=a&kind=disk");
    const b = await uploadOk(bytes, "name=b&kind=disk");
    const stored = await kvKeys();
    expect(stored).toHaveLength(4); // manifest + 3 chunks
    expect((await api(`/${a.id}`, { method: "DELETE" })).status).toBe(204);
    expect(await kvKeys()).toEqual(stored);
    expect(firstDifference(await readBlob(env.BLOBS, b.sha256), bytes)).toBe(-1);
    expect((await api(`/${b.id}`, { method: "DELETE" })).status).toBe(204);
    expect(await kvKeys()).toEqual([]);
    expect((await api(`/${b.id}`)).status).toBe(404);
    expect((await api(`/${b.id}`, { method: "DELETE" })).status).toBe(404);
  });

  it("removes only the chunks no other blob lists", async () => {
    const shared = randomBytes(MiB);
    const x = new Uint8Array([...shared, ...randomBytes(100)]);
    const y = new Uint8Array([...shared, ...randomBytes(200)]);
    const a = await uploadOk(x, "name=x&kind=disk");
    const b = await uploadOk(y, "name=y&kind=disk");
    expect(await kvKeys("chunk/")).toHaveLength(3);
    expect((await api(`/${a.id}`, { method: "DELETE" })).status).toBe(204);
    expect(await kvKeys()).toEqual([`blob/${b.sha256}`, ...(await manifest(b.sha256))!.chunks.map((h) => `chunk/${h}`)].sort());
    expect(firstDifference(await readBlob(env.BLOBS, b.sha256), y)).toBe(-1);
  });

  it("answers 409 while a VM boots from the image", async () => {
    const kernel = await uploadOk(randomBytes(10), "name=vmlinux&kind=kernel");
    const initrd = await uploadOk(randomBytes(10), "name=initrd&kind=initrd");
    const db = openDb(env.DB);
    const now = Date.now();
    await db.insert(schema.vms).values({
      id: "vm-images-test", name: "web-1", hostId: "host-default", memoryMiB: 64, powerState: "POWERED_OFF",
      boot: JSON.stringify({ kernel: kernel.id, initrd: initrd.id, cmdline: "console=ttyS0" }), createdAt: now, updatedAt: now,
    });
    for (const img of [kernel, initrd]) {
      const r = await api(`/${img.id}`, { method: "DELETE" });
      expect(r.status).toBe(409);
      expect(await r.json()).toEqual({ error: { code: "conflict", message: expect.stringContaining("in use by VM web-1 (vm-images-test)") } });
      expect((await api(`/${img.id}`)).status).toBe(200);
    }
    await db.delete(schema.vms);
    expect((await api(`/${kernel.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await api(`/${initrd.id}`, { method: "DELETE" })).status).toBe(204);
  });
});

describe("readBlob", () => {
  it("throws BlobError naming a corrupt or missing chunk", async () => {
    const bytes = randomBytes(2 * MiB + 1);
    const img = await uploadOk(bytes, "name=c&kind=disk");
    const { chunks } = (await manifest(img.sha256))!;
    const good = await env.BLOBS.get(`chunk/${chunks[1]}`, "arrayBuffer");
    const bad = new Uint8Array(good!);
    bad[12345] = bad[12345]! ^ 1;
    await env.BLOBS.put(`chunk/${chunks[1]}`, bad);
    const corrupt = readBlob(env.BLOBS, img.sha256);
    await expect(corrupt).rejects.toBeInstanceOf(BlobError);
    await expect(corrupt).rejects.toThrow(`chunk 1 (${chunks[1]}) of blob ${img.sha256} is corrupt`);
    await env.BLOBS.put(`chunk/${chunks[1]}`, bad.subarray(1));
    await expect(readBlob(env.BLOBS, img.sha256)).rejects.toThrow(/chunk 1 .* is corrupt: 1048575 bytes, expected 1048576/);
    await env.BLOBS.delete(`chunk/${chunks[2]}`);
    await env.BLOBS.put(`chunk/${chunks[1]}`, good!);
    await expect(readBlob(env.BLOBS, img.sha256)).rejects.toThrow(`chunk 2 (${chunks[2]}) of blob ${img.sha256} is missing`);
    await expect(readBlob(env.BLOBS, "0".repeat(64))).rejects.toThrow(/does not exist/);
  });
});
