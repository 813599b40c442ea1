// bench/clone: how fast a booted VM is cloned and woken, and what clones cost in memory,
// measured against the real service (wrangler dev: workerd, miniflare's D1/KV/DO storage).
//
//   node --experimental-websocket --import tsx bench/clone/run.ts [--json] [--runs N]
//   (Node 20 needs the flag for the console WebSocket; without it the console is polled)
//
// 1. Boots the small kernel in a 32 MiB VM and takes a memory snapshot of it at the shell.
// 2. Warm clone: POST /api/vms/:id/clone {snapshot} while the isolate holds the snapshot's
//    frames; times the API answer and the clone's first new console output (its answer to a
//    command typed right after the clone call returns, over the clone's console WebSocket,
//    whose opening is counted). Median over every clone made: max(--runs, 10), since the
//    memory figure needs 10 anyway (--runs defaults to 5 for the other figures). One clone
//    at a time, each after a 500 ms pause (the figure is one clone's latency in a warm
//    service, not a burst's: the previous clone's own after-work is over). Each is followed
//    by one sent to the Worker's own port (see 3), the two alternating.
//    The same for a guest that prints by itself (a counter every 10 ms): from the clone call
//    to the first output the clone produced, seen by a viewer of new output on its socket.
// 3. Memory: 10 clones of the booted VM, each having run one command, against the VM itself:
//    each clone's own wasm memory (hart tables, decoded code, frames it wrote) plus what the
//    isolate holds once for all of them: the snapshot frames they map, and their decoded code.
//    The warm clones sent to the Worker's own port bypass wrangler's dev proxy (a
//    local-development layer production does not have): the service's own latency.
// 4. Wake: a VM hibernated by its idle timeout, from typed input to its answer.
// 5. Cold: wrangler dev is restarted (every object evicted, the isolate's caches empty), then
//    the same clone measurement, and the wake of a VM that was running before the restart;
//    --runs restarts, medians.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { WranglerDev, apiClient, root } from "../lib/wrangler-dev.js";
import { hasWebSocket, openConsole } from "../lib/console-socket.js";

const PORT = 8799;
const BASE = `http://127.0.0.1:${PORT}`;
const TOKEN = "bench-clone-token";
const args = process.argv.slice(2);
const json = args.includes("--json");
const runs = Number(args[args.indexOf("--runs") + 1] ?? 5) || 5;

const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));
/** Pause before each timed warm clone. */
const SETTLE_MS = 500;

const api = apiClient(BASE, TOKEN);

/**
 * Types `echo <tag>-$((20+22))` and resolves when `<tag>-42` appears. Over the console
 * WebSocket when this Node has one (opening it is part of the time), as an interactive user
 * types; otherwise console/input and console/output polled every 2 ms (those polls load the
 * thread the VM runs on, see bench/lib/console-socket.ts).
 *
 * Over the socket the client behaves as a terminal: busybox's line editor asks for the
 * cursor position (ESC [ 6 n) after each prompt and, when no answer came, waits 20 ms after
 * the next line before running it. After the answer has appeared the next prompt's query
 * is answered (outside the timing), so the VM is left as a terminal would leave it; the
 * snapshot taken after the first answer therefore holds no pending query.
 */
async function answer(vm: string, tag: string, from?: number, base = BASE): Promise<void> {
  const want = `${tag}-42`;
  if (hasWebSocket()) {
    const t0 = performance.now();
    const sock = await openConsole(base, vm, TOKEN);
    try {
      sock.send(`echo ${tag}-$((20+22))\n`);
      lastInputMs = performance.now() - t0;
      const until = performance.now() + 60_000;
      while (!sock.text().includes(want)) {
        if (performance.now() > until) throw new Error(`no answer from ${vm}: ${sock.text()}`);
        await sock.more();
      }
      answeredAt = performance.now();
      const rest = () => sock.text().slice(sock.text().indexOf(want));
      while (!rest().includes(CURSOR_QUERY)) {
        if (performance.now() > until) throw new Error(`no prompt after the answer from ${vm}: ${sock.text()}`);
        await sock.more();
      }
      sock.send(CURSOR_REPORT);
    } finally {
      sock.close();
    }
    return;
  }
  let next = from ?? (await api("GET", `/api/vms/${vm}/console/output?from=${Number.MAX_SAFE_INTEGER}`)).next;
  const t0 = performance.now();
  await api("POST", `/api/vms/${vm}/console/input`, `echo ${tag}-$((20+22))\n`);
  lastInputMs = performance.now() - t0;
  let seen = "";
  const until = performance.now() + 60_000;
  while (!seen.includes(want)) {
    const r = await api("GET", `/api/vms/${vm}/console/output?from=${next}`);
    seen += r.data;
    next = r.next;
    if (performance.now() > until) throw new Error(`no answer from ${vm}: ${seen}`);
    if (!seen.includes(want)) await sleep(2);
  }
  answeredAt = performance.now();
}

