// Split virtqueues (§2.7), device side. The driver owns the descriptor table and the
// available ring, the device the used ring. Everything read from guest memory is checked:
// a descriptor index past the queue size, a chain longer than the queue (a loop), an
// available index that jumps by more than the queue size, a readable buffer after a
// writable one, a malformed indirect table, or ring memory outside RAM all throw
// VirtioError, which the transport turns into DEVICE_NEEDS_RESET.

import type { GuestMemory } from "../../ports.js";
import { Chain, type Segment } from "./chain.js";
import { VirtioError } from "./device.js";
import {
  AVAIL_ALIGN, DESC_ALIGN, DESC_SIZE, MAX_QUEUE_SIZE, USED_ALIGN, VIRTQ_AVAIL_F_NO_INTERRUPT,
  VIRTQ_DESC_F_INDIRECT, VIRTQ_DESC_F_NEXT, VIRTQ_DESC_F_WRITE,
} from "./spec.js";

/** Where the driver put a queue (QueueNum and QueueDesc/Driver/Device). */
export interface QueueLayout {
  readonly size: number;
  readonly desc: bigint;
  readonly driver: bigint;
  readonly device: bigint;
}

/** §2.7: byte sizes of the three areas (the ring sizes include the event words). */
export const descBytes = (size: number): number => DESC_SIZE * size;
export const availBytes = (size: number): number => 6 + 2 * size;
export const usedBytes = (size: number): number => 6 + 8 * size;

/** Why a layout is unusable (§2.7 sizes and alignment, memory in RAM), or undefined. */
export function layoutProblem(mem: GuestMemory, q: QueueLayout, maxSize: number): string | undefined {
  const { size } = q;
  if (!Number.isInteger(size) || size < 1 || size > maxSize || size > MAX_QUEUE_SIZE || (size & (size - 1)) !== 0) {
    return `queue size ${size} is not a power of 2 in [1, ${maxSize}]`;
  }
  if (q.desc % BigInt(DESC_ALIGN) !== 0n) return "descriptor table misaligned";
  if (q.driver % BigInt(AVAIL_ALIGN) !== 0n) return "available ring misaligned";
  if (q.device % BigInt(USED_ALIGN) !== 0n) return "used ring misaligned";
  if (mem.read(q.desc, descBytes(size)) === undefined) return "descriptor table outside RAM";
  if (mem.read(q.driver, availBytes(size)) === undefined) return "available ring outside RAM";
  if (mem.read(q.device, usedBytes(size)) === undefined) return "used ring outside RAM";
  return undefined;
}

export class SplitQueue {
  /** Next available-ring index the device will read (free-running u16). */
  lastAvail = 0;
  /** The device's used index (free-running u16), mirrored into used.idx. */
  usedIdx = 0;

  constructor(
    private readonly mem: GuestMemory,
    readonly layout: QueueLayout,
    /** VIRTIO_F_INDIRECT_DESC negotiated. */
    private readonly indirect: boolean,
  ) {}

  get size(): number { return this.layout.size; }

  private readBytes(addr: bigint, n: number, what: string): DataView {
    const b = this.mem.read(addr, n);
    if (b === undefined || b.length !== n) throw new VirtioError(`${what} at 0x${addr.toString(16)} is outside RAM`);
    return new DataView(b.buffer, b.byteOffset, b.byteLength);
  }

  private availIdx(): number {
    return this.readBytes(this.layout.driver + 2n, 2, "avail.idx").getUint16(0, true);
  }

  /** Entries the driver has made available and the device has not taken (checked ≤ size). */
  pendingCount(): number {
    const n = (this.availIdx() - this.lastAvail) & 0xffff;
    if (n > this.size) throw new VirtioError(`avail.idx is ${n} entries ahead (queue size ${this.size})`);
    return n;
  }

  /** The next available chain, or undefined when the ring is empty. */
  pop(): Chain | undefined {
    if (this.pendingCount() === 0) return undefined;
    const slot = this.layout.driver + 4n + BigInt(2 * (this.lastAvail % this.size));
    const head = this.readBytes(slot, 2, "avail.ring").getUint16(0, true);
    this.lastAvail = (this.lastAvail + 1) & 0xffff;
    return this.chainAt(head);
  }

  /** Walks the chain starting at descriptor `head` (§2.7.5, §2.7.5.3 indirect tables). */
  chainAt(head: number): Chain {
    const readable: Segment[] = [];
    const writable: Segment[] = [];
    let table = this.layout.desc;
    let entries = this.size;
    let inIndirect = false;
    let idx = head;
    let steps = 0;
    for (;;) {
      if (idx >= entries) throw new VirtioError(`descriptor index ${idx} out of range (${entries})`);
      if (++steps > entries) throw new VirtioError("descriptor chain longer than the queue (loop?)");
      const d = this.readBytes(table + BigInt(DESC_SIZE * idx), DESC_SIZE, "descriptor");
      const addr = d.getBigUint64(0, true);
      const len = d.getUint32(8, true);
      const flags = d.getUint16(12, true);
      const next = d.getUint16(14, true);
      if ((flags & VIRTQ_DESC_F_INDIRECT) !== 0) {
        // §2.7.5.3.1: only if negotiated, never nested, never with NEXT, whole descriptors.
        if (!this.indirect) throw new VirtioError("indirect descriptor without VIRTIO_F_INDIRECT_DESC");
        if (inIndirect) throw new VirtioError("nested indirect descriptor");
        if ((flags & VIRTQ_DESC_F_NEXT) !== 0) throw new VirtioError("indirect descriptor with NEXT");
        if (len === 0 || len % DESC_SIZE !== 0 || len / DESC_SIZE > this.size) {
          throw new VirtioError(`indirect table length ${len} invalid`);
        }
        if (this.mem.read(addr, len) === undefined) throw new VirtioError("indirect table outside RAM");
        table = addr;
        entries = len / DESC_SIZE;
        inIndirect = true;
        idx = 0;
        steps = 0;
        continue;
      }
      if ((flags & VIRTQ_DESC_F_WRITE) !== 0) writable.push({ addr, len });
      else if (writable.length > 0) throw new VirtioError("device-readable buffer after a writable one");
      else readable.push({ addr, len });
      if ((flags & VIRTQ_DESC_F_NEXT) === 0) break;
      idx = next;
    }
    return new Chain(this.mem, head, readable, writable);
  }

  /** Returns chain `head` to the driver with `len` bytes written (§2.7.8). */
  push(head: number, len: number): void {
    const slot = this.layout.device + 4n + BigInt(8 * (this.usedIdx % this.size));
    const e = new Uint8Array(8);
    const v = new DataView(e.buffer);
    v.setUint32(0, head, true);
    v.setUint32(4, len >>> 0, true);
    this.usedIdx = (this.usedIdx + 1) & 0xffff;
    const idx = new Uint8Array(2);
    new DataView(idx.buffer).setUint16(0, this.usedIdx, true);
    if (!this.mem.write(slot, e) || !this.mem.write(this.layout.device + 2n, idx)) {
      throw new VirtioError("used ring outside RAM");
    }
  }

  /** §2.7.7: the driver asked not to be interrupted (VIRTQ_AVAIL_F_NO_INTERRUPT). */
  interruptSuppressed(): boolean {
    return (this.readBytes(this.layout.driver, 2, "avail.flags").getUint16(0, true) & VIRTQ_AVAIL_F_NO_INTERRUPT) !== 0;
  }
}
