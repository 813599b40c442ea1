// bench/disk: guest disk throughput on Edgevisor (wrangler dev) beside QEMU, same guest, same
// workload.
//
//   node --experimental-websocket --import tsx bench/disk/run.ts [--json] [--size-mib N] [--chunk-kib K[,K...]]...
//                                       [--only qemu|edgevisor] [--runs N] [--random R] [--stats]
//   (npm run bench:disk; the Edgevisor half needs the hart built: npm run build:core)
//
// Guest: the small kernel (tools/guest/out/small/Image, Linux 6.1 with a busybox 1.37
// initramfs and virtio-blk built in) in 64 MiB of RAM, with one blank disk /dev/vda of
// --size-mib (default 32) plus an 8 MiB margin. Its /init gives a root shell on ttyS0.
//
// Workload, typed at that shell through the serial console, identical on both systems
// (busybox dd; its dd supports conv=fsync|notrunc and iflag=direct / oflag=direct, so every
// transfer is O_DIRECT and the guest's page cache hides nothing):
//   seq write   dd if=/dev/zero of=/dev/vda bs=1M count=N oflag=direct conv=fsync
//   seq read    dd if=/dev/vda of=/dev/null bs=1M count=N iflag=direct     (after drop_caches)
//   rand write  R x dd if=/dev/zero of=/dev/vda bs=4k count=1 seek=X oflag=direct conv=notrunc,fsync
//   rand read   R x dd if=/dev/vda of=/dev/null bs=4k count=1 skip=X iflag=direct (after drop_caches)
//   dd loop     R x dd if=/dev/zero of=/dev/null bs=4k count=1: the same shell loop with no
//               disk I/O. Informational: the part of the random figures that is only the
//               guest forking and running dd (guest CPU, not the disk). On QEMU a busybox
//               fork+exec costs 6-14 ms of TCG time, far more than a 4 KiB transfer, so
//               the table also shows each random figure less this loop ("disk part"; "—"
//               when the difference is within noise).
// The R (--random, default 200) 4 KiB block offsets come from a seeded PRNG in this script
// (the same on both systems, within the first N MiB, which the sequential write has filled),
// and are written to /tmp/offs in the guest before anything is timed; each random workload
// is one shell loop over them, typed as one line.
//
// Timing is taken on the host, never from the guest (on Edgevisor guest time is virtual):
// the wall time from sending the command line `<workload>; echo DONE-<nonce>-$((1+1))` to
// seeing `DONE-<nonce>-2` on the console (the arithmetic keeps the echoed command line
// from matching), minus the median of 5 empty commands (`:`) timed the same way right before
// it, so the console path (HTTP round trips, the guest's own latency for a typed line) is
// excluded. The "console round trip" printed is the median of all those empty commands.
// MB/s is 10^6 bytes per second; IOPS is R / time. Ratio = Edgevisor / QEMU (higher is better
// for Edgevisor); the issue's target is >= 0.5 for each workload. With --runs N each
// workload is run N times on the same disk and the median is reported.
//
// QEMU: qemu-system-riscv64 -machine virt -m 64M -nographic -bios default (its OpenSBI)
// -kernel small/Image -append console=ttyS0, the disk a sparse raw file in the OS temp dir
// (-drive format=raw,cache=writeback -device virtio-blk-device), console on stdin/stdout.
// Edgevisor: wrangler dev as bench/clone starts it (throwaway --persist-to, admin token),
// the small kernel uploaded, then per --chunk-kib value (or once without) a fresh VM
// POST /api/vms {memoryMiB: 64, disks: [{sizeMiB, provisioning: "thin", chunkKiB?}],
// powerOn: true}, driven through its console WebSocket (Node 20: --experimental-websocket,
// which the npm script passes; without it, console/input and console/output polled every
// 5 ms). --stats logs the disk's counters per workload; after the runs the local R2's own
// put/get rates are measured (r2-ceiling.ts) and printed under the table.
//
// Progress goes to stderr. Exit status 1 when a requested system failed (the table still
// shows what was measured); 0 otherwise, even when the target is missed.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, closeSync, openSync, ftruncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { ApiError, WranglerDev, apiClient, root } from "../lib/wrangler-dev.js";
import { hasWebSocket, openConsole } from "../lib/console-socket.js";
import { measureR2Ceiling, type R2Ceiling } from "./r2-ceiling.js";
const KERNEL = join(root, "tools/guest/out/small/Image");
const PORT = 8797;
const BASE = `http://127.0.0.1:${PORT}`;
const TOKEN = "bench-disk-token";
const MEMORY_MIB = 64;
const MARGIN_MIB = 8;
const SEED = 0x5eed_d15c;
const TARGET_RATIO = 0.5;

