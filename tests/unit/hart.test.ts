// In-process tests of the hart (src/machine/core/hart.ts) and the bare-metal machine
// (src/machine/baremetal.ts) with real RV64 programs. The programs are assembled from
// tests/unit/programs/*.S by the cross toolchain in beforeAll.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadHartModule } from "../../src/cli/hart-module.js";
import { BareMetalMachine } from "../../src/machine/baremetal.js";
import { Hart, RAM_BASE, StopReason } from "../../src/machine/core/hart.js";
import { parseElf } from "../../src/machine/boot/elf.js";
import { ProgramBuilder, TextSink } from "./programs/toolchain.js";

const MCAUSE = 0x342;
const MTVAL = 0x343;
const MTVEC = 0x305;
// ABI register numbers
const S0 = 8, S1 = 9, S2 = 18, S3 = 19;

let mod: WebAssembly.Module;
let progs: ProgramBuilder;
const elfCache = new Map<string, Uint8Array>();

beforeAll(async () => {
  mod = await loadHartModule();
  progs = new ProgramBuilder();
});
afterAll(() => progs?.cleanup());

type Defines = Record<string, string | number | true>;

function elf(name: string, defines: Defines = {}): Uint8Array {
  const key = `${name}:${JSON.stringify(defines)}`;
  let bytes = elfCache.get(key);
  if (!bytes) {
    bytes = progs.bytes(name, { defines });
    elfCache.set(key, bytes);
  }
  return bytes;
}

/** A bare-metal machine with the program loaded; its UART output collects in `out`. */
function machine(name: string, defines: Defines = {}, memoryMiB = 16): { m: BareMetalMachine; out: TextSink } {
  const out = new TextSink();
  const m = new BareMetalMachine(mod, { memoryMiB, console: out });
  m.loadBytes(elf(name, defines));
  return { m, out };
}

function u64le(bytes: Uint8Array, off: number): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(off, true);
}

describe("program exit and console", () => {
  it("prints on the UART and passes through the SiFive test device", () => {
    const { m, out } = machine("hello");
    expect(m.run(1_000_000n)).toEqual({ kind: "pass" });
    expect(out.text).toBe("hello from rv64\n");
    // The run stopped at the finisher write, far below the limit.
    expect(m.hart.clock).toBeLessThan(1000n);
  });

  it("reports the failure code written to the SiFive test device", () => {
    const { m, out } = machine("hello", { FAIL_CODE: 42 });
    expect(m.run(1_000_000n)).toEqual({ kind: "fail", code: 42 });
    expect(out.text).toBe("hello, failing\n");
  });

  it("passes when the program stores 1 to tohost", () => {
    const { m, out } = machine("tohost", { TOHOST_VALUE: 1 });
    expect(m.run(1_000_000n)).toEqual({ kind: "pass" });
    expect(out.text).toBe("tohost program\n");
  });

  it("reports test n when the program stores (n << 1) | 1 to tohost", () => {
    const { m } = machine("tohost", { TOHOST_VALUE: (3 << 1) | 1 });
    expect(m.run(1_000_000n)).toEqual({ kind: "fail", code: 1, test: 3 });
  });
});

