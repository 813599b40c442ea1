// A BlockBackend over a Uint8Array, completing every request synchronously (inside the
// call). For tests and small in-memory disks.

import type { BlockBackend } from "../../ports.js";

export interface MemoryBlockBackendOptions {
  readOnly?: boolean;
  id?: string;
  /** Offer discard (zero-fills the range). Default true. */
  discard?: boolean;
}

export class MemoryBlockBackend implements BlockBackend {
  readonly readOnly: boolean;
  readonly id: string;
  readonly discard?: (offset: number, length: number, done: (ok: boolean) => void) => void;
  /** Number of flush calls (for tests). */
  flushes = 0;

  constructor(readonly data: Uint8Array, opts: MemoryBlockBackendOptions = {}) {
    this.readOnly = opts.readOnly ?? false;
    this.id = opts.id ?? "edgevisor-mem";
    if (opts.discard !== false) {
      this.discard = (offset, length, done) => {
        if (this.readOnly || !this.inRange(offset, length)) { done(false); return; }
        this.data.fill(0, offset, offset + length);
        done(true);
      };
    }
  }

  get sizeBytes(): number { return this.data.length; }

  private inRange(offset: number, length: number): boolean {
    return Number.isSafeInteger(offset) && Number.isSafeInteger(length) && offset >= 0 && length >= 0 &&
      offset + length <= this.data.length;
  }

  read(offset: number, length: number, done: (data: Uint8Array | undefined) => void): void {
    done(this.inRange(offset, length) ? this.data.slice(offset, offset + length) : undefined);
  }

  write(offset: number, data: Uint8Array, done: (ok: boolean) => void): void {
    if (this.readOnly || !this.inRange(offset, data.length)) { done(false); return; }
    this.data.set(data, offset);
    done(true);
  }

  flush(done: (ok: boolean) => void): void {
    this.flushes++;
    done(true);
  }
}
