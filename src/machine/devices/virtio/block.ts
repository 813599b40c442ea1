// virtio-blk (§5.2, device id 2) over a BlockBackend. One request queue. Requests (§5.2.6):
// IN, OUT, FLUSH, GET_ID, and DISCARD / WRITE_ZEROES when the backend can discard; anything
// else gets VIRTIO_BLK_S_UNSUPP. Sector ranges are checked with bigint arithmetic (no
// overflow) and answered with VIRTIO_BLK_S_IOERR when outside the disk, as are backend
// failures. Backends may complete later: the used-ring entry and the interrupt happen when
// the backend calls `done`, so requests retire in completion order. A malformed request
// (no header, no status byte) is a guest error: DEVICE_NEEDS_RESET.

import type { BlockBackend } from "../../ports.js";
import { StateError, ints, obj } from "../state.js";
import type { Chain } from "./chain.js";
import { VirtioError, type VirtioDevice, type VirtioHost } from "./device.js";
import { DEVICE_ID_BLOCK, MAX_QUEUE_SIZE, bit } from "./spec.js";

/** §5.2.3 Feature bits. */
export const VIRTIO_BLK_F_SIZE_MAX = 1;
export const VIRTIO_BLK_F_SEG_MAX = 2;
export const VIRTIO_BLK_F_RO = 5;
export const VIRTIO_BLK_F_BLK_SIZE = 6;
export const VIRTIO_BLK_F_FLUSH = 9;
export const VIRTIO_BLK_F_DISCARD = 13;
export const VIRTIO_BLK_F_WRITE_ZEROES = 14;

/** §5.2.6 Request types and status values. */
export const VIRTIO_BLK_T_IN = 0;
export const VIRTIO_BLK_T_OUT = 1;
export const VIRTIO_BLK_T_FLUSH = 4;
export const VIRTIO_BLK_T_GET_ID = 8;
export const VIRTIO_BLK_T_DISCARD = 11;
export const VIRTIO_BLK_T_WRITE_ZEROES = 13;
export const VIRTIO_BLK_S_OK = 0;
export const VIRTIO_BLK_S_IOERR = 1;
export const VIRTIO_BLK_S_UNSUPP = 2;
/** §5.2.6: discard/write-zeroes segment flag. */
const VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP = 1;

/** §5.2.6: sectors are always 512 bytes; the request header is 16 bytes. */
export const SECTOR_SIZE = 512;
const HEADER_BYTES = 16;
const SEGMENT_BYTES = 16;
/** §5.2.6 GET_ID: at most 20 bytes. */
const ID_BYTES = 20;
/** Largest buffer segment we advertise (size_max) and the data cap per request. */
const SIZE_MAX = 0x1_0000;
const MAX_REQUEST_BYTES = 16 << 20;
/** Data held for unfinished requests before the device stops taking new ones. */
const INFLIGHT_LIMIT_BYTES = 64 << 20;
const MAX_DISCARD_SECTORS = 0x40_0000; // 2 GiB per segment
const MAX_DISCARD_SEG = 16;
const DISCARD_ALIGNMENT = 8; // sectors (4 KiB)
/** §5.2.4 struct virtio_blk_config, with the zoned fields (96 bytes). */
const CONFIG_BYTES = 96;

export interface VirtioBlockOptions {
  /** QueueNumMax (a power of 2, 4..32768). Default 256. */
  queueSize?: number;
}

export class VirtioBlock implements VirtioDevice {
  readonly deviceId = DEVICE_ID_BLOCK;
  readonly features: bigint;
  readonly queueMax: readonly number[];
  private host!: VirtioHost;
  private readonly cfg: Uint8Array;
  private readonly canDiscard: boolean;
  /** Heads of unfinished requests (submission order), with the bytes each holds. */
  private inflight = new Map<number, number>();
  private inflightBytes = 0;
  /** Heads restored from a snapshot, to submit again on resume(). */
  private replay: number[] = [];
  private draining = false;
  /** A request submitted by the current drain did not complete at once. */
  private startedAsync = false;

  constructor(readonly backend: BlockBackend, opts: VirtioBlockOptions = {}) {
    const qs = opts.queueSize ?? 256;
    if (!Number.isInteger(qs) || qs < 4 || qs > MAX_QUEUE_SIZE || (qs & (qs - 1)) !== 0) {
      throw new RangeError(`virtio-blk queue size must be a power of 2 in [4, ${MAX_QUEUE_SIZE}]`);
    }
    this.queueMax = [qs];
    this.canDiscard = typeof backend.discard === "function";
    let f = bit(VIRTIO_BLK_F_SIZE_MAX) | bit(VIRTIO_BLK_F_SEG_MAX) | bit(VIRTIO_BLK_F_BLK_SIZE) | bit(VIRTIO_BLK_F_FLUSH);
    if (backend.readOnly) f |= bit(VIRTIO_BLK_F_RO);
    if (this.canDiscard) f |= bit(VIRTIO_BLK_F_DISCARD) | bit(VIRTIO_BLK_F_WRITE_ZEROES);
    this.features = f;
    this.cfg = new Uint8Array(CONFIG_BYTES);
    const v = new DataView(this.cfg.buffer);
    v.setBigUint64(0, this.capacity, true); // capacity
    v.setUint32(8, SIZE_MAX, true); // size_max
    v.setUint32(12, qs - 2, true); // seg_max: header and status take two descriptors
    v.setUint32(20, SECTOR_SIZE, true); // blk_size
    v.setUint16(34, 1, true); // num_queues
    if (this.canDiscard) {
      v.setUint32(36, MAX_DISCARD_SECTORS, true);
      v.setUint32(40, MAX_DISCARD_SEG, true);
      v.setUint32(44, DISCARD_ALIGNMENT, true);
      v.setUint32(48, MAX_DISCARD_SECTORS, true); // max_write_zeroes_sectors
      v.setUint32(52, MAX_DISCARD_SEG, true); // max_write_zeroes_seg
      v.setUint8(56, 1); // write_zeroes_may_unmap
    }
  }

