// bench/boot: Linux boot time to the shell prompt, Edgevisor (Node) vs QEMU (TCG).
//
//   node --import tsx bench/boot/run.ts [--json] [--only debian|small] [--runs N] [--qemu-runs N]
//   (npm run bench:boot builds the hart first)
//
// For each kernel of tools/guest/out:
//   debian: Debian's stock 6.12 Image + initrd.cpio.gz, 128 MiB of RAM
//   small:  the small 6.1 Image with its built-in initramfs, 16 MiB of RAM
// 1. Edgevisor: a VirtMachine in this process, run like tests/linux/guest.ts does (idle
//    time skipped at once by advancing the clock to the next timer deadline). Wall time
//    (performance.now) and hart.instret are taken from just before the machine is
//    created to the moment the console receives the first "# " after the guest's
//    "edgevisor: init done" line (the console sink runs synchronously inside the
//    guest's UART store, so both are exact at that point).
// 2. QEMU: qemu-system-riscv64 -M virt with OpenSBI (fw_dynamic.bin), the same kernel,
//    initrd and RAM, -append "console=ttyS0". Wall time from spawn() to the same "# " on
//    its stdout; QEMU is then killed.
// Both take the median of their runs. The console logs of each engine's first run are
// saved to bench/boot/out/ and the Debian kernel logs are compared (see logDiff()).

import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { VirtMachine } from "../../src/machine/virt.ts";
import { loadHartModule } from "../../src/cli/hart-module.ts";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "../..");
const imagesDir = join(root, "tools/guest/out");
const outDir = join(here, "out");

const CMDLINE = "console=ttyS0";
const INIT_DONE = "edgevisor: init done";
const PROMPT = "# ";
const RUN_INIT = "Run /init as init process"; // the kernel hands over to user space
const RUN_SLICE = 10_000_000n; // cycles per VirtMachine.run() call
const MAX_CYCLES = 60_000_000_000n; // give up (virtual cycles, idle skips included)
const QEMU_TIMEOUT_MS = 180_000;
const TARGET_DEBIAN_RATIO = 4;
const TARGET_SMALL_MS = 1500;

interface KernelSpec {
  name: "debian" | "small";
  memoryMiB: number;
  image: string;
  initrd?: string;
}

const KERNELS: KernelSpec[] = [
  { name: "debian", memoryMiB: 128, image: "debian/Image", initrd: "debian/initrd.cpio.gz" },
  { name: "small", memoryMiB: 16, image: "small/Image" },
];

interface EdgevisorRun {
  wallMs: number;
  instret: number;
  cycles: number;
  virtualMs: number;
  idleSkips: number;
  toInitMs?: number;
  toInitInstret?: number;
  hostMemoryBytes: number;
  guestFramesBytes: number;
  output: string;
}

interface Row {
  kernel: string;
  engine: "edgevisor" | "qemu";
  ok: boolean;
  wallMs?: number;
  runsMs?: number[];
  instret?: number;
  mips?: number;
  ratioToQemu?: number;
  virtualMs?: number;
  /** Wall time (and instructions) to the kernel's "Run /init" line: the kernel's part of the boot. */
  toInitMs?: number;
  toInitInstret?: number;
  hostMemoryBytes?: number;
  guestFramesBytes?: number;
  error?: string;
}

// ---------------------------------------------------------------- arguments

const argv = process.argv.slice(2);
function optValue(name: string): string | undefined {
  const i = argv.indexOf(name);
  if (i >= 0) return argv[i + 1];
  const eq = argv.find((a) => a.startsWith(name + "="));
  return eq?.slice(name.length + 1);
}
const asJson = argv.includes("--json");
const onlyArg = optValue("--only");
if (onlyArg !== undefined && !KERNELS.some((k) => k.name === onlyArg)) {
  process.stderr.write(`--only takes one of ${KERNELS.map((k) => k.name).join(", ")}\n`);
  process.exit(2);
}
const edgevisorRuns = Math.max(1, Number(optValue("--runs") ?? "1") || 1);
const qemuRuns = Math.max(1, Number(optValue("--qemu-runs") ?? "3") || 3);
const log = (s: string): void => { process.stderr.write(s + "\n"); };

// ------------------------------------------------------------------ helpers