// ---- arguments ----
const argv = process.argv.slice(2);
function values(name: string): string[] {
  const out: string[] = [];
  argv.forEach((a, i) => {
    if (a === name && argv[i + 1] !== undefined) out.push(argv[i + 1]!);
    else if (a.startsWith(`${name}=`)) out.push(a.slice(name.length + 1));
  });
  return out;
}
function intArg(name: string, dflt: number): number {
  const v = values(name).at(-1);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) die(`${name} must be a positive integer, not ${v}`);
  return n;
}
function die(msg: string): never {
  process.stderr.write(`bench/disk: ${msg}\n`);
  process.exit(2);
}
const json = argv.includes("--json");
const showStats = argv.includes("--stats");
const sizeMiB = intArg("--size-mib", 32);
const runs = intArg("--runs", 1);
const randomOps = intArg("--random", 200);
const chunkKiBs = values("--chunk-kib").flatMap((v) => v.split(",")).filter(Boolean).map((v) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) die(`--chunk-kib must be positive integers, not ${v}`);
  return n;
});
const only = values("--only").at(-1);
if (only !== undefined && only !== "qemu" && only !== "edgevisor") die(`--only is qemu or edgevisor, not ${only}`);
const doQemu = only !== "edgevisor";
const doEdgevisor = only !== "qemu";
const diskMiB = sizeMiB + MARGIN_MIB;

const log = (s: string) => process.stderr.write(`${s}\n`);
const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// ---- the workload ----
/** The same R block offsets (4 KiB units within the first sizeMiB) on both systems. */
function offsets(): number[] {
  let s = SEED >>> 0;
  const rand = () => { // mulberry32
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: randomOps }, () => Math.floor(rand() * sizeMiB * 256));
}

interface Workload {
  key: "seqWrite" | "seqRead" | "randWrite" | "randRead" | "ddLoop";
  label: string;
  unit: "MB/s" | "IOPS";
  /** Run untimed before the workload (cache drops). */
  before?: string;
  cmd: string;
  /** Checks the console output of the command; returns an error or undefined. */
  check: (out: string) => string | undefined;
}

const loop = (dd: string) => `f=0; for x in $(cat /tmp/offs); do ${dd} 2>/dev/null || f=$((f+1)); done; echo fails=$f`;
const noFails = (out: string) => (/fails=0\b/.test(out) ? undefined : `dd failed: ${out.match(/fails=\d+/)?.[0] ?? out.slice(-300)}`);
const records = (out: string) => (out.includes(`${sizeMiB}+0 records`) ? undefined : `dd did not copy ${sizeMiB} blocks: ${out.slice(-300)}`);
const DROP = "sync; echo 3 > /proc/sys/vm/drop_caches";