  /** Disk size in 512-byte sectors (a trailing partial sector is not addressable). */
  get capacity(): bigint {
    const size = Number.isSafeInteger(this.backend.sizeBytes) && this.backend.sizeBytes > 0 ? this.backend.sizeBytes : 0;
    return BigInt(Math.floor(size / SECTOR_SIZE));
  }

  /** Requests handed to the backend and not completed yet. */
  get pendingRequests(): number { return this.inflight.size; }

  attach(host: VirtioHost): void { this.host = host; }
  config(): Uint8Array { return this.cfg; }
  configWrite(): void { /* writeback (CONFIG_WCE) is not offered: nothing is writable */ }

  reset(): void {
    this.inflight.clear();
    this.inflightBytes = 0;
    this.replay = [];
  }

  notify(index: number): void {
    if (index !== 0) return;
    this.resume();
    this.drain();
  }

  /** Submits requests that were in flight when the snapshot was taken. */
  resume(): void {
    const q = this.host.queue(0);
    const heads = this.replay;
    this.replay = [];
    if (q === undefined || !this.host.live) return;
    for (const head of heads) this.start(q.chainAt(head));
  }

  private drain(): void {
    if (this.draining) return; // a completion inside start(): the loop below goes on
    const q = this.host.queue(0);
    if (q === undefined) return;
    this.draining = true;
    this.startedAsync = false;
    try {
      while (this.host.live && this.inflightBytes < INFLIGHT_LIMIT_BYTES) {
        const chain = q.pop();
        if (chain === undefined) break;
        this.start(chain);
      }
      // Requests this notify left waiting on the backend, or work it started ahead: let it
      // get going now rather than after the machine's run slice.
      if (this.startedAsync || this.backend.takeYieldHint?.()) this.host.yieldSoon();
    } finally {
      this.draining = false;
    }
  }

  private start(chain: Chain): void {
    const hdr = chain.read(HEADER_BYTES);
    if (hdr === undefined) throw new VirtioError("virtio-blk request without a 16-byte header");
    if (chain.writableBytes < 1) throw new VirtioError("virtio-blk request without a status byte");
    if (this.inflight.has(chain.head)) throw new VirtioError(`virtio-blk chain ${chain.head} made available twice`);
    const h = new DataView(hdr.buffer, hdr.byteOffset, HEADER_BYTES);
    const type = h.getUint32(0, true);
    const sector = h.getBigUint64(8, true);
    const dataIn = chain.writableBytes - 1;
    const dataOut = chain.readRemaining;
    const epoch = this.host.epoch;
    const finish = (status: number): void => this.finish(chain, epoch, status);
    switch (type) {
      case VIRTIO_BLK_T_IN: {
        const off = this.byteRange(sector, dataIn);
        if (off === undefined) return finish(VIRTIO_BLK_S_IOERR);
        return this.submit(chain, dataIn, finish, (done) => this.backend.read(off, dataIn, (data) => {
          if (data === undefined || data.length !== dataIn) return done(VIRTIO_BLK_S_IOERR);
          done(VIRTIO_BLK_S_OK, () => chain.writeAt(0, data)); // only if still current
        }));
      }
      case VIRTIO_BLK_T_OUT: {
        const off = this.byteRange(sector, dataOut);
        if (off === undefined || this.backend.readOnly) return finish(VIRTIO_BLK_S_IOERR);
        const data = chain.read(dataOut)!;
        return this.submit(chain, dataOut, finish, (done) =>
          this.backend.write(off, data, (ok) => done(ok ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR)));
      }
      case VIRTIO_BLK_T_FLUSH:
        return this.submit(chain, 0, finish, (done) =>
          this.backend.flush((ok) => done(ok ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR)));
      case VIRTIO_BLK_T_GET_ID: {
        const id = new TextEncoder().encode(String(this.backend.id)).subarray(0, ID_BYTES);
        const out = new Uint8Array(Math.min(ID_BYTES, dataIn)); // NUL-padded when shorter
        out.set(id.subarray(0, out.length));
        chain.writeAt(0, out);
        return finish(VIRTIO_BLK_S_OK);
      }
      case VIRTIO_BLK_T_DISCARD:
      case VIRTIO_BLK_T_WRITE_ZEROES:
        return this.discard(chain, type, dataOut, finish);
      default:
        return finish(VIRTIO_BLK_S_UNSUPP);
    }
  }

