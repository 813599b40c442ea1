// Small helpers shared by the datastore modules: building DsOutcome values, bytes in human
// form for messages, and the checks on caller-given sizes and ids (all pure).
import { MAX_CHUNK_BYTES, MIN_CHUNK_BYTES, type DsOutcome, type Provisioning } from "./types.js";

export type DsFailure = Extract<DsOutcome<never>, { ok: false }>;

export function ok<T>(value: T): DsOutcome<T> {
  return { ok: true, value };
}

export function fail(status: DsFailure["status"], code: string, message: string): DsFailure {
  return { ok: false, status, code, message };
}

export function invalid(message: string): DsFailure {
  return fail(422, "invalid", message);
}

const UNITS = ["KiB", "MiB", "GiB", "TiB", "PiB"];

/** 1610612736 → "1.5 GiB"; below 1 KiB → "512 B". */
export function formatBytes(n: number): string {
  if (Math.abs(n) < 1024) return `${n} B`;
  let v = n / 1024;
  let unit = 0;
  while (Math.abs(v) >= 1024 && unit < UNITS.length - 1) {
    v /= 1024;
    unit++;
  }
  return `${v.toFixed(1)} ${UNITS[unit]}`;
}

/** The 503 a create or extend answers when the datastore cannot hold `requested` more bytes. */
export function noSpace(datastore: string, free: number, requested: number): DsFailure {
  return fail(503, "no_space",
    `datastore ${datastore} has ${free} bytes free, ${requested} requested (${formatBytes(free)} free, ${formatBytes(requested)} requested)`);
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** Disk and snapshot ids go into R2 keys and messages: letters, digits, `._:-`, at most 128. */
export function checkId(what: string, id: unknown): DsFailure | null {
  return typeof id === "string" && ID.test(id) ? null : invalid(`${what} id must be 1-128 letters, digits or ._:- (got ${JSON.stringify(id)})`);
}

export function checkSize(sizeBytes: unknown): DsFailure | null {
  if (typeof sizeBytes !== "number" || !Number.isSafeInteger(sizeBytes) || sizeBytes <= 0 || sizeBytes % 512 !== 0) {
    return invalid(`sizeBytes must be a positive multiple of 512 (got ${String(sizeBytes)})`);
  }
  return null;
}

export function checkChunkBytes(chunkBytes: unknown): DsFailure | null {
  if (typeof chunkBytes !== "number" || !Number.isSafeInteger(chunkBytes) || chunkBytes < MIN_CHUNK_BYTES
    || chunkBytes > MAX_CHUNK_BYTES || (chunkBytes & (chunkBytes - 1)) !== 0) {
    return invalid(`chunkBytes must be a power of two from ${MIN_CHUNK_BYTES} to ${MAX_CHUNK_BYTES} (got ${String(chunkBytes)})`);
  }
  return null;
}

const PROVISIONING: readonly Provisioning[] = ["thin", "lazyZeroedThick", "eagerZeroedThick"];

export function checkProvisioning(p: unknown): DsFailure | null {
  return PROVISIONING.includes(p as Provisioning) ? null : invalid(`provisioning must be one of ${PROVISIONING.join(", ")} (got ${JSON.stringify(p)})`);
}

export function checkImage(image: { sha256: string; size: number } | undefined, sizeBytes: number): DsFailure | null {
  if (image === undefined) return null;
  if (typeof image.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(image.sha256)) return invalid("image.sha256 must be 64 lowercase hex digits");
  if (!Number.isSafeInteger(image.size) || image.size <= 0) return invalid("image.size must be a positive whole number of bytes");
  if (image.size > sizeBytes) return invalid(`the disk (${sizeBytes} bytes) is smaller than its image (${image.size} bytes)`);
  return null;
}

/** A positive whole number of ms, at most a day. */
export function checkTtl(ttlMs: unknown): DsFailure | null {
  return typeof ttlMs === "number" && Number.isSafeInteger(ttlMs) && ttlMs > 0 && ttlMs <= 86_400_000
    ? null : invalid(`ttlMs must be a whole number of ms from 1 to 86400000 (got ${String(ttlMs)})`);
}

export function chunkCount(sizeBytes: number, chunkBytes: number): number {
  return Math.ceil(sizeBytes / chunkBytes);
}

export function isThick(p: Provisioning): boolean {
  return p !== "thin";
}
