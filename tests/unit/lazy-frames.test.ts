// Lazy guest frames (Hart.setLazyFrames): frames whose bytes the host supplies on first
// touch. A bare-metal program (programs/lazyfault.S) touches them by load, store,
// instruction fetch (including an instruction straddling two frames) and a Sv39 walk; the
// host touches them by DMA. Each is fetched once, untouched ones never; a fetched frame is
// clean until written; a loader failure stops the machine without the guest seeing zeros.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadHartModule } from "../../src/cli/hart-module.js";
import { Hart, RAM_BASE, StopReason } from "../../src/machine/core/hart.js";
import { parseElf } from "../../src/machine/boot/elf.js";
import { ProgramBuilder } from "./programs/toolchain.js";

const S0 = 8, S1 = 9, S2 = 18, S3 = 19;
const MIB = 1 << 20;

let mod: WebAssembly.Module;
let progs: ProgramBuilder;
let code: Uint8Array; // frames 0 and 1 of the program

beforeAll(async () => {
  mod = await loadHartModule();
  progs = new ProgramBuilder();
  const elf = parseElf(progs.bytes("lazyfault"));
  code = new Uint8Array(8192);
  for (const s of elf.segments) code.set(s.data, Number(s.paddr - RAM_BASE));
});
afterAll(() => progs?.cleanup());

/** Recognisable, mostly non-zero bytes for frame f. */
function pattern(f: number): Uint8Array {
  return Uint8Array.from({ length: 4096 }, (_, i) => (f * 7 + i * 13 + 1) & 0xff);
}

/** Root page table: VA 0x4000_0000 → PA 0x8000_0000, a 1 GiB leaf with V R W X A D set. */
function pageTable(): Uint8Array {
  const t = new Uint8Array(4096);
  new DataView(t.buffer).setBigUint64(8, (0x80000n << 10n) | 0xcfn, true);
  return t;
}

const u64le = (b: Uint8Array, off: number) => new DataView(b.buffer, b.byteOffset).getBigUint64(off, true);

/** The frames a lazy restore would serve, and a loader that counts its fetches. */
function source(): { frames: Map<number, Uint8Array>; fetched: Map<number, number>; load: (f: number) => Uint8Array | undefined } {
  const frames = new Map<number, Uint8Array>([[0, code.slice(0, 4096)], [1, code.slice(4096)], [0x20, pageTable()]]);
  for (const f of [0x10, 0x11, 0x12, 0x30, 0x31, 0x32, 0x40, 0x50]) frames.set(f, pattern(f));
  const fetched = new Map<number, number>();
  const load = (f: number) => {
    fetched.set(f, (fetched.get(f) ?? 0) + 1);
    return frames.get(f)?.slice();
  };
  return { frames, fetched, load };
}

function lazyHart(load: (f: number) => Uint8Array | undefined, indices: Iterable<number>, maxResidentFrames?: number): Hart {
  const h = new Hart(mod, { ramBytes: 16 * MIB, ...(maxResidentFrames !== undefined ? { maxResidentFrames } : {}) });
  h.setLazyFrames(indices, load);
  h.pc = RAM_BASE;
  h.priv = 3;
  return h;
}