describe("run(budget) stop reasons", () => {
  it("spends exactly the budget on a straight loop and resumes where it stopped", () => {
    const { m } = machine("loop");
    const h = m.hart;
    expect(h.run(1000)).toBe(StopReason.Budget);
    expect(h.clock).toBe(1000n);
    expect(h.instret).toBe(1000n);
    // li, then 999 instructions alternating addi / j: 500 increments.
    expect(h.x(S0)).toBe(500n);
    expect(h.run(12_345n)).toBe(StopReason.Budget);
    expect(h.clock).toBe(13_345n);
    expect(h.instret).toBe(13_345n);
    expect(h.x(S0)).toBe(6672n);
  });

  it("a budget of 1 executes exactly one instruction", () => {
    const { m } = machine("loop");
    for (let i = 1n; i <= 5n; i++) {
      expect(m.hart.run(1)).toBe(StopReason.Budget);
      expect(m.hart.clock).toBe(i);
    }
    // li s0,0; addi; j; addi; j → pc back at the addi, s0 = 2
    expect(m.hart.x(S0)).toBe(2n);
    expect(m.hart.pc).toBe(0x8000_0002n);
  });

  it("stops in WFI with a timer armed and reports its deadline in cycles", () => {
    const { m, out } = machine("wfi", { TIMER: 1000 });
    const h = m.hart;
    expect(h.run(100_000)).toBe(StopReason.Wfi);
    expect(h.waiting).toBe(true);
    expect(h.x(S0)).toBe(1n);
    expect(h.clock).toBeLessThan(100n);
    // mtimecmp 1000 × 10 cycles per tick.
    expect(h.nextDeadline()).toBe(10_000n);
    // Still asleep: running again does nothing until time passes.
    const c = h.clock;
    expect(h.run(100_000)).toBe(StopReason.Wfi);
    expect(h.clock).toBe(c);
    // Skip to the deadline: the hart wakes, sees mtime >= 1000 and passes.
    h.advanceClock(10_000n - h.clock);
    expect(h.mtime).toBe(1000n);
    expect(h.run(100_000)).toBe(StopReason.Halt);
    expect(h.x(S0)).toBe(2n);
    expect(h.x(S1)).toBeGreaterThanOrEqual(1000n);
    expect(out.text).toBe("woke\n");
  });

  it("converts the timer deadline with the hart's cyclesPerTick", () => {
    const h = new Hart(mod, { ramBytes: 1 << 20, cyclesPerTick: 3 });
    const image = parseElf(elf("wfi", { TIMER: 1000 }));
    for (const s of image.segments) h.writePhys(s.paddr, s.data);
    h.pc = image.entry;
    h.map(0x1000_0000n, 0x100n, { read: () => 0n, write: () => 0 });
    h.map(0x10_0000n, 0x1000n, { read: () => 0n, write: () => 1 });
    expect(h.run(100_000)).toBe(StopReason.Wfi);
    expect(h.nextDeadline()).toBe(3000n);
  });

  it("the machine skips idle time to the timer deadline", () => {
    const { m, out } = machine("wfi", { TIMER: 1000 });
    expect(m.run(1_000_000n)).toEqual({ kind: "pass" });
    expect(out.text).toBe("woke\n");
    expect(m.hart.clock).toBeGreaterThanOrEqual(10_000n);
    expect(m.hart.clock).toBeLessThan(10_200n);
  });

  it("a deadline past the instruction limit is a limit, not a hang", () => {
    const { m } = machine("wfi", { TIMER: 1_000_000 });
    expect(m.run(50_000n)).toEqual({ kind: "limit" });
  });

  it("stops in WFI with nothing armed: no deadline, and the machine reports wfi-forever", () => {
    const { m } = machine("wfi");
    const h = m.hart;
    expect(h.run(100_000)).toBe(StopReason.Wfi);
    expect(h.nextDeadline()).toBeUndefined();
    expect(h.x(S0)).toBe(1n);

    const { m: m2 } = machine("wfi");
    expect(m2.run(1_000_000n)).toEqual({ kind: "wfi-forever" });
  });

  it("stops with Halt when the program writes the test finisher", () => {
    const { m } = machine("hello");
    expect(m.hart.run(1_000_000)).toBe(StopReason.Halt);
    expect(m.hart.clock).toBeLessThan(1000n);
  });
});

