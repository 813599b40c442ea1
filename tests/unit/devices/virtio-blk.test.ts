import { describe, expect, it } from "vitest";
import { VirtioMmio } from "../../../src/machine/devices/virtio/mmio.js";
import {
  VirtioBlock, VIRTIO_BLK_F_DISCARD, VIRTIO_BLK_F_FLUSH, VIRTIO_BLK_F_RO, VIRTIO_BLK_F_WRITE_ZEROES,
  VIRTIO_BLK_S_IOERR, VIRTIO_BLK_S_OK, VIRTIO_BLK_S_UNSUPP, VIRTIO_BLK_T_DISCARD, VIRTIO_BLK_T_FLUSH,
  VIRTIO_BLK_T_GET_ID, VIRTIO_BLK_T_IN, VIRTIO_BLK_T_OUT, VIRTIO_BLK_T_WRITE_ZEROES,
} from "../../../src/machine/devices/virtio/block.js";
import { MemoryBlockBackend } from "../../../src/machine/devices/virtio/memory-backend.js";
import { MmioResult, type BlockBackend } from "../../../src/machine/ports.js";
import { Driver, FakeRam, R, S, irqProbe, type DriverQueue } from "./virtio-driver.js";

const F = (b: number): bigint => 1n << BigInt(b);

function setup(backend: BlockBackend, want: bigint = ~0n, onYield?: () => void, ram = new FakeRam()) {
  const irq = irqProbe();
  const blk = new VirtioBlock(backend);
  const mmio = new VirtioMmio(blk, ram, irq.line, onYield);
  const drv = new Driver(mmio, ram);
  expect(drv.negotiate(want)).toBe(true);
  const q = drv.setupQueue(0);
  drv.driverOk();
  return { ram, irq, blk, mmio, drv, q };
}

/** Builds a request the way virtio_blk does: header, data buffers, status byte. */
function request(ram: FakeRam, q: DriverQueue, type: number, sector: bigint, data: { out?: Uint8Array; inLen?: number; segs?: Uint8Array }) {
  const hdr = ram.alloc(16);
  const hv = ram.view(hdr, 16);
  hv.setUint32(0, type, true);
  hv.setBigUint64(8, sector, true);
  const bufs: { addr: bigint; len: number; write?: boolean }[] = [{ addr: hdr, len: 16 }];
  const payload = data.out ?? data.segs;
  if (payload) {
    const a = ram.alloc(payload.length);
    ram.write(a, payload);
    bufs.push({ addr: a, len: payload.length });
  }
  let inAddr = 0n;
  if (data.inLen) {
    inAddr = ram.alloc(data.inLen);
    bufs.push({ addr: inAddr, len: data.inLen, write: true });
  }
  const status = ram.alloc(1, 1);
  ram.bytes[Number(status - 0x8000_0000n)] = 0xff;
  bufs.push({ addr: status, len: 1, write: true });
  const head = q.addChain(bufs);
  return {
    head,
    status: () => ram.bytes[Number(status - 0x8000_0000n)]!,
    data: () => ram.read(inAddr, data.inLen ?? 0)!,
  };
}

function segment(sector: bigint, num: number, flags = 0): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setBigUint64(0, sector, true);
  v.setUint32(8, num, true);
  v.setUint32(12, flags, true);
  return b;
}

