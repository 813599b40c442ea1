import { describe, expect, it } from "vitest";
import { Plic } from "../../../src/machine/devices/plic.js";
import { StateError } from "../../../src/machine/devices/state.js";
import { MmioResult } from "../../../src/machine/ports.js";

const PRIO = (id: number): number => 4 * id;
const PENDING = 0x1000;
const ENABLE = (ctx: number): number => 0x2000 + 0x80 * ctx;
const THRESHOLD = (ctx: number): number => 0x20_0000 + 0x1000 * ctx;
const CLAIM = (ctx: number): number => 0x20_0004 + 0x1000 * ctx;

function make(sources = 96) {
  const levels = [false, false];
  const plic = new Plic([(l) => { levels[0] = l; }, (l) => { levels[1] = l; }], sources);
  const r = (off: number): number => Number(plic.read(off, 4));
  const w = (off: number, v: number): MmioResult => plic.write(off, 4, BigInt(v));
  return { plic, levels, r, w };
}

describe("PLIC", () => {
  it("has 3-bit WARL priorities, a hardwired source 0 and read-only pending bits", () => {
    const { r, w } = make();
    w(PRIO(5), 0xff);
    expect(r(PRIO(5))).toBe(7);
    w(PRIO(0), 3);
    expect(r(PRIO(0))).toBe(0);
    w(PRIO(200), 3); // beyond the configured sources
    expect(r(PRIO(200))).toBe(0);
    w(PENDING, 0xffff_ffff);
    expect(r(PENDING)).toBe(0);
    w(ENABLE(0), 0xffff_ffff);
    expect(r(ENABLE(0))).toBe(0xffff_fffe);
    w(ENABLE(0) + 8, 0xffff_ffff); // ids 64..95
    expect(r(ENABLE(0) + 8)).toBe(0xffff_ffff);
    w(ENABLE(0) + 12, 0xffff_ffff); // ids 96..127 do not exist
    expect(r(ENABLE(0) + 12)).toBe(0);
    w(THRESHOLD(1), 9);
    expect(r(THRESHOLD(1))).toBe(1);
  });

  it("claims the highest priority above threshold, ties to the lowest id", () => {
    const { plic, levels, r, w } = make();
    for (const id of [3, 7, 10]) w(PRIO(id), id === 3 ? 2 : 5);
    w(ENABLE(1), (1 << 3) | (1 << 7) | (1 << 10));
    plic.setSource(3, true);
    plic.setSource(10, true);
    plic.setSource(7, true);
    expect(r(PENDING)).toBe((1 << 3) | (1 << 7) | (1 << 10));
    expect(levels).toEqual([false, true]); // enabled only in context 1 (S-mode)
    expect(r(CLAIM(1))).toBe(7);
    expect(r(PENDING) & (1 << 7)).toBe(0);
    expect(r(CLAIM(1))).toBe(10);
    expect(r(CLAIM(1))).toBe(3);
    expect(r(CLAIM(1))).toBe(0);
    expect(levels[1]).toBe(false);
  });

  it("masks by threshold and by priority 0", () => {
    const { plic, levels, r, w } = make();
    w(PRIO(4), 3);
    w(ENABLE(0), 1 << 4);
    w(THRESHOLD(0), 3);
    plic.setSource(4, true);
    expect(levels[0]).toBe(false);
    expect(r(CLAIM(0))).toBe(0);
    w(THRESHOLD(0), 2);
    expect(levels[0]).toBe(true);
    w(PRIO(4), 0);
    expect(levels[0]).toBe(false);
  });

  it("a level source stays claimed until completion, then pends again if still high", () => {
    const { plic, levels, r, w } = make();
    w(PRIO(9), 1);
    w(ENABLE(1), 1 << 9);
    plic.setSource(9, true);
    expect(r(CLAIM(1))).toBe(9);
    expect(levels[1]).toBe(false);
    plic.setSource(9, true); // still high while claimed: no new request
    expect(levels[1]).toBe(false);
    w(CLAIM(1), 9);
    expect(levels[1]).toBe(true);
    expect(r(CLAIM(1))).toBe(9);
    plic.setSource(9, false);
    w(CLAIM(1), 9);
    expect(levels[1]).toBe(false);
    expect(r(PENDING)).toBe(0);
  });

  it("lowering a line before the claim withdraws the request", () => {
    const { plic, levels, r, w } = make();
    w(PRIO(2), 1);
    w(ENABLE(0), 1 << 2);
    plic.setSource(2, true);
    expect(levels[0]).toBe(true);
    plic.setSource(2, false);
    expect(levels[0]).toBe(false);
    expect(r(CLAIM(0))).toBe(0);
  });

  it("ignores completion of a source not enabled for the context or not claimed", () => {
    const { plic, levels, r, w } = make();
    w(PRIO(5), 1);
    w(ENABLE(0), 1 << 5);
    plic.setSource(5, true);
    expect(r(CLAIM(0))).toBe(5);
    w(CLAIM(1), 5); // context 1 does not have it enabled
    expect(levels[0]).toBe(false);
    w(CLAIM(0), 6); // never claimed
    w(CLAIM(0), 5000);
    w(CLAIM(0), 5);
    expect(levels[0]).toBe(true);
  });

  it("enables are per context", () => {
    const { plic, levels, r, w } = make();
    w(PRIO(1), 1);
    w(PRIO(33), 1);
    w(ENABLE(0), 1 << 1);
    w(ENABLE(1) + 4, 1 << 1); // id 33
    plic.setSource(1, true);
    expect(levels).toEqual([true, false]);
    plic.setSource(33, true);
    expect(levels).toEqual([true, true]);
    expect(r(CLAIM(1))).toBe(33);
    expect(r(CLAIM(0))).toBe(1);
  });

  it("faults on non-32-bit or misaligned accesses; unknown offsets read 0", () => {
    const { plic, w, r } = make();
    expect(plic.read(0, 1)).toBeUndefined();
    expect(plic.read(2, 4)).toBeUndefined();
    expect(plic.read(0, 8)).toBeUndefined();
    expect(plic.write(0x4, 2, 1n)).toBe(MmioResult.AccessFault);
    expect(plic.read(0x400_0000, 4)).toBeUndefined();
    expect(r(0x1f_fffc)).toBe(0);
    expect(r(THRESHOLD(5))).toBe(0); // context 5 does not exist
    expect(w(CLAIM(5), 1)).toBe(MmioResult.Ok);
    expect(r(0x3ff_fffc)).toBe(0);
    plic.setSource(0, true);
    plic.setSource(96, true);
    plic.setSource(-1, true);
    expect(r(PENDING)).toBe(0);
  });

  it("supports 1024 sources", () => {
    const { plic, r, w } = make(1024);
    w(PRIO(1023), 7);
    w(ENABLE(0) + 0x7c, 0x8000_0000);
    plic.setSource(1023, true);
    expect(r(PENDING + 0x7c)).toBe(0x8000_0000);
    expect(r(CLAIM(0))).toBe(1023);
  });

  it("round-trips its state and rejects garbage", () => {
    const a = make();
    a.w(PRIO(3), 4);
    a.w(PRIO(4), 2);
    a.w(ENABLE(1), (1 << 3) | (1 << 4));
    a.w(THRESHOLD(0), 1);
    a.plic.setSource(3, true);
    a.plic.setSource(4, true);
    expect(a.r(CLAIM(1))).toBe(3);
    const snap = JSON.parse(JSON.stringify(a.plic.saveState()));
    const b = make();
    b.plic.loadState(snap);
    expect(b.levels).toEqual([false, true]);
    expect(b.plic.saveState()).toEqual(snap);
    expect(b.r(CLAIM(1))).toBe(4);
    b.w(CLAIM(1), 3);
    expect(b.r(CLAIM(1))).toBe(3);

    const before = b.plic.saveState();
    for (const bad of [null, {}, { ...snap, sources: 97 }, { ...snap, priority: [9] }, { ...snap, enable: [[0, 0, 0]] },
      { ...snap, pending: [8, 0, 0], claimed: [8, 0, 0] }, { ...snap, threshold: [0, 8] }, { ...snap, lines: [1, 0] }]) {
      expect(() => b.plic.loadState(bad)).toThrow(StateError);
    }
    expect(b.plic.saveState()).toEqual(before);
  });
});