function image(rel: string): Uint8Array {
  const p = join(imagesDir, rel);
  if (!existsSync(p)) throw new Error(`${p} is missing: run \`npm run images\` and \`npm run images:small\` first`);
  return readFileSync(p);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Index just past the first PROMPT that follows the init-done line, or -1. */
function promptEnd(out: string): number {
  const i = out.indexOf(INIT_DONE);
  if (i < 0) return -1;
  const p = out.indexOf(PROMPT, i + INIT_DONE.length);
  return p < 0 ? -1 : p + PROMPT.length;
}

// ---------------------------------------------------------------- Edgevisor

function edgevisorOnce(module: WebAssembly.Module, k: KernelSpec, kernel: Uint8Array, initrd: Uint8Array | undefined): EdgevisorRun {
  let out = "";
  let hit: { t: number; instret: number } | undefined;
  let init: { t: number; instret: number } | undefined;
  let vm: VirtMachine | undefined;
  const t0 = performance.now();
  vm = new VirtMachine(module, {
    memoryMiB: k.memoryMiB,
    kernel,
    ...(initrd ? { initrd } : {}),
    cmdline: CMDLINE,
    console: {
      write: (b) => {
        out += Buffer.from(b).toString("latin1");
        if (!init && vm && out.includes(RUN_INIT)) init = { t: performance.now(), instret: Number(vm.hart.instret) };
        if (!hit && vm && promptEnd(out) >= 0) hit = { t: performance.now(), instret: Number(vm.hart.instret) };
      },
    },
  });
  const hart = vm.hart;
  let idleSkips = 0;
  while (!hit) {
    if (hart.clock > MAX_CYCLES) throw new Error(`no prompt after ${MAX_CYCLES} cycles; output ends:\n${out.slice(-2000)}`);
    const r = vm.run(RUN_SLICE);
    if (hit) break;
    if (r.kind === "idle") {
      if (r.deadline === undefined) throw new Error(`guest idle with no timer before the prompt; output ends:\n${out.slice(-2000)}`);
      const skip = r.deadline - hart.clock;
      if (skip > 0n) { hart.advanceClock(skip); idleSkips++; }
    } else if (r.kind !== "budget") {
      throw new Error(`guest stopped (${r.kind}) before the prompt; output ends:\n${out.slice(-2000)}`);
    }
  }
  // mtime runs at 10 MHz (100 ns per tick).
  return {
    wallMs: hit.t - t0,
    instret: hit.instret,
    cycles: Number(hart.clock),
    virtualMs: Number(hart.mtime) / 10_000,
    idleSkips,
    ...(init ? { toInitMs: init.t - t0, toInitInstret: init.instret } : {}),
    hostMemoryBytes: hart.hostMemoryBytes,
    guestFramesBytes: hart.framesInUse * 4096,
    output: out,
  };
}

async function measureEdgevisor(k: KernelSpec): Promise<{ row: Row; output?: string }> {
  try {
    const module = await loadHartModule();
    const kernel = image(k.image);
    const initrd = k.initrd ? image(k.initrd) : undefined;
    const runs: EdgevisorRun[] = [];
    for (let i = 0; i < edgevisorRuns; i++) {
      const r = edgevisorOnce(module, k, kernel, initrd);
      log(`  edgevisor ${k.name} run ${i + 1}/${edgevisorRuns}: ${r.wallMs.toFixed(0)} ms, ${r.instret} instructions, ` +
        `virtual ${r.virtualMs.toFixed(0)} ms, ${r.idleSkips} idle skips`);
      runs.push(r);
    }
    const wallMs = median(runs.map((r) => r.wallMs));
    const first = runs[0]!;
    return {
      row: {
        kernel: k.name, engine: "edgevisor", ok: true, wallMs, runsMs: runs.map((r) => r.wallMs),
        instret: first.instret, mips: first.instret / wallMs / 1000, virtualMs: first.virtualMs,
        ...(first.toInitMs !== undefined ? { toInitMs: median(runs.map((r) => r.toInitMs ?? NaN)), toInitInstret: first.toInitInstret! } : {}),
        hostMemoryBytes: Math.max(...runs.map((r) => r.hostMemoryBytes)),
        guestFramesBytes: Math.max(...runs.map((r) => r.guestFramesBytes)),
      },
      output: first.output,
    };
  } catch (e) {
    return { row: { kernel: k.name, engine: "edgevisor", ok: false, error: (e as Error).message } };
  }
}

// --------------------------------------------------------------------- QEMU

function qemuArgs(k: KernelSpec): string[] {
  return [
    "-M", "virt", "-m", String(k.memoryMiB), "-nographic",
    "-bios", join(imagesDir, "opensbi/fw_dynamic.bin"),
    "-kernel", join(imagesDir, k.image),
    ...(k.initrd ? ["-initrd", join(imagesDir, k.initrd)] : []),
    "-append", CMDLINE,
  ];
}

function qemuOnce(k: KernelSpec): Promise<{ ms: number; toInitMs?: number; output: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn("qemu-system-riscv64", qemuArgs(k), { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    let done = false;
    let toInitMs: number | undefined;
    const finish = (f: () => void): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      p.kill("SIGKILL");
      f();
    };
    const timer = setTimeout(() => finish(() => reject(new Error(`QEMU: no prompt within ${QEMU_TIMEOUT_MS} ms; output ends:\n${out.slice(-2000)}`))), QEMU_TIMEOUT_MS);
    p.stdout.on("data", (d: Buffer) => {
      out += d.toString("latin1");
      if (toInitMs === undefined && out.includes(RUN_INIT)) toInitMs = performance.now() - t0;
      if (!done && promptEnd(out) >= 0) {
        const ms = performance.now() - t0;
        finish(() => resolve({ ms, ...(toInitMs !== undefined ? { toInitMs } : {}), output: out }));
      }
    });
    p.stderr.on("data", (d: Buffer) => { err += d.toString("latin1"); });
    p.on("error", (e) => finish(() => reject(new Error(`cannot start qemu-system-riscv64: ${e.message}`))));
    p.on("close", (code) => finish(() => reject(new Error(`QEMU exited (${code}) before the prompt: ${err.trim()}\n${out.slice(-2000)}`))));
  });
}

