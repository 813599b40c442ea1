// bench/cpu/ab.ts: compares two builds of the hart on the bench program, fairly on a noisy
// host. Alternating whole runs of two builds differ by ±20 % on a shared 2-core box even
// when the builds are identical; here both builds run in one process, in alternating
// slices of a few million instructions (ab-core.ts), so they see the same spells.
//
//   node --import tsx bench/cpu/ab.ts A.wasm B.wasm [--engine node|workerd|both]
//        [--reps N] [--slice INSNS]
//
// Keep a copy of a build before changing the hart (cp src/machine/core/build/hart.wasm
// /tmp/before.wasm), rebuild (npm run build:core), then compare the two files. An A/A run
// (the same file twice) shows the noise left: a few percent.
//
// Needs bench/cpu/build/prog.elf (npm run bench:cpu builds it). workerd runs the plain
// `workerd serve` binary from the workerd package with a generated config: Miniflare's
// workerd does not advance its clock during compute, the plain one does, so the worker
// times each slice itself.

import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { interleave, type AbResult } from "./ab-core.ts";

const here = dirname(fileURLToPath(import.meta.url));
const elfPath = join(here, "build/prog.elf");

function opt(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const files = process.argv.slice(2).filter((a, i, all) => !a.startsWith("--") && !all[i - 1]?.startsWith("--"));
const engine = opt("--engine") ?? "both";
const reps = Number(opt("--reps") ?? 2);
const slice = BigInt(opt("--slice") ?? 5_000_000);

function fail(msg: string): never {
  process.stderr.write(`bench/cpu/ab: ${msg}\n`);
  process.exit(2);
}
if (files.length !== 2) fail("give two hart builds: ab.ts A.wasm B.wasm [--engine node|workerd|both] [--reps N] [--slice INSNS]");
for (const f of files) if (!existsSync(f)) fail(`${f}: no such file`);
if (!existsSync(elfPath)) fail(`${elfPath} is missing: run npm run bench:cpu once to build it`);
if (!["node", "workerd", "both"].includes(engine)) fail(`--engine must be node, workerd or both, not ${engine}`);
if (!(reps >= 1) || !(slice >= 1000n)) fail("--reps must be at least 1 and --slice at least 1000");

const elf = readFileSync(elfPath);
const mods = files.map((f) => new WebAssembly.Module(readFileSync(f))) as [WebAssembly.Module, WebAssembly.Module];

function inNode(): AbResult {
  return interleave(mods, elf, reps, slice, () => performance.now());
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function inWorkerd(): Promise<AbResult> {
  const esbuild = await import("esbuild");
  // The workerd package (Miniflare's dependency) exports the binary's path; it has no types.
  const workerdPkg = "workerd";
  const workerdMod = await import(workerdPkg) as { default: string | { default: string } };
  const bin = typeof workerdMod.default === "string" ? workerdMod.default : workerdMod.default.default;
  const dir = mkdtempSync(join(tmpdir(), "edgevisor-ab-"));
  try {
    await esbuild.build({
      entryPoints: [join(here, "ab-worker.ts")], bundle: true, format: "esm", platform: "neutral",
      target: "es2022", outfile: join(dir, "worker.mjs"), logLevel: "silent",
      plugins: [{ name: "wasm-external", setup(b) { b.onResolve({ filter: /\.wasm$/ }, (a) => ({ path: `./${a.path.split("/").pop()}`, external: true })); } }],
    });
    writeFileSync(join(dir, "hartA.wasm"), readFileSync(files[0]!));
    writeFileSync(join(dir, "hartB.wasm"), readFileSync(files[1]!));
    const port = await freePort();
    writeFileSync(join(dir, "config.capnp"), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .w) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const w :Workerd.Worker = (
  modules = [ (name = "worker.mjs", esModule = embed "worker.mjs"), (name = "hartA.wasm", wasm = embed "hartA.wasm"), (name = "hartB.wasm", wasm = embed "hartB.wasm") ],
  compatibilityDate = "2026-05-01",
);
`);
    const proc = spawn(bin, ["serve", join(dir, "config.capnp")], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    proc.stderr.on("data", (d) => { stderr += d; });
    try {
      const url = `http://127.0.0.1:${port}/?reps=${reps}&slice=${slice}`;
      for (let i = 0; ; i++) {
        try { await fetch(`http://127.0.0.1:${port}/`); break; } catch {
          if (i > 100 || proc.exitCode !== null) throw new Error(`workerd did not start: ${stderr.slice(0, 2000)}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      const res = await fetch(url, { method: "POST", body: elf });
      const text = await res.text();
      if (!res.ok) throw new Error(`the worker answered ${res.status}: ${text.slice(0, 2000)}`);
      return JSON.parse(text) as AbResult;
    } finally {
      proc.kill();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function print(name: string, r: AbResult): void {
  const mips = (ms: number) => (r.insns * reps / ms / 1000).toFixed(1);
  console.log(`${name}: A ${r.totals[0].toFixed(0)} ms (${mips(r.totals[0])} MIPS), B ${r.totals[1].toFixed(0)} ms (${mips(r.totals[1])} MIPS): B is ${(r.totals[0] / r.totals[1]).toFixed(3)}x A's speed`);
  for (const k of Object.keys(r.kernels[0])) {
    const a = r.kernels[0][k]!, b = r.kernels[1][k] ?? 0;
    console.log(`  ${k.padEnd(7)} A ${a.toFixed(0).padStart(6)} ms  B ${b.toFixed(0).padStart(6)} ms  ${(a / b).toFixed(3)}x`);
  }
}

console.log(`A = ${files[0]}, B = ${files[1]}; ${reps} timed repetitions, slices of ${slice} instructions`);
if (engine !== "workerd") print("node", inNode());
if (engine !== "node") print("workerd", await inWorkerd());
