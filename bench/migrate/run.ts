// bench/migrate: live migration (vMotion) of a running guest between two hosts, measured
// against the real service (wrangler dev: workerd, miniflare's D1/KV/DO storage).
//
//   node --import tsx bench/migrate/run.ts [--json] [--runs N] [--sizes 64,256] [--only idle|busy]
//   (npm run bench:migrate builds the hart first)
//
// Setup: wrangler dev on port 8796 with a throwaway --persist-to directory, an admin token,
// a long idle timeout and EDGEVISOR_MAX_RESIDENT_MIB / EDGEVISOR_MAX_VM_MEMORY_MIB at 512
// (the default 96 MiB would power a 256 MiB guest off once it touches its memory). The small
// kernel is uploaded and a second host is created (POST /api/hosts {region: "weur",
// memoryMiB: 4096}) beside `host-default`.
//
// Cases: 64 MiB and 256 MiB guests, idle and busy (4 in all). Per case a fresh VM on
// host-default boots the small kernel (Linux 6.1, busybox initramfs) to its shell; then, typed
// at the serial console:
//   - realistic memory: a tmpfs on /t holds ~40 % of the guest's RAM of non-zero data that
//     neither is zero (zero frames go as a mark) nor repeats (frames whose content was already
//     sent go as their hash). /t/r is 1048573 bytes of /dev/urandom (an odd length, so a file
//     of back-to-back copies of it has a different 4 KiB window of it in every page) and
//     /t/fill is `while cat /t/r; do :; done | dd of=/t/fill bs=1M count=N iflag=fullblock`.
//   - busy only: a background shell loop keeps rewriting a 4 MiB tmpfs file (/t/busy, 1024
//     pages) with `dd if=/t/fill of=/t/busy bs=64k count=64 skip=$i iflag=skip_bytes
//     conv=notrunc`, i = 1, 2, ... 4095, 1, ...: every pass copies a window of /t/fill one byte
//     further along, so every pass writes all 1024 pages with contents not sent before (about
//     50 MiB/s of guest writes on the 2-core build machine). It counts its passes in /t/n.
// Then the VM migrates --runs times (default 3) back and forth: host-default → the second
// host → host-default → ... Each migration is POST /api/vms/:id/migrate {host} (the service's
// default downtime target and round limit), and GET /api/tasks/:id is polled every 25 ms
// until the task succeeded or failed. From the task's result: downtimeMs (the guest stopped
// on the source until it runs on the target; with steps when the service reports them),
// totalMs, rounds, bytesSent, framesPerRound, dirtyRate (frames the guest wrote per second
// during the pre-copy), transferRate. "sent / RAM" is bytesSent / (memoryMiB * 2^20).
// After each migration the guest must answer a typed `echo ok-$((1+1))` with ok-2 (the time
// from the task's end to that answer is "answer" in the details) and, when busy, the writer
// must still be alive (`kill -0`) with its pass counter past where it was before the move.
// Busy only: "guest ran" is the instructions the guest retired (stats.instructions) from the
// migrate call to the task's end, in % of what it retires at rest (measured over 500 ms just
// before) in the same time: 100 % means the migration did not hold the guest back.
// The table gives per case the median over the runs (min–max for the downtime).
//
// Target (the issue): downtime <= 20 ms idle, <= 100 ms busy.
// Progress goes to stderr. Exit status 1 when something could not be measured (a migration
// or a check failed; the report gives the step, the task's error and wrangler's stderr
// tail); 0 otherwise, even when the target is missed.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ApiError, WranglerDev, apiClient, root } from "../lib/wrangler-dev.js";
const KERNEL = join(root, "tools/guest/out/small/Image");
const PORT = 8796;
const BASE = `http://127.0.0.1:${PORT}`;
const TOKEN = "bench-migrate-token";
const FILL_FRACTION = 0.4;
const BUSY_MIB = 4;
const TARGET_MS = { idle: 20, busy: 100 } as const;

// ---- arguments ----
const argv = process.argv.slice(2);
function value(name: string): string | undefined {
  const i = argv.indexOf(name);
  if (i >= 0) return argv[i + 1];
  return argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}
