// virtio-balloon (§5.5, device id 5): the host sets a target (num_pages, 4 KiB pages) and
// the driver inflates towards it, handing page frame numbers over on inflateq; each one is
// passed to releasePage(paddr) so the machine can drop the frame. Deflated pages simply
// return to the guest (VIRTIO_BALLOON_F_MUST_TELL_HOST is not offered; frames come back on
// first touch). With VIRTIO_BALLOON_F_STATS_VQ the driver's statistics buffer is kept and
// handed back by requestStats() to ask for fresh numbers (§5.5.6.3).

import { StateError, arr, big, int, obj } from "../state.js";
import { VirtioError, type VirtioDevice, type VirtioHost } from "./device.js";
import { DEVICE_ID_BALLOON, bit } from "./spec.js";

/** §5.5.3 Feature bits. */
export const VIRTIO_BALLOON_F_STATS_VQ = 1;
export const VIRTIO_BALLOON_F_DEFLATE_ON_OOM = 2;
/** §5.5.2 Virtqueues. */
const INFLATEQ = 0;
const DEFLATEQ = 1;
const STATSQ = 2;
/** §5.5.6: PFNs are in 4096-byte units whatever the guest page size. */
export const BALLOON_PFN_SHIFT = 12n;
/** §5.5.6.3 statistics tags (VIRTIO_BALLOON_S_*). */
export const BALLOON_STAT = {
  SWAP_IN: 0, SWAP_OUT: 1, MAJFLT: 2, MINFLT: 3, MEMFREE: 4, MEMTOT: 5, AVAIL: 6, CACHES: 7,
  HTLB_PGALLOC: 8, HTLB_PGFAIL: 9,
} as const;
const STAT_BYTES = 10; // le16 tag, le64 val (packed)
/** Bounds on what one buffer may carry (Linux sends 256 PFNs and ~10 stats). */
const MAX_PFN_BYTES = 256 << 10;
const MAX_STATS_BYTES = 64 << 10;
/** §5.5.4 struct virtio_balloon_config: num_pages, actual, free_page_hint_cmd_id, poison_val. */
const CONFIG_BYTES = 16;

export interface VirtioBalloonOptions {
  queueSize?: number;
}

export class VirtioBalloon implements VirtioDevice {
  readonly deviceId = DEVICE_ID_BALLOON;
  readonly features = bit(VIRTIO_BALLOON_F_STATS_VQ) | bit(VIRTIO_BALLOON_F_DEFLATE_ON_OOM);
  readonly queueMax: readonly number[];
  private host!: VirtioHost;
  private readonly cfg = new Uint8Array(CONFIG_BYTES);
  private readonly view = new DataView(this.cfg.buffer);
  private readonly latest = new Map<number, bigint>();
  /** The statistics buffer the driver left with us (head index), if any. */
  private statsHead: number | undefined;
  /** Pages inflated / deflated over the device's life (diagnostics). */
  inflated = 0;
  deflated = 0;

  /** @param releasePage called with the guest-physical address of each inflated 4 KiB page (guest-chosen: validate it). */
  constructor(private readonly releasePage: (paddr: bigint) => void, opts: VirtioBalloonOptions = {}) {
    const qs = opts.queueSize ?? 128;
    if (!Number.isInteger(qs) || qs < 1 || qs > 32768 || (qs & (qs - 1)) !== 0) throw new RangeError("balloon queue size");
    this.queueMax = [qs, qs, qs];
  }

  /** The host's target size in 4 KiB pages (num_pages). */
  get target(): number { return this.view.getUint32(0, true); }
  /** The driver's current balloon size in 4 KiB pages (actual). */
  get actual(): number { return this.view.getUint32(4, true); }
  /** The latest statistics by tag (BALLOON_STAT). */
  get stats(): ReadonlyMap<number, bigint> { return this.latest; }

  /** Host API: asks the guest to hold `pages` 4 KiB pages in the balloon. */
  setTarget(pages: number): void {
    if (!Number.isInteger(pages) || pages < 0 || pages > 0xffff_ffff) throw new RangeError(`balloon target ${pages}`);
    if (pages === this.target) return;
    this.view.setUint32(0, pages, true);
    this.host.configChanged();
  }