describe("lazy frames", () => {
  it("fault in once each on load, store, fetch and page-table walk; untouched ones never", () => {
    const src = source();
    const h = lazyHart(src.load, src.frames.keys());
    expect(h.lazyFrames).toBe(11);
    expect(h.framesInUse).toBe(0);
    expect(h.run(100_000)).toBe(StopReason.Wfi);
    expect(h.x(S2)).toBe(1n);
    expect(h.x(S3)).toBe(7n); // the straddling instruction ran
    expect(h.x(S0)).toBe(u64le(pattern(0x10), 8));
    expect(h.x(S1)).toBe(u64le(pattern(0x12), 24));
    expect(Object.fromEntries(src.fetched)).toEqual({ 0: 1, 1: 1, 0x10: 1, 0x11: 1, 0x12: 1, 0x20: 1 });
    expect(h.lazyFrames).toBe(5);
    expect(h.framesInUse).toBe(6);
    expect(h.isLazy(0x10)).toBe(false);
    expect(h.isLazy(0x40)).toBe(true);
    // The store kept the rest of the frame's bytes.
    const expect11 = pattern(0x11);
    new DataView(expect11.buffer).setBigUint64(16, 0x5a5an, true);
    expect(h.readPhys(0x8001_1000n, 4096)).toEqual(expect11);
    // Fetched frames are clean: only the one the guest wrote is dirty.
    expect(h.harvestDirty()).toEqual([0x11]);
    // Reading a resident view never fetches; a lazy frame has none.
    expect(h.frame(0x30)).toBeUndefined();
    expect(h.residentFrames()).toEqual([0, 1, 0x10, 0x11, 0x12, 0x20]);
    expect(src.fetched.get(0x30)).toBeUndefined();
    // Running on fetches nothing more.
    h.run(10_000);
    expect([...src.fetched.values()].every((n) => n === 1)).toBe(true);
    expect(src.fetched.has(0x40)).toBe(false);
  });

  it("fault in once each on host DMA reads and writes, writes keeping the rest of the frame", () => {
    const src = source();
    const h = lazyHart(src.load, src.frames.keys());
    expect(h.readPhys(0x8003_0000n + 100n, 16)).toEqual(pattern(0x30).subarray(100, 116));
    expect(h.readPhys(0x8003_0000n, 4096)).toEqual(pattern(0x30));
    expect(src.fetched.get(0x30)).toBe(1);
    h.writePhys(0x8003_1ffen, Uint8Array.of(1, 2, 3, 4)); // straddles frames 0x31 and 0x32
    const want = new Uint8Array(8192);
    want.set(pattern(0x31));
    want.set(pattern(0x32), 4096);
    want.set([1, 2, 3, 4], 4094);
    expect(h.readPhys(0x8003_1000n, 8192)).toEqual(want);
    expect(Object.fromEntries(src.fetched)).toEqual({ 0x30: 1, 0x31: 1, 0x32: 1 });
    expect(h.harvestDirty()).toEqual([0x31, 0x32]);
  });

  it("a loader's undefined reads as zero; the frame limit does not refuse lazy faults", () => {
    const src = source();
    src.frames.delete(0x30);
    const h = lazyHart(src.load, [...src.frames.keys(), 0x30], 2);
    expect(h.run(100_000)).toBe(StopReason.Wfi);
    expect(h.framesInUse).toBe(6);
    expect(h.readPhys(0x8003_0000n, 4096).every((b) => b === 0)).toBe(true);
    expect(src.fetched.get(0x30)).toBe(1);
    // Plain (non-lazy) allocation still respects the limit.
    expect(() => h.writePhys(0x8006_0000n, Uint8Array.of(1))).toThrow(RangeError);
  });

  it("balloon release of a lazy frame: reads zero afterwards, never fetched, marked dirty", () => {
    const src = source();
    const h = lazyHart(src.load, src.frames.keys());
    h.harvestDirty();
    expect(h.releasePage(0x8005_0000n)).toBe(true);
    expect(h.isLazy(0x50)).toBe(false);
    expect(h.lazyFrames).toBe(10);
    expect(h.readPhys(0x8005_0000n, 4096).every((b) => b === 0)).toBe(true);
    expect(src.fetched.has(0x50)).toBe(false);
    expect(h.harvestDirty()).toEqual([0x50]);
  });

  it("setFrame on a lazy frame installs it without a fetch; stateHash fetches the rest", () => {
    const src = source();
    const lazy = lazyHart(src.load, src.frames.keys());
    lazy.setFrame(0x40, pattern(0x40));
    expect(src.fetched.has(0x40)).toBe(false);
    const eager = new Hart(mod, { ramBytes: 16 * MIB });
    for (const [f, b] of src.frames) eager.setFrame(f, b);
    eager.pc = RAM_BASE;
    eager.priv = 3;
    expect(lazy.stateHash()).toBe(eager.stateHash());
    expect(lazy.lazyFrames).toBe(0);
    // Both run the program to the same state.
    expect(lazy.run(100_000)).toBe(StopReason.Wfi);
    expect(eager.run(100_000)).toBe(StopReason.Wfi);
    expect(lazy.stateHash()).toBe(eager.stateHash());
  });

  it("a throwing loader stops the run before the access and surfaces lazyFaultError", () => {
    const src = source();
    const h = lazyHart((f) => {
      if (f === 0x10) throw new Error("row missing");
      return src.load(f);
    }, src.frames.keys());
    expect(h.run(100_000)).toBe(StopReason.LazyFault);
    expect(h.lazyFaultError).toMatch(/lazy frame 16 \(guest physical 0x80010000\).*row missing/);
    expect(h.x(S0)).toBe(0n); // the load did not retire
    expect(h.isLazy(0x10)).toBe(true); // nothing wrong was installed
    const pc = h.pc;
    expect(h.run(100_000)).toBe(StopReason.LazyFault); // refuses to go on
    expect(h.pc).toBe(pc);
  });

  it("a wrong-sized loader result fails the same way, also under DMA", () => {
    const h = lazyHart((f) => (f === 0x30 ? new Uint8Array(100) : undefined), [0x30]);
    expect(() => h.readPhys(0x8003_0000n, 8)).toThrow(/lazy frame 48 .*100 bytes, not 4096/);
    expect(h.lazyFaultError).toMatch(/100 bytes/);
    expect(h.isLazy(0x30)).toBe(true);
    expect(h.run(1000)).toBe(StopReason.LazyFault);
  });

  it("rejects lazy indices that are not frames", () => {
    const h = new Hart(mod, { ramBytes: 16 * MIB });
    expect(() => h.setLazyFrames([4096], () => undefined)).toThrow(RangeError);
    expect(() => h.setLazyFrames([-1], () => undefined)).toThrow(RangeError);
    expect(() => h.setLazyFrames([1.5], () => undefined)).toThrow(RangeError);
  });
});
