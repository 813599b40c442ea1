// Test helpers: guest RAM backed by a Uint8Array at 0x8000_0000 and a minimal virtio-mmio
// driver that does what Linux's virtio_mmio + virtio_ring do (feature negotiation, split
// queues, notifications), so device models can be driven end to end without a hart.

import type { GuestMemory, MmioDevice } from "../../../src/machine/ports.js";

export const RAM_BASE = 0x8000_0000n;

export class FakeRam implements GuestMemory {
  readonly bytes: Uint8Array;
  private next = 0x1000;
  constructor(size = 1 << 20) { this.bytes = new Uint8Array(size); }

  private off(paddr: bigint, len: number): number | undefined {
    if (paddr < RAM_BASE || len < 0) return undefined;
    const o = paddr - RAM_BASE;
    if (o + BigInt(len) > BigInt(this.bytes.length)) return undefined;
    return Number(o);
  }
  read(paddr: bigint, len: number): Uint8Array | undefined {
    const o = this.off(paddr, len);
    return o === undefined ? undefined : this.bytes.slice(o, o + len);
  }
  write(paddr: bigint, data: Uint8Array): boolean {
    const o = this.off(paddr, data.length);
    if (o === undefined) return false;
    this.bytes.set(data, o);
    return true;
  }
  /** Bump allocator (aligned). */
  alloc(len: number, align = 16): bigint {
    this.next = Math.ceil(this.next / align) * align;
    const a = this.next;
    this.next += len;
    if (this.next > this.bytes.length) throw new Error("fake RAM exhausted");
    return RAM_BASE + BigInt(a);
  }
  view(paddr: bigint, len: number): DataView {
    const o = Number(paddr - RAM_BASE);
    return new DataView(this.bytes.buffer, o, len);
  }
  u16(paddr: bigint): number { return this.view(paddr, 2).getUint16(0, true); }
  setU16(paddr: bigint, v: number): void { this.view(paddr, 2).setUint16(0, v, true); }
  u32(paddr: bigint): number { return this.view(paddr, 4).getUint32(0, true); }
  setDesc(table: bigint, i: number, addr: bigint, len: number, flags: number, next: number): void {
    const d = this.view(table + BigInt(16 * i), 16);
    d.setBigUint64(0, addr, true);
    d.setUint32(8, len, true);
    d.setUint16(12, flags, true);
    d.setUint16(14, next, true);
  }
}

/** MMIO register offsets (virtio 1.2 §4.2.2). */
export const R = {
  Magic: 0x000, Version: 0x004, DeviceID: 0x008, VendorID: 0x00c, DeviceFeatures: 0x010, DeviceFeaturesSel: 0x014,
  DriverFeatures: 0x020, DriverFeaturesSel: 0x024, QueueSel: 0x030, QueueNumMax: 0x034, QueueNum: 0x038,
  QueueReady: 0x044, QueueNotify: 0x050, InterruptStatus: 0x060, InterruptACK: 0x064, Status: 0x070,
  QueueDescLow: 0x080, QueueDescHigh: 0x084, QueueDriverLow: 0x090, QueueDriverHigh: 0x094,
  QueueDeviceLow: 0x0a0, QueueDeviceHigh: 0x0a4, ConfigGeneration: 0x0fc, Config: 0x100,
} as const;

export const S = { ACK: 1, DRIVER: 2, DRIVER_OK: 4, FEATURES_OK: 8, NEEDS_RESET: 64, FAILED: 128 } as const;
export const DESC_NEXT = 1;
export const DESC_WRITE = 2;
export const DESC_INDIRECT = 4;

export interface Buf { addr: bigint; len: number; write?: boolean }