describe("determinism", () => {
  const budgets = [1000, 37, 50_000, 1, 12_345];

  it("two fresh machines running the same program for the same budgets agree at every step", () => {
    const a = machine("compute");
    const b = machine("compute");
    expect(a.m.hart.stateHash()).toBe(b.m.hart.stateHash());
    const seen = new Set<bigint>();
    for (const n of budgets) {
      a.m.hart.run(n);
      b.m.hart.run(n);
      const ha = a.m.hart.stateHash();
      expect(ha).toBe(b.m.hart.stateHash());
      seen.add(ha);
    }
    // The state moved on at every step.
    expect(seen.size).toBe(budgets.length);
    expect(a.out.text.length).toBeGreaterThan(50);
    expect(a.out.text).toBe(b.out.text);
  });

  it("how the budget is sliced does not change the result", () => {
    const a = machine("compute");
    const b = machine("compute");
    const total = budgets.reduce((s, n) => s + n, 0);
    for (const n of budgets) a.m.hart.run(n);
    b.m.hart.run(total);
    expect(a.m.hart.clock).toBe(BigInt(total));
    expect(b.m.hart.stateHash()).toBe(a.m.hart.stateHash());
    expect(b.out.text).toBe(a.out.text);
  });

  it("a different program or a different state gives a different hash", () => {
    const a = machine("compute");
    const b = machine("compute", { SEED: 54321 });
    expect(a.m.hart.stateHash()).not.toBe(b.m.hart.stateHash());
    a.m.hart.run(10_000);
    b.m.hart.run(10_000);
    expect(a.m.hart.stateHash()).not.toBe(b.m.hart.stateHash());

    // One register, or one byte of RAM, changes the hash.
    const c = machine("compute");
    c.m.hart.run(10_000);
    const before = c.m.hart.stateHash();
    expect(before).toBe(a.m.hart.stateHash());
    c.m.hart.setX(31, c.m.hart.x(31) ^ 1n);
    expect(c.m.hart.stateHash()).not.toBe(before);
    c.m.hart.setX(31, c.m.hart.x(31) ^ 1n);
    expect(c.m.hart.stateHash()).toBe(before);
    c.m.hart.writePhys(0x8020_0000n, Uint8Array.of(1));
    expect(c.m.hart.stateHash()).not.toBe(before);
  });
});

describe("save and restore", () => {
  function snapshot(h: Hart): { state: Uint8Array; frames: Map<number, Uint8Array> } {
    const state = h.saveState();
    const frames = new Map<number, Uint8Array>();
    for (let f = 0; f < h.frameCount; f++) {
      const fr = h.frame(f);
      if (fr) frames.set(f, fr.slice());
    }
    return { state, frames };
  }

  it("a restored hart continues exactly like the original", () => {
    const a = machine("compute");
    a.m.hart.run(30_000);
    const snap = snapshot(a.m.hart);
    expect(snap.frames.size).toBeGreaterThanOrEqual(5); // code + 16 KiB table

    const out = new TextSink();
    const b = new BareMetalMachine(mod, { memoryMiB: 16, console: out });
    expect(b.hart.stateHash()).not.toBe(a.m.hart.stateHash());
    b.hart.loadState(snap.state);
    for (const [f, bytes] of snap.frames) b.hart.setFrame(f, bytes);
    b.hart.resync();
    expect(b.hart.stateHash()).toBe(a.m.hart.stateHash());
    expect(b.hart.pc).toBe(a.m.hart.pc);
    expect(b.hart.clock).toBe(30_000n);

    a.out.clear();
    for (const n of [20_000, 777, 30_000]) {
      expect(a.m.hart.run(n)).toBe(StopReason.Budget);
      expect(b.hart.run(n)).toBe(StopReason.Budget);
      expect(b.hart.stateHash()).toBe(a.m.hart.stateHash());
    }
    expect(out.text.length).toBeGreaterThan(50);
    expect(out.text).toBe(a.out.text);
    expect(b.hart.clock).toBe(a.m.hart.clock);
  });

  it("restores a sleeping hart with its armed timer", () => {
    const a = machine("wfi", { TIMER: 1000 });
    expect(a.m.hart.run(100_000)).toBe(StopReason.Wfi);
    const snap = snapshot(a.m.hart);
    const out = new TextSink();
    const b = new BareMetalMachine(mod, { memoryMiB: 16, console: out });
    b.hart.loadState(snap.state);
    for (const [f, bytes] of snap.frames) b.hart.setFrame(f, bytes);
    b.hart.resync();
    expect(b.hart.waiting).toBe(true);
    expect(b.hart.nextDeadline()).toBe(10_000n);
    expect(b.run(1_000_000n)).toEqual({ kind: "pass" });
    expect(out.text).toBe("woke\n");
  });

  it("loadState rejects bytes that are not a state blob and leaves the hart unchanged", () => {
    const { m } = machine("compute");
    m.hart.run(5000);
    const good = m.hart.saveState();
    const before = m.hart.stateHash();
    const garbage = new Uint8Array(good.length);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 131 + 7) & 0xff;
    expect(() => m.hart.loadState(garbage)).toThrow(Error);
    expect(() => m.hart.loadState(new Uint8Array(0))).toThrow(Error);
    expect(() => m.hart.loadState(good.subarray(0, good.length - 8))).toThrow(Error);
    const wrongVersion = good.slice();
    wrongVersion[4] = 99;
    expect(() => m.hart.loadState(wrongVersion)).toThrow(/not a hart state/);
    expect(() => m.hart.loadState(new Uint8Array(1 << 20))).toThrow(RangeError);
    expect(m.hart.stateHash()).toBe(before);
    // The good blob is accepted.
    m.hart.loadState(good);
    expect(m.hart.stateHash()).toBe(before);
  });
});

