// Virtio over MMIO, version 2 (§4.2: "Virtio Over MMIO"), as QEMU's virt machine places
// it: a 0x1000 region per device, control registers below 0x100 (aligned 32-bit accesses
// only, §4.2.2.2), the device configuration space from 0x100. The transport negotiates
// features (VIRTIO_F_VERSION_1 is mandatory), builds split virtqueues when the driver sets
// QueueReady, forwards notifications and drives the interrupt line from InterruptStatus.
// A guest that breaks the rules gets DEVICE_NEEDS_RESET and a configuration-change
// interrupt (§2.1.2); no exception leaves this class through read/write.

import { MmioResult, type GuestMemory, type IrqLine, type MmioDevice } from "../../ports.js";
import { StateError, big, bool, int, obj, str } from "../state.js";
import type { VirtioDevice, VirtioHost } from "./device.js";
import { SplitQueue, layoutProblem, type QueueLayout } from "./queue.js";
import {
  F_INDIRECT_DESC, F_VERSION_1, INT_CONFIG_CHANGE, INT_USED_BUFFER, MAX_QUEUE_SIZE, MMIO_MAGIC, MMIO_VERSION,
  STATUS_DEVICE_NEEDS_RESET, STATUS_DRIVER_OK, STATUS_FAILED, STATUS_FEATURES_OK, bit,
} from "./spec.js";

/** §4.2.2 MMIO Device Register Layout (offsets). */
const REG = {
  MagicValue: 0x000, Version: 0x004, DeviceID: 0x008, VendorID: 0x00c,
  DeviceFeatures: 0x010, DeviceFeaturesSel: 0x014, DriverFeatures: 0x020, DriverFeaturesSel: 0x024,
  QueueSel: 0x030, QueueNumMax: 0x034, QueueNum: 0x038, QueueReady: 0x044, QueueNotify: 0x050,
  InterruptStatus: 0x060, InterruptACK: 0x064, Status: 0x070,
  QueueDescLow: 0x080, QueueDescHigh: 0x084, QueueDriverLow: 0x090, QueueDriverHigh: 0x094,
  QueueDeviceLow: 0x0a0, QueueDeviceHigh: 0x0a4, SHMSel: 0x0ac, SHMLenLow: 0x0b0, SHMLenHigh: 0x0b4,
  SHMBaseLow: 0x0b8, SHMBaseHigh: 0x0bc, QueueReset: 0x0c0, ConfigGeneration: 0x0fc, Config: 0x100,
} as const;

export const VIRTIO_MMIO_SIZE = 0x1000;
/** VendorID: "EDGE" in little-endian ASCII (any value is allowed, §4.2.2). */
export const VIRTIO_VENDOR_ID = 0x4547_4445;
/** Features the transport always offers on top of the device's (§6). */
const TRANSPORT_FEATURES = bit(F_VERSION_1) | bit(F_INDIRECT_DESC);

interface QueueRegs {
  num: number;
  desc: bigint;
  driver: bigint;
  device: bigint;
  q: SplitQueue | undefined;
}

export class VirtioMmio implements MmioDevice {
  private status = 0;
  private deviceFeaturesSel = 0;
  private driverFeatures = 0n;
  private driverFeaturesSel = 0;
  private queueSel = 0;
  private isr = 0;
  private generation = 0;
  private epochCount = 0;
  private lastLevel = false;
  private queues: QueueRegs[];
  /** Why the device last entered DEVICE_NEEDS_RESET (diagnostics). */
  lastError: string | undefined;
  /** All feature bits offered to the driver. */
  readonly offered: bigint;

  /** A device asked (during the current register write) for the run slice to end. */
  private yieldWanted = false;

  /**
   * `onYield`: called when a register write should end the machine's run slice (the write
   * then answers MmioResult.Stop); without it such requests are ignored.
   */
  constructor(readonly device: VirtioDevice, private readonly mem: GuestMemory, private readonly irq: IrqLine,
    private readonly onYield?: () => void) {
    this.offered = device.features | TRANSPORT_FEATURES;
    this.queues = device.queueMax.map((m) => this.freshQueue(m));
    const self = this;
    const host: VirtioHost = {
      mem,
      queue: (i) => self.queues[i]?.q,
      hasFeature: (b) => self.hasFeature(b),
      get live() { return self.live; },
      get epoch() { return self.epochCount; },
      usedBuffer: (i) => self.usedBuffer(i),
      configChanged: () => self.configChanged(),
      fail: (reason) => self.fail(reason),
      guard: (fn) => self.guard(fn),
      yieldSoon: () => { self.yieldWanted = true; },
    };
    device.attach(host);
  }