  /** §5.2.6.2: segments {le64 sector, le32 num_sectors, le32 flags}. */
  private discard(chain: Chain, type: number, dataOut: number, finish: (status: number) => void): void {
    const discard = this.backend.discard;
    if (discard === undefined) return finish(VIRTIO_BLK_S_UNSUPP);
    const n = dataOut / SEGMENT_BYTES;
    if (!Number.isInteger(n) || n < 1 || n > MAX_DISCARD_SEG) return finish(VIRTIO_BLK_S_UNSUPP);
    const raw = chain.read(dataOut)!;
    const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const ranges: [number, number][] = [];
    let unsupported = false;
    let outOfRange = false;
    for (let i = 0; i < n; i++) {
      const sector = v.getBigUint64(i * SEGMENT_BYTES, true);
      const num = v.getUint32(i * SEGMENT_BYTES + 8, true);
      const flags = v.getUint32(i * SEGMENT_BYTES + 12, true);
      // Unknown flags, UNMAP on a discard, or too many sectors: unsupported.
      if ((flags & ~VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP) !== 0) unsupported = true;
      if (type === VIRTIO_BLK_T_DISCARD && flags !== 0) unsupported = true;
      if (num > MAX_DISCARD_SECTORS) unsupported = true;
      const off = this.byteRange(sector, num * SECTOR_SIZE, Number.MAX_SAFE_INTEGER);
      if (off === undefined) outOfRange = true;
      else ranges.push([off, num * SECTOR_SIZE]);
    }
    if (unsupported) return finish(VIRTIO_BLK_S_UNSUPP);
    if (outOfRange || this.backend.readOnly) return finish(VIRTIO_BLK_S_IOERR);
    // The backend's discard reads back zeros, so it serves WRITE_ZEROES too.
    this.submit(chain, 0, finish, (done) => {
      const next = (i: number): void => {
        const r = ranges[i];
        if (r === undefined) return done(VIRTIO_BLK_S_OK);
        discard.call(this.backend, r[0], r[1], (ok) => (ok ? next(i + 1) : done(VIRTIO_BLK_S_IOERR)));
      };
      next(0);
    });
  }

  /** Byte offset of [sector, sector + len bytes) when it is whole sectors inside the disk. */
  private byteRange(sector: bigint, len: number, maxLen = MAX_REQUEST_BYTES): number | undefined {
    if (len % SECTOR_SIZE !== 0 || len > maxLen) return undefined;
    if (sector + BigInt(len / SECTOR_SIZE) > this.capacity) return undefined;
    return Number(sector) * SECTOR_SIZE;
  }

  /**
   * Hands a request to the backend. `op` gets a `done(status, commit?)` that works once;
   * `commit` (copying read data into guest buffers) runs only if the request is still
   * current. A backend that throws fails the request with IOERR.
   */
  private submit(
    chain: Chain, bytes: number, finish: (status: number) => void,
    op: (done: (status: number, commit?: () => void) => void) => void,
  ): void {
    const epoch = this.host.epoch;
    this.inflight.set(chain.head, bytes);
    this.inflightBytes += bytes;
    let called = false;
    const done = (status: number, commit?: () => void): void => {
      if (called) return;
      called = true;
      this.host.guard(() => {
        // The device was reset (or restored) meanwhile: the guest may have reused the
        // buffers, so nothing is written.
        if (epoch !== this.host.epoch) return;
        if (this.inflight.delete(chain.head)) this.inflightBytes -= bytes;
        if (!this.host.live) return;
        commit?.();
        finish(status);
        this.drain();
      });
    };
    try {
      op(done);
    } catch {
      done(VIRTIO_BLK_S_IOERR);
    }
    if (!called) this.startedAsync = true;
  }

  /** Writes the status byte and returns the chain (unless the device was reset meanwhile). */
  private finish(chain: Chain, epoch: number, status: number): void {
    if (epoch !== this.host.epoch || !this.host.live) return;
    const q = this.host.queue(0);
    if (q === undefined) return;
    chain.writeAt(chain.writableBytes - 1, Uint8Array.of(status));
    q.push(chain.head, chain.written);
    this.host.usedBuffer(0);
  }

  saveState(): { inflight: number[] } {
    return { inflight: [...this.replay, ...this.inflight.keys()] };
  }

  /** Restores a snapshot (validated first; throws StateError and changes nothing if bad). */
  loadState(s: unknown): void {
    const o = obj(s, "virtio-blk");
    const heads = ints(o.inflight, "virtio-blk.inflight", this.queueMax[0]!, 0, this.queueMax[0]! - 1);
    if (new Set(heads).size !== heads.length) throw new StateError("virtio-blk.inflight has duplicates");
    this.inflight.clear();
    this.inflightBytes = 0;
    this.replay = heads;
  }
}
