// The contract between the virtio-mmio transport and a virtio device model. The transport
// owns the registers, feature negotiation, queue setup and interrupts; the device sees
// ready queues, its configuration space and notifications. Guest misbehaviour found by a
// device is reported by throwing VirtioError (or calling host.fail); the transport catches
// it at its boundary and puts the device into DEVICE_NEEDS_RESET (§2.1.2), so nothing
// thrown ever reaches the machine.

import type { GuestMemory } from "../../ports.js";
import type { SplitQueue } from "./queue.js";

/** A guest broke a virtio rule: the device needs a reset. */
export class VirtioError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "VirtioError";
  }
}

/** What the transport offers a device. */
export interface VirtioHost {
  readonly mem: GuestMemory;
  /** Queue `index` when the driver made it ready, else undefined. */
  queue(index: number): SplitQueue | undefined;
  /** True when the driver accepted feature `bit`. */
  hasFeature(bit: number): boolean;
  /** True while the device may process buffers: DRIVER_OK set, no NEEDS_RESET, not FAILED. */
  readonly live: boolean;
  /** Increases at every device reset: a completion started in an older epoch is stale. */
  readonly epoch: number;
  /** Used-buffer notification for queue `index` (§2.7.7: honours VIRTQ_AVAIL_F_NO_INTERRUPT). */
  usedBuffer(index: number): void;
  /** The device changed its configuration space: new generation and a config interrupt. */
  configChanged(): void;
  /** Enters DEVICE_NEEDS_RESET with a reason (kept for diagnostics). */
  fail(reason: string): void;
  /** Runs fn; a throw inside becomes fail() instead of escaping. */
  guard(fn: () => void): void;
  /** Work started outside the machine: end the current run slice after the guest's notify. */
  yieldSoon(): void;
}

export interface VirtioDevice {
  /** §5 Device Types. */
  readonly deviceId: number;
  /** Device-specific feature bits offered (the transport adds VERSION_1 and INDIRECT_DESC). */
  readonly features: bigint;
  /** QueueNumMax for each queue (0 = the queue does not exist). */
  readonly queueMax: readonly number[];
  /** Called once by the transport's constructor. */
  attach(host: VirtioHost): void;
  /** The device configuration space as it reads now. */
  config(): Uint8Array;
  /** A driver write into the configuration space (offset/size already range-checked). */
  configWrite(offset: number, size: number, value: number): void;
  /** The driver notified queue `index` (or DRIVER_OK was set): process its buffers. */
  notify(index: number): void;
  /** Device reset (status written 0): forget all in-flight work. */
  reset(): void;
  saveState(): unknown;
  /** Throws StateError without changing anything if the snapshot is bad. */
  loadState(s: unknown): void;
  /** After a snapshot (RAM included) is fully restored: restart interrupted work. */
  resume?(): void;
}
