// CheckpointStore's base layer inside a VM object's real SQLite: the frame map of a clone
// survives the object (packed rows, decoded again by a fresh store), own frames override it,
// a map larger than one packed row round-trips, and a map kept by older checkpoints one row
// per frame (base_frames) is still read.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, it, expect } from "vitest";
import { CheckpointStore, type BaseRef } from "../../src/storage/checkpoint-store.js";

function stub(name: string) {
  return env.VM.get(env.VM.idFromName(`checkpoint-store-${name}`));
}

describe("CheckpointStore base layer", () => {
  it("keeps the base map across stores, lets own frames override it, and clears it", async () => {
    await runInDurableObject(stub("a"), (_obj, state) => {
      const map = new Map<number, BaseRef>();
      // 70,000 frames: more than one packed row (32,768 frames each).
      for (let f = 0; f < 70_000; f++) map.set(f * 3 + 1, { pack: f % 7, slot: f % 4096 });
      const a = new CheckpointStore(state.storage);
      a.setBase(map);
      const b = new CheckpointStore(state.storage); // as after an eviction
      expect(b.basePfns().length).toBe(70_000);
      expect(b.basePfns()[0]).toBe(1);
      expect(b.basePfns().at(-1)).toBe(69_999 * 3 + 1);
      expect(b.baseRef(3 * 12_345 + 1)).toEqual({ pack: 12_345 % 7, slot: 12_345 % 4096 });
      expect(b.baseRef(2)).toBeUndefined();
      b.putFrame(1, new Uint8Array(4096).fill(5));
      b.putFrame(4, new Uint8Array(0));
      const only = b.baseOnly();
      expect(only.size).toBe(69_998);
      expect(only.has(1)).toBe(false);
      expect(only.has(7)).toBe(true);
      b.clearBase();
      expect(new CheckpointStore(state.storage).basePfns()).toEqual([]);
      expect(b.baseRef(7)).toBeUndefined();
    });
  });

  it("reads a base map written one row per frame by older checkpoints", async () => {
    await runInDurableObject(stub("b"), (_obj, state) => {
      new CheckpointStore(state.storage); // creates the tables
      state.storage.sql.exec("INSERT INTO base_frames (pfn, pack, slot) VALUES (10, 0, 3), (11, 1, 0)");
      const s = new CheckpointStore(state.storage);
      expect(s.basePfns()).toEqual([10, 11]);
      expect(s.baseRef(11)).toEqual({ pack: 1, slot: 0 });
      // A new base replaces the old rows too.
      s.setBase(new Map([[20, { pack: 2, slot: 9 }]]));
      expect(new CheckpointStore(state.storage).basePfns()).toEqual([20]);
    });
  });
});
