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