const WORKLOADS: Workload[] = [
  { key: "seqWrite", label: "seq write 1 MiB O_DIRECT+fsync", unit: "MB/s", cmd: `dd if=/dev/zero of=/dev/vda bs=1M count=${sizeMiB} oflag=direct conv=fsync`, check: records },
  { key: "seqRead", label: "seq read 1 MiB O_DIRECT", unit: "MB/s", before: DROP, cmd: `dd if=/dev/vda of=/dev/null bs=1M count=${sizeMiB} iflag=direct`, check: records },
  { key: "randWrite", label: "rand write 4 KiB O_DIRECT+fsync", unit: "IOPS", cmd: loop("dd if=/dev/zero of=/dev/vda bs=4k count=1 seek=$x oflag=direct conv=notrunc,fsync"), check: noFails },
  { key: "randRead", label: "rand read 4 KiB O_DIRECT", unit: "IOPS", before: DROP, cmd: loop("dd if=/dev/vda of=/dev/null bs=4k count=1 skip=$x iflag=direct"), check: noFails },
  { key: "ddLoop", label: "dd loop, no disk (guest CPU)", unit: "IOPS", cmd: loop("dd if=/dev/zero of=/dev/null bs=4k count=1"), check: noFails },
];

// ---- a guest console, whichever system holds it ----
interface Console {
  /** Everything the guest printed so far. */
  text(): string;
  send(s: string): Promise<void>;
  /** Resolves once text() has grown past what it was (or after a short poll interval). */
  more(): Promise<void>;
  describe(): string;
  /** The disk's counters (Edgevisor, with --stats): logged per workload as deltas. */
  diskCounters?(): Promise<Record<string, number>>;
}

async function waitFor(c: Console, pattern: string | RegExp, mark: number, timeoutMs: number): Promise<string> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const seen = c.text().slice(mark);
    if (typeof pattern === "string" ? seen.includes(pattern) : pattern.test(seen)) return seen;
    if (performance.now() > until) throw new Error(`${c.describe()}: timed out waiting for ${String(pattern)}; console tail: ${JSON.stringify(c.text().slice(-400))}`);
    await c.more();
  }
}

let nonceCounter = 0;
/** Types `cmd; echo DONE-<nonce>-$((1+1))`; resolves with the wall ms until the marker was seen. */
async function timed(c: Console, cmd: string, timeoutMs = 600_000): Promise<{ ms: number; out: string }> {
  const nonce = `${Date.now().toString(36)}${(nonceCounter++).toString(36)}`;
  const line = `${cmd}; echo DONE-${nonce}-$((1+1))\n`;
  if (line.length > 1000) throw new Error(`command line too long for the guest shell's line editor (${line.length})`);
  const mark = c.text().length;
  const t0 = performance.now();
  await c.send(line);
  const out = await waitFor(c, `DONE-${nonce}-2`, mark, timeoutMs);
  return { ms: performance.now() - t0, out };
}

interface SystemResult {
  system: string;
  chunkKiB?: number;
  roundTripMs?: number;
  bootMs?: number;
  workloads: Partial<Record<Workload["key"], { ms: number; value: number; runsMs: number[] }>>;
  error?: string;
}

