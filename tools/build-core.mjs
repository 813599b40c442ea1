// Builds the hart (AssemblyScript under src/machine/core/assembly) into
// src/machine/core/build/hart.wasm, skipping the work when the output is newer than
// every source. Usage: node tools/build-core.mjs [--force] [--debug]
import { readdirSync, statSync, mkdirSync, existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const srcDir = join(root, "src/machine/core/assembly");
const outDir = join(root, "src/machine/core/build");
const out = join(outDir, "hart.wasm");
const force = process.argv.includes("--force");
const debug = process.argv.includes("--debug");

function newestSource() {
  let t = statSync(join(root, "tools/build-core.mjs")).mtimeMs;
  for (const f of readdirSync(srcDir)) t = Math.max(t, statSync(join(srcDir, f)).mtimeMs);
  return t;
}

export async function buildCore({ quiet = false } = {}) {
  if (!force && existsSync(out) && statSync(out).mtimeMs >= newestSource()) return out;
  mkdirSync(outDir, { recursive: true });
  const asc = (await import("assemblyscript/asc")).default;
  const args = [
    join(srcDir, "index.ts"),
    "--outFile", out,
    "--runtime", "stub",
    "--noAssert",
    "--importMemory",
    "--initialMemory", "1",
    "--exportStart", "_start",
    "--use", "abort=",
  ];
  if (debug) args.push("--debug", "-O0", "--sourceMap");
  else args.push("-O3");
  const { error, stderr } = await asc.main(args, { stdout: process.stdout, stderr: process.stderr });
  if (error) {
    console.error(stderr.toString());
    throw new Error(`hart build failed: ${error.message}`);
  }
  if (!quiet) console.error(`built ${out}`);
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  buildCore().catch((e) => { console.error(e.message); process.exit(1); });
}