describe("lazy RAM", () => {
  it("a 1 GiB machine that touches a few pages holds a few frames", () => {
    const { m } = machine("lazy", { PROBE: "0xb0000000" }, 1024);
    const h = m.hart;
    expect(h.frameCount).toBe(262_144);
    const loaded = h.framesInUse;
    expect(loaded).toBeLessThanOrEqual(2);
    h.run(10_000);
    expect(h.x(S1)).toBe(1n);
    // The guest read of untouched RAM saw zero and allocated nothing; its store allocated one frame.
    expect(h.x(S0)).toBe(0n);
    expect(h.framesInUse).toBe(loaded + 1);
    expect(h.frame((0xb000_0000 - 0x8000_0000) / 4096)).toBeUndefined();
    expect(h.frame(0x10)).toBeDefined();
    expect(h.hostMemoryBytes).toBeLessThan(64 * 1024 * 1024);
  });

  it("host reads of untouched RAM return zeros without allocating", () => {
    const { m } = machine("lazy", { PROBE: "0xb0000000" }, 1024);
    const h = m.hart;
    const n = h.framesInUse;
    const bytes = h.readPhys(0xbfff_0000n, 64 * 1024);
    expect(bytes.every((b) => b === 0)).toBe(true);
    expect(h.framesInUse).toBe(n);
    const mem = h.hostMemoryBytes;
    h.writePhys(0xa000_0000n, Uint8Array.of(7));
    expect(h.framesInUse).toBe(n + 1);
    expect(h.readPhys(0xa000_0000n, 2)).toEqual(Uint8Array.of(7, 0));
    expect(h.hostMemoryBytes - mem).toBeLessThanOrEqual(1 << 20);
  });
});

describe("dirty tracking", () => {
  const A = 0x10, B = 0x20; // frames of 0x80010000 and 0x80020000

  it("harvestDirty lists exactly the frames written since the last harvest", () => {
    const { m } = machine("dirty");
    const h = m.hart;
    // Loading the image wrote the code frame.
    expect(h.harvestDirty()).toEqual([0]);
    expect(h.harvestDirty()).toEqual([]);

    h.run(1000);
    expect(h.x(S2)).toBe(1n);
    expect(h.harvestDirty()).toEqual([A, B]);
    expect(h.harvestDirty()).toEqual([]);

    // Still spinning without writes: nothing new.
    h.run(1000);
    expect(h.harvestDirty()).toEqual([]);

    // Released, the program writes A again (a page it wrote before the harvest).
    h.setX(S1, 1n);
    h.run(1000);
    expect(h.x(S2)).toBe(2n);
    expect(h.harvestDirty()).toEqual([A]);
    expect(h.harvestDirty()).toEqual([]);
    expect(u64le(h.readPhys(0x8001_0000n, 24), 16)).toBe(0x2222n);
  });

  it("host writes mark frames dirty too", () => {
    const { m } = machine("dirty");
    const h = m.hart;
    h.harvestDirty();
    h.writePhys(0x8000_5ffen, Uint8Array.of(1, 2, 3, 4)); // straddles frames 5 and 6
    expect(h.harvestDirty()).toEqual([5, 6]);
  });
});

describe("access faults", () => {
  it("loads, stores and fetches outside RAM and devices trap with the right mcause and mtval", () => {
    const { m, out } = machine("faults", { RAM_END: "0x81000000" }, 16);
    expect(m.run(1_000_000n)).toEqual({ kind: "pass" });
    // T + ('a' + mcause) per trap: 5 5 7 7 5 1
    expect(out.text).toBe("TfTfThThTfTbdone\n");
    const log = m.hart.readPhys(0x8003_0000n, 6 * 16);
    const entries = Array.from({ length: 6 }, (_, i) => [u64le(log, i * 16), u64le(log, i * 16 + 8)]);
    expect(entries).toEqual([
      [5n, 0x0n],
      [5n, 0x4000_0000n],
      [7n, 0x4000_0000n],
      [7n, 0x0n],
      [5n, 0x8100_0000n],
      [1n, 0x4000_0000n],
    ]);
    // The last trap is still visible in the CSRs.
    expect(m.hart.csr(MCAUSE)).toBe(1n);
    expect(m.hart.csr(MTVAL)).toBe(0x4000_0000n);
  });
});