/** Boot wait, setup, round trip, then the workloads. */
async function runWorkload(c: Console, res: SystemResult, tBoot: number): Promise<void> {
  await waitFor(c, /init done[\s\S]*# /, 0, 300_000);
  res.bootMs = Math.round(performance.now() - tBoot);
  log(`  ${c.describe()}: shell after ${res.bootMs} ms`);
  const size = await timed(c, "cat /sys/block/vda/size");
  const sectors = Number(/\n(\d+)\r?\n/.exec(size.out)?.[1]);
  if (sectors !== diskMiB * 2048) throw new Error(`${c.describe()}: /dev/vda has ${sectors} sectors, expected ${diskMiB * 2048}: ${JSON.stringify(size.out)}`);
  // The offsets, 50 a line (the shell's line editor takes about 1 KiB a line).
  const offs = offsets();
  await timed(c, "rm -f /tmp/offs");
  for (let i = 0; i < offs.length; i += 50) await timed(c, `echo ${offs.slice(i, i + 50).join(" ")} >> /tmp/offs`);
  const wc = await timed(c, "wc -w < /tmp/offs");
  if (!new RegExp(`\\n\\s*${offs.length}\\s*\\r?\\n`).test(wc.out)) throw new Error(`${c.describe()}: /tmp/offs was not written: ${JSON.stringify(wc.out)}`);
  // Console round trip: warm up; then before each workload the median of 5 empty commands
  // (the console latency drifts with host load, so it is taken right next to what it corrects).
  for (let i = 0; i < 2; i++) await timed(c, ":");
  const allRts: number[] = [];
  for (let r = 0; r < runs; r++) {
    for (const w of WORKLOADS) {
      if (w.before) await timed(c, w.before);
      const rts: number[] = [];
      for (let i = 0; i < 5; i++) rts.push((await timed(c, ":")).ms);
      allRts.push(...rts);
      res.roundTripMs = Number(median(allRts).toFixed(1));
      const before = showStats ? await c.diskCounters?.() : undefined;
      const { ms, out } = await timed(c, w.cmd);
      if (before) logCounterDeltas(before, (await c.diskCounters?.())!);
      const err = w.check(out);
      if (err) throw new Error(`${c.describe()}: ${w.label}: ${err}`);
      const net = Math.max(ms - median(rts), 0.001);
      const prev = res.workloads[w.key]?.runsMs ?? [];
      const runsMs = [...prev, net];
      const mid = median(runsMs);
      const value = w.unit === "MB/s" ? (sizeMiB * 1048576) / 1e6 / (mid / 1000) : randomOps / (mid / 1000);
      res.workloads[w.key] = { ms: Number(mid.toFixed(1)), value: Number(value.toFixed(value < 100 ? 2 : 1)), runsMs: runsMs.map((x) => Number(x.toFixed(1))) };
      log(`  ${c.describe()}: ${w.label}: ${net.toFixed(0)} ms (${ms.toFixed(0)} ms less a ${median(rts).toFixed(1)} ms round trip)`);
    }
  }
}

// ---- QEMU ----
async function runQemu(): Promise<SystemResult> {
  const res: SystemResult = { system: "qemu", workloads: {} };
  const dir = mkdtempSync(join(tmpdir(), "edgevisor-bench-disk-"));
  const disk = join(dir, "disk.raw");
  const fd = openSync(disk, "w");
  ftruncateSync(fd, diskMiB * 1048576); // sparse
  closeSync(fd);
  let out = "";
  let wake: (() => void) | undefined;
  const tBoot = performance.now();
  const q = spawn("qemu-system-riscv64", ["-machine", "virt", "-m", `${MEMORY_MIB}M`, "-smp", "1", "-nographic", "-bios", "default",
    "-kernel", KERNEL, "-append", "console=ttyS0",
    "-drive", `file=${disk},format=raw,if=none,id=d0,cache=writeback`, "-device", "virtio-blk-device,drive=d0"],
  { stdio: ["pipe", "pipe", "pipe"] });
  let exited = false;
  let stderr = "";
  q.stdout!.setEncoding("latin1");
  q.stdout!.on("data", (d: string) => { out += d; wake?.(); });
  q.stderr!.on("data", (d: Buffer) => { stderr += d.toString(); });
  q.on("exit", () => { exited = true; wake?.(); });
  q.on("error", (e) => { stderr += String(e); exited = true; wake?.(); });
  const c: Console = {
    text: () => out,
    send: async (s) => { if (exited) throw new Error(`qemu exited: ${stderr}`); q.stdin!.write(s); },
    more: () => new Promise<void>((res2, rej) => {
      if (exited) return rej(new Error(`qemu exited: ${stderr.trim()}`));
      const t = setTimeout(() => { wake = undefined; res2(); }, 1000);
      wake = () => { clearTimeout(t); wake = undefined; res2(); };
    }),
    describe: () => "qemu",
  };
  try {
    await runWorkload(c, res, tBoot);
  } finally {
    if (!exited) {
      q.stdin!.write("poweroff -f\n");
      await Promise.race([new Promise((r) => q.once("exit", r)), sleep(3000)]);
      if (!exited) q.kill("SIGKILL");
    }
    rmSync(dir, { recursive: true, force: true });
  }
  return res;
}

// ---- Edgevisor under wrangler dev ----

const api = apiClient(BASE, TOKEN);

/**
 * The VM's console: its WebSocket when this Node has one (see bench/lib/console-socket.ts),
 * else console/output polled every 5 ms (those polls load the thread the VM runs on).
 */
async function vmConsole(vm: string, name: string): Promise<Console & { close(): void }> {
  const diskCounters = async () => {
    const s = (await api("GET", `/api/vms/${vm}`)).stats;
    return { ...s.disks[0], guestInsns: Number(s.instructions ?? 0) };
  };
  if (hasWebSocket()) {
    const sock = await openConsole(BASE, vm, TOKEN);
    return { text: sock.text, send: async (s) => sock.send(s), more: () => sock.more(), describe: () => name, diskCounters, close: sock.close };
  }
  log(`  ${name}: no WebSocket in this Node (run it with --experimental-websocket): polling console/output instead`);
  let out = "";
  let next = 0;
  return {
    text: () => out,
    send: async (s) => { await api("POST", `/api/vms/${vm}/console/input`, s); },
    more: async () => {
      const r = await api("GET", `/api/vms/${vm}/console/output?from=${next}`);
      out += r.data;
      next = r.next;
      if (!r.data) await sleep(5);
    },
    describe: () => name,
    diskCounters,
    close: () => {},
  };
}

/** --stats: what the disk did during a workload (counts, milliseconds spent waiting, guest instructions run). */
function logCounterDeltas(a: Record<string, number>, b: Record<string, number>): void {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(b)) {
    if (typeof v !== "number" || typeof a[k] !== "number") continue;
    const d = v - a[k]!;
    if (d !== 0) parts.push(`${k} ${d}`);
  }
  log(`    disk: ${parts.join(", ")}`);
}

