// A descriptor chain popped from a virtqueue (§2.7.5), seen as two byte streams: the
// device-readable buffers, then the device-writable ones. Cursors walk each stream across
// buffer boundaries. Buffer addresses are guest values: an access that leaves RAM throws
// VirtioError (the transport turns that into DEVICE_NEEDS_RESET).

import type { GuestMemory } from "../../ports.js";
import { VirtioError } from "./device.js";

export interface Segment {
  readonly addr: bigint;
  readonly len: number;
}

export class Chain {
  readonly readableBytes: number;
  readonly writableBytes: number;
  private rPos = 0;
  private wPos = 0;
  private wHigh = 0;

  constructor(
    private readonly mem: GuestMemory,
    /** Head descriptor index: the id returned in the used ring. */
    readonly head: number,
    readonly readable: readonly Segment[],
    readonly writable: readonly Segment[],
  ) {
    this.readableBytes = readable.reduce((n, s) => n + s.len, 0);
    this.writableBytes = writable.reduce((n, s) => n + s.len, 0);
  }

  /** Readable bytes not consumed yet. */
  get readRemaining(): number { return this.readableBytes - this.rPos; }
  /** Writable bytes after the write cursor. */
  get writeRemaining(): number { return this.writableBytes - this.wPos; }
  /** Bytes written so far (the used-ring length: highest written offset). */
  get written(): number { return this.wHigh; }

  /** The next n readable bytes, or undefined (cursor unchanged) when fewer remain. */
  read(n: number): Uint8Array | undefined {
    if (!Number.isInteger(n) || n < 0 || n > this.readRemaining) return undefined;
    const out = new Uint8Array(n);
    let done = 0;
    this.forEach(this.readable, this.rPos, n, (addr, len) => {
      const b = this.mem.read(addr, len);
      if (b === undefined || b.length !== len) throw new VirtioError(`buffer at 0x${addr.toString(16)} is outside RAM`);
      out.set(b, done);
      done += len;
    });
    this.rPos += n;
    return out;
  }

  /** Writes at the write cursor and advances it; false (nothing written) if it does not fit. */
  write(bytes: Uint8Array): boolean {
    if (!this.writeAt(this.wPos, bytes)) return false;
    this.wPos += bytes.length;
    return true;
  }

  /** Writes at byte `pos` of the writable stream; false (nothing written) if it does not fit. */
  writeAt(pos: number, bytes: Uint8Array): boolean {
    if (pos < 0 || pos + bytes.length > this.writableBytes) return false;
    let done = 0;
    this.forEach(this.writable, pos, bytes.length, (addr, len) => {
      if (!this.mem.write(addr, bytes.subarray(done, done + len))) {
        throw new VirtioError(`buffer at 0x${addr.toString(16)} is outside RAM`);
      }
      done += len;
    });
    this.wHigh = Math.max(this.wHigh, pos + bytes.length);
    return true;
  }

  /** Calls fn for each piece of [pos, pos+n) of a stream, buffer by buffer. */
  private forEach(segs: readonly Segment[], pos: number, n: number, fn: (addr: bigint, len: number) => void): void {
    let start = 0;
    for (const s of segs) {
      if (n === 0) return;
      const end = start + s.len;
      if (pos < end) {
        const off = pos - start;
        const len = Math.min(s.len - off, n);
        fn(s.addr + BigInt(off), len);
        pos += len;
        n -= len;
      }
      start = end;
    }
  }
}
