import { describe, expect, it } from "vitest";
import { VirtioMmio } from "../../../src/machine/devices/virtio/mmio.js";
import {
  BALLOON_STAT, VirtioBalloon, VIRTIO_BALLOON_F_DEFLATE_ON_OOM, VIRTIO_BALLOON_F_STATS_VQ,
} from "../../../src/machine/devices/virtio/balloon.js";
import { VirtioRng } from "../../../src/machine/devices/virtio/rng.js";
import { VirtioEmptySlot } from "../../../src/machine/devices/virtio/empty.js";
import { StateError } from "../../../src/machine/devices/state.js";
import { Driver, FakeRam, R, irqProbe } from "./virtio-driver.js";

function balloon() {
  const ram = new FakeRam();
  const irq = irqProbe();
  const released: bigint[] = [];
  const dev = new VirtioBalloon((p) => released.push(p));
  const mmio = new VirtioMmio(dev, ram, irq.line);
  const drv = new Driver(mmio, ram);
  expect(drv.negotiate()).toBe(true);
  const inflate = drv.setupQueue(0);
  const deflate = drv.setupQueue(1);
  const stats = drv.setupQueue(2);
  return { ram, irq, dev, mmio, drv, inflate, deflate, stats, released };
}

function pfns(ram: FakeRam, list: number[]): { addr: bigint; len: number } {
  const a = ram.alloc(4 * list.length, 4);
  list.forEach((p, i) => ram.view(a + BigInt(4 * i), 4).setUint32(0, p, true));
  return { addr: a, len: 4 * list.length };
}

describe("virtio-balloon", () => {
  it("offers STATS_VQ and DEFLATE_ON_OOM, device id 5", () => {
    const { drv } = balloon();
    expect(drv.r(R.DeviceID)).toBe(5);
    const f = drv.deviceFeatures();
    expect(f & (1n << BigInt(VIRTIO_BALLOON_F_STATS_VQ))).not.toBe(0n);
    expect(f & (1n << BigInt(VIRTIO_BALLOON_F_DEFLATE_ON_OOM))).not.toBe(0n);
  });

  it("setTarget updates num_pages and raises a config interrupt; the driver reports actual", () => {
    const { dev, drv, irq } = balloon();
    drv.driverOk();
    const gen = drv.r(R.ConfigGeneration);
    dev.setTarget(300);
    expect(drv.cfg32(0)).toBe(300);
    expect(drv.r(R.ConfigGeneration)).not.toBe(gen);
    expect(irq.level()).toBe(true);
    expect(drv.ack()).toBe(2);
    drv.dev.write(R.Config + 4, 4, 120n);
    expect(dev.actual).toBe(120);
    drv.dev.write(R.Config + 0, 4, 7n); // num_pages is the device's
    expect(dev.target).toBe(300);
    expect(() => dev.setTarget(-1)).toThrow(RangeError);
  });

  it("passes inflated PFNs to releasePage as 4 KiB-page addresses; deflate does not", () => {
    const { ram, dev, drv, inflate, deflate, released, irq } = balloon();
    drv.driverOk();
    inflate.addChain([pfns(ram, [0x80000, 0x80001, 0x8ffff])]);
    inflate.kick();
    expect(released).toEqual([0x8000_0000n, 0x8000_1000n, 0x8fff_f000n]);
    expect(inflate.popUsed()).toEqual({ id: 0, len: 0 });
    expect(irq.level()).toBe(true);
    deflate.addChain([pfns(ram, [0x80000])]);
    deflate.kick();
    expect(released.length).toBe(3);
    expect(deflate.popUsed()?.len).toBe(0);
    expect(dev.inflated).toBe(3);
    expect(dev.deflated).toBe(1);
  });

  it("keeps the latest stats by tag and hands the buffer back on requestStats", () => {
    const { ram, dev, drv, stats } = balloon();
    const buf = ram.alloc(20);
    const v = ram.view(buf, 20);
    v.setUint16(0, BALLOON_STAT.MEMFREE, true);
    v.setBigUint64(2, 123456n, true);
    v.setUint16(10, BALLOON_STAT.MEMTOT, true);
    v.setBigUint64(12, 999999n, true);
    stats.addChain([{ addr: buf, len: 20 }]);
    stats.kick(); // before DRIVER_OK: processed when the driver is up
    expect(dev.stats.size).toBe(0);
    drv.driverOk();
    expect(dev.stats.get(BALLOON_STAT.MEMFREE)).toBe(123456n);
    expect(dev.stats.get(BALLOON_STAT.MEMTOT)).toBe(999999n);
    expect(stats.popUsed()).toBeUndefined();
    expect(dev.requestStats()).toBe(true);
    expect(stats.popUsed()).toEqual({ id: 0, len: 0 });
    expect(dev.requestStats()).toBe(false);
  });

  it("round-trips its state and rejects garbage", () => {
    const { ram, dev, drv, inflate, mmio } = balloon();
    drv.driverOk();
    dev.setTarget(42);
    inflate.addChain([pfns(ram, [0x80010])]);
    inflate.kick();
    const snap = JSON.parse(JSON.stringify(mmio.saveState()));
    const b = balloon();
    b.mmio.loadState(snap);
    expect(b.dev.target).toBe(42);
    expect(b.mmio.saveState()).toEqual(snap);
    expect(() => b.dev.loadState({ numPages: -1, actual: 0, statsHead: null, stats: [] })).toThrow(StateError);
    expect(() => b.dev.loadState({ numPages: 1, actual: 0, statsHead: null, stats: [[1, "x"]] })).toThrow(StateError);
    expect(b.dev.target).toBe(42);
  });
});

describe("virtio-rng", () => {
  it("fills writable buffers from the entropy source", () => {
    const ram = new FakeRam();
    let calls = 0;
    const mmio = new VirtioMmio(new VirtioRng((n) => { calls++; return new Uint8Array(n).fill(0xa5); }), ram, () => {});
    const drv = new Driver(mmio, ram);
    expect(drv.r(R.DeviceID)).toBe(4);
    drv.negotiate();
    const q = drv.setupQueue(0);
    drv.driverOk();
    const a = ram.alloc(32), b = ram.alloc(16);
    q.addChain([{ addr: a, len: 32, write: true }, { addr: b, len: 16, write: true }]);
    q.kick();
    expect(q.popUsed()).toEqual({ id: 0, len: 48 });
    expect(ram.read(a, 32)!.every((x) => x === 0xa5)).toBe(true);
    expect(ram.read(b, 16)!.every((x) => x === 0xa5)).toBe(true);
    expect(calls).toBe(1);
  });

  it("reports only what a short entropy source gave", () => {
    const ram = new FakeRam();
    const mmio = new VirtioMmio(new VirtioRng(() => new Uint8Array(5).fill(1)), ram, () => {});
    const drv = new Driver(mmio, ram);
    drv.negotiate();
    const q = drv.setupQueue(0);
    drv.driverOk();
    q.addChain([{ addr: ram.alloc(64), len: 64, write: true }]);
    q.kick();
    expect(q.popUsed()?.len).toBe(5);
  });
});

describe("empty virtio slot", () => {
  it("reads as magic/version 2 with device id 0", () => {
    const ram = new FakeRam();
    const drv = new Driver(new VirtioMmio(new VirtioEmptySlot(), ram, () => {}), ram);
    expect(drv.r(R.Magic)).toBe(0x74726976);
    expect(drv.r(R.Version)).toBe(2);
    expect(drv.r(R.DeviceID)).toBe(0);
    expect(drv.r(R.QueueNumMax)).toBe(0);
  });
});