async function runEdgevisorVm(kernel: string, chunkKiB: number | undefined): Promise<SystemResult> {
  const name = chunkKiB === undefined ? "edgevisor" : `edgevisor chunk ${chunkKiB} KiB`;
  const res: SystemResult = { system: "edgevisor", ...(chunkKiB === undefined ? {} : { chunkKiB }), workloads: {} };
  const disk = { sizeMiB: diskMiB, provisioning: "thin", ...(chunkKiB === undefined ? {} : { chunkKiB }) };
  let vm: { id: string };
  const tBoot = performance.now();
  try {
    vm = await api("POST", "/api/vms", { name: `disk-bench-${chunkKiB ?? "default"}-${Date.now().toString(36)}`, memoryMiB: MEMORY_MIB, boot: { kernel }, disks: [disk], powerOn: true });
  } catch (e) {
    const msg = e instanceof ApiError && (e.status === 422 || e.status === 400)
      ? `creating a VM with a thin disk failed (${e.message}): this build does not take \`disks\`${chunkKiB === undefined ? "" : " or `chunkKiB`"} in POST /api/vms yet`
      : `creating the VM failed: ${(e as Error).message}`;
    throw new Error(msg);
  }
  const con = await vmConsole(vm.id, name);
  try {
    await runWorkload(con, res, tBoot);
  } finally {
    con.close();
    await api("POST", `/api/vms/${vm.id}/power?action=stop`).catch(() => {});
    await api("DELETE", `/api/vms/${vm.id}`).catch(() => {});
  }
  return res;
}

