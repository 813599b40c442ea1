// Inventory ids: a type prefix and 16 random hex digits (e.g. `vm-3f9a0c27d14e8b65`).
import { toHex } from "./encoding.js";

export function newId(prefix: string): string {
  return `${prefix}-${toHex(crypto.getRandomValues(new Uint8Array(8)))}`;
}