  private freshQueue(max: number): QueueRegs {
    return { num: max, desc: 0n, driver: 0n, device: 0n, q: undefined };
  }

  /** The driver accepted feature `b` (meaningful once FEATURES_OK is set). */
  hasFeature(b: number): boolean {
    return (this.status & STATUS_FEATURES_OK) !== 0 && ((this.driverFeatures >> BigInt(b)) & 1n) === 1n;
  }

  /** Buffers may be processed: DRIVER_OK, and neither NEEDS_RESET nor FAILED. */
  get live(): boolean {
    return (this.status & (STATUS_DRIVER_OK | STATUS_DEVICE_NEEDS_RESET | STATUS_FAILED)) === STATUS_DRIVER_OK;
  }

  /** True once a guest error put the device into DEVICE_NEEDS_RESET. */
  get needsReset(): boolean { return (this.status & STATUS_DEVICE_NEEDS_RESET) !== 0; }

  read(offset: number, size: number): bigint | undefined {
    if (offset >= REG.Config && offset < VIRTIO_MMIO_SIZE) return this.readConfig(offset - REG.Config, size);
    if (size !== 4 || (offset & 3) !== 0 || offset < 0 || offset >= VIRTIO_MMIO_SIZE) return undefined;
    return BigInt(this.readReg(offset) >>> 0);
  }

  write(offset: number, size: number, value: bigint): MmioResult {
    if (offset >= REG.Config && offset < VIRTIO_MMIO_SIZE) return this.writeConfig(offset - REG.Config, size, value);
    if (size !== 4 || (offset & 3) !== 0 || offset < 0 || offset >= VIRTIO_MMIO_SIZE) return MmioResult.AccessFault;
    this.yieldWanted = false;
    this.guard(() => this.writeReg(offset, Number(BigInt.asUintN(32, value))));
    if (this.yieldWanted && this.onYield) {
      this.yieldWanted = false;
      this.onYield();
      return MmioResult.Stop;
    }
    return MmioResult.Ok;
  }

  private readReg(off: number): number {
    const q = this.queues[this.queueSel];
    switch (off) {
      case REG.MagicValue: return MMIO_MAGIC;
      case REG.Version: return MMIO_VERSION;
      case REG.DeviceID: return this.device.deviceId;
      case REG.VendorID: return VIRTIO_VENDOR_ID;
      case REG.DeviceFeatures:
        return this.deviceFeaturesSel > 1 ? 0 : Number((this.offered >> BigInt(32 * this.deviceFeaturesSel)) & 0xffff_ffffn);
      case REG.QueueNumMax: return this.device.queueMax[this.queueSel] ?? 0;
      case REG.QueueReady: return q?.q ? 1 : 0;
      case REG.InterruptStatus: return this.isr;
      case REG.Status: return this.status;
      // §4.2.2: no shared memory regions: length and base read as all ones.
      case REG.SHMLenLow: case REG.SHMLenHigh: case REG.SHMBaseLow: case REG.SHMBaseHigh: return 0xffff_ffff;
      case REG.ConfigGeneration: return this.generation;
      default: return 0;
    }
  }

  private writeReg(off: number, v: number): void {
    const q = this.queues[this.queueSel];
    const settable = q !== undefined && q.q === undefined; // §4.2.2.3: only while not ready
    switch (off) {
      case REG.DeviceFeaturesSel: this.deviceFeaturesSel = v; return;
      case REG.DriverFeaturesSel: this.driverFeaturesSel = v; return;
      case REG.DriverFeatures: {
        if ((this.status & STATUS_FEATURES_OK) !== 0 || this.driverFeaturesSel > 1) return;
        const shift = BigInt(32 * this.driverFeaturesSel);
        this.driverFeatures = (this.driverFeatures & ~(0xffff_ffffn << shift)) | (BigInt(v) << shift);
        return;
      }
      case REG.QueueSel: this.queueSel = v; return;
      case REG.QueueNum: if (settable) q.num = v; return;
      case REG.QueueDescLow: if (settable) q.desc = setLow(q.desc, v); return;
      case REG.QueueDescHigh: if (settable) q.desc = setHigh(q.desc, v); return;
      case REG.QueueDriverLow: if (settable) q.driver = setLow(q.driver, v); return;
      case REG.QueueDriverHigh: if (settable) q.driver = setHigh(q.driver, v); return;
      case REG.QueueDeviceLow: if (settable) q.device = setLow(q.device, v); return;
      case REG.QueueDeviceHigh: if (settable) q.device = setHigh(q.device, v); return;
      case REG.QueueReady: this.setQueueReady(this.queueSel, (v & 1) !== 0); return;
      case REG.QueueNotify: {
        const index = v & 0xffff;
        if (this.live && this.queues[index]?.q) this.device.notify(index);
        return;
      }
      case REG.InterruptACK: this.isr &= ~v; this.updateIrq(); return;
      case REG.Status: this.setStatus(v & 0xff); return;
      default: return; // read-only and unknown registers ignore writes
    }
  }