describe("self-modifying code", () => {
  for (const fence of [false, true]) {
    it(`a store over an executed instruction takes effect ${fence ? "with" : "without"} fence.i`, () => {
      const { m, out } = machine("smc", fence ? { FENCE_I: true } : {});
      expect(m.run(1_000_000n)).toEqual({ kind: "pass" });
      expect(m.hart.x(S2)).toBe(1n);
      expect(m.hart.x(S3)).toBe(2n);
      expect(out.text).toBe("12\n");
    });
  }

  it("a store that patches the very next, already executed instruction takes effect at once", () => {
    const { m, out } = machine("smc", { NEXT: true });
    expect(m.run(1_000_000n)).toEqual({ kind: "pass" });
    expect(out.text).toBe("13\n");
  });

  it("a host write into decoded code takes effect on the next run", () => {
    const { m } = machine("loop");
    const h = m.hart;
    h.run(1001); // li + 500 × (addi, j): pc back at the addi
    expect(h.x(S0)).toBe(500n);
    expect(h.readPhys(0x8000_0002n, 2)).toEqual(Uint8Array.of(0x05, 0x04)); // c.addi s0, 1
    h.writePhys(0x8000_0002n, Uint8Array.of(0x09, 0x04)); // c.addi s0, 2
    h.run(1000);
    expect(h.x(S0)).toBe(1500n);
  });
});

describe("hostile guests", () => {
  for (const vec of ["0x40000000", "0x10000000", "0x0"]) {
    it(`a trap loop through mtvec=${vec} still returns when the budget is spent`, () => {
      const { m } = machine("hostile", { TRAPLOOP: true, MTVEC: vec });
      const h = m.hart;
      const t0 = performance.now();
      expect(h.run(2_000_000)).toBe(StopReason.Budget);
      expect(performance.now() - t0).toBeLessThan(5000);
      expect(h.clock).toBeGreaterThanOrEqual(2_000_000n);
      expect(h.clock).toBeLessThan(2_000_010n);
      expect(h.csr(MTVEC)).toBe(BigInt(vec));
      expect(h.csr(MCAUSE)).toBe(1n);
      expect(h.csr(MTVAL)).toBe(BigInt(vec));
      expect(h.pc).toBe(BigInt(vec));
      // The machine reports the limit rather than hanging.
      expect(m.run(100_000n)).toEqual({ kind: "limit" });
    });
  }

  it("a guest that writes over all of RAM runs to completion", () => {
    const { m } = machine("hostile", { SCRIBBLE: true, RAM_END: "0x80400000" }, 4);
    expect(m.run(20_000_000n)).toEqual({ kind: "pass" });
    const h = m.hart;
    expect(h.framesInUse).toBe(h.frameCount);
    expect(h.frameCount).toBe(1024);
    const last = 0x803f_fff8n;
    expect(u64le(h.readPhys(last, 8), 0)).toBe(0x5a5a_5a5a_5a5a_5a5an ^ last);
  });
});