describe("virtio-blk over virtio-mmio", () => {
  it("identifies itself as a version 2 MMIO block device", () => {
    const { drv } = setup(new MemoryBlockBackend(new Uint8Array(4096)));
    expect(drv.r(R.Magic)).toBe(0x74726976);
    expect(drv.r(R.Version)).toBe(2);
    expect(drv.r(R.DeviceID)).toBe(2);
    expect(drv.r(R.QueueNumMax)).toBe(256);
    const f = drv.deviceFeatures();
    expect(f & F(32)).toBe(F(32));
    expect(f & F(VIRTIO_BLK_F_FLUSH)).not.toBe(0n);
    expect(f & F(VIRTIO_BLK_F_RO)).toBe(0n);
    expect(f & F(VIRTIO_BLK_F_DISCARD)).not.toBe(0n);
    expect(f & F(VIRTIO_BLK_F_WRITE_ZEROES)).not.toBe(0n);
  });

  it("exposes capacity, blk_size, seg_max and discard limits in config space", () => {
    const { drv } = setup(new MemoryBlockBackend(new Uint8Array(8 * 512 + 100)));
    expect(drv.cfg64(0)).toBe(8n);
    expect(drv.cfg32(12)).toBe(254);
    expect(drv.cfg32(20)).toBe(512);
    expect(drv.cfg32(36)).toBeGreaterThan(0);
    expect(drv.cfg32(40)).toBeGreaterThan(0);
    expect(Number(drv.dev.read(R.Config + 0, 8))).toBe(8);
  });

  it("refuses FEATURES_OK without VERSION_1 or with unoffered bits", () => {
    const ram = new FakeRam();
    const d = new Driver(new VirtioMmio(new VirtioBlock(new MemoryBlockBackend(new Uint8Array(512))), ram, () => {}), ram);
    expect(d.negotiate(~F(32))).toBe(false);
    d.w(R.Status, 0);
    d.w(R.Status, S.ACK | S.DRIVER);
    d.w(R.DriverFeaturesSel, 1);
    d.w(R.DriverFeatures, 1 | (1 << 20));
    d.w(R.Status, S.ACK | S.DRIVER | S.FEATURES_OK);
    expect(d.status & S.FEATURES_OK).toBe(0);
  });

  it("writes then reads back, with interrupts and used lengths", () => {
    const disk = new Uint8Array(64 * 512);
    const { ram, irq, drv, q } = setup(new MemoryBlockBackend(disk));
    const payload = new Uint8Array(1024).map((_, i) => (i * 7) & 0xff);
    const w = request(ram, q, VIRTIO_BLK_T_OUT, 3n, { out: payload });
    q.kick();
    expect(w.status()).toBe(VIRTIO_BLK_S_OK);
    expect(disk.subarray(3 * 512, 3 * 512 + 1024)).toEqual(payload);
    expect(q.popUsed()).toEqual({ id: w.head, len: 1 });
    expect(irq.level()).toBe(true);
    expect(drv.ack()).toBe(1);
    expect(irq.level()).toBe(false);

    const r = request(ram, q, VIRTIO_BLK_T_IN, 3n, { inLen: 1024 });
    q.kick();
    expect(r.status()).toBe(VIRTIO_BLK_S_OK);
    expect(r.data()).toEqual(payload);
    expect(q.popUsed()).toEqual({ id: r.head, len: 1025 });
  });

  it("reads data split over several buffers and an indirect table", () => {
    const disk = new Uint8Array(16 * 512).map((_, i) => i & 0xff);
    const { ram, q } = setup(new MemoryBlockBackend(disk));
    const hdr = ram.alloc(16);
    ram.view(hdr, 16).setUint32(0, VIRTIO_BLK_T_IN, true);
    ram.view(hdr, 16).setBigUint64(8, 1n, true);
    const a = ram.alloc(512), b = ram.alloc(512), st = ram.alloc(1);
    const table = ram.alloc(64, 16);
    ram.setDesc(table, 0, hdr, 16, 1, 1);
    ram.setDesc(table, 1, a, 512, 3, 2);
    ram.setDesc(table, 2, b, 512, 3, 3);
    ram.setDesc(table, 3, st, 1, 2, 0);
    ram.setDesc(q.desc, 9, table, 64, 4, 0);
    q.publish(9);
    q.kick();
    expect(ram.read(st, 1)![0]).toBe(VIRTIO_BLK_S_OK);
    expect(ram.read(a, 512)).toEqual(disk.slice(512, 1024));
    expect(ram.read(b, 512)).toEqual(disk.slice(1024, 1536));
    expect(q.popUsed()).toEqual({ id: 9, len: 1025 });
  });

  it("flushes and returns the id", () => {
    const backend = new MemoryBlockBackend(new Uint8Array(4096), { id: "disk-0" });
    const { ram, q } = setup(backend);
    const f = request(ram, q, VIRTIO_BLK_T_FLUSH, 0n, {});
    const id = request(ram, q, VIRTIO_BLK_T_GET_ID, 0n, { inLen: 20 });
    q.kick();
    expect(f.status()).toBe(VIRTIO_BLK_S_OK);
    expect(backend.flushes).toBe(1);
    expect(id.status()).toBe(VIRTIO_BLK_S_OK);
    expect(new TextDecoder().decode(id.data().subarray(0, 6))).toBe("disk-0");
    expect(id.data()[6]).toBe(0);
  });

  it("answers IOERR for out-of-range and overflowing sectors, UNSUPP for unknown types", () => {
    const { ram, q, mmio } = setup(new MemoryBlockBackend(new Uint8Array(8 * 512)));
    const past = request(ram, q, VIRTIO_BLK_T_IN, 7n, { inLen: 1024 });
    const huge = request(ram, q, VIRTIO_BLK_T_OUT, 0xffff_ffff_ffff_ffffn, { out: new Uint8Array(512) });
    const odd = request(ram, q, VIRTIO_BLK_T_IN, 0n, { inLen: 100 });
    const unk = request(ram, q, 99, 0n, {});
    q.kick();
    expect(past.status()).toBe(VIRTIO_BLK_S_IOERR);
    expect(huge.status()).toBe(VIRTIO_BLK_S_IOERR);
    expect(odd.status()).toBe(VIRTIO_BLK_S_IOERR);
    expect(unk.status()).toBe(VIRTIO_BLK_S_UNSUPP);
    expect(mmio.needsReset).toBe(false);
  });

  it("on a read-only backend advertises RO and fails writes with IOERR", () => {
    const disk = new Uint8Array(8 * 512).fill(0xaa);
    const { ram, q, drv } = setup(new MemoryBlockBackend(disk, { readOnly: true }));
    expect(drv.deviceFeatures() & F(VIRTIO_BLK_F_RO)).not.toBe(0n);
    const w = request(ram, q, VIRTIO_BLK_T_OUT, 0n, { out: new Uint8Array(512) });
    const d = request(ram, q, VIRTIO_BLK_T_DISCARD, 0n, { segs: segment(0n, 1) });
    const r = request(ram, q, VIRTIO_BLK_T_IN, 0n, { inLen: 512 });
    q.kick();
    expect(w.status()).toBe(VIRTIO_BLK_S_IOERR);
    expect(d.status()).toBe(VIRTIO_BLK_S_IOERR);
    expect(r.status()).toBe(VIRTIO_BLK_S_OK);
    expect(disk.every((b) => b === 0xaa)).toBe(true);
  });

  it("discards and writes zeroes; rejects unmap on discard and bad ranges", () => {
    const disk = new Uint8Array(16 * 512).fill(0x55);
    const { ram, q } = setup(new MemoryBlockBackend(disk));
    const d = request(ram, q, VIRTIO_BLK_T_DISCARD, 0n, { segs: segment(2n, 2) });
    const z = request(ram, q, VIRTIO_BLK_T_WRITE_ZEROES, 0n, { segs: segment(8n, 1, 1) });
    const unmap = request(ram, q, VIRTIO_BLK_T_DISCARD, 0n, { segs: segment(0n, 1, 1) });
    const range = request(ram, q, VIRTIO_BLK_T_WRITE_ZEROES, 0n, { segs: segment(15n, 2) });
    q.kick();
    expect(d.status()).toBe(VIRTIO_BLK_S_OK);
    expect(z.status()).toBe(VIRTIO_BLK_S_OK);
    expect(unmap.status()).toBe(VIRTIO_BLK_S_UNSUPP);
    expect(range.status()).toBe(VIRTIO_BLK_S_IOERR);
    expect(disk.subarray(1024, 2048).every((b) => b === 0)).toBe(true);
    expect(disk.subarray(4096, 4608).every((b) => b === 0)).toBe(true);
    expect(disk[512]).toBe(0x55);
    expect(disk[15 * 512]).toBe(0x55);
  });

  it("without backend discard, does not advertise DISCARD/WRITE_ZEROES and answers UNSUPP", () => {
    const { ram, q, drv } = setup(new MemoryBlockBackend(new Uint8Array(4096), { discard: false }));
    expect(drv.deviceFeatures() & (F(VIRTIO_BLK_F_DISCARD) | F(VIRTIO_BLK_F_WRITE_ZEROES))).toBe(0n);
    const d = request(ram, q, VIRTIO_BLK_T_DISCARD, 0n, { segs: segment(0n, 1) });
    q.kick();
    expect(d.status()).toBe(VIRTIO_BLK_S_UNSUPP);
  });

  it("processes buffers made available before DRIVER_OK once DRIVER_OK is set", () => {
    const ram = new FakeRam();
    const mmio = new VirtioMmio(new VirtioBlock(new MemoryBlockBackend(new Uint8Array(4096))), ram, () => {});
    const drv = new Driver(mmio, ram);
    drv.negotiate();
    const q = drv.setupQueue(0);
    const f = request(ram, q, VIRTIO_BLK_T_FLUSH, 0n, {});
    q.kick();
    expect(f.status()).toBe(0xff);
    drv.driverOk();
    expect(f.status()).toBe(VIRTIO_BLK_S_OK);
  });
});

