// Saved-machine formats of the `virt` machine (plain data; the embedding stores them):
// VirtState is everything but RAM, VirtSnapshot adds every non-zero frame, and VirtRestore
// is how a machine resumes: a state plus frames given now and/or frames loaded lazily on
// first touch. A restore is untrusted input: the checks here validate its shape and frames.

import { BootError } from "./boot/linux.js";
import type { FrameLoader } from "./core/hart.js";

/** One 4 KiB guest frame: index = (guest physical address - 0x8000_0000) / 4096. */
export interface FrameRecord {
  index: number;
  bytes: Uint8Array;
}

/** The machine without its RAM: hart, devices, undelivered console input, entropy. */
export interface VirtState {
  version: 1;
  memoryMiB: number;
  hart: Uint8Array;
  devices: {
    plic: unknown;
    uart: unknown;
    rtc: unknown;
    test: unknown;
    virtio: unknown[];
  };
  pendingInput: number[];
  random: string[];
}

/** A whole-machine snapshot: the state and every non-zero RAM frame. */
export interface VirtSnapshot extends VirtState {
  frames: FrameRecord[];
}

/**
 * Resume from a state whose RAM comes as `frames` (installed now) and `lazy` frames
 * (fetched with `load` on first touch; see Hart.setLazyFrames for the loader's contract).
 * Frames in neither read as zero. A frame in both is taken from `frames`.
 */
export interface VirtRestore {
  state: VirtState;
  frames?: Iterable<FrameRecord>;
  lazy?: { indices: Iterable<number>; load: FrameLoader };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

/** Checks a restored state's shape against the machine; throws BootError (devices check their own fields). */
export function checkState(s: unknown, memoryMiB: number, virtioSlots: number): asserts s is VirtState {
  if (!isObject(s)) throw new BootError("restored state is not an object");
  if (s.version !== 1) throw new BootError(`snapshot version ${String(s.version)} is not supported`);
  if (s.memoryMiB !== memoryMiB) throw new BootError(`snapshot has ${String(s.memoryMiB)} MiB of RAM, the machine ${memoryMiB} MiB`);
  if (!(s.hart instanceof Uint8Array)) throw new BootError("restored state has no hart state bytes");
  if (!isObject(s.devices) || !Array.isArray(s.devices.virtio)) throw new BootError("restored state has no device states");
  if (s.devices.virtio.length !== virtioSlots) throw new BootError("snapshot has a different set of virtio slots");
  if (!Array.isArray(s.pendingInput)) throw new BootError("restored state has no pending input list");
  if (!Array.isArray(s.random)) throw new BootError("restored state has no entropy state");
}

/** Throws BootError unless f is a frame index of a machine with frameCount frames. */
export function checkIndex(frameCount: number, what: string, f: unknown): asserts f is number {
  if (typeof f !== "number" || !Number.isInteger(f) || f < 0 || f >= frameCount) {
    throw new BootError(`${what} frame index ${String(f)} is not a frame of this machine (0..${frameCount - 1})`);
  }
}

/** Throws BootError unless fr is a FrameRecord of this machine. */
export function checkFrame(fr: unknown, frameCount: number): asserts fr is FrameRecord {
  if (!isObject(fr)) throw new BootError("restored frame is not an object");
  checkIndex(frameCount, "restored", fr.index);
  if (!(fr.bytes instanceof Uint8Array) || fr.bytes.length !== 4096) {
    const n = fr.bytes instanceof Uint8Array ? `${fr.bytes.length} bytes` : "no bytes";
    throw new BootError(`restored frame ${fr.index} has ${n}, not 4096`);
  }
}
