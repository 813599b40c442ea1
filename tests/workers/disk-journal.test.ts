// The disk journal (src/storage/disk/journal.ts) in a VM object's SQLite: what a restarted
// object finds (rows, versions, bytes), versioned deletes, and per-disk separation.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, it, expect } from "vitest";
import { SqlDiskJournal } from "../../src/storage/disk/journal.js";

const bytes = (n: number, v: number) => new Uint8Array(n).fill(v);

describe("disk journal", () => {
  it("a journal opened again finds the same rows; deletes honour versions; disks are apart", async () => {
    const stub = env.VM.get(env.VM.idFromName("disk-journal#0"));
    await runInDurableObject(stub, async (_obj, state) => {
      const sql = state.storage.sql;
      const a = new SqlDiskJournal(sql, "disk-a");
      const b = new SqlDiskJournal(sql, "disk-b");
      a.put(7, 1, bytes(4096, 1));
      a.put(3, 2, bytes(1024, 2));
      a.put(7, 3, bytes(2048, 3)); // a newer version replaces the row
      a.put(9, 4, new Uint8Array(0)); // discarded: reads as zero
      b.put(7, 1, bytes(512, 9));
      expect(a.bytes()).toBe(2048 + 1024);
      expect(a.list()).toEqual([{ index: 3, seq: 2 }, { index: 7, seq: 3 }, { index: 9, seq: 4 }]);

      a.delete(7, 1); // an older version: the row stays
      expect(a.has(7)).toBe(true);

      // As after an eviction: a new journal over the same storage.
      const again = new SqlDiskJournal(sql, "disk-a");
      expect(again.list()).toEqual(a.list());
      expect(again.bytes()).toBe(2048 + 1024);
      expect(again.get(7)).toEqual({ seq: 3, data: bytes(2048, 3) });
      expect(again.get(9)?.data.length).toBe(0);
      expect(again.get(4)).toBeUndefined();
      expect(again.has(4)).toBe(false);

      again.delete(7, 3);
      expect(again.has(7)).toBe(false);
      expect(again.bytes()).toBe(1024);
      expect(new SqlDiskJournal(sql, "disk-a").list()).toEqual([{ index: 3, seq: 2 }, { index: 9, seq: 4 }]);

      again.clear();
      expect(new SqlDiskJournal(sql, "disk-a").list()).toEqual([]);
      const otherDisk = new SqlDiskJournal(sql, "disk-b");
      expect(otherDisk.list()).toEqual([{ index: 7, seq: 1 }]);
      expect(otherDisk.bytes()).toBe(512);
      expect(b.get(7)?.data).toEqual(bytes(512, 9));
    });
  });
});
