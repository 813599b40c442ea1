// Inventory ids: a type prefix and 16 random hex digits (e.g. `vm-3f9a0c27d14e8b65`).
export function newId(prefix: string): string {
  const b = crypto.getRandomValues(new Uint8Array(8));
  let s = "";
  for (const x of b) s += x.toString(16).padStart(2, "0");
  return `${prefix}-${s}`;
}
