// Clones sharing one memory (src/machine/core/arena.ts): a booted small-kernel machine's
// frames are put once into a shared region of an arena, and two clones in that arena map
// them read-only, copying a frame only when they write it, and share the decoded code of
// those frames. Run slice by slice in turns, each clone answers its own commands, ends
// in exactly the state of a clone with private copies given the same input, and holds a
// fraction of the memory the booted machine holds.
import { describe, it, expect } from "vitest";
import { Guest, image } from "./guest.js";
import { MemoryArena } from "../../src/machine/core/arena.js";
import type { VirtState } from "../../src/machine/virt.js";

const SLICE = 200_000n;

/** Runs one slice of g (skipping idle time as Guest.waitFor does); true once `text` and then a prompt have appeared since `from`. */
function step(g: Guest, text: string, from: number): boolean {
  const at = g.out.indexOf(text, from);
  if (at >= 0 && g.out.indexOf("# ", at) >= 0) return true;
  const r = g.vm.run(SLICE);
  if (r.kind === "idle" && r.deadline !== undefined && r.deadline > g.vm.hart.clock) g.vm.hart.advanceClock(r.deadline - g.vm.hart.clock);
  if (r.kind !== "budget" && r.kind !== "idle") throw new Error(`clone stopped: ${r.kind}`);
  return false;
}

/** Types cmd into every guest and runs them in turns, a slice each, until each has printed its `want`. */
function together(runs: { g: Guest; cmd: string; want: string }[]): void {
  const from = runs.map(({ g, cmd }) => { const at = g.out.length; g.type(`${cmd}\n`); return at; });
  const done = runs.map(() => false);
  for (let turns = 0; done.includes(false); turns++) {
    if (turns > 20_000) throw new Error(`no answer: ${runs.map(({ g }) => g.out.slice(-300)).join("\n---\n")}`);
    runs.forEach(({ g, want }, i) => { if (!done[i]) done[i] = step(g, `${want}\r\n`, from[i]!); });
  }
}

describe("clones in one shared arena", () => {
  it("map the snapshot's frames once, copy on write, and run as clones with private copies do", async () => {
    const cfg = { memoryMiB: 16, kernel: image("small/Image") };
    const base = await Guest.boot(cfg);
    base.waitFor("# ");
    expect(base.run("echo booted").trim()).toBe("booted");
    const state: VirtState = base.vm.saveState();
    const frames = base.vm.residentFrames();
    const baseBytes = base.vm.hart.hostMemoryBytes;

    const arena = new MemoryArena();
    const region = arena.allocShared(frames.length * 4096);
    const at = new Map<number, number>();
    frames.forEach((f, i) => {
      new Uint8Array(arena.memory.buffer, region + i * 4096, 4096).set(base.vm.frameBytes(f)!);
      at.set(f, region + i * 4096);
    });
    const shared = (g: Guest) => g.start({ arena, restore: { state, lazy: { indices: frames, load: (f) => at.get(f) } } });
    const b = await Guest.boot(cfg), c = await Guest.boot(cfg), ref = await Guest.boot(cfg);
    for (const g of [b, c, ref]) g.vm.dispose();
    shared(b);
    shared(c);
    ref.start({ restore: { state, lazy: { indices: frames, load: (f) => base.vm.frameBytes(f)!.slice() } } });

    // Interleaved slice by slice: each sees its own input, writes land in its own copies.
    together([
      { g: b, cmd: "echo b-$((6*7)) > /tmp/who; cat /tmp/who", want: "b-42" },
      { g: c, cmd: "echo c-$((7*7)) > /tmp/who; cat /tmp/who", want: "c-49" },
      { g: ref, cmd: "echo b-$((6*7)) > /tmp/who; cat /tmp/who", want: "b-42" },
    ]);
    together([
      { g: c, cmd: "cat /tmp/who; ls / | wc -l", want: "c-49" },
      { g: b, cmd: "cat /tmp/who; ls / | wc -l", want: "b-42" },
      { g: ref, cmd: "cat /tmp/who; ls / | wc -l", want: "b-42" },
    ]);
    expect(b.vm.hart.lazyFaultError).toBeUndefined();
    // Same input and slices, shared or private frames: the same machine.
    expect(b.vm.hart.instret).toBe(ref.vm.hart.instret);
    expect(b.vm.hart.stateHash()).toBe(ref.vm.hart.stateHash());
    // The base's frames were never written through a mapping.
    frames.forEach((f, i) => {
      expect(Buffer.compare(new Uint8Array(arena.memory.buffer, region + i * 4096, 4096), base.vm.frameBytes(f)!)).toBe(0);
    });

    // Most frames a clone touched are still the shared copies; decoded code is shared too.
    for (const g of [b, c]) {
      expect(g.vm.hart.sharedFrames).toBeGreaterThan(100);
      expect(g.vm.hart.sharedFrames).toBeGreaterThan(g.vm.dirtyFrames().length);
    }
    expect(arena.sharedCodeBytes).toBeGreaterThan(0);
    const clones = b.vm.hart.hostMemoryBytes + c.vm.hart.hostMemoryBytes;
    const sharedBytes = arena.sharedBytes + arena.sharedCodeBytes;
    expect(clones + sharedBytes).toBeLessThan(1.6 * baseBytes);
    expect(b.vm.hart.hostMemoryBytes).toBeLessThan(ref.vm.hart.hostMemoryBytes / 2);

    // A disposed clone gives its units back; the other runs on, and a new clone reuses them.
    const total = arena.totalBytes;
    b.vm.dispose();
    expect(() => b.vm.hart.pc).toThrow(/disposed/);
    expect(c.run("echo still-$((1+1))").trim()).toBe("still-2");
    shared(b);
    expect(b.run("cat /tmp/who 2>&1; echo fresh").trim()).toMatch(/No such file[\s\S]*fresh/);
    expect(arena.totalBytes).toBe(total);
  }, 300_000);

  it("refuses a loader's offset that is not a shared frame of the arena", async () => {
    const cfg = { memoryMiB: 16, kernel: image("small/Image") };
    const base = await Guest.boot(cfg);
    base.waitFor("# ");
    const state = base.vm.saveState();
    const frames = base.vm.residentFrames();
    const arena = new MemoryArena();
    const g = await Guest.boot(cfg);
    g.vm.dispose();
    // An offset inside the arena but not in a shared region (the hart's own tables).
    g.start({ arena, restore: { state, lazy: { indices: frames, load: () => 0x10000 } } });
    expect(() => g.vm.run(1_000_000n)).toThrow(/not a shared frame/);
  });
});