  private setQueueReady(index: number, ready: boolean): void {
    const r = this.queues[index];
    if (r === undefined) return;
    if (!ready) { r.q = undefined; return; }
    if (r.q) return;
    const max = this.device.queueMax[index] ?? 0;
    const layout: QueueLayout = { size: r.num, desc: r.desc, driver: r.driver, device: r.device };
    const problem = max === 0 ? "queue does not exist" : layoutProblem(this.mem, layout, max);
    if (problem !== undefined) { this.fail(`queue ${index}: ${problem}`); return; }
    r.q = new SplitQueue(this.mem, layout, this.hasFeature(F_INDIRECT_DESC));
  }

  /** §2.1 / §3.1.1: the driver's status writes; 0 resets the device. */
  private setStatus(v: number): void {
    if (v === 0) { this.reset(); return; }
    const old = this.status;
    let next = (v & ~STATUS_DEVICE_NEEDS_RESET) | (old & STATUS_DEVICE_NEEDS_RESET);
    if ((next & STATUS_FEATURES_OK) !== 0 && (old & STATUS_FEATURES_OK) === 0) {
      // §3.1.1 step 5-6: refuse (leave FEATURES_OK clear) what we did not offer, or a
      // legacy driver without VIRTIO_F_VERSION_1.
      const f = this.driverFeatures;
      if ((f & ~this.offered) !== 0n || (f & bit(F_VERSION_1)) === 0n) next &= ~STATUS_FEATURES_OK;
    }
    if ((old & STATUS_FEATURES_OK) !== 0) next |= STATUS_FEATURES_OK; // cannot be withdrawn
    this.status = next;
    if ((next & STATUS_DRIVER_OK) !== 0 && (old & STATUS_DRIVER_OK) === 0) {
      if ((next & STATUS_FEATURES_OK) === 0) { this.fail("DRIVER_OK without FEATURES_OK"); return; }
      // Buffers made available before DRIVER_OK are processed now (§3.1.1 step 8).
      this.queues.forEach((r, i) => { if (r.q && this.live) this.device.notify(i); });
    }
  }

  private reset(): void {
    this.status = 0;
    this.deviceFeaturesSel = 0;
    this.driverFeatures = 0n;
    this.driverFeaturesSel = 0;
    this.queueSel = 0;
    this.isr = 0;
    this.epochCount++;
    this.lastError = undefined;
    this.queues = this.device.queueMax.map((m) => this.freshQueue(m));
    this.guard(() => this.device.reset());
    this.updateIrq();
  }

  private readConfig(off: number, size: number): bigint | undefined {
    if (size !== 1 && size !== 2 && size !== 4 && size !== 8) return undefined;
    let cfg: Uint8Array;
    try { cfg = this.device.config(); } catch { return 0n; }
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(cfg[off + i] ?? 0);
    return v;
  }

  private writeConfig(off: number, size: number, value: bigint): MmioResult {
    if (size !== 1 && size !== 2 && size !== 4) return MmioResult.AccessFault;
    const len = this.device.config().length;
    if (off + size > len) return MmioResult.Ok;
    this.guard(() => this.device.configWrite(off, size, Number(BigInt.asUintN(size * 8, value))));
    return MmioResult.Ok;
  }

  private usedBuffer(index: number): void {
    const q = this.queues[index]?.q;
    if (q === undefined || q.interruptSuppressed()) return;
    this.isr |= INT_USED_BUFFER;
    this.updateIrq();
  }

  /** §4.2.3.3: a new configuration generation and, once the driver is up, an interrupt. */
  private configChanged(): void {
    this.generation = (this.generation + 1) >>> 0;
    if ((this.status & STATUS_DRIVER_OK) === 0) return;
    this.isr |= INT_CONFIG_CHANGE;
    this.updateIrq();
  }