async function measureQemu(k: KernelSpec): Promise<{ row: Row; output?: string }> {
  try {
    const runs: number[] = [];
    const toInit: number[] = [];
    let output: string | undefined;
    for (let i = 0; i < qemuRuns; i++) {
      const r = await qemuOnce(k);
      log(`  qemu ${k.name} run ${i + 1}/${qemuRuns}: ${r.ms.toFixed(0)} ms`);
      runs.push(r.ms);
      if (r.toInitMs !== undefined) toInit.push(r.toInitMs);
      output ??= r.output;
    }
    return {
      row: {
        kernel: k.name, engine: "qemu", ok: true, wallMs: median(runs), runsMs: runs,
        ...(toInit.length === runs.length ? { toInitMs: median(toInit) } : {}),
      },
      output: output!,
    };
  } catch (e) {
    return { row: { kernel: k.name, engine: "qemu", ok: false, error: (e as Error).message } };
  }
}

// ------------------------------------------------------------ kernel logs

/**
 * The kernel's part of a console log: from the first "[    0.000000]" line (so OpenSBI's
 * banner on QEMU is left out) through the init-done line, without the timestamps.
 */
function kernelLines(out: string): string[] {
  const lines = out.replace(/\r/g, "").split("\n");
  const start = lines.findIndex((l) => /^\[\s*\d+\.\d+\]/.test(l));
  const end = lines.findIndex((l) => l.includes(INIT_DONE));
  return lines
    .slice(start < 0 ? 0 : start, end < 0 ? lines.length : end + 1)
    .map((l) => l.replace(/^\[\s*\d+\.\d+\]\s?/, "").replace(/\x1b\[[0-9;]*[A-Za-z]/g, "").trimEnd())
    .filter((l) => l.length > 0);
}

/** Lines that differ between runs of one engine too: timing, addresses, random values. */
const NOISE = [
  /\b\d+(\.\d+)?\s*(ms|us|usecs|ns|msecs|secs?|MB\/s|KB\/s)\b/i,
  /BogoMIPS|lpj=|calibrat|Calibrating|sched_clock|clocksource:.*max_idle_ns|max_cycles/i,
  /\bhash table entries\b|\bhash\b.*order:/i,
  /\brandom\b|crng|KASLR|Freeing unused kernel image|Freeing initrd memory/i,
  /\bRun \/init as init process|Trying to unpack rootfs/i,
  /\bBooting Linux on hartid\b/i,
  /\bDentry cache|Inode-cache|Mount-cache|Mountpoint-cache/i,
  /\baudit\(\d+\.\d+:\d+\)|unaligned word access|NODE_DATA\(\d+\) allocated/i,
];
const isNoise = (l: string): boolean => NOISE.some((re) => re.test(l));

/** The line's shape: numbers (decimal and hex) and addresses replaced by '#'. */
const shape = (l: string): string => l.replace(/0x[0-9a-f]+/gi, "#").replace(/\b[0-9a-f]{6,}\b/gi, "#").replace(/\d+/g, "#");

interface LogDiff {
  onlyQemu: string[];
  onlyEdgevisor: string[];
  /** Same message, different values: [qemu, edgevisor]. */
  changed: [string, string][];
}

/**
 * Multiset comparison of two kernel logs (order is ignored). A line whose shape occurs
 * in only one log is "only in"; a line with the same shape but other values in the two
 * logs is "changed" unless it is timing/address noise.
 */
function logDiff(qemu: string[], ev: string[]): LogDiff {
  const group = (ls: string[]): Map<string, string[]> => {
    const m = new Map<string, string[]>();
    for (const l of ls) m.set(shape(l), [...(m.get(shape(l)) ?? []), l]);
    return m;
  };
  const q = group(qemu), e = group(ev);
  const d: LogDiff = { onlyQemu: [], onlyEdgevisor: [], changed: [] };
  for (const [s, ql] of q) {
    const el = e.get(s) ?? [];
    const qRest = ql.filter((l) => !el.includes(l));
    const eRest = el.filter((l) => !ql.includes(l));
    if (el.length === 0) { d.onlyQemu.push(...ql); continue; }
    const n = Math.min(qRest.length, eRest.length);
    for (let i = 0; i < n; i++) if (!isNoise(qRest[i]!)) d.changed.push([qRest[i]!, eRest[i]!]);
    d.onlyQemu.push(...qRest.slice(n));
    d.onlyEdgevisor.push(...eRest.slice(n));
  }
  for (const [s, el] of e) if (!q.has(s)) d.onlyEdgevisor.push(...el);
  return d;
}

function formatDiff(d: LogDiff, maxLines: number): string[] {
  const out: string[] = [];
  const section = (title: string, lines: string[], budget: number): void => {
    out.push(`${title} (${lines.length}):`);
    for (const l of lines.slice(0, budget)) out.push(`  ${l}`);
    if (lines.length > budget) out.push(`  ... ${lines.length - budget} more in bench/boot/out/debian-logdiff.txt`);
  };
  const oq = d.onlyQemu.filter((l) => !isNoise(l));
  const oe = d.onlyEdgevisor.filter((l) => !isNoise(l));
  const ch = d.changed.map(([a, b]) => `${a}\n    ours: ${b}`);
  const share = Math.max(4, Math.floor(maxLines / 3));
  section("Only in QEMU's log", oq, share);
  section("Only in Edgevisor's log", oe, share);
  section("Same message, different values (QEMU first)", ch, Math.max(2, Math.floor(share / 2)));
  return out;
}

// ---------------------------------------------------------------------- main

function fmt(n: number | undefined, digits = 0): string {
  return n === undefined ? "-" : n.toFixed(digits);
}

async function main(): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const kernels = KERNELS.filter((k) => onlyArg === undefined || k.name === onlyArg);
  const rows: Row[] = [];
  let diffText: string[] | undefined;
  let diff: LogDiff | undefined;
  for (const k of kernels) {
    log(`${k.name}: ${k.memoryMiB} MiB, ${k.image}${k.initrd ? ` + ${k.initrd}` : ""}`);
    const ev = await measureEdgevisor(k);
    if (!ev.row.ok) log(`  edgevisor ${k.name} failed: ${ev.row.error}`);
    const qe = await measureQemu(k);
    if (!qe.row.ok) log(`  qemu ${k.name} failed: ${qe.row.error}`);
    if (ev.row.ok && qe.row.ok) ev.row.ratioToQemu = ev.row.wallMs! / qe.row.wallMs!;
    if (ev.row.instret !== undefined && qe.row.wallMs !== undefined) {
      // Same kernel and init, so about the same work; QEMU's count is not measured.
      qe.row.mips = ev.row.instret / qe.row.wallMs / 1000;
    }
    rows.push(ev.row, qe.row);
    if (ev.output) writeFileSync(join(outDir, `${k.name}-edgevisor.log`), ev.output);
    if (qe.output) writeFileSync(join(outDir, `${k.name}-qemu.log`), qe.output);
    if (k.name === "debian" && ev.output && qe.output) {
      diff = logDiff(kernelLines(qe.output), kernelLines(ev.output));
      diffText = formatDiff(diff, 40);
      writeFileSync(join(outDir, "debian-logdiff.txt"), [
        "Only in QEMU's log:", ...diff.onlyQemu.map((l) => `  ${l}`),
        "", "Only in Edgevisor's log:", ...diff.onlyEdgevisor.map((l) => `  ${l}`),
        "", "Same message, different values (qemu / ours):", ...diff.changed.map(([a, b]) => `  ${a}\n  ${b}\n`),
        "",
      ].join("\n"));
    }
  }

  const get = (kernel: string, engine: string): Row | undefined => rows.find((r) => r.kernel === kernel && r.engine === engine);
  const debianEv = get("debian", "edgevisor");
  const smallEv = get("small", "edgevisor");
  const targets: { name: string; pass: boolean | undefined; detail: string }[] = [];
  if (debianEv) {
    const r = debianEv.ratioToQemu;
    targets.push({
      name: `Debian kernel within ${TARGET_DEBIAN_RATIO}x of QEMU`,
      pass: r === undefined ? undefined : r <= TARGET_DEBIAN_RATIO,
      detail: r === undefined ? "not measured" : `${r.toFixed(2)}x`,
    });
  }
  if (smallEv) {
    const ms = smallEv.wallMs;
    targets.push({
      name: `small kernel <= ${(TARGET_SMALL_MS / 1000).toFixed(1)} s`,
      pass: ms === undefined ? undefined : ms <= TARGET_SMALL_MS,
      detail: ms === undefined ? "not measured" : `${(ms / 1000).toFixed(2)} s`,
    });
  }
  const verdict = (p: boolean | undefined): string => (p === undefined ? "FAIL (not measured)" : p ? "PASS" : "FAIL");

  if (asJson) {
    process.stdout.write(JSON.stringify({
      cmdline: CMDLINE,
      edgevisorRuns, qemuRuns,
      results: rows,
      targets: targets.map((t) => ({ target: t.name, pass: t.pass ?? false, detail: t.detail })),
      debianLogDiff: diff && {
        onlyQemu: diff.onlyQemu.filter((l) => !isNoise(l)),
        onlyEdgevisor: diff.onlyEdgevisor.filter((l) => !isNoise(l)),
        changed: diff.changed,
      },
    }, null, 2) + "\n");
  } else {
    const header = ["kernel", "engine", "wall ms", "runs (ms)", "instructions", "MIPS", "ratio"];
    const body = rows.map((r) => [
      r.kernel, r.engine,
      r.ok ? fmt(r.wallMs) : "FAILED",
      r.runsMs ? r.runsMs.map((x) => x.toFixed(0)).join("/") : "-",
      r.instret !== undefined ? r.instret.toLocaleString("en-US") : "-",
      r.mips !== undefined ? (r.engine === "qemu" ? `(${fmt(r.mips)})` : fmt(r.mips)) : "-",
      r.ratioToQemu !== undefined ? `${r.ratioToQemu.toFixed(2)}x` : "-",
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
    const line = (cells: string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
    const p = (s = ""): void => { process.stdout.write(s + "\n"); };
    p(line(header));
    p(widths.map((w) => "-".repeat(w)).join("  "));
    for (const b of body) p(line(b));
    p("ratio = Edgevisor wall time / QEMU wall time; QEMU's MIPS (in parentheses) uses Edgevisor's instruction count.");
    for (const r of rows) {
      if (r.engine !== "edgevisor" || !r.ok) continue;
      p(`${r.kernel} on Edgevisor: virtual time at the prompt ${fmt(r.virtualMs)} ms; host memory ${fmt(r.hostMemoryBytes! / 2 ** 20, 1)} MiB ` +
        `(wasm memory), guest frames in use ${fmt(r.guestFramesBytes! / 2 ** 20, 1)} MiB`);
    }
    for (const k of kernels) {
      const e = get(k.name, "edgevisor"), q = get(k.name, "qemu");
      if (e?.toInitMs === undefined && q?.toInitMs === undefined) continue;
      p(`${k.name}: kernel part (to "${RUN_INIT}"): Edgevisor ${fmt(e?.toInitMs)} ms` +
        (e?.toInitInstret !== undefined ? ` (${e.toInitInstret.toLocaleString("en-US")} instructions)` : "") +
        `, QEMU ${fmt(q?.toInitMs)} ms` +
        (e?.toInitMs !== undefined && q?.toInitMs !== undefined ? `, ratio ${(e.toInitMs / q.toInitMs).toFixed(2)}x` : ""));
    }
    for (const r of rows) if (!r.ok) p(`${r.kernel}/${r.engine} failed: ${r.error}`);
    p();
    for (const t of targets) p(`Target: ${t.name}: ${verdict(t.pass)} (${t.detail})`);
    if (diffText) {
      p();
      p(`Debian kernel log, QEMU vs Edgevisor (full logs in ${relative(root, outDir)}/):`);
      for (const l of diffText) p(l);
    }
  }
  process.exitCode = rows.every((r) => r.ok) ? 0 : 1;
}

await main();
