// Checks for device snapshots. A snapshot handed to loadState() is untrusted input (it
// may come from storage or another host): every field is checked before any device state
// changes, and a bad one raises StateError (the device is left as it was).

export class StateError extends Error {
  constructor(message: string) {
    super(`bad device state: ${message}`);
    this.name = "StateError";
  }
}

export type Obj = Record<string, unknown>;

export function obj(v: unknown, what: string): Obj {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new StateError(`${what} is not an object`);
  return v as Obj;
}

export function int(v: unknown, what: string, min: number, max: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw new StateError(`${what} must be an integer in [${min}, ${max}]`);
  }
  return v;
}

export function bool(v: unknown, what: string): boolean {
  if (typeof v !== "boolean") throw new StateError(`${what} must be a boolean`);
  return v;
}

export function str(v: unknown, what: string, maxLen = 4096): string {
  if (typeof v !== "string" || v.length > maxLen) throw new StateError(`${what} must be a string`);
  return v;
}

/** Bigints travel as decimal strings (JSON has no bigint). */
export function big(v: unknown, what: string, bits: number): bigint {
  if (typeof v !== "string" || !/^[0-9]{1,40}$/.test(v)) throw new StateError(`${what} must be a decimal string`);
  const b = BigInt(v);
  if (b >= 1n << BigInt(bits)) throw new StateError(`${what} exceeds ${bits} bits`);
  return b;
}

export function arr(v: unknown, what: string, maxLen: number): unknown[] {
  if (!Array.isArray(v) || v.length > maxLen) throw new StateError(`${what} must be an array of at most ${maxLen}`);
  return v;
}

export function ints(v: unknown, what: string, maxLen: number, min: number, max: number): number[] {
  return arr(v, what, maxLen).map((x, i) => int(x, `${what}[${i}]`, min, max));
}