export class DriverQueue {
  readonly desc: bigint;
  readonly avail: bigint;
  readonly used: bigint;
  private nextDesc = 0;
  private availIdx = 0;
  private lastUsed = 0;
  constructor(private readonly drv: Driver, readonly index: number, readonly size: number) {
    const ram = drv.ram;
    this.desc = ram.alloc(16 * size, 16);
    this.avail = ram.alloc(6 + 2 * size, 2);
    this.used = ram.alloc(6 + 8 * size, 4);
  }
  /** Writes a chain into free descriptors (round robin) and returns its head. */
  addChain(bufs: Buf[]): number {
    const ram = this.drv.ram;
    const idxs = bufs.map(() => { const i = this.nextDesc; this.nextDesc = (this.nextDesc + 1) % this.size; return i; });
    bufs.forEach((b, k) => {
      const last = k === bufs.length - 1;
      ram.setDesc(this.desc, idxs[k]!, b.addr, b.len, (b.write ? DESC_WRITE : 0) | (last ? 0 : DESC_NEXT), last ? 0 : idxs[k + 1]!);
    });
    this.publish(idxs[0]!);
    return idxs[0]!;
  }
  /** Puts head into the available ring and bumps avail.idx. */
  publish(head: number): void {
    const ram = this.drv.ram;
    ram.setU16(this.avail + 4n + BigInt(2 * (this.availIdx % this.size)), head);
    this.availIdx = (this.availIdx + 1) & 0xffff;
    ram.setU16(this.avail + 2n, this.availIdx);
  }
  setAvailIdx(v: number): void { this.drv.ram.setU16(this.avail + 2n, v); }
  kick(): void { this.drv.w(R.QueueNotify, this.index); }
  get usedIdx(): number { return this.drv.ram.u16(this.used + 2n); }
  /** Next used element, if any. */
  popUsed(): { id: number; len: number } | undefined {
    if (this.usedIdx === this.lastUsed) return undefined;
    const e = this.used + 4n + BigInt(8 * (this.lastUsed % this.size));
    this.lastUsed = (this.lastUsed + 1) & 0xffff;
    return { id: this.drv.ram.u32(e), len: this.drv.ram.u32(e + 4n) };
  }
}

export class Driver {
  irqLevel = false;
  irqChanges = 0;
  constructor(readonly dev: MmioDevice, readonly ram: FakeRam) {}

  r(off: number): number { return Number(this.dev.read(off, 4)); }
  w(off: number, v: number | bigint): void { this.dev.write(off, 4, BigInt(v)); }
  get status(): number { return this.r(R.Status); }
  get isr(): number { return this.r(R.InterruptStatus); }
  ack(): number { const v = this.isr; this.w(R.InterruptACK, v); return v; }

  deviceFeatures(): bigint {
    this.w(R.DeviceFeaturesSel, 1);
    const hi = BigInt(this.r(R.DeviceFeatures));
    this.w(R.DeviceFeaturesSel, 0);
    return (hi << 32n) | BigInt(this.r(R.DeviceFeatures));
  }

  /** §3.1.1 steps 1-6; returns whether FEATURES_OK stuck. */
  negotiate(want: bigint = ~0n): boolean {
    this.w(R.Status, 0);
    this.w(R.Status, S.ACK);
    this.w(R.Status, S.ACK | S.DRIVER);
    const f = this.deviceFeatures() & want;
    this.w(R.DriverFeaturesSel, 1);
    this.w(R.DriverFeatures, Number(f >> 32n));
    this.w(R.DriverFeaturesSel, 0);
    this.w(R.DriverFeatures, Number(f & 0xffff_ffffn));
    this.w(R.Status, S.ACK | S.DRIVER | S.FEATURES_OK);
    return (this.status & S.FEATURES_OK) !== 0;
  }

  /** Linux vm_setup_vq: QueueSel, QueueNumMax, QueueNum, addresses, QueueReady. */
  setupQueue(index: number, size?: number, layout?: { desc: bigint; avail: bigint; used: bigint }): DriverQueue {
    this.w(R.QueueSel, index);
    const max = this.r(R.QueueNumMax);
    const n = size ?? max;
    const q = new DriverQueue(this, index, Math.max(n, 1));
    const desc = layout?.desc ?? q.desc, avail = layout?.avail ?? q.avail, used = layout?.used ?? q.used;
    this.w(R.QueueNum, n);
    this.w(R.QueueDescLow, desc & 0xffff_ffffn); this.w(R.QueueDescHigh, desc >> 32n);
    this.w(R.QueueDriverLow, avail & 0xffff_ffffn); this.w(R.QueueDriverHigh, avail >> 32n);
    this.w(R.QueueDeviceLow, used & 0xffff_ffffn); this.w(R.QueueDeviceHigh, used >> 32n);
    this.w(R.QueueReady, 1);
    return q;
  }

  driverOk(): void { this.w(R.Status, S.ACK | S.DRIVER | S.FEATURES_OK | S.DRIVER_OK); }

  cfg8(off: number): number { return Number(this.dev.read(R.Config + off, 1)); }
  cfg32(off: number): number { return Number(this.dev.read(R.Config + off, 4)); }
  cfg64(off: number): bigint {
    return (BigInt(this.cfg32(off + 4)) << 32n) | BigInt(this.cfg32(off));
  }
}

/** An IrqLine that records its level. */
export function irqProbe(): { line: (l: boolean) => void; level: () => boolean; edges: () => number } {
  let level = false;
  let edges = 0;
  return { line: (l) => { if (l !== level) edges++; level = l; }, level: () => level, edges: () => edges };
}