async function cloneTiming(src: string, snap: string, name: string, base = BASE): Promise<{ apiMs: number; firstOutputMs: number; id: string }> {
  const t0 = performance.now();
  const r = await fetch(`${base}/api/vms/${src}/clone`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}` }, body: JSON.stringify({ name, snapshot: snap }) });
  const apiMs = performance.now() - t0;
  const c = await r.json() as { id: string };
  if (r.status !== 201) throw new Error(`clone: ${r.status} ${JSON.stringify(c)}`);
  serverMs.push(Number(/dur=(\d+)/.exec(r.headers.get("server-timing") ?? "")?.[1] ?? NaN));
  await answer(c.id, name.replace(/[^a-z0-9]/g, ""), 0, base);
  const firstOutputMs = answeredAt - t0;
  if (process.env.BENCH_VERBOSE) process.stderr.write(`${name}: clone ${apiMs.toFixed(1)} ms (server ${serverMs.at(-1)} ms), input ${hasWebSocket() ? "(socket open + send) " : ""}${lastInputMs.toFixed(1)} ms, output after ${(firstOutputMs - apiMs - lastInputMs).toFixed(1)} ms\n`);
  return { apiMs, firstOutputMs, id: c.id };
}

async function shellPrompt(vm: string): Promise<void> {
  for (let next = 0, out = ""; !/init done[\s\S]*# /.test(out);) {
    const r = await api("GET", `/api/vms/${vm}/console/output?from=${next}`);
    out += r.data; next = r.next;
    await sleep(5);
  }
}

let lastInputMs = 0;
/** When the last answer() saw its output (the socket client then answers the next prompt's query). */
let answeredAt = 0;
/** The line editor's cursor position query, and a terminal's report (row 24, column 3: after "# "). */
const CURSOR_QUERY = "\x1b[6n";
const CURSOR_REPORT = "\x1b[24;3R";
const serverMs: number[] = [];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mib = (b: number) => (b / 1048576).toFixed(1);

async function main(): Promise<void> {
  const server = new WranglerDev(PORT, TOKEN, { EDGEVISOR_IDLE_TIMEOUT_SECONDS: "3600" }, "bench-clone", true);
  try {
    await server.start();
    const kernel = (await api("POST", "/api/images?name=small&kind=kernel", new Uint8Array(readFileSync(join(root, "tools/guest/out/small/Image"))))).id;
    const vm = await api("POST", "/api/vms", { name: "base", memoryMiB: 32, boot: { kernel }, powerOn: true });
    const tBoot = performance.now();
    await shellPrompt(vm.id);
    const bootMs = performance.now() - tBoot;
    await answer(vm.id, "ready");
    const tSnap = performance.now();
    const snap = await api("POST", `/api/vms/${vm.id}/snapshots`, { name: "booted" });
    const snapMs = performance.now() - tSnap;

    // Warm clones through wrangler's dev proxy (kept running: their memory is measured
    // below), each followed by one sent straight to the Worker's own port (stopped after):
    // the proxy, which production does not have, is out of the way there and everything
    // else is the same, the two alternating so both meet the same conditions.
    const warm: { apiMs: number; firstOutputMs: number }[] = [];
    const direct: { apiMs: number; firstOutputMs: number }[] = [];
    const directBase = hasWebSocket() ? server.directBase : undefined;
    const cloneIds: string[] = [];
    for (let i = 0; i < Math.max(runs, 10); i++) {
      // One clone at a time, each in a settled service: the previous clone's own work after
      // its answer (its checkpoint, the spare object started for the next one) is over.
      await sleep(SETTLE_MS);
      const r = await cloneTiming(vm.id, snap.id, `warm${i}`);
      cloneIds.push(r.id);
      warm.push(r);
      if (directBase) {
        await sleep(SETTLE_MS);
        const d = await cloneTiming(vm.id, snap.id, `direct${i}`, directBase);
        direct.push(d);
        await api("POST", `/api/vms/${d.id}/power?action=stop`);
      }
    }
    // A guest that prints on its own (a counter every 10 ms): the clone's first output needs
    // no typed command, only the clone call and one read of its console.
    const ticker = await api("POST", "/api/vms", { name: "ticker", memoryMiB: 32, boot: { kernel }, powerOn: true });
    await shellPrompt(ticker.id);
    await api("POST", `/api/vms/${ticker.id}/console/input`, "i=0; while :; do i=$((i+1)); echo tick-$i; usleep 10000; done\n");
    await sleep(500);
    const tickSnap = await api("POST", `/api/vms/${ticker.id}/snapshots`, { name: "ticking" });
    const printing: number[] = [];
    for (let i = 0; i < runs; i++) {
      await sleep(SETTLE_MS);
      const t0 = performance.now();
      const c = await api("POST", `/api/vms/${ticker.id}/clone`, { name: `tick${i}`, snapshot: tickSnap.id });
      if (hasWebSocket()) {
        // A viewer of new output only (no replay of the snapshot's history), as a terminal attaches.
        const sock = await openConsole(BASE, c.id, TOKEN, Number.MAX_SAFE_INTEGER);
        try {
          while (!/tick-\d+/.test(sock.text())) {
            if (performance.now() - t0 > 30_000) throw new Error("the ticking clone printed nothing");
            await sock.more();
          }
        } finally {
          sock.close();
        }
      } else {
        let next = (await api("GET", `/api/vms/${c.id}/console/output?from=${Number.MAX_SAFE_INTEGER}`)).next;
        const start = next;
        for (;;) {
          const r = await api("GET", `/api/vms/${c.id}/console/output?from=${next}`);
          next = r.next;
          if (next > start && /tick-\d+/.test(r.data)) break;
          if (performance.now() - t0 > 30_000) throw new Error("the ticking clone printed nothing");
        }
      }
      printing.push(performance.now() - t0);
      await api("POST", `/api/vms/${c.id}/power?action=stop`);
    }
    await api("POST", `/api/vms/${ticker.id}/power?action=stop`);

    const t1 = performance.now();
    for (let i = 0; i < 10; i++) await api("GET", `/api/vms/${vm.id}/power`);
    const roundTripMs = (performance.now() - t1) / 10;
    const one = (await api("GET", `/api/vms/${vm.id}`)).stats;
    let clonesBytes = 0;
    let shared = 0;
    let sharedCode = 0;
    let mappedFrames = 0;
    let isolateBytes = 0;
    for (const id of cloneIds.slice(0, 10)) {
      const s = (await api("GET", `/api/vms/${id}`)).stats;
      clonesBytes += s.hostMemoryBytes;
      shared = s.sharedPackBytes;
      sharedCode = s.sharedCodeBytes ?? 0;
      mappedFrames += s.sharedFrames ?? 0;
      isolateBytes = s.isolateMemoryBytes ?? 0;
    }


    const sleepy = await api("POST", "/api/vms", { name: "sleepy", memoryMiB: 32, boot: { kernel }, powerOn: true, idleTimeoutSeconds: 1 });
    await shellPrompt(sleepy.id);
    await answer(sleepy.id, "ready"); // its first prompt's query answered, as a terminal would
    const wakes: number[] = [];
    for (let i = 0; i < runs; i++) {
      await sleep(2500);
      const t = performance.now();
      await answer(sleepy.id, `wake${i}`);
      wakes.push(answeredAt - t);
    }

    // Cold: a fresh server process, nothing in memory, --runs times (the restart is what
    // makes it cold; one sample alone varied 90-290 ms on the noisy build machine).
    const colds: { apiMs: number; firstOutputMs: number }[] = [];
    const evictedWakes: number[] = [];
    for (let i = 0; i < runs; i++) {
      await server.stop();
      await server.start();
      colds.push(await cloneTiming(vm.id, snap.id, `cold${i}`));
      const t = performance.now();
      await answer(vm.id, `evicted${i}`);
      evictedWakes.push(answeredAt - t);
    }
    const cold = { apiMs: median(colds.map((c) => c.apiMs)), firstOutputMs: median(colds.map((c) => c.firstOutputMs)) };
    const evictedWakeMs = median(evictedWakes);

    const result = {
      bootToShellMs: Math.round(bootMs),
      snapshotMs: Math.round(snapMs),
      snapshotFrames: snap.frames,
      snapshotStoredBytes: snap.storedBytes,
      warmCloneApiMs: Math.round(median(warm.map((w) => w.apiMs))),
      warmCloneFirstOutputMs: Math.round(median(warm.map((w) => w.firstOutputMs))),
      coldCloneApiMs: Math.round(cold.apiMs),
      coldCloneFirstOutputMs: Math.round(cold.firstOutputMs),
      hibernatedWakeMs: Math.round(median(wakes)),
      evictedWakeMs: Math.round(evictedWakeMs),
      oneVmHostBytes: one.hostMemoryBytes,
      tenClonesHostBytes: clonesBytes,
      sharedSnapshotBytes: shared,
      sharedCodeBytes: sharedCode,
      framesMappedPerClone: Math.round(mappedFrames / 10),
      isolateMemoryBytes: isolateBytes,
      apiRoundTripMs: Number(roundTripMs.toFixed(1)),
      printingCloneFirstOutputMs: Math.round(median(printing)),
      ...(direct.length ? {
        directWarmCloneApiMs: Math.round(median(direct.map((w) => w.apiMs))),
        directWarmCloneFirstOutputMs: Math.round(median(direct.map((w) => w.firstOutputMs))),
      } : {}),
    };
    if (json) { console.log(JSON.stringify(result)); return; }
    const ratio = (clonesBytes + shared + sharedCode) / one.hostMemoryBytes;
    console.log(`bench/clone — small kernel, 32 MiB VM, wrangler dev (workerd), medians of ${Math.max(runs, 10)} warm clones and ${runs} of the rest`);
    console.log(`  boot to shell                      ${result.bootToShellMs} ms`);
    console.log(`  memory snapshot of the booted VM   ${result.snapshotMs} ms (${snap.frames} frames, ${mib(snap.storedBytes)} MiB stored)`);
    console.log(`  warm clone: API answer             ${result.warmCloneApiMs} ms`);
    console.log(`  warm clone: first console output   ${result.warmCloneFirstOutputMs} ms   (target <= 50 ms)`);
    console.log(`  warm clone of a printing guest: first new output ${result.printingCloneFirstOutputMs} ms`);
    if (direct.length) {
      console.log(`  the same warm clones without wrangler's dev proxy (the Worker's own port):`);
      console.log(`    API answer ${result.directWarmCloneApiMs} ms, first console output ${result.directWarmCloneFirstOutputMs} ms`);
    }
    console.log(`  cold clone: API answer             ${result.coldCloneApiMs} ms`);
    console.log(`  cold clone: first console output   ${result.coldCloneFirstOutputMs} ms   (target <= 300 ms)`);
    console.log(`  wake a hibernated VM               ${result.hibernatedWakeMs} ms`);
    console.log(`  wake a VM after eviction (restart) ${result.evictedWakeMs} ms`);
    console.log(`  one API round trip (GET power)     ${result.apiRoundTripMs} ms`);
    console.log(`  memory: one booted VM              ${mib(one.hostMemoryBytes)} MiB of wasm memory`);
    console.log(`  memory: 10 clones                  ${mib(clonesBytes)} MiB of their own + ${mib(shared)} MiB of shared snapshot frames + ${mib(sharedCode)} MiB of their decoded code`);
    console.log(`                                     (each maps ${result.framesMappedPerClone} snapshot frames; the isolate's whole wasm memory: ${mib(isolateBytes)} MiB)`);
    console.log(`  10 clones / one VM                 ${ratio.toFixed(2)}x   (target <= 2x)`);
  } finally {
    await server.dispose();
  }
}

await main();
