// A hostile guest: every violation puts the device into DEVICE_NEEDS_RESET with a
// configuration-change interrupt, and no exception escapes the MMIO interface.
import { describe, expect, it } from "vitest";
import { VirtioMmio } from "../../../src/machine/devices/virtio/mmio.js";
import { VirtioBlock, VIRTIO_BLK_T_IN } from "../../../src/machine/devices/virtio/block.js";
import { MemoryBlockBackend } from "../../../src/machine/devices/virtio/memory-backend.js";
import { MmioResult } from "../../../src/machine/ports.js";
import { DESC_INDIRECT, DESC_NEXT, DESC_WRITE, Driver, FakeRam, R, S, irqProbe } from "./virtio-driver.js";

function setup(opts: { indirect?: boolean } = {}) {
  const ram = new FakeRam();
  const irq = irqProbe();
  const mmio = new VirtioMmio(new VirtioBlock(new MemoryBlockBackend(new Uint8Array(64 * 512))), ram, irq.line);
  const drv = new Driver(mmio, ram);
  drv.negotiate(opts.indirect === false ? ~(1n << 28n) : ~0n);
  return { ram, irq, mmio, drv };
}

function expectNeedsReset(s: ReturnType<typeof setup>): void {
  expect(s.drv.status & S.NEEDS_RESET).toBe(S.NEEDS_RESET);
  expect(s.drv.isr & 2).toBe(2);
  expect(s.irq.level()).toBe(true);
  expect(s.mmio.lastError).toBeTruthy();
}

/** A valid header in RAM for a 512-byte read. */
function readHeader(ram: FakeRam): bigint {
  const h = ram.alloc(16);
  ram.view(h, 16).setUint32(0, VIRTIO_BLK_T_IN, true);
  return h;
}