/** A backend whose requests complete only when the test says so. */
class DeferredBackend implements BlockBackend {
  readonly sizeBytes: number;
  readonly readOnly = false;
  readonly id = "deferred";
  readonly queue: (() => void)[] = [];
  constructor(readonly data: Uint8Array) { this.sizeBytes = data.length; }
  read(offset: number, length: number, done: (d: Uint8Array | undefined) => void): void {
    this.queue.push(() => done(this.data.slice(offset, offset + length)));
  }
  write(offset: number, data: Uint8Array, done: (ok: boolean) => void): void {
    this.queue.push(() => { this.data.set(data, offset); done(true); });
  }
  flush(done: (ok: boolean) => void): void { this.queue.push(() => done(false)); }
  complete(i: number): void { this.queue.splice(i, 1)[0]!(); }
}

describe("virtio-blk with deferred completion", () => {
  it("writes the used entry and raises the interrupt when the backend completes, in completion order", () => {
    const backend = new DeferredBackend(new Uint8Array(8 * 512).fill(9));
    const { ram, q, irq, blk } = setup(backend);
    const r1 = request(ram, q, VIRTIO_BLK_T_IN, 0n, { inLen: 512 });
    const r2 = request(ram, q, VIRTIO_BLK_T_OUT, 1n, { out: new Uint8Array(512).fill(3) });
    const r3 = request(ram, q, VIRTIO_BLK_T_FLUSH, 0n, {});
    q.kick();
    expect(blk.pendingRequests).toBe(3);
    expect(q.usedIdx).toBe(0);
    expect(irq.level()).toBe(false);
    backend.complete(1); // the write finishes first
    expect(r2.status()).toBe(VIRTIO_BLK_S_OK);
    expect(q.popUsed()?.id).toBe(r2.head);
    expect(irq.level()).toBe(true);
    backend.complete(0);
    expect(r1.status()).toBe(VIRTIO_BLK_S_OK);
    expect(r1.data().every((b) => b === 9)).toBe(true);
    expect(q.popUsed()?.id).toBe(r1.head);
    backend.complete(0); // flush fails in this backend
    expect(r3.status()).toBe(VIRTIO_BLK_S_IOERR);
    expect(blk.pendingRequests).toBe(0);
  });

  it("ends the machine's run slice after a notify that left work with the backend, not after one it finished", () => {
    let yields = 0;
    const onYield = () => { yields++; };
    const backend = new DeferredBackend(new Uint8Array(8 * 512));
    const { ram, q, mmio } = setup(backend, ~0n, onYield);
    request(ram, q, VIRTIO_BLK_T_IN, 0n, { inLen: 512 });
    expect(mmio.write(R.QueueNotify, 4, 0n)).toBe(MmioResult.Stop);
    expect(yields).toBe(1);
    backend.complete(0);
    // Other register writes, and notifies whose requests all completed at once, go on.
    expect(mmio.write(R.InterruptACK, 4, 1n)).toBe(MmioResult.Ok);
    const sync = new MemoryBlockBackend(new Uint8Array(4096));
    const { q: q2, mmio: m2 } = setup(sync, ~0n, onYield, ram);
    request(ram, q2, VIRTIO_BLK_T_IN, 0n, { inLen: 512 });
    expect(m2.write(R.QueueNotify, 4, 0n)).toBe(MmioResult.Ok);
    expect(yields).toBe(1);
    // A flush left pending yields once; later notifies that complete at once do not.
    let pendingFlush: ((ok: boolean) => void) | undefined;
    sync.flush = (done) => { pendingFlush = done; };
    request(ram, q2, VIRTIO_BLK_T_FLUSH, 0n, {});
    expect(m2.write(R.QueueNotify, 4, 0n)).toBe(MmioResult.Stop);
    request(ram, q2, VIRTIO_BLK_T_IN, 0n, { inLen: 512 });
    expect(m2.write(R.QueueNotify, 4, 0n)).toBe(MmioResult.Ok);
    expect(yields).toBe(2);
    pendingFlush!(true);
  });

  it("drops completions that arrive after a device reset", () => {
    const backend = new DeferredBackend(new Uint8Array(4 * 512).fill(1));
    const { ram, q, drv } = setup(backend);
    const r = request(ram, q, VIRTIO_BLK_T_IN, 0n, { inLen: 512 });
    q.kick();
    drv.w(R.Status, 0);
    backend.complete(0);
    expect(r.status()).toBe(0xff);
    expect(r.data().every((b) => b === 0)).toBe(true);
    expect(q.usedIdx).toBe(0);
  });

  it("turns a throwing or double-completing backend into IOERR / a single completion", () => {
    const backend = new MemoryBlockBackend(new Uint8Array(4096));
    backend.flush = (done) => { done(true); done(false); };
    backend.write = () => { throw new Error("disk on fire"); };
    const { ram, q, mmio } = setup(backend);
    const f = request(ram, q, VIRTIO_BLK_T_FLUSH, 0n, {});
    const w = request(ram, q, VIRTIO_BLK_T_OUT, 0n, { out: new Uint8Array(512) });
    q.kick();
    expect(f.status()).toBe(VIRTIO_BLK_S_OK);
    expect(w.status()).toBe(VIRTIO_BLK_S_IOERR);
    expect(q.usedIdx).toBe(2);
    expect(mmio.needsReset).toBe(false);
  });
});
