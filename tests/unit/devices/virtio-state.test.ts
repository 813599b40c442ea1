import { describe, expect, it } from "vitest";
import { VirtioMmio } from "../../../src/machine/devices/virtio/mmio.js";
import { VirtioBlock, VIRTIO_BLK_T_IN, VIRTIO_BLK_S_OK } from "../../../src/machine/devices/virtio/block.js";
import { MemoryBlockBackend } from "../../../src/machine/devices/virtio/memory-backend.js";
import { StateError } from "../../../src/machine/devices/state.js";
import type { BlockBackend } from "../../../src/machine/ports.js";
import { DESC_NEXT, DESC_WRITE, Driver, FakeRam, R, irqProbe } from "./virtio-driver.js";

function make(backend: BlockBackend, ram = new FakeRam()) {
  const irq = irqProbe();
  const blk = new VirtioBlock(backend);
  const mmio = new VirtioMmio(blk, ram, irq.line);
  return { ram, irq, blk, mmio, drv: new Driver(mmio, ram) };
}

describe("virtio-mmio snapshots", () => {
  it("restores a running queue and an in-flight request, replayed on resume()", () => {
    const disk = new Uint8Array(8 * 512).fill(7);
    const stuck = new MemoryBlockBackend(disk);
    stuck.read = () => { /* the old host never answers */ };
    const a = make(stuck);
    a.drv.negotiate();
    const q = a.drv.setupQueue(0, 16);
    a.drv.driverOk();
    const hdr = a.ram.alloc(16);
    a.ram.view(hdr, 16).setUint32(0, VIRTIO_BLK_T_IN, true);
    const data = a.ram.alloc(512), st = a.ram.alloc(1);
    a.ram.setDesc(q.desc, 0, hdr, 16, DESC_NEXT, 1);
    a.ram.setDesc(q.desc, 1, data, 512, DESC_WRITE | DESC_NEXT, 2);
    a.ram.setDesc(q.desc, 2, st, 1, DESC_WRITE, 0);
    q.publish(0);
    q.kick();
    expect(a.blk.pendingRequests).toBe(1);

    const snap = JSON.parse(JSON.stringify(a.mmio.saveState()));
    const ram2 = new FakeRam();
    ram2.bytes.set(a.ram.bytes);
    const b = make(new MemoryBlockBackend(disk), ram2);
    b.mmio.loadState(snap);
    b.drv.w(R.QueueSel, 0);
    expect(b.drv.r(R.QueueReady)).toBe(1);
    expect(b.drv.status).toBe(a.drv.status);
    expect(b.mmio.saveState()).toEqual(snap);
    b.mmio.resume();
    expect(ram2.read(st, 1)![0]).toBe(VIRTIO_BLK_S_OK);
    expect(ram2.read(data, 512)!.every((x) => x === 7)).toBe(true);
    expect(ram2.u16(q.used + 2n)).toBe(1);
    expect(b.irq.level()).toBe(true);
  });

  it("rejects garbage without changing state", () => {
    const a = make(new MemoryBlockBackend(new Uint8Array(4096)));
    a.drv.negotiate();
    a.drv.setupQueue(0, 16);
    a.drv.driverOk();
    const before = a.mmio.saveState();
    const good = JSON.parse(JSON.stringify(before));
    const bad: unknown[] = [
      null, 42, "x", {}, { ...good, deviceId: 5 }, { ...good, status: 300 }, { ...good, driverFeatures: "-1" },
      { ...good, driverFeatures: (1n << 63n).toString() }, { ...good, isr: 9 }, { ...good, queues: [] },
      { ...good, queues: [{ ...good.queues[0], num: 24 }] }, { ...good, queues: [{ ...good.queues[0], desc: "8" }] },
      { ...good, queues: [{ ...good.queues[0], lastAvail: 70000 }] }, { ...good, device: { inflight: [1, 1] } },
      { ...good, device: { inflight: [999] } }, { ...good, device: null },
    ];
    for (const s of bad) expect(() => a.mmio.loadState(s), JSON.stringify(s)).toThrow(StateError);
    expect(a.mmio.saveState()).toEqual(before);
  });
});