describe("virtio hostile guests", () => {
  it("rejects a queue size that is not a power of two", () => {
    const s = setup();
    s.drv.setupQueue(0, 100);
    expectNeedsReset(s);
    expect(s.drv.r(R.QueueReady)).toBe(0);
  });

  it("rejects a queue size above QueueNumMax or zero", () => {
    const a = setup();
    a.drv.setupQueue(0, 512);
    expectNeedsReset(a);
    const b = setup();
    b.drv.setupQueue(0, 0);
    expectNeedsReset(b);
  });

  it("rejects rings outside RAM and misaligned rings", () => {
    const s = setup();
    s.drv.setupQueue(0, 8, { desc: 0x1000n, avail: 0x8000_2000n, used: 0x8000_3000n });
    expectNeedsReset(s);
    const t = setup();
    t.drv.setupQueue(0, 8, { desc: 0x8000_1008n, avail: 0x8000_2000n, used: 0x8000_3000n });
    expectNeedsReset(t);
    const u = setup();
    u.drv.setupQueue(0, 8, { desc: 0x8000_1000n, avail: 0x8000_2000n, used: 0x8000_0000n + BigInt(u.ram.bytes.length) - 8n });
    expectNeedsReset(u);
  });

  it("rejects a descriptor index out of range", () => {
    const s = setup();
    const q = s.drv.setupQueue(0, 8);
    s.drv.driverOk();
    q.publish(8);
    q.kick();
    expectNeedsReset(s);
    expect(s.mmio.lastError).toMatch(/index 8/);
  });

  it("rejects a next pointer out of range", () => {
    const s = setup();
    const q = s.drv.setupQueue(0, 8);
    s.drv.driverOk();
    s.ram.setDesc(q.desc, 0, readHeader(s.ram), 16, DESC_NEXT, 200);
    q.publish(0);
    q.kick();
    expectNeedsReset(s);
  });

  it("rejects a descriptor loop", () => {
    const s = setup();
    const q = s.drv.setupQueue(0, 8);
    s.drv.driverOk();
    const h = readHeader(s.ram);
    s.ram.setDesc(q.desc, 0, h, 16, DESC_NEXT, 1);
    s.ram.setDesc(q.desc, 1, h, 16, DESC_NEXT, 0);
    q.publish(0);
    q.kick();
    expectNeedsReset(s);
    expect(s.mmio.lastError).toMatch(/longer than the queue/);
  });

  it("rejects a loop inside an indirect table and nested indirect tables", () => {
    const s = setup();
    const q = s.drv.setupQueue(0, 8);
    s.drv.driverOk();
    const t = s.ram.alloc(32, 16);
    s.ram.setDesc(t, 0, readHeader(s.ram), 16, DESC_NEXT, 1);
    s.ram.setDesc(t, 1, readHeader(s.ram), 16, DESC_NEXT, 0);
    s.ram.setDesc(q.desc, 0, t, 32, DESC_INDIRECT, 0);
    q.publish(0);
    q.kick();
    expectNeedsReset(s);

    const n = setup();
    const q2 = n.drv.setupQueue(0, 8);
    n.drv.driverOk();
    const t2 = n.ram.alloc(16, 16);
    n.ram.setDesc(t2, 0, t2, 16, DESC_INDIRECT, 0);
    n.ram.setDesc(q2.desc, 0, t2, 16, DESC_INDIRECT, 0);
    q2.publish(0);
    q2.kick();
    expectNeedsReset(n);
  });

  it("rejects indirect descriptors when VIRTIO_F_INDIRECT_DESC was not negotiated", () => {
    const s = setup({ indirect: false });
    const q = s.drv.setupQueue(0, 8);
    s.drv.driverOk();
    const t = s.ram.alloc(16, 16);
    s.ram.setDesc(q.desc, 0, t, 16, DESC_INDIRECT, 0);
    q.publish(0);
    q.kick();
    expectNeedsReset(s);
  });

  it("rejects an avail.idx jump larger than the queue", () => {
    const s = setup();
    const q = s.drv.setupQueue(0, 8);
    s.drv.driverOk();
    q.setAvailIdx(9);
    q.kick();
    expectNeedsReset(s);
    expect(s.mmio.lastError).toMatch(/ahead/);
  });

  it("rejects buffers outside RAM, readable-after-writable, and a missing status byte", () => {
    for (const build of [
      (ram: FakeRam) => [[0x10n, 16, DESC_NEXT], [ram.alloc(1), 1, DESC_WRITE]] as const,
      (ram: FakeRam) => [[readHeader(ram), 16, DESC_NEXT | DESC_WRITE], [ram.alloc(1), 1, 0]] as const,
      (ram: FakeRam) => [[readHeader(ram), 16, 0]] as const,
      (ram: FakeRam) => [[readHeader(ram), 16, DESC_NEXT], [0x8000_0000n + BigInt(ram.bytes.length), 512, DESC_WRITE | DESC_NEXT], [ram.alloc(1), 1, DESC_WRITE]] as const,
    ]) {
      const s = setup();
      const q = s.drv.setupQueue(0, 8);
      s.drv.driverOk();
      const descs = build(s.ram);
      descs.forEach(([addr, len, flags], i) => s.ram.setDesc(q.desc, i, addr, len, flags, i + 1));
      q.publish(0);
      q.kick();
      expectNeedsReset(s);
    }
  });

  it("rejects the same chain made available twice while in flight", () => {
    const ram = new FakeRam();
    const irq = irqProbe();
    const backend = new MemoryBlockBackend(new Uint8Array(4096));
    backend.read = () => { /* never completes */ };
    const mmio = new VirtioMmio(new VirtioBlock(backend), ram, irq.line);
    const drv = new Driver(mmio, ram);
    drv.negotiate();
    const q = drv.setupQueue(0, 8);
    drv.driverOk();
    ram.setDesc(q.desc, 0, readHeader(ram), 16, DESC_NEXT, 1);
    ram.setDesc(q.desc, 1, ram.alloc(513), 513, DESC_WRITE, 0);
    q.publish(0);
    q.publish(0);
    q.kick();
    expect(mmio.needsReset).toBe(true);
  });

  it("stops processing after NEEDS_RESET until the driver resets, then works again", () => {
    const s = setup();
    const q = s.drv.setupQueue(0, 8);
    s.drv.driverOk();
    q.publish(8);
    q.kick();
    expectNeedsReset(s);
    s.drv.w(R.Status, 0);
    expect(s.drv.status).toBe(0);
    expect(s.irq.level()).toBe(false);
    expect(s.drv.negotiate()).toBe(true);
    const q2 = s.drv.setupQueue(0, 8);
    s.drv.driverOk();
    const st = s.ram.alloc(1);
    s.ram.setDesc(q2.desc, 0, readHeader(s.ram), 16, DESC_NEXT, 1);
    s.ram.setDesc(q2.desc, 1, st, 1, DESC_WRITE, 0);
    q2.publish(0);
    q2.kick();
    expect(q2.popUsed()).toEqual({ id: 0, len: 1 });
  });

  it("faults on wrong-size control register accesses and ignores garbage writes", () => {
    const s = setup();
    expect(s.mmio.read(R.Magic, 1)).toBeUndefined();
    expect(s.mmio.read(R.Magic + 2, 4)).toBeUndefined();
    expect(s.mmio.write(R.Status, 8, 0n)).toBe(MmioResult.AccessFault);
    expect(s.mmio.read(0x2000, 4)).toBeUndefined();
    for (let off = 0; off < 0x100; off += 4) {
      expect(s.mmio.write(off, 4, 0xffff_ffffn)).toBe(MmioResult.Ok);
      expect(s.mmio.read(off, 4)).toBeTypeOf("bigint");
    }
    expect(s.mmio.write(R.Config + 0x10, 4, 0xdeadn)).toBe(MmioResult.Ok);
    expect(s.mmio.read(R.Config + 0xe00, 4)).toBe(0n);
  });

  it("survives random register and ring garbage without throwing", () => {
    let seed = 12345;
    const rnd = (): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed; };
    for (let round = 0; round < 20; round++) {
      const s = setup();
      const q = s.drv.setupQueue(0, 8);
      s.drv.driverOk();
      for (let i = 0; i < 16 * 8 + 64; i++) s.ram.bytes[Number(q.desc - 0x8000_0000n) + i] = rnd() & 0xff;
      for (let i = 0; i < 200; i++) s.ram.bytes[Number(q.avail - 0x8000_0000n) + (i % 22)] = rnd() & 0xff;
      expect(() => {
        for (let i = 0; i < 50; i++) {
          const off = (rnd() % 0x100) & ~3;
          if (rnd() & 1) s.mmio.write(off, 4, BigInt(rnd())); else s.mmio.read(off, 4);
        }
        q.kick();
      }).not.toThrow();
    }
  });
});