  /** Host API: returns the stats buffer so the driver refills it. False if it holds none. */
  requestStats(): boolean {
    const head = this.statsHead;
    const q = this.host.queue(STATSQ);
    if (head === undefined || q === undefined || !this.host.live) return false;
    this.statsHead = undefined;
    let ok = false;
    this.host.guard(() => {
      q.push(head, 0);
      this.host.usedBuffer(STATSQ);
      ok = true;
    });
    return ok;
  }

  attach(host: VirtioHost): void { this.host = host; }
  config(): Uint8Array { return this.cfg; }

  configWrite(offset: number, size: number, value: number): void {
    for (let i = 0; i < size; i++) {
      const at = offset + i;
      if (at >= 4 && at < 8) this.cfg[at] = (value >>> (8 * i)) & 0xff; // only `actual` is the driver's
    }
  }

  reset(): void {
    this.view.setUint32(4, 0, true);
    this.statsHead = undefined;
  }

  notify(index: number): void {
    const q = this.host.queue(index);
    if (q === undefined) return;
    if (index === STATSQ) {
      if (!this.host.hasFeature(VIRTIO_BALLOON_F_STATS_VQ)) return;
      for (let c = q.pop(); c !== undefined; c = q.pop()) {
        const n = c.readableBytes;
        if (n > MAX_STATS_BYTES) throw new VirtioError("balloon stats buffer too large");
        const raw = c.read(n)!;
        const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
        for (let at = 0; at + STAT_BYTES <= n; at += STAT_BYTES) this.latest.set(v.getUint16(at, true), v.getBigUint64(at + 2, true));
        if (this.statsHead !== undefined) { q.push(this.statsHead, 0); this.host.usedBuffer(STATSQ); }
        this.statsHead = c.head;
      }
      return;
    }
    if (index !== INFLATEQ && index !== DEFLATEQ) return;
    let any = false;
    for (let c = q.pop(); c !== undefined; c = q.pop()) {
      const n = c.readableBytes;
      if (n > MAX_PFN_BYTES) throw new VirtioError("balloon PFN buffer too large");
      const raw = c.read(n - (n % 4))!;
      const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      for (let at = 0; at < raw.length; at += 4) {
        if (index === INFLATEQ) {
          this.releasePage(BigInt(v.getUint32(at, true)) << BALLOON_PFN_SHIFT);
          this.inflated++;
        } else {
          this.deflated++;
        }
      }
      q.push(c.head, 0);
      any = true;
    }
    if (any) this.host.usedBuffer(index);
  }

  saveState(): { numPages: number; actual: number; statsHead: number | null; stats: [number, string][] } {
    return {
      numPages: this.target,
      actual: this.actual,
      statsHead: this.statsHead ?? null,
      stats: [...this.latest].map(([t, v]) => [t, v.toString()]),
    };
  }

  /** Restores a snapshot (validated first; throws StateError and changes nothing if bad). */
  loadState(s: unknown): void {
    const o = obj(s, "balloon");
    const numPages = int(o.numPages, "balloon.numPages", 0, 0xffff_ffff);
    const actual = int(o.actual, "balloon.actual", 0, 0xffff_ffff);
    const statsHead = o.statsHead === null ? undefined : int(o.statsHead, "balloon.statsHead", 0, this.queueMax[STATSQ]! - 1);
    const stats = arr(o.stats, "balloon.stats", 0x1_0000).map((e, i): [number, bigint] => {
      const p = arr(e, `balloon.stats[${i}]`, 2);
      if (p.length !== 2) throw new StateError(`balloon.stats[${i}]`);
      return [int(p[0], `balloon.stats[${i}].tag`, 0, 0xffff), big(p[1], `balloon.stats[${i}].val`, 64)];
    });
    this.view.setUint32(0, numPages, true);
    this.view.setUint32(4, actual, true);
    this.statsHead = statsHead;
    this.latest.clear();
    for (const [t, v] of stats) this.latest.set(t, v);
  }
}