function die(msg: string): never {
  process.stderr.write(`bench/migrate: ${msg}\n`);
  process.exit(2);
}
const json = argv.includes("--json");
const runs = Number(value("--runs") ?? 3);
if (!Number.isInteger(runs) || runs <= 0) die(`--runs must be a positive integer`);
const sizes = (value("--sizes") ?? "64,256").split(",").filter(Boolean).map(Number);
if (sizes.some((s) => !Number.isInteger(s) || s < 32)) die("--sizes are MiB, at least 32");
const only = value("--only");
if (only !== undefined && only !== "idle" && only !== "busy") die("--only is idle or busy");
const kinds = (only ? [only] : ["idle", "busy"]) as Kind[];

type Kind = "idle" | "busy";
const log = (s: string) => process.stderr.write(`${s}\n`);
const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// ---- wrangler dev ----
/** The service under wrangler dev (room for 256 MiB guests, no idle hibernation). */
const server = new WranglerDev(PORT, TOKEN, {
  EDGEVISOR_IDLE_TIMEOUT_SECONDS: "3600", EDGEVISOR_MAX_RESIDENT_MIB: "512", EDGEVISOR_MAX_VM_MEMORY_MIB: "512",
}, "bench-migrate");
const serverTail = (lines = 30) => server.tail(lines);

const api = apiClient(BASE, TOKEN);

// ---- the guest's console ----
class GuestConsole {
  private out = "";
  private next = 0;
  constructor(readonly vm: string, readonly name: string) {}

  text(): string { return this.out; }

  /** Types `s`; while the VM switches hosts the service answers 409 "migrating": sent again. */
  async send(s: string): Promise<void> {
    const until = performance.now() + 30_000;
    for (;;) {
      try { await api("POST", `/api/vms/${this.vm}/console/input`, s); return; } catch (e) {
        if (!(e instanceof ApiError && e.status === 409) || performance.now() > until) throw e;
        await sleep(20);
      }
    }
  }

  async poll(): Promise<void> {
    const r = await api("GET", `/api/vms/${this.vm}/console/output?from=${this.next}`);
    this.out += r.data;
    this.next = r.next;
    if (!r.data) await sleep(5);
  }

  async waitFor(pattern: string | RegExp, mark: number, timeoutMs: number): Promise<string> {
    const until = performance.now() + timeoutMs;
    for (;;) {
      const seen = this.out.slice(mark);
      if (typeof pattern === "string" ? seen.includes(pattern) : pattern.test(seen)) return seen;
      if (performance.now() > until) throw new Error(`${this.name}: timed out after ${timeoutMs} ms waiting for ${String(pattern)}; console tail: ${JSON.stringify(this.out.slice(-400))}`);
      await this.poll();
    }
  }

  private nonce = 0;
  /** Types `cmd; echo D-<nonce>-$((1+1))` and resolves with the output once D-<nonce>-2 shows. */
  async run(cmd: string, timeoutMs = 120_000): Promise<{ out: string; ms: number }> {
    const tag = `D${Date.now().toString(36)}${(this.nonce++).toString(36)}`;
    const line = `${cmd}; echo ${tag}-$((1+1))\n`;
    if (line.length > 1000) throw new Error(`command line too long for the guest shell (${line.length})`);
    await this.poll();
    const mark = this.out.length;
    const t0 = performance.now();
    await this.send(line);
    const out = await this.waitFor(`${tag}-2`, mark, timeoutMs);
    return { out, ms: performance.now() - t0 };
  }
}

// ---- one case ----
interface Migration {
  from: string;
  to: string;
  downtimeMs: number;
  totalMs: number;
  rounds: number;
  bytesSent: number;
  sentPerRamByte: number;
  framesPerRound: number[];
  dirtyRate: number;
  transferRate: number;
  /** The downtime's parts, when the service reports them. */
  steps?: Record<string, number>;
  switchMs?: number;
  /** From the task's end (as seen by polling) to the guest's answer to a typed command. */
  answerMs: number;
  /** Busy only: writer passes counted during the migration and the check. */
  writerPasses?: number;
  /** Busy only: instructions the guest retired from the migrate call to the task's end, in %
   *  of what it retires at rest in that time (100 = the migration did not slow it down). */
  guestRanPct?: number;
}

interface CaseResult {
  memoryMiB: number;
  kind: Kind;
  fillMiB: number;
  targetMs: number;
  migrations: Migration[];
  median?: { downtimeMs: number; totalMs: number; rounds: number; bytesSent: number; sentPerRamByte: number; dirtyRate: number; transferRate: number };
  met?: boolean;
  error?: string;
}

