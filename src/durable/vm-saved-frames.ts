// Where a VM's saved frames are: its own checkpoint rows (an empty row: a zero frame) over
// its base layer, the memory snapshot it was cloned from or reverted to, whose packs the
// isolate keeps in its memory (frame-store.ts). Gives a frame's bytes (a migration sends
// them), and the lazy frames of a restoring machine, which maps base-layer frames in place
// instead of copying them.

import type { FrameLoader } from "../machine/core/hart.js";
import type { CheckpointStore } from "../storage/checkpoint-store.js";
import { sharedPacks } from "../storage/frame-store.js";
import type { BaseLayer } from "./vm-types.js";

/** Frame f's row's bytes, its base-layer pack frame, or undefined (zero). `own`: the frames with rows, so the others cost no query. */
function locate(store: CheckpointStore, f: number, base: BaseLayer | undefined, own?: ReadonlySet<number>): Uint8Array | { pack: string; slot: number } | undefined {
  const row = !own || own.has(f) ? store.frame(f) : undefined;
  if (row) return row.length ? row : undefined;
  const ref = base ? store.baseRef(f) : undefined;
  return ref && base ? { pack: base.packs[ref.pack]!, slot: ref.slot } : undefined;
}

const notLoaded = (f: number) => new Error(`snapshot frames for frame ${f} are not loaded`);

/** Frame f as the checkpoint has it (its own row, else the base layer's); undefined: zero. */
export function savedFrame(store: CheckpointStore, f: number, base = store.get<BaseLayer>("base")): Uint8Array | undefined {
  const at = locate(store, f, base);
  if (at === undefined || at instanceof Uint8Array) return at;
  const bytes = sharedPacks.frame(at.pack, at.slot);
  if (!bytes) throw notLoaded(f);
  return bytes.slice();
}

/**
 * The lazy frames of a restore: every frame with a row (`own`, when the caller knows them;
 * else read from the store) or in the base layer. A base-layer frame loads as its place in
 * the isolate's memory (the base's packs must be pinned while the machine lives).
 */
export function lazyFrames(store: CheckpointStore, base: BaseLayer | undefined, own: ReadonlySet<number> = new Set(store.pfns())): { indices: Set<number>; load: FrameLoader } {
  const indices = new Set(own);
  if (base) for (const f of store.basePfns()) indices.add(f);
  const load = (f: number): Uint8Array | number | undefined => {
    const at = locate(store, f, base, own);
    if (at === undefined || at instanceof Uint8Array) return at;
    const offset = sharedPacks.frameOffset(at.pack, at.slot);
    if (offset === undefined) throw notLoaded(f);
    return offset;
  };
  return { indices, load };
}