async function runEdgevisor(): Promise<SystemResult[]> {
  const results: SystemResult[] = [];
  const server = new WranglerDev(PORT, TOKEN, { EDGEVISOR_IDLE_TIMEOUT_SECONDS: "3600" }, "bench-disk");
  const chunks: (number | undefined)[] = chunkKiBs.length ? chunkKiBs : [undefined];
  try {
    await server.start();
    const kernel = (await api("POST", "/api/images?name=small&kind=kernel", new Uint8Array(readFileSync(KERNEL)))).id as string;
    for (const chunk of chunks) {
      log(`edgevisor${chunk === undefined ? "" : ` (chunk ${chunk} KiB)`}: booting a ${MEMORY_MIB} MiB VM with a ${diskMiB} MiB thin disk`);
      try {
        results.push(await runEdgevisorVm(kernel, chunk));
      } catch (e) {
        log(`  edgevisor: ${(e as Error).message}`);
        results.push({ system: "edgevisor", ...(chunk === undefined ? {} : { chunkKiB: chunk }), workloads: {}, error: (e as Error).message });
      }
    }
  } catch (e) {
    log(`edgevisor: ${(e as Error).message}`);
    for (const chunk of chunks.slice(results.length)) results.push({ system: "edgevisor", ...(chunk === undefined ? {} : { chunkKiB: chunk }), workloads: {}, error: (e as Error).message });
  } finally {
    await server.dispose();
  }
  return results;
}

// ---- report ----
/** The random figures less the dd loop: the disk's part of a random op (undefined when the
 *  difference is within noise, i.e. not positive). */
function derived(r: SystemResult): { randWriteDisk?: number; randReadDisk?: number } {
  const net = (k: "randWrite" | "randRead") => {
    const a = r.workloads[k]?.ms, b = r.workloads.ddLoop?.ms;
    if (a === undefined || b === undefined || a <= b) return undefined;
    const v = randomOps / ((a - b) / 1000);
    return Number(v.toFixed(v < 100 ? 2 : 0));
  };
  const out: { randWriteDisk?: number; randReadDisk?: number } = {};
  const w = net("randWrite"), rd = net("randRead");
  if (w !== undefined) out.randWriteDisk = w;
  if (rd !== undefined) out.randReadDisk = rd;
  return out;
}
type RowKey = Workload["key"] | "randWriteDisk" | "randReadDisk";
interface Row { key: RowKey; label: string; unit: string }
const ROWS: Row[] = [
  ...WORKLOADS.map((w) => ({ key: w.key, label: w.label, unit: w.unit })),
  { key: "randWriteDisk", label: "rand write less dd loop (disk part)", unit: "IOPS" },
  { key: "randReadDisk", label: "rand read less dd loop (disk part)", unit: "IOPS" },
];
function rowValue(r: SystemResult, k: RowKey): number | undefined {
  return k === "randWriteDisk" || k === "randReadDisk" ? derived(r)[k] : r.workloads[k]?.value;
}