  private fail(reason: string): void {
    if (this.needsReset) return;
    this.lastError = reason;
    this.status |= STATUS_DEVICE_NEEDS_RESET;
    this.isr |= INT_CONFIG_CHANGE; // §2.1.2: NEEDS_RESET comes with a config change notification
    this.updateIrq();
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.fail(e instanceof Error ? e.message : String(e));
    }
  }

  private updateIrq(): void {
    const level = this.isr !== 0;
    if (level !== this.lastLevel) {
      this.lastLevel = level;
      this.irq(level);
    }
  }

  /** After the whole machine (RAM included) is restored: restart interrupted device work. */
  resume(): void {
    if (this.live) this.guard(() => this.device.resume?.());
  }

  saveState(): VirtioMmioState {
    return {
      deviceId: this.device.deviceId,
      status: this.status,
      deviceFeaturesSel: this.deviceFeaturesSel,
      driverFeatures: this.driverFeatures.toString(),
      driverFeaturesSel: this.driverFeaturesSel,
      queueSel: this.queueSel,
      isr: this.isr,
      generation: this.generation,
      lastError: this.lastError ?? null,
      queues: this.queues.map((r) => ({
        num: r.num, desc: r.desc.toString(), driver: r.driver.toString(), device: r.device.toString(),
        ready: r.q !== undefined, lastAvail: r.q?.lastAvail ?? 0, usedIdx: r.q?.usedIdx ?? 0,
      })),
      device: this.device.saveState(),
    };
  }

  /** Restores a snapshot (validated first; throws StateError and changes nothing if bad). */
  loadState(s: unknown): void {
    const o = obj(s, "virtio");
    if (o.deviceId !== this.device.deviceId) throw new StateError("virtio.deviceId differs");
    const u32 = (k: string): number => int(o[k], `virtio.${k}`, 0, 0xffff_ffff);
    const status = int(o.status, "virtio.status", 0, 0xff);
    const deviceFeaturesSel = u32("deviceFeaturesSel");
    const driverFeatures = big(o.driverFeatures, "virtio.driverFeatures", 64);
    if ((driverFeatures & ~this.offered) !== 0n) throw new StateError("virtio.driverFeatures not offered");
    const driverFeaturesSel = u32("driverFeaturesSel");
    const queueSel = u32("queueSel");
    const isr = int(o.isr, "virtio.isr", 0, INT_USED_BUFFER | INT_CONFIG_CHANGE);
    const generation = u32("generation");
    const lastError = o.lastError === null ? undefined : str(o.lastError, "virtio.lastError");
    const qs = Array.isArray(o.queues) ? o.queues : [];
    if (qs.length !== this.device.queueMax.length) throw new StateError("virtio.queues count differs");
    const indirect = (status & STATUS_FEATURES_OK) !== 0 && ((driverFeatures >> BigInt(F_INDIRECT_DESC)) & 1n) === 1n;
    const queues = qs.map((x, i): QueueRegs => {
      const qo = obj(x, `virtio.queues[${i}]`);
      const w = `virtio.queues[${i}]`;
      const r: QueueRegs = {
        num: int(qo.num, `${w}.num`, 0, 0xffff_ffff),
        desc: big(qo.desc, `${w}.desc`, 64),
        driver: big(qo.driver, `${w}.driver`, 64),
        device: big(qo.device, `${w}.device`, 64),
        q: undefined,
      };
      if (bool(qo.ready, `${w}.ready`)) {
        const max = this.device.queueMax[i] ?? 0;
        const layout: QueueLayout = { size: r.num, desc: r.desc, driver: r.driver, device: r.device };
        // Memory is checked on every access; here only the shape (RAM may load later).
        const shape = layoutProblem({ read: () => new Uint8Array(0), write: () => true }, layout, Math.min(max, MAX_QUEUE_SIZE));
        if (shape !== undefined) throw new StateError(`${w}: ${shape}`);
        r.q = new SplitQueue(this.mem, layout, indirect);
        r.q.lastAvail = int(qo.lastAvail, `${w}.lastAvail`, 0, 0xffff);
        r.q.usedIdx = int(qo.usedIdx, `${w}.usedIdx`, 0, 0xffff);
      }
      return r;
    });
    this.device.loadState(o.device); // validates itself; throws before we change anything
    Object.assign(this, { status, deviceFeaturesSel, driverFeatures, driverFeaturesSel, queueSel, isr, generation, queues });
    this.lastError = lastError;
    this.epochCount++;
    this.lastLevel = this.isr !== 0;
    this.irq(this.lastLevel);
  }
}

export interface VirtioMmioState {
  deviceId: number;
  status: number;
  deviceFeaturesSel: number;
  driverFeatures: string;
  driverFeaturesSel: number;
  queueSel: number;
  isr: number;
  generation: number;
  lastError: string | null;
  queues: { num: number; desc: string; driver: string; device: string; ready: boolean; lastAvail: number; usedIdx: number }[];
  device: unknown;
}

function setLow(v: bigint, low: number): bigint {
  return (v & ~0xffff_ffffn) | BigInt(low >>> 0);
}

function setHigh(v: bigint, high: number): bigint {
  return (v & 0xffff_ffffn) | (BigInt(high >>> 0) << 32n);
}
