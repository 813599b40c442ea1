// Lazy restore under Linux (small kernel): a booted machine is saved as its state plus its
// resident frames, then resumed in a fresh VirtMachine that fetches frames on first touch.
// The shell works, only part of RAM is fetched, and an eager and a lazy restore given the
// same input reach the same state hash.
import { describe, it, expect } from "vitest";
import { Guest, image } from "./guest.js";
import type { FrameRecord, VirtState } from "../../src/machine/virt.js";

describe("lazy restore (small kernel)", () => {
  it("resumes a shell fetching only the frames it touches, and hashes like an eager restore", async () => {
    const cfg = { memoryMiB: 16, kernel: image("small/Image") };
    const g = await Guest.boot(cfg);
    g.waitFor("init done");
    g.waitFor("# ");
    expect(g.run("echo before").trim()).toBe("before");

    const state: VirtState = g.vm.saveState();
    const pack = new Map<number, Uint8Array>();
    for (const f of g.vm.residentFrames()) pack.set(f, g.vm.frameBytes(f)!);
    expect(pack.size).toBeGreaterThan(100);
    const untouched = [...Array(g.vm.hart.frameCount).keys()].find((f) => !pack.has(f))!;
    expect(g.vm.frameBytes(untouched)).toBeUndefined();

    // Lazy: nothing is copied up front.
    const fetched = new Set<number>();
    const lazy = await Guest.boot(cfg);
    lazy.start({
      restore: {
        state,
        lazy: {
          indices: pack.keys(),
          load: (f) => {
            if (fetched.has(f)) throw new Error(`frame ${f} fetched twice`);
            fetched.add(f);
            return pack.get(f);
          },
        },
      },
    });
    expect(lazy.vm.hart.lazyFrames).toBe(pack.size);
    expect(lazy.vm.residentFrames()).toEqual([]);
    expect(lazy.vm.dirtyFrames()).toEqual([]);
    expect(lazy.run("echo lazy-$((6*7)); ls /proc/self/ | grep -c .").split("\n")[0]).toBe("lazy-42");
    expect(lazy.vm.hart.lazyFaultError).toBeUndefined();
    expect(fetched.size).toBeGreaterThan(0);
    expect(fetched.size).toBeLessThan(pack.size);
    expect(lazy.vm.hart.lazyFrames).toBe(pack.size - fetched.size);
    // Only frames the guest wrote are dirty, not everything it fetched.
    const dirty = lazy.vm.dirtyFrames();
    expect(dirty.length).toBeGreaterThan(0);
    expect(dirty.length).toBeLessThan(lazy.vm.residentFrames().length);

    // A whole snapshot of a partly lazy machine fetches the rest and restores the same machine.
    const snap = lazy.vm.snapshot();
    expect(lazy.vm.hart.lazyFrames).toBe(0);
    const again = await Guest.boot(cfg);
    again.start({ restore: snap });
    expect(again.vm.hart.stateHash()).toBe(lazy.vm.hart.stateHash());

    // Eager (frames given up front) and lazy restores of the same state, same input.
    const frames: FrameRecord[] = [...pack].map(([index, bytes]) => ({ index, bytes }));
    const eager = await Guest.boot(cfg);
    eager.start({ restore: { state, frames } });
    const lazy2 = await Guest.boot(cfg);
    lazy2.start({ restore: { state, lazy: { indices: pack.keys(), load: (f) => pack.get(f) } } });
    for (const m of [eager, lazy2]) expect(m.run("echo same; cat /proc/uptime > /dev/null").trim()).toBe("same");
    expect(lazy2.vm.hart.instret).toBe(eager.vm.hart.instret);
    expect(lazy2.vm.hart.stateHash()).toBe(eager.vm.hart.stateHash());
    // The old whole-snapshot form still restores.
    const old = await Guest.boot(cfg);
    old.start({ restore: { ...state, frames } });
    expect(old.run("echo old-form").trim()).toBe("old-form");
  }, 300_000);

  it("refuses invalid restored input with a BootError", async () => {
    const cfg = { memoryMiB: 16, kernel: image("small/Image") };
    const g = await Guest.boot(cfg);
    const state = g.vm.saveState();
    const page = new Uint8Array(4096);
    expect(() => g.start({ restore: { state, frames: [{ index: 4096, bytes: page }] } })).toThrow(/frame index 4096 is not a frame/);
    expect(() => g.start({ restore: { state, frames: [{ index: 1, bytes: new Uint8Array(10) }] } })).toThrow(/has 10 bytes, not 4096/);
    expect(() => g.start({ restore: { state, lazy: { indices: [-3], load: () => undefined } } })).toThrow(/BootError|restored state is invalid/);
    expect(() => g.start({ restore: { state: { ...state, memoryMiB: 32 } } })).toThrow(/32 MiB/);
    expect(() => g.start({ restore: { state: { ...state, hart: new Uint8Array(3) } } })).toThrow(/restored state is invalid/);
    expect(() => g.start({ restore: { state: { ...state, devices: { ...state.devices, plic: 5 } } } })).toThrow(/restored state is invalid/);
  });
});
