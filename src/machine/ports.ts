// Interfaces the machine needs from whoever embeds it (Node CLI, a Durable Object).
// The machine itself stays pure and synchronous: devices talk to the outside only
// through these.

/** A memory-mapped device: offsets are relative to the region base; values are bigint. */
export interface MmioDevice {
  /** Reads size (1, 2, 4 or 8) bytes at offset; return undefined for an access fault. */
  read(offset: number, size: number): bigint | undefined;
  /** Writes size bytes; returns a MmioResult. */
  write(offset: number, size: number, value: bigint): MmioResult;
}

export const enum MmioResult {
  Ok = 0,
  /** The write asks the machine to stop (power-off, test exit). */
  Stop = 1,
  AccessFault = 2,
}

/** Where console output goes. */
export interface ConsoleSink {
  write(bytes: Uint8Array): void;
}

/** Guest physical memory as devices see it (DMA). Every address is guest-controlled. */
export interface GuestMemory {
  /** Copies len bytes at paddr; undefined when any part is not RAM. */
  read(paddr: bigint, len: number): Uint8Array | undefined;
  /** Writes bytes at paddr; false (nothing written) when any part is not RAM. */
  write(paddr: bigint, bytes: Uint8Array): boolean;
}

/** An interrupt line into the interrupt controller. */
export type IrqLine = (level: boolean) => void;

/**
 * Storage behind a virtio-blk device. Requests may complete synchronously (in-memory,
 * file) or later (R2-backed disks in a Durable Object): the device keeps the request until
 * `done` is called, which the embedding does between run slices.
 */
export interface BlockBackend {
  readonly sizeBytes: number;
  readonly readOnly: boolean;
  /** A stable identifier (virtio-blk GET_ID, up to 20 bytes). */
  readonly id: string;
  read(offset: number, length: number, done: (data: Uint8Array | undefined) => void): void;
  write(offset: number, data: Uint8Array, done: (ok: boolean) => void): void;
  flush(done: (ok: boolean) => void): void;
  /** Optional: deallocate (reads return zeros afterwards). */
  discard?(offset: number, length: number, done: (ok: boolean) => void): void;
  /**
   * Optional: true (once) after a request started work that proceeds outside the machine
   * (a remote read, read-ahead). The machine then ends its run slice after the guest's
   * notify, so the embedding's event loop can send that work on its way instead of after
   * the slice.
   */
  takeYieldHint?(): boolean;
}
