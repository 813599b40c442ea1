// The memory-snapshot manifest: a versioned, self-describing JSON document stored in KV by
// content hash. It holds the machine state (hart bytes in base64), the power state, the tail
// of the console, and the frame map — for each non-zero frame, which pack and slot of the
// content-addressed frame store holds its bytes. Decoding checks every field: a manifest
// read back is untrusted input.
import type { VirtState } from "../machine/virt.js";
import type { PowerState } from "../cluster/power.js";
import type { FrameRef } from "./frame-store.js";
import { toBase64, fromBase64 } from "../encoding.js";

export interface SnapshotManifest {
  format: "edgevisor-memory-snapshot";
  version: 1;
  memoryMiB: number;
  powerState: PowerState;
  state: VirtState;
  packs: string[];
  /** pfn → [index into packs, slot]. */
  frames: Map<number, { pack: number; slot: number }>;
  console: { end: number; tail: Uint8Array };
}


export class ManifestError extends Error {}

export function encodeManifest(m: Omit<SnapshotManifest, "format" | "version" | "packs" | "frames"> & { refs: Map<number, FrameRef> }): { json: string; packs: string[] } {
  const packs: string[] = [];
  const index = new Map<string, number>();
  const flat: number[] = [];
  for (const [pfn, ref] of [...m.refs].sort((a, b) => a[0] - b[0])) {
    let i = index.get(ref.pack);
    if (i === undefined) { i = packs.length; packs.push(ref.pack); index.set(ref.pack, i); }
    flat.push(pfn, i, ref.slot);
  }
  const json = JSON.stringify({
    format: "edgevisor-memory-snapshot", version: 1, memoryMiB: m.memoryMiB, powerState: m.powerState,
    state: { ...m.state, hart: toBase64(m.state.hart) },
    packs, frames: flat,
    console: { end: m.console.end, tail: toBase64(m.console.tail) },
  });
  return { json, packs };
}

export function decodeManifest(raw: unknown): SnapshotManifest {
  const o = raw as Record<string, any>;
  if (!o || o.format !== "edgevisor-memory-snapshot") throw new ManifestError("not an Edgevisor memory snapshot");
  if (o.version !== 1) throw new ManifestError(`memory snapshot version ${String(o.version)} is not supported`);
  if (!Number.isInteger(o.memoryMiB) || o.memoryMiB <= 0) throw new ManifestError("bad memoryMiB");
  if (!["POWERED_ON", "SUSPENDED", "POWERED_OFF"].includes(o.powerState)) throw new ManifestError("bad powerState");
  if (!Array.isArray(o.packs) || !o.packs.every((p: unknown) => typeof p === "string" && /^pack\/[0-9a-f]{64}$/.test(p))) throw new ManifestError("bad pack list");
  if (!Array.isArray(o.frames) || o.frames.length % 3 !== 0) throw new ManifestError("bad frame map");
  const nframes = o.memoryMiB * 256;
  const frames = new Map<number, { pack: number; slot: number }>();
  for (let i = 0; i < o.frames.length; i += 3) {
    const [pfn, pack, slot] = [o.frames[i], o.frames[i + 1], o.frames[i + 2]];
    if (!Number.isInteger(pfn) || pfn < 0 || pfn >= nframes || !Number.isInteger(pack) || pack < 0 || pack >= o.packs.length
      || !Number.isInteger(slot) || slot < 0 || slot >= 256) throw new ManifestError(`bad frame entry at ${i / 3}`);
    frames.set(pfn, { pack, slot });
  }
  if (typeof o.state?.hart !== "string" || typeof o.console?.tail !== "string" || !Number.isInteger(o.console?.end)) throw new ManifestError("bad state");
  return {
    format: o.format, version: 1, memoryMiB: o.memoryMiB, powerState: o.powerState,
    state: { ...o.state, hart: fromBase64(o.state.hart) } as VirtState,
    packs: o.packs, frames,
    console: { end: o.console.end, tail: fromBase64(o.console.tail) },
  };
}