async function main(): Promise<void> {
  let qemu: SystemResult | undefined;
  let edge: SystemResult[] = [];
  if (doQemu) {
    log(`qemu: booting with a ${diskMiB} MiB sparse raw disk`);
    try {
      qemu = await runQemu();
    } catch (e) {
      log(`qemu: ${(e as Error).message}`);
      qemu = { system: "qemu", workloads: {}, error: (e as Error).message };
    }
  }
  if (doEdgevisor) edge = await runEdgevisor();
  let ceiling: R2Ceiling | undefined;
  if (doEdgevisor) {
    log("local R2: measuring its own put and get rates");
    ceiling = await measureR2Ceiling().catch((e) => { log(`local R2: ${(e as Error).message}`); return undefined; });
  }

  const ratio = (e: SystemResult, k: RowKey) => {
    const a = rowValue(e, k), b = qemu ? rowValue(qemu, k) : undefined;
    return a !== undefined && b ? Number((a / b).toFixed(2)) : undefined;
  };
  const failed = [qemu, ...edge].some((r) => r?.error);
  const diskKeys: Workload["key"][] = ["seqWrite", "seqRead", "randWrite", "randRead"];
  const targetMet = (e: SystemResult) => diskKeys.every((k) => (ratio(e, k) ?? 0) >= TARGET_RATIO);

  if (json) {
    console.log(JSON.stringify({
      sizeMiB, diskMiB, memoryMiB: MEMORY_MIB, randomOps, runs, targetRatio: TARGET_RATIO,
      qemu: qemu ?? null,
      r2Ceiling: ceiling ?? null,
      qemuDerived: qemu ? derived(qemu) : null,
      edgevisor: edge.map((e) => ({ ...e, derived: derived(e), ratios: Object.fromEntries(ROWS.map((w) => [w.key, ratio(e, w.key) ?? null])), targetMet: qemu && !e.error ? targetMet(e) : null })),
    }));
  } else {
    const cols: { head: string; cell: (w: Row) => string }[] = [];
    const fmt = (v: number | undefined, unit: string) => (v === undefined ? "—" : `${v} ${unit}`);
    if (qemu) cols.push({ head: "QEMU 7.2", cell: (w) => fmt(rowValue(qemu!, w.key), w.unit) });
    for (const e of edge) {
      const head = e.chunkKiB === undefined ? "Edgevisor" : `Edgevisor ${e.chunkKiB} KiB`;
      cols.push({ head, cell: (w) => fmt(rowValue(e, w.key), w.unit) });
      if (qemu) cols.push({ head: "ratio", cell: (w) => { const r = ratio(e, w.key); return r === undefined ? "—" : `${r.toFixed(2)}x`; } });
    }
    const rows = [["workload", ...cols.map((c) => c.head)], ...ROWS.map((w) => [w.label, ...cols.map((c) => c.cell(w))])];
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    console.log(`bench/disk — small kernel, ${MEMORY_MIB} MiB guest, ${sizeMiB} MiB sequential (disk ${diskMiB} MiB), ${randomOps} random 4 KiB ops${runs > 1 ? `, median of ${runs}` : ""}`);
    const rt = [qemu, ...edge].filter((r): r is SystemResult => r?.roundTripMs !== undefined)
      .map((r) => `${r.system}${r.chunkKiB ? ` ${r.chunkKiB} KiB` : ""} ${r.roundTripMs} ms`).join(", ");
    if (rt) console.log(`console round trip (median, subtracted): ${rt}`);
    for (const r of rows) console.log("  " + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("   "));
    if (ceiling) {
      const q = qemu && !qemu.error ? qemu.workloads : undefined;
      const bound = (v: number, k: "seqWrite" | "seqRead") => (q?.[k] ? ` (at most ${(v / q[k]!.value).toFixed(2)}x QEMU)` : "");
      console.log(`local R2 itself (miniflare, 1 MiB objects, 8 in flight): put ${ceiling.putMBps.toFixed(1)} MB/s${bound(ceiling.putMBps, "seqWrite")}, ` +
        `get ${ceiling.getMBps.toFixed(1)} MB/s${bound(ceiling.getMBps, "seqRead")}; 64 KiB put ${ceiling.put64KiBMs.toFixed(2)} ms, 64 KiB ranged get ${ceiling.get64KiBMs.toFixed(2)} ms`);
    }
    for (const r of [qemu, ...edge]) if (r?.error) console.log(`${r.system}${r.chunkKiB ? ` (chunk ${r.chunkKiB} KiB)` : ""}: not measured: ${r.error}`);
    if (qemu && !qemu.error) {
      for (const e of edge) {
        if (e.error) continue;
        console.log(`Target: Edgevisor${e.chunkKiB ? ` (chunk ${e.chunkKiB} KiB)` : ""} >= ${TARGET_RATIO * 100} % of QEMU on every disk workload: ${targetMet(e) ? "met" : "not met"}`);
      }
    }
  }
  process.exitCode = failed ? 1 : 0;
}

await main();
