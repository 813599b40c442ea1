// Constants from the Virtual I/O Device (VIRTIO) Version 1.2 specification shared by the
// transport, the virtqueues and the devices. Section numbers are the spec's.

/** §2.1 Device Status Field. */
export const STATUS_ACKNOWLEDGE = 1;
export const STATUS_DRIVER = 2;
export const STATUS_DRIVER_OK = 4;
export const STATUS_FEATURES_OK = 8;
export const STATUS_DEVICE_NEEDS_RESET = 64;
export const STATUS_FAILED = 128;

/** §6 Reserved Feature Bits (bit numbers). */
export const F_INDIRECT_DESC = 28;
export const F_EVENT_IDX = 29;
export const F_VERSION_1 = 32;
export const F_ACCESS_PLATFORM = 33;
export const F_RING_PACKED = 34;

/** §2.7.5 The Virtqueue Descriptor Table: flags. */
export const VIRTQ_DESC_F_NEXT = 1;
export const VIRTQ_DESC_F_WRITE = 2;
export const VIRTQ_DESC_F_INDIRECT = 4;
/** §2.7.6 The Virtqueue Available Ring: flags. */
export const VIRTQ_AVAIL_F_NO_INTERRUPT = 1;

/** §2.7 Split Virtqueues: sizes and alignments (table in §2.7). */
export const DESC_SIZE = 16;
export const DESC_ALIGN = 16;
export const AVAIL_ALIGN = 2;
export const USED_ALIGN = 4;
/** §2.7: Queue Size is a power of 2, at most 32768. */
export const MAX_QUEUE_SIZE = 32768;

/** §4.2.2 MMIO Device Register Layout. */
export const MMIO_MAGIC = 0x7472_6976; // "virt"
export const MMIO_VERSION = 2;
/** §4.2.2: InterruptStatus bits. */
export const INT_USED_BUFFER = 1;
export const INT_CONFIG_CHANGE = 2;

/** §5 Device Types. */
export const DEVICE_ID_BLOCK = 2;
export const DEVICE_ID_RNG = 4;
export const DEVICE_ID_BALLOON = 5;

export const bit = (n: number): bigint => 1n << BigInt(n);
