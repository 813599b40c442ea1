// bench/cpu: CPU benchmark of the Edgevisor hart against QEMU.
//
//   node --import tsx bench/cpu/run.ts [--json] [--only node,workerd,qemu] [--runs N] [--qemu-runs N]
//   (npm run bench:cpu builds the hart first)
//
// 1. Builds bench/cpu/prog (C + startup assembly) with riscv64-unknown-elf-gcc into
//    bench/cpu/build/prog.elf.
// 2. Runs it on Edgevisor in Node (BareMetalMachine, timed with performance.now around
//    run(); a warm-up run first, so V8 has tiered up the hart like a long-lived worker).
// 3. Runs it on Edgevisor inside workerd (Miniflare, worker bundled with esbuild). Wall
//    time is taken on the Node side, see measureWorkerd().
// 4. Runs it on qemu-system-riscv64 -M virt -bios none (median wall time of 3 runs,
//    process start-up included).
// Every engine must print the same per-kernel results and checksum as QEMU (the
// reference). Retired instructions come from Edgevisor (hart.instret) and are also used
// for QEMU's MIPS: it is the same program.

import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { BareMetalMachine } from "../../src/machine/baremetal.ts";
import { loadHartModule, hartWasmPath } from "../../src/cli/hart-module.ts";

const here = dirname(fileURLToPath(import.meta.url));
const progDir = join(here, "prog");
const buildDir = join(here, "build");
const elfPath = join(buildDir, "prog.elf");

const MEMORY_MIB = 64;
const MAX_INSNS = 5_000_000_000n;
const TARGET_MIPS = 200;
const TARGET_RATIO = 4;

interface KernelSplit {
  kernel: string;
  instret: number;
  ms: number;
  mips: number;
}

interface EngineResult {
  engine: string;
  ok: boolean;
  wallMs: number;
  mips: number;
  ratioToQemu?: number;
  instret?: number;
  checksum?: string;
  kernels?: Record<string, string>;
  error?: string;
  detail?: Record<string, unknown>;
}

// ---------------------------------------------------------------- arguments

const argv = process.argv.slice(2);
const asJson = argv.includes("--json");
function optValue(name: string): string | undefined {
  const i = argv.indexOf(name);
  if (i >= 0) return argv[i + 1];
  const eq = argv.find((a) => a.startsWith(name + "="));
  return eq?.slice(name.length + 1);
}
const only = new Set((optValue("--only") ?? "node,workerd,qemu").split(",").map((s) => s.trim()));
const qemuRuns = Math.max(1, Number(optValue("--qemu-runs") ?? "3"));
const timedRuns = Math.max(1, Number(optValue("--runs") ?? "1"));
const log = (s: string): void => { process.stderr.write(s + "\n"); };

// ------------------------------------------------------------------ helpers

function buildProgram(): void {
  mkdirSync(buildDir, { recursive: true });
  const args = [
    "-march=rv64gc", "-mabi=lp64d", "-mcmodel=medany", "-O2",
    "-ffreestanding", "-fno-math-errno", "-nostdlib", "-nostartfiles", "-static",
    "-Wall", "-Wextra",
    "-T", join(progDir, "link.ld"), "-Wl,--no-warn-rwx-segments",
    join(progDir, "start.S"), join(progDir, "bench.c"), "-lgcc",
    "-o", elfPath,
  ];
  try {
    execFileSync("riscv64-unknown-elf-gcc", args, { stdio: ["ignore", "inherit", "inherit"] });
  } catch (e) {
    throw new Error(`building ${elfPath} failed (is riscv64-unknown-elf-gcc installed?): ${(e as Error).message}`);
  }
}