describe("zero-page reclaim", () => {
  it("drops frames holding only zeros, keeps the others, and changes nothing the guest or a hash can see", () => {
    const h = new Hart(mod, { ramBytes: 1 << 20, maxResidentFrames: 64 });
    const page = (i: number) => RAM_BASE + BigInt(i) * 4096n;
    for (let i = 0; i < 32; i++) h.writePhys(page(i), new Uint8Array(4096));
    for (let i = 32; i < 40; i++) h.writePhys(page(i), new Uint8Array(4096).fill(i));
    h.writePhys(page(40) + 4095n, Uint8Array.of(1)); // one non-zero byte at the very end
    expect(h.framesInUse).toBe(41);
    const hash = h.stateHash();
    h.harvestDirty();

    expect(h.reclaimZeroFrames()).toBe(32);
    expect(h.framesInUse).toBe(9);
    expect(h.zeroFramesReclaimed).toBe(32);
    expect(h.stateHash()).toBe(hash);
    expect(h.readPhys(page(5), 4096).every((b) => b === 0)).toBe(true);
    expect(h.readPhys(page(35), 4096).every((b) => b === 35)).toBe(true);
    expect(h.readPhys(page(40) + 4095n, 1)).toEqual(Uint8Array.of(1));
    // Checkpoints see the dropped frames as changed (they now read as zero).
    expect(h.harvestDirty()).toEqual(Array.from({ length: 32 }, (_, i) => i));
    expect(h.reclaimZeroFrames()).toBe(0);

    // At the budget, a DMA write makes room by reclaiming zero frames rather than failing.
    for (let i = 41; i < 41 + 55; i++) h.writePhys(page(i), new Uint8Array(4096));
    expect(h.framesInUse).toBe(64);
    h.writePhys(page(200), Uint8Array.of(7));
    expect(h.framesInUse).toBe(10);
    expect(h.readPhys(page(200), 1)).toEqual(Uint8Array.of(7));
    // With nothing to reclaim, the budget holds.
    for (let i = 100; i < 154; i++) h.writePhys(page(i), Uint8Array.of(1));
    expect(h.framesInUse).toBe(64);
    expect(() => h.writePhys(page(210), Uint8Array.of(1))).toThrow(RangeError);
  });
});

describe("RAM bounds in the wrapper", () => {
  it("writePhys and readPhys outside RAM throw RangeError", () => {
    const h = new Hart(mod, { ramBytes: 1 << 20 });
    const end = RAM_BASE + (1n << 20n);
    expect(() => h.writePhys(RAM_BASE - 4n, new Uint8Array(8))).toThrow(RangeError);
    expect(() => h.writePhys(0n, new Uint8Array(1))).toThrow(RangeError);
    expect(() => h.writePhys(0x1000_0000n, new Uint8Array(1))).toThrow(RangeError);
    expect(() => h.writePhys(end, new Uint8Array(1))).toThrow(RangeError);
    expect(() => h.writePhys(end - 4n, new Uint8Array(8))).toThrow(RangeError);
    expect(() => h.writePhys(0xffff_ffff_ffff_fff0n, new Uint8Array(32))).toThrow(RangeError);
    expect(() => h.readPhys(end, 1)).toThrow(RangeError);
    expect(() => h.readPhys(RAM_BASE - 1n, 2)).toThrow(RangeError);
    // The last bytes of RAM are fine.
    h.writePhys(end - 8n, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8));
    expect(h.readPhys(end - 8n, 8)).toEqual(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8));
    // A write larger than the I/O buffer is split and lands intact.
    const big = new Uint8Array(200_000).map((_, i) => (i * 7) & 0xff);
    h.writePhys(RAM_BASE + 0x1000n, big);
    expect(Buffer.compare(h.readPhys(RAM_BASE + 0x1000n, big.length), big)).toBe(0);
  });

  it("new Hart rejects 0 bytes or more than 4 GiB of RAM", () => {
    expect(() => new Hart(mod, { ramBytes: 0 })).toThrow(RangeError);
    expect(() => new Hart(mod, { ramBytes: 4095 })).toThrow(RangeError);
    expect(() => new Hart(mod, { ramBytes: 2 ** 32 + 4096 })).toThrow(RangeError);
    expect(() => new Hart(mod, { ramBytes: 1.5 * 2 ** 20 + 0.5 })).toThrow(RangeError);
    expect(() => new BareMetalMachine(mod, { memoryMiB: 0, console: new TextSink() })).toThrow(RangeError);
  });

  it("a 4 GiB hart works up to its last byte", () => {
    const h = new Hart(mod, { ramBytes: 2 ** 32 });
    expect(h.frameCount).toBe(1 << 20);
    const last = RAM_BASE + (1n << 32n) - 1n;
    h.writePhys(last, Uint8Array.of(0xab));
    expect(h.readPhys(last, 1)).toEqual(Uint8Array.of(0xab));
    expect(() => h.writePhys(last + 1n, Uint8Array.of(1))).toThrow(RangeError);
    expect(h.hostMemoryBytes).toBeLessThan(64 * 1024 * 1024);
  });
});
