// virtio-rng / entropy device (§5.4, device id 4): one request queue; each buffer's
// device-writable part is filled with bytes from the injected entropy source (the machine
// stays deterministic: the embedding decides where randomness comes from).

import { obj } from "../state.js";
import type { VirtioDevice, VirtioHost } from "./device.js";
import { DEVICE_ID_RNG } from "./spec.js";

/** Bytes served per request at most (Linux asks for at most a page or so). */
const MAX_REQUEST_BYTES = 64 << 10;

export class VirtioRng implements VirtioDevice {
  readonly deviceId = DEVICE_ID_RNG;
  readonly features = 0n;
  readonly queueMax: readonly number[];
  private host!: VirtioHost;
  /** Bytes handed to the guest (diagnostics). */
  served = 0;

  constructor(private readonly entropy: (n: number) => Uint8Array, opts: { queueSize?: number } = {}) {
    const qs = opts.queueSize ?? 64;
    if (!Number.isInteger(qs) || qs < 1 || qs > 32768 || (qs & (qs - 1)) !== 0) throw new RangeError("rng queue size");
    this.queueMax = [qs];
  }

  attach(host: VirtioHost): void { this.host = host; }
  config(): Uint8Array { return new Uint8Array(0); }
  configWrite(): void {}
  reset(): void {}

  notify(index: number): void {
    const q = this.host.queue(index);
    if (index !== 0 || q === undefined) return;
    let any = false;
    for (let c = q.pop(); c !== undefined; c = q.pop()) {
      const want = Math.min(c.writableBytes, MAX_REQUEST_BYTES);
      const got = want > 0 ? this.entropy(want) : new Uint8Array(0);
      const bytes = got instanceof Uint8Array ? got.subarray(0, want) : new Uint8Array(0);
      c.write(bytes);
      this.served += bytes.length;
      q.push(c.head, bytes.length);
      any = true;
    }
    if (any) this.host.usedBuffer(0);
  }

  saveState(): Record<string, never> { return {}; }
  loadState(s: unknown): void { obj(s, "rng"); }
}