/** Parses "kernel NAME: 0x..." lines and the final "checksum: 0x..." line. */
function parseOutput(out: string): { checksum?: string; kernels: Record<string, string> } {
  const kernels: Record<string, string> = {};
  for (const m of out.matchAll(/^kernel (\w+): (0x[0-9a-f]{16})\s*$/gm)) kernels[m[1]!] = m[2]!;
  const c = /^checksum: (0x[0-9a-f]{16})\s*$/m.exec(out);
  return c ? { checksum: c[1]!, kernels } : { kernels };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const mipsOf = (instret: number, ms: number): number => instret / ms / 1000;

// --------------------------------------------------------------------- Node

async function measureNode(elf: Uint8Array): Promise<EngineResult> {
  const module = await loadHartModule();
  // The console sink runs synchronously inside the guest's UART store, so hart.instret
  // and performance.now() at each newline split the run into per-kernel sections (each
  // "kernel X: ..." line is printed right after kernel X finishes).
  const once = (): { ms: number; instret: number; output: string; outcome: string; kernels: KernelSplit[] } => {
    const chunks: number[] = [];
    const kernels: KernelSplit[] = [];
    let lineStart = 0, lastInsns = 0, lastT = 0;
    const m: BareMetalMachine = new BareMetalMachine(module, {
      memoryMiB: MEMORY_MIB,
      console: {
        write: (b) => {
          for (const x of b) {
            chunks.push(x);
            if (x !== 10) continue;
            const line = Buffer.from(chunks.slice(lineStart)).toString("latin1");
            lineStart = chunks.length;
            const k = /^kernel (\w+):/.exec(line);
            const insns = Number(m.hart.instret), t = performance.now();
            if (k) kernels.push({ kernel: k[1]!, instret: insns - lastInsns, ms: t - lastT, mips: mipsOf(insns - lastInsns, t - lastT) });
            lastInsns = insns;
            lastT = t;
          }
        },
      },
    });
    m.loadBytes(elf);
    const t0 = performance.now();
    lastT = t0;
    const r = m.run(MAX_INSNS);
    const ms = performance.now() - t0;
    return { ms, instret: Number(m.hart.instret), output: Buffer.from(chunks).toString("latin1"), outcome: r.kind, kernels };
  };
  const warm = once();
  const runs = Array.from({ length: timedRuns }, once);
  const run = [...runs].sort((a, b) => a.ms - b.ms)[(runs.length - 1) >> 1]!; // the median run
  const parsed = parseOutput(run.output);
  const ok = runs.every((r) => r.outcome === "pass" && r.output === warm.output) && parsed.checksum !== undefined;
  return {
    engine: "edgevisor (node)",
    ok,
    wallMs: run.ms,
    mips: mipsOf(run.instret, run.ms),
    instret: run.instret,
    ...parsed,
    ...(ok ? {} : { error: `outcome ${run.outcome}; output:\n${run.output}` }),
    detail: { warmupMs: warm.ms, warmupMips: mipsOf(warm.instret, warm.ms), runsMs: runs.map((r) => r.ms), kernels: run.kernels },
  };
}

// ------------------------------------------------------------------ workerd

async function bundleWorker(): Promise<string> {
  const esbuild = await import("esbuild");
  const r = await esbuild.build({
    entryPoints: [join(here, "worker.ts")],
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    write: false,
    logLevel: "silent",
    plugins: [{
      // The hart's wasm stays a separate module: workerd gives it to the worker as a
      // compiled WebAssembly.Module (a CompiledWasm module named ./hart.wasm).
      name: "wasm-external",
      setup(b) {
        b.onResolve({ filter: /\.wasm$/ }, () => ({ path: "./hart.wasm", external: true }));
      },
    }],
  });
  return r.outputFiles[0]!.text;
}

/**
 * Timing inside workerd: workerd freezes performance.now()/Date.now() during
 * synchronous compute, so the worker cannot time itself. Node therefore measures wall
 * time around fetches:
 *   1. the median of several empty requests (GET, answered at once) = round-trip cost;
 *   2. one warm-up POST that runs the whole program (V8 compiles and tiers up the hart
 *      wasm; the same Module is reused by later requests);
 *   3. the timed POST(s) (--runs N, median): wall time of the fetch minus the empty
 *      round trip.
 * The timed figure thus includes uploading the ELF (~10 KB), instantiating the hart and
 * loading the ELF inside the worker, which cost well under a millisecond or two.
 */
async function measureWorkerd(elf: Uint8Array): Promise<EngineResult> {
  const { Miniflare } = await import("miniflare");
  const script = await bundleWorker();
  const wasm = readFileSync(hartWasmPath());
  // Module paths are relative to modulesRoot; nothing is read from disk for them.
  const mf = new Miniflare({
    modulesRoot: buildDir,
    modules: [
      { type: "ESModule", path: join(buildDir, "worker.mjs"), contents: script },
      { type: "CompiledWasm", path: join(buildDir, "hart.wasm"), contents: new Uint8Array(wasm) },
    ],
    compatibilityDate: "2026-05-01",
    host: "127.0.0.1",
    port: 0,
  });
  try {
    await mf.ready;
    const url = `http://bench.local/run?memoryMiB=${MEMORY_MIB}`;
    const post = async (): Promise<{ ms: number; body: { instret: string; ms: number; output: string; outcome: string } }> => {
      const t0 = performance.now();
      const res = await mf.dispatchFetch(url, { method: "POST", body: elf });
      const text = await res.text();
      const ms = performance.now() - t0;
      if (!res.ok) throw new Error(`worker answered ${res.status}: ${text.slice(0, 2000)}`);
      return { ms, body: JSON.parse(text) };
    };
    const empties: number[] = [];
    for (let i = 0; i < 7; i++) {
      const t0 = performance.now();
      await (await mf.dispatchFetch("http://bench.local/")).text();
      empties.push(performance.now() - t0);
    }
    const rtt = median(empties.slice(2)); // the first requests warm up the connection
    const warm = await post();
    const runs: Awaited<ReturnType<typeof post>>[] = [];
    for (let i = 0; i < timedRuns; i++) runs.push(await post());
    const timed = [...runs].sort((a, b) => a.ms - b.ms)[(runs.length - 1) >> 1]!; // the median run
    const wallMs = Math.max(timed.ms - rtt, 0.001);
    const instret = Number(timed.body.instret);
    const parsed = parseOutput(timed.body.output);
    const ok = runs.every((r) => r.body.outcome === "pass" && r.body.output === warm.body.output) && parsed.checksum !== undefined;
    return {
      engine: "edgevisor (workerd)",
      ok,
      wallMs,
      mips: mipsOf(instret, wallMs),
      instret,
      ...parsed,
      ...(ok ? {} : { error: `outcome ${timed.body.outcome}; output:\n${timed.body.output}` }),
      detail: {
        roundTripMs: rtt,
        warmupFetchMs: warm.ms,
        timedFetchMs: runs.map((r) => r.ms),
        workerReportedMs: timed.body.ms,
      },
    };
  } finally {
    await mf.dispose();
  }
}

// --------------------------------------------------------------------- QEMU

function qemuOnce(): Promise<{ ms: number; output: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn("qemu-system-riscv64", ["-M", "virt", "-bios", "none", "-nographic", "-m", "128M", "-kernel", elfPath], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    p.stdout.on("data", (d: Buffer) => out.push(d));
    p.stderr.on("data", (d: Buffer) => err.push(d));
    const timer = setTimeout(() => p.kill("SIGKILL"), 120_000);
    p.on("error", (e) => { clearTimeout(timer); reject(new Error(`cannot start qemu-system-riscv64: ${e.message}`)); });
    p.on("close", (code) => {
      clearTimeout(timer);
      const ms = performance.now() - t0;
      resolve({ ms, output: Buffer.concat(out).toString("latin1") + Buffer.concat(err).toString("latin1"), code });
    });
  });
}

