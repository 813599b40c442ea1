// A BlockBackend over a local file (Node only): synchronous reads and writes with
// positional I/O; flush is fsync. Used by `edgevisor boot --disk`.

import { openSync, readSync, writeSync, fsyncSync, fstatSync, closeSync } from "node:fs";
import { basename } from "node:path";
import type { BlockBackend } from "../machine/ports.js";

export class FileDisk implements BlockBackend {
  readonly sizeBytes: number;
  readonly id: string;
  private fd: number;

  constructor(path: string, readonly readOnly = false) {
    this.fd = openSync(path, readOnly ? "r" : "r+");
    this.sizeBytes = fstatSync(this.fd).size;
    this.id = basename(path).slice(0, 20);
  }

  read(offset: number, length: number, done: (data: Uint8Array | undefined) => void): void {
    if (offset < 0 || offset + length > this.sizeBytes) return done(undefined);
    const buf = new Uint8Array(length);
    let got = 0;
    while (got < length) {
      const n = readSync(this.fd, buf, got, length - got, offset + got);
      if (n === 0) break;
      got += n;
    }
    done(buf);
  }

  write(offset: number, data: Uint8Array, done: (ok: boolean) => void): void {
    if (this.readOnly || offset < 0 || offset + data.length > this.sizeBytes) return done(false);
    let put = 0;
    while (put < data.length) put += writeSync(this.fd, data, put, data.length - put, offset + put);
    done(true);
  }

  flush(done: (ok: boolean) => void): void {
    try {
      fsyncSync(this.fd);
      done(true);
    } catch {
      done(false);
    }
  }

  close(): void {
    closeSync(this.fd);
  }
}
