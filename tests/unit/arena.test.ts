// MemoryArena (src/machine/core/arena.ts): units handed out and taken back, shared regions
// with their decoded-code slots, harts taking turns with their static data, and a hart
// that may not be called while another one of the same memory runs.
import { beforeAll, describe, expect, it } from "vitest";
import { MemoryArena, SLOT_BYTES, UNIT } from "../../src/machine/core/arena.js";
import { Hart } from "../../src/machine/core/hart.js";
import { loadHartModule } from "../../src/cli/hart-module.js";

let mod: WebAssembly.Module;
beforeAll(async () => { mod = await loadHartModule(); });

describe("MemoryArena", () => {
  it("hands out zeroed units, takes them back, and reuses contiguous runs", () => {
    const a = new MemoryArena();
    const t1 = {}, t2 = {};
    a.adopt(t1, 1024);
    a.adopt(t2, 1024);
    const x = a.alloc(t1, 3 * UNIT);
    const y = a.alloc(t2, UNIT);
    expect(x).toBe(UNIT); // unit 0 holds the static data
    expect(y).toBe(4 * UNIT);
    expect(a.alloc(t1, 100)).toBe(0); // whole units only
    new Uint8Array(a.memory.buffer, x, 3 * UNIT).fill(7);
    expect(a.bytesOf(t1)).toBe(3 * UNIT + 1024);
    a.release(t1);
    expect(a.bytesOf(t1)).toBe(1024); // statics only: it holds nothing
    const t3 = {};
    a.adopt(t3, 1024);
    expect(a.alloc(t3, 2 * UNIT)).toBe(x);
    expect(new Uint8Array(a.memory.buffer, x, 2 * UNIT).every((b) => b === 0)).toBe(true);
    expect(a.totalBytes).toBe(17 * UNIT); // grown 1 MiB at a time
  });

  it("keeps one decoded-code slot per shared frame and frees both with the region", () => {
    const a = new MemoryArena();
    const r = a.allocShared(3 * 4096);
    expect(a.isSharedFrame(r + 4096)).toBe(true);
    expect(a.isSharedFrame(r + 100)).toBe(false);
    expect(a.isSharedFrame(r + UNIT)).toBe(false);
    const s = a.sharedSlot(r + 4096);
    expect(s).toBeGreaterThan(0);
    expect(a.sharedSlot(r + 4096)).toBe(s);
    expect(a.sharedSlot(r + 8192)).toBe(s + SLOT_BYTES);
    expect(a.sharedSlot(12345 * 4096)).toBe(0);
    new Uint8Array(a.memory.buffer, s, 16).fill(1);
    a.freeShared(r);
    expect(a.isSharedFrame(r + 4096)).toBe(false);
    expect(new Uint8Array(a.memory.buffer, s, 16).every((b) => b === 0)).toBe(true);
  });

  it("maps a lazy frame to a shared frame and copies it on the first write, by DMA or by the guest", () => {
    const arena = new MemoryArena();
    const region = arena.allocShared(2 * 4096);
    const pattern = (k: number) => Uint8Array.from({ length: 4096 }, (_, i) => (i * 7 + k) & 0xff);
    new Uint8Array(arena.memory.buffer, region, 4096).set(pattern(1));
    new Uint8Array(arena.memory.buffer, region + 4096, 4096).set(pattern(2));
    const h = new Hart(mod, { ramBytes: 1 << 20, arena });
    h.setLazyFrames([1, 2], (f) => region + (f - 1) * 4096);
    const base = 0x8000_0000n;
    // Reads map the shared copies: nothing is copied.
    expect(h.readPhys(base + 4096n, 16)).toEqual(pattern(1).subarray(0, 16));
    expect(h.readPhys(base + 8192n + 100n, 4)).toEqual(pattern(2).subarray(100, 104));
    expect(h.sharedFrames).toBe(2);
    // DMA into frame 1: the hart gets its own copy, the shared frame stays as it was.
    h.writePhys(base + 4096n + 8n, Uint8Array.of(0xaa, 0xbb));
    expect(h.sharedFrames).toBe(1);
    expect([...h.readPhys(base + 4096n + 6n, 6)]).toEqual([...pattern(1).subarray(6, 8), 0xaa, 0xbb, ...pattern(1).subarray(10, 12)]);
    expect(new Uint8Array(arena.memory.buffer, region, 4096)).toEqual(pattern(1));
    // A guest store into frame 2 (t0 points into it): the same.
    h.writePhys(base, new Uint8Array([0x23, 0xb0, 0x02, 0x00, 0x73, 0x00, 0x50, 0x10])); // sd zero, 0(t0); wfi
    h.setX(5, base + 8192n + 16n);
    h.pc = base;
    h.priv = 3;
    h.run(2);
    expect(h.sharedFrames).toBe(0);
    expect([...h.readPhys(base + 8192n + 16n, 8)]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(new Uint8Array(arena.memory.buffer, region + 4096, 4096)).toEqual(pattern(2));
  });

  it("lets harts take turns with their registers, and refuses a call into another hart mid-run", () => {
    const arena = new MemoryArena();
    const h1 = new Hart(mod, { ramBytes: 1 << 20, arena });
    const h2 = new Hart(mod, { ramBytes: 1 << 20, arena });
    h1.setX(5, 111n);
    h2.setX(5, 222n);
    h1.pc = 0x8000_0000n;
    h2.pc = 0x8000_2000n;
    expect(h1.x(5)).toBe(111n);
    expect(h2.x(5)).toBe(222n);
    expect(h1.pc).toBe(0x8000_0000n);
    expect(h2.pc).toBe(0x8000_2000n);
    // A device of h1 that calls h2 while h1 runs: refused, and h1's state is intact.
    h1.priv = 3;
    h1.writePhys(0x8000_0000n, new Uint8Array([0x23, 0x20, 0x00, 0x10])); // sw zero, 0x100(zero)... (a store to the device)
    h1.map(0x0n, 0x1000n, { read: () => 0n, write: () => { h2.x(1); return 0; } });
    expect(() => h1.run(10)).toThrow(/another one in the same memory was running/);
    expect(h1.x(5)).toBe(111n);
    h2.dispose();
    expect(() => h2.x(5)).toThrow(/disposed/);
    expect(h1.x(5)).toBe(111n);
  });
});
