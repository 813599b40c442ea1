import { describe, expect, it } from "vitest";
import { GoldfishRtc } from "../../../src/machine/devices/goldfish-rtc.js";
import { SifiveTest } from "../../../src/machine/devices/sifive-test.js";
import { StateError } from "../../../src/machine/devices/state.js";
import { MmioResult } from "../../../src/machine/ports.js";

const BOOT = 1_700_000_000_000_000_000n;

function make() {
  let vt = 0n;
  let level = false;
  const rtc = new GoldfishRtc(BOOT, () => vt, (l) => { level = l; });
  const r = (off: number): bigint => rtc.read(off, 4)!;
  const w = (off: number, v: bigint): MmioResult => rtc.write(off, 4, v);
  return { rtc, r, w, advance: (ns: bigint) => { vt += ns; }, level: () => level };
}

describe("goldfish RTC", () => {
  it("reads boot wall time plus virtual time, TIME_LOW latching TIME_HIGH", () => {
    const t = make();
    t.advance(1234n);
    const lo = t.r(0x00);
    t.advance(1n << 40n); // the latch keeps the high word of the first read
    const hi = t.r(0x04);
    expect((hi << 32n) | lo).toBe(BOOT + 1234n);
  });

  it("lets the guest set the time", () => {
    const t = make();
    const want = 1_000_000_000_000n;
    t.w(0x04, want >> 32n);
    t.w(0x00, want & 0xffff_ffffn);
    t.advance(500n);
    expect(t.rtc.now()).toBe(want + 500n);
  });

  it("fires the alarm at poll() once time passes it, if enabled", () => {
    const t = make();
    const at = BOOT + 10_000n;
    t.w(0x10, 1n);
    t.w(0x0c, at >> 32n);
    t.w(0x08, at & 0xffff_ffffn);
    expect(t.r(0x18)).toBe(1n);
    expect(t.rtc.alarmDeadline()).toBe(10_000n);
    t.advance(9_999n);
    t.rtc.poll();
    expect(t.level()).toBe(false);
    t.advance(1n);
    t.rtc.poll();
    expect(t.level()).toBe(true);
    expect(t.r(0x18)).toBe(0n);
    expect(t.rtc.alarmDeadline()).toBeUndefined();
    t.w(0x1c, 1n);
    expect(t.level()).toBe(false);
  });

  it("fires an alarm in the past at once; CLEAR_ALARM disarms; disabled IRQ stays low", () => {
    const t = make();
    t.w(0x0c, 0n);
    t.w(0x08, 5n);
    expect(t.level()).toBe(false); // pending but IRQ_ENABLED is 0
    t.w(0x10, 1n);
    expect(t.level()).toBe(true);
    t.w(0x1c, 1n);
    const at = BOOT + 100n;
    t.w(0x0c, at >> 32n);
    t.w(0x08, at & 0xffff_ffffn);
    t.w(0x14, 1n);
    t.advance(1000n);
    t.rtc.poll();
    expect(t.level()).toBe(false);
  });

  it("faults on non-32-bit accesses", () => {
    const t = make();
    expect(t.rtc.read(0, 8)).toBeUndefined();
    expect(t.rtc.read(1, 4)).toBeUndefined();
    expect(t.rtc.write(0x10, 1, 1n)).toBe(MmioResult.AccessFault);
    expect(t.r(0x100)).toBe(0n);
  });

  it("round-trips its state and rejects garbage", () => {
    const a = make();
    a.w(0x10, 1n);
    a.w(0x0c, 0n);
    a.w(0x08, 1n);
    const snap = JSON.parse(JSON.stringify(a.rtc.saveState()));
    const b = make();
    b.rtc.loadState(snap);
    expect(b.level()).toBe(true);
    expect(b.rtc.saveState()).toEqual(snap);
    for (const bad of [null, { ...snap, offset: 5 }, { ...snap, alarm: "-1" }, { ...snap, timeHighLatch: (1n << 32n).toString() }, { ...snap, armed: "yes" }]) {
      expect(() => b.rtc.loadState(bad)).toThrow(StateError);
    }
    expect(b.rtc.saveState()).toEqual(snap);
  });
});

describe("SiFive test / syscon", () => {
  it("stops on pass, fail and reset; saves and restores the event", () => {
    const t = new SifiveTest();
    expect(t.write(0, 4, 0x1234n)).toBe(MmioResult.Ok);
    expect(t.write(0, 4, 0x5555n)).toBe(MmioResult.Stop);
    expect(t.event).toEqual({ kind: "pass" });
    expect(t.write(0, 4, (3n << 16n) | 0x3333n)).toBe(MmioResult.Stop);
    expect(t.event).toEqual({ kind: "fail", code: 3 });
    const snap = JSON.parse(JSON.stringify(t.saveState()));
    const u = new SifiveTest();
    u.loadState(snap);
    expect(u.event).toEqual({ kind: "fail", code: 3 });
    expect(u.write(0, 4, 0x7777n)).toBe(MmioResult.Stop);
    expect(u.event).toEqual({ kind: "reset" });
    u.loadState({ event: null });
    expect(u.event).toBeUndefined();
    expect(() => u.loadState({ event: { kind: "boom" } })).toThrow(StateError);
    expect(() => u.loadState({ event: { kind: "fail", code: -1 } })).toThrow(StateError);
  });
});
