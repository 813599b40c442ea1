// Node loader for the hart's wasm: builds it when stale (tools/build-core.mjs) and
// compiles it once per process.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

let cached: WebAssembly.Module | undefined;

export async function loadHartModule(): Promise<WebAssembly.Module> {
  if (cached) return cached;
  const { buildCore } = await import("../../tools/build-core.mjs");
  const path: string = await buildCore({ quiet: true });
  cached = new WebAssembly.Module(readFileSync(path));
  return cached;
}

export function hartWasmPath(): string {
  return fileURLToPath(new URL("../machine/core/build/hart.wasm", import.meta.url));
}