async function measureQemu(instret: number | undefined): Promise<EngineResult> {
  const runs: number[] = [];
  let last: { ms: number; output: string; code: number | null } | undefined;
  for (let i = 0; i < qemuRuns; i++) {
    last = await qemuOnce();
    if (last.code !== 0) break;
    runs.push(last.ms);
  }
  const parsed = parseOutput(last?.output ?? "");
  const ok = last?.code === 0 && parsed.checksum !== undefined;
  const wallMs = runs.length ? median(runs) : NaN;
  return {
    engine: "qemu (TCG)",
    ok,
    wallMs,
    mips: instret !== undefined ? mipsOf(instret, wallMs) : NaN,
    ...(instret !== undefined ? { instret } : {}),
    ...parsed,
    ...(ok ? {} : { error: `exit code ${last?.code}; output:\n${last?.output}` }),
    detail: { runsMs: runs },
  };
}

// --------------------------------------------------------------------- main

async function main(): Promise<number> {
  buildProgram();
  const elf = new Uint8Array(readFileSync(elfPath));
  const results: EngineResult[] = [];
  const attempt = async (name: string, f: () => Promise<EngineResult>): Promise<EngineResult | undefined> => {
    if (!only.has(name)) return undefined;
    log(`bench/cpu: running ${name}...`);
    try {
      const r = await f();
      results.push(r);
      return r;
    } catch (e) {
      const r: EngineResult = { engine: name, ok: false, wallMs: NaN, mips: NaN, error: (e as Error).stack ?? String(e) };
      results.push(r);
      return r;
    }
  };
  const node = await attempt("node", () => measureNode(elf));
  const workerd = await attempt("workerd", () => measureWorkerd(elf));
  const instret = node?.instret ?? workerd?.instret;
  const qemu = await attempt("qemu", () => measureQemu(instret));

  // Correctness: QEMU's output is the reference (without QEMU, the first engine that ran).
  const problems: string[] = [];
  for (const r of results) if (!r.ok) problems.push(`${r.engine}: ${r.error ?? "failed"}`);
  if (node?.instret !== undefined && workerd?.instret !== undefined && node.instret !== workerd.instret) {
    problems.push(`instret differs: node ${node.instret}, workerd ${workerd.instret}`);
  }
  const ref = qemu?.ok ? qemu : results.find((r) => r.ok);
  for (const r of results) {
    if (qemu?.ok && Number.isFinite(qemu.wallMs) && Number.isFinite(r.wallMs)) r.ratioToQemu = r.wallMs / qemu.wallMs;
    if (ref && r !== ref && r.ok) {
      if (r.checksum !== ref.checksum) {
        const bad = Object.keys(ref.kernels ?? {}).filter((k) => r.kernels?.[k] !== ref.kernels?.[k]);
        problems.push(`${r.engine}: checksum ${r.checksum} differs from ${ref.engine}'s ${ref.checksum} (kernels: ${bad.join(", ") || "?"})`);
        r.ok = false;
      }
    }
  }

  const target = workerd?.ok && qemu?.ok
    ? {
        mips: workerd.mips,
        ratio: workerd.ratioToQemu!,
        pass: workerd.mips >= TARGET_MIPS && workerd.ratioToQemu! <= TARGET_RATIO,
      }
    : undefined;
  const targetLine = `Target: >= ${TARGET_MIPS} MIPS in workerd and within ${TARGET_RATIO}x of QEMU: ` +
    (target
      ? `${target.pass ? "PASS" : "FAIL"} (workerd ${target.mips.toFixed(1)} MIPS, ${target.ratio.toFixed(2)}x QEMU's wall time)`
      : "not measured");

  if (asJson) {
    process.stdout.write(JSON.stringify({
      program: { elf: elfPath, instret: instret ?? null },
      reference: ref ? { checksum: ref.checksum, kernels: ref.kernels } : null,
      engines: results,
      target: target ? { minMips: TARGET_MIPS, maxRatio: TARGET_RATIO, ...target } : null,
      problems,
    }, null, 2) + "\n");
  } else {
    const rows = results.map((r) => [
      r.engine,
      Number.isFinite(r.wallMs) ? r.wallMs.toFixed(1) : "-",
      Number.isFinite(r.mips) ? r.mips.toFixed(1) : "-",
      r.ratioToQemu !== undefined ? `${r.ratioToQemu.toFixed(2)}x` : "-",
      r.checksum ?? "-",
      r.ok ? "ok" : "FAIL",
    ]);
    const head = ["engine", "wall ms", "MIPS", "vs QEMU", "checksum", "result"];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const fmt = (cols: string[]): string => cols.map((c, i) => (i === 0 || i === 4 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
    const lines = [
      `bench/cpu: ${elfPath.replace(process.cwd() + "/", "")}, ${instret !== undefined ? (instret / 1e6).toFixed(1) + "M" : "?"} instructions retired`,
      "",
      fmt(head),
      fmt(widths.map((w) => "-".repeat(w))),
      ...rows.map(fmt),
    ];
    const which = timedRuns === 1 ? "after one warm-up run" : `median of ${timedRuns} runs after one warm-up run`;
    if (node?.ok) lines.push(`(node: performance.now() around BareMetalMachine.run(), ${which})`);
    if (workerd?.detail) {
      const d = workerd.detail as { roundTripMs: number };
      lines.push(`(workerd: wall time of a POST measured in Node, ${which}, minus an empty round trip of ${d.roundTripMs.toFixed(2)} ms)`);
    }
    if (qemu?.ok) lines.push(`(qemu: median of ${qemuRuns} process runs, start-up included; MIPS uses Edgevisor's instruction count)`);
    const splits = (node?.detail as { kernels?: KernelSplit[] } | undefined)?.kernels;
    if (splits?.length) {
      lines.push("", "Per kernel, Edgevisor in Node:");
      for (const k of splits) {
        lines.push(`  ${k.kernel.padEnd(8)} ${(k.instret / 1e6).toFixed(1).padStart(7)}M insns ${k.ms.toFixed(1).padStart(8)} ms ${k.mips.toFixed(1).padStart(7)} MIPS`);
      }
    }
    lines.push("", targetLine);
    process.stdout.write(lines.join("\n") + "\n");
    for (const p of problems) process.stdout.write(`PROBLEM: ${p}\n`);
  }
  return problems.length ? 1 : 0;
}

main().then((code) => { process.exitCode = code; }, (e: unknown) => {
  process.stderr.write(`bench/cpu: ${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 2;
});