async function instructions(vm: string): Promise<number> {
  return Number((await api("GET", `/api/vms/${vm}`)).stats?.instructions ?? NaN);
}

async function counter(c: GuestConsole): Promise<number> {
  const { out } = await c.run("echo n=$(cat /t/n)");
  const n = [...out.matchAll(/\nn=(\d+)/g)].at(-1)?.[1];
  if (n === undefined) throw new Error(`could not read the writer's counter: ${JSON.stringify(out.slice(-300))}`);
  return Number(n);
}

async function runCase(kernel: string, hosts: [string, string], memoryMiB: number, kind: Kind): Promise<CaseResult> {
  const fillMiB = Math.round(memoryMiB * FILL_FRACTION);
  const res: CaseResult = { memoryMiB, kind, fillMiB, targetMs: TARGET_MS[kind], migrations: [] };
  const label = `${memoryMiB} MiB ${kind}`;
  let step = "creating the VM";
  let vmId: string | undefined;
  try {
    const vm = await api("POST", "/api/vms", { name: `mig-${memoryMiB}-${kind}-${Date.now().toString(36)}`, memoryMiB, boot: { kernel }, powerOn: true, host: hosts[0] });
    vmId = vm.id as string;
    if (vm.host !== hosts[0]) throw new Error(`the VM was placed on ${vm.host}, not ${hosts[0]}`);
    const c = new GuestConsole(vm.id, label);
    step = "booting to the shell";
    const tBoot = performance.now();
    await c.waitFor(/init done[\s\S]*# /, 0, 300_000);
    log(`${label}: shell after ${Math.round(performance.now() - tBoot)} ms; filling ${fillMiB} MiB of tmpfs`);
    step = "filling memory";
    await c.run("mkdir -p /t && mount -t tmpfs -o size=80% tmpfs /t && head -c 1048573 /dev/urandom > /t/r");
    const fill = await c.run(`while cat /t/r; do :; done 2>/dev/null | dd of=/t/fill bs=1M count=${fillMiB} iflag=fullblock 2>&1; ls -l /t/fill`, 600_000);
    if (!fill.out.includes(`${fillMiB}+0 records out`)) throw new Error(`filling /t/fill failed: ${JSON.stringify(fill.out.slice(-300))}`);
    log(`${label}: filled in ${Math.round(fill.ms)} ms`);
    if (kind === "busy") {
      step = "starting the writer";
      await c.run(`(n=0; i=1; while :; do dd if=/t/fill of=/t/busy bs=64k count=${BUSY_MIB * 16} skip=$i iflag=skip_bytes conv=notrunc 2>/dev/null; n=$((n+1)); echo $n > /t/n; i=$((i%4095+1)); done) >/dev/null 2>&1 & echo $! > /t/pid`);
      await sleep(1500);
      const n = await counter(c);
      if (n < 2) throw new Error(`the writer is not writing (counter ${n} after 1.5 s)`);
      log(`${label}: writer running (${n} passes of ${BUSY_MIB} MiB so far)`);
    }
    let at = 0;
    for (let r = 0; r < runs; r++) {
      const from = hosts[at]!, to = hosts[1 - at]!;
      step = `migration ${r + 1} (${from} → ${to})`;
      const before = kind === "busy" ? await counter(c) : 0;
      // The guest's instruction rate at rest (busy only: an idle guest sits in WFI), to see
      // how much it ran while it migrated.
      let restRate = 0;
      if (kind === "busy") {
        const a = await instructions(vm.id), ta = performance.now();
        await sleep(500);
        restRate = (await instructions(vm.id) - a) / (performance.now() - ta);
      }
      const i0 = kind === "busy" ? await instructions(vm.id) : 0;
      const tPost = performance.now();
      const { task } = await api("POST", `/api/vms/${vm.id}/migrate`, { host: to });
      let t: any;
      const until = performance.now() + 300_000;
      for (;;) {
        t = await api("GET", `/api/tasks/${task.id}`);
        if (t.state === "succeeded" || t.state === "failed") break;
        if (performance.now() > until) throw new Error(`task ${task.id} still ${t.state} after 300 s`);
        await sleep(25);
      }
      const tDone = performance.now();
      const guestRanPct = kind === "busy" && restRate > 0 ? Math.round((100 * (await instructions(vm.id) - i0)) / (restRate * (performance.now() - tPost))) : undefined;
      if (t.state === "failed") throw new Error(`task ${task.id} failed: ${JSON.stringify(t.error)}`);
      const m = t.result;
      if (m.to?.host !== to) throw new Error(`task ${task.id} succeeded but moved the VM to ${m.to?.host}`);
      step = `checking the guest after migration ${r + 1} (${from} → ${to})`;
      const where = await api("GET", `/api/vms/${vm.id}`);
      if (where.host !== to) throw new Error(`after the migration GET /api/vms/${vm.id} says host ${where.host}, not ${to}`);
      if (where.powerState !== "POWERED_ON") throw new Error(`after the migration the VM is ${where.powerState} (stats: ${JSON.stringify(where.stats)})`);
      const ok = await c.run("echo ok-$((1+1))", 30_000);
      if (!/\nok-2\r?\n/.test(ok.out)) throw new Error(`the guest did not answer ok-2: ${JSON.stringify(ok.out.slice(-300))}`);
      const answerMs = performance.now() - tDone;
      let writerPasses: number | undefined;
      if (kind === "busy") {
        const alive = await c.run("kill -0 $(cat /t/pid) && echo alive-$((1+1))");
        if (!/\nalive-2\r?\n/.test(alive.out)) throw new Error(`the writer is gone after the migration: ${JSON.stringify(alive.out.slice(-300))}`);
        await sleep(300);
        const after = await counter(c);
        if (after <= before) throw new Error(`the writer is alive but stopped writing (counter ${before} before, ${after} after)`);
        writerPasses = after - before;
      }
      const mig: Migration = {
        from, to, downtimeMs: m.downtimeMs, totalMs: m.totalMs, rounds: m.rounds, bytesSent: m.bytesSent,
        sentPerRamByte: Number((m.bytesSent / (memoryMiB * 1048576)).toFixed(3)),
        framesPerRound: m.framesPerRound, dirtyRate: m.dirtyRate, transferRate: m.transferRate,
        ...(m.steps ? { steps: m.steps } : {}), ...(m.switchMs !== undefined ? { switchMs: m.switchMs } : {}),
        answerMs: Math.round(answerMs), ...(writerPasses !== undefined ? { writerPasses } : {}),
        ...(guestRanPct !== undefined ? { guestRanPct } : {}),
      };
      res.migrations.push(mig);
      log(`${label}: ${from} → ${to}: downtime ${mig.downtimeMs} ms${mig.steps ? ` (${Object.entries(mig.steps).map(([k, v]) => `${k} ${v}`).join(", ")})` : ""}, total ${mig.totalMs} ms, ${mig.rounds} rounds [${mig.framesPerRound.join(", ")}], ${(mig.bytesSent / 1048576).toFixed(1)} MiB sent (${mig.sentPerRamByte} per RAM byte), dirty ${mig.dirtyRate} frames/s, answer ${mig.answerMs} ms${writerPasses !== undefined ? `, writer +${writerPasses} passes` : ""}${guestRanPct !== undefined ? `, guest ran at ${guestRanPct} % of its rest speed meanwhile` : ""}`);
      at = 1 - at;
    }
    const ms = res.migrations;
    res.median = {
      downtimeMs: median(ms.map((m) => m.downtimeMs)), totalMs: median(ms.map((m) => m.totalMs)), rounds: median(ms.map((m) => m.rounds)),
      bytesSent: median(ms.map((m) => m.bytesSent)), sentPerRamByte: median(ms.map((m) => m.sentPerRamByte)),
      dirtyRate: median(ms.map((m) => m.dirtyRate)), transferRate: median(ms.map((m) => m.transferRate)),
    };
    res.met = res.median.downtimeMs <= res.targetMs;
  } catch (e) {
    const tail = serverTail();
    res.error = `${step}: ${(e as Error).message}${tail ? `\n  wrangler's output (last lines):\n    ${tail.replace(/\n/g, "\n    ")}` : ""}`;
    log(`${label}: FAILED at ${res.error}`);
  } finally {
    if (vmId) {
      await api("POST", `/api/vms/${vmId}/power?action=stop`).catch(() => undefined);
      await api("DELETE", `/api/vms/${vmId}`).catch(() => undefined);
    }
  }
  return res;
}

// ---- report ----
function report(results: CaseResult[]): void {
  const mib = (b: number) => (b / 1048576).toFixed(1);
  console.log(`bench/migrate — small kernel, wrangler dev (workerd), ${runs} migration${runs > 1 ? "s" : ""} per case back and forth (median), tmpfs filled to ${FILL_FRACTION * 100} % of RAM, busy = ${BUSY_MIB} MiB rewritten continuously`);
  const head = ["case", "downtime", "(min–max)", "total", "rounds", "sent", "sent/RAM", "frames per round", "dirty rate", "target", "met"];
  const rows: string[][] = [head];
  for (const r of results) {
    const name = `${r.memoryMiB} MiB ${r.kind}`;
    if (!r.median) { rows.push([name, "—", "", "—", "—", "—", "—", "—", "—", `<= ${r.targetMs} ms`, "not measured"]); continue; }
    const d = r.migrations.map((m) => m.downtimeMs);
    const mid = r.migrations.find((m) => m.bytesSent === r.median!.bytesSent) ?? r.migrations[0]!;
    rows.push([name, `${r.median.downtimeMs} ms`, `${Math.min(...d)}–${Math.max(...d)}`, `${r.median.totalMs} ms`, String(r.median.rounds),
      `${mib(r.median.bytesSent)} MiB`, `${r.median.sentPerRamByte.toFixed(2)}`, mid.framesPerRound.join("/"), `${r.median.dirtyRate} f/s`,
      `<= ${r.targetMs} ms`, r.met ? "yes" : "no"]);
  }
  const widths = head.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log("  " + r.map((c, i) => (i === 0 || i === 7 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  "));
  console.log("per migration:");
  for (const r of results) {
    for (const m of r.migrations) {
      console.log(`  ${r.memoryMiB} MiB ${r.kind} ${m.from} → ${m.to}: downtime ${m.downtimeMs} ms${m.steps ? ` (${Object.entries(m.steps).map(([k, v]) => `${k} ${v}`).join(", ")}${m.switchMs !== undefined ? `; then switch ${m.switchMs}` : ""})` : ""}, total ${m.totalMs} ms, frames ${m.framesPerRound.join("/")}, ${mib(m.bytesSent)} MiB sent, ${m.transferRate} bytes/ms, dirty ${m.dirtyRate} frames/s, guest answer ${m.answerMs} ms after the task${m.writerPasses !== undefined ? `, writer +${m.writerPasses} passes` : ""}${m.guestRanPct !== undefined ? `, guest ran at ${m.guestRanPct} % of its rest speed during the migration` : ""}`);
    }
  }
  for (const r of results) if (r.error) console.log(`${r.memoryMiB} MiB ${r.kind}: not measured: ${r.error}`);
  const measured = results.filter((r) => r.median);
  if (measured.length) console.log(`Target: downtime <= ${TARGET_MS.idle} ms idle, <= ${TARGET_MS.busy} ms busy: ${measured.every((r) => r.met) ? "met" : "not met"}${measured.length < results.length ? " (for the cases measured)" : ""}`);
}

async function main(): Promise<void> {
  const results: CaseResult[] = [];
  let fatal: string | undefined;
  try {
    log("starting wrangler dev");
    await server.start();
    const kernel = (await api("POST", "/api/images?name=small&kind=kernel", new Uint8Array(readFileSync(KERNEL)))).id as string;
    const other = (await api("POST", "/api/hosts", { name: "bench-weur", region: "weur", memoryMiB: 4096 })).id as string;
    const hosts: [string, string] = ["host-default", other];
    for (const memoryMiB of sizes) {
      for (const kind of kinds) results.push(await runCase(kernel, hosts, memoryMiB, kind));
    }
  } catch (e) {
    fatal = `${(e as Error).message}\n${serverTail()}`;
    log(`bench/migrate: ${fatal}`);
  } finally {
    await server.dispose();
  }
  if (json) {
    console.log(JSON.stringify({ runs, fillFraction: FILL_FRACTION, busyMiB: BUSY_MIB, targetMs: TARGET_MS, cases: results, ...(fatal ? { error: fatal } : {}) }));
  } else {
    report(results);
    if (fatal) console.log(`not measured: ${fatal}`);
  }
  process.exitCode = fatal || results.some((r) => r.error) ? 1 : 0;
}

await main();
