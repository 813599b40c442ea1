// The local R2's own speed, which bounds what a disk on it can do under wrangler dev: the
// same miniflare (pinned in package.json) with a bucket persisted to a temporary directory,
// driven from inside workerd the way a VM's disk drives it. A guest flush completes only
// once its data is in R2, so a sequential writer can never beat the put rate below, and an
// uncached sequential reader never the get rate.
//
//   node --import tsx bench/disk/r2-ceiling.ts      (bench/disk/run.ts prints it too)
import { Miniflare } from "miniflare";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

export interface R2Ceiling {
  /** 1 MiB objects, 8 puts in flight (as a disk's commit packs and sends them). */
  putMBps: number;
  /** The same objects read back whole, 8 in flight. */
  getMBps: number;
  /** One 64 KiB object (a chunk) put after the other: ms each. */
  put64KiBMs: number;
  /** 64 KiB ranged reads of those objects, one after the other: ms each. */
  get64KiBMs: number;
}

const WORKER = `
const MIB = 1 << 20;
async function inFlight(n, total, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => { while (next < total) await fn(next++); }));
}
export default {
  async fetch(req, env) {
    const big = new Uint8Array(MIB);
    for (let i = 0; i < big.length; i++) big[i] = (i * 131 + (i >> 12)) & 0xff;
    const small = big.subarray(0, 64 * 1024);
    const N = 32;
    let t = Date.now();
    await inFlight(8, N, (i) => env.B.put("big/" + i, big));
    const putMs = Date.now() - t;
    t = Date.now();
    await inFlight(8, N, async (i) => { await (await env.B.get("big/" + i)).arrayBuffer(); });
    const getMs = Date.now() - t;
    t = Date.now();
    for (let i = 0; i < 50; i++) await env.B.put("small/" + i, small);
    const smallPutMs = Date.now() - t;
    t = Date.now();
    for (let i = 0; i < 50; i++) await (await env.B.get("big/" + (i % N), { range: { offset: (i % 16) * 65536, length: 65536 } })).arrayBuffer();
    const smallGetMs = Date.now() - t;
    const mbps = (ms) => (N * MIB) / 1e6 / (ms / 1000);
    return Response.json({ putMBps: mbps(putMs), getMBps: mbps(getMs), put64KiBMs: smallPutMs / 50, get64KiBMs: smallGetMs / 50 });
  },
};`;

/** Median of `runs` measurements of each figure. */
export async function measureR2Ceiling(runs = 3): Promise<R2Ceiling> {
  const dir = mkdtempSync(join(tmpdir(), "edgevisor-r2-ceiling-"));
  const mf = new Miniflare({ compatibilityDate: "2026-05-01", modules: true, script: WORKER, r2Buckets: ["B"], r2Persist: dir });
  try {
    const all: R2Ceiling[] = [];
    for (let i = 0; i < runs; i++) all.push(await (await mf.dispatchFetch("http://ceiling/")).json() as R2Ceiling);
    const med = (k: keyof R2Ceiling) => {
      const v = all.map((a) => a[k]).sort((a, b) => a - b);
      return Number(v[v.length >> 1]!.toFixed(2));
    };
    return { putMBps: med("putMBps"), getMBps: med("getMBps"), put64KiBMs: med("put64KiBMs"), get64KiBMs: med("get64KiBMs") };
  } finally {
    await mf.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const c = await measureR2Ceiling();
  console.log(`local R2 (miniflare): put ${c.putMBps.toFixed(1)} MB/s, get ${c.getMBps.toFixed(1)} MB/s (1 MiB objects, 8 in flight); ` +
    `64 KiB put ${c.put64KiBMs.toFixed(2)} ms, 64 KiB ranged get ${c.get64KiBMs.toFixed(2)} ms`);
}
