// bench/cpu worker: runs a bare-metal RV64 ELF on Edgevisor inside workerd.
// POST /run?memoryMiB=N with the ELF as the body → JSON {instret, ms, output, outcome}.
// Any other request answers at once (run.ts uses it to measure the round trip).
//
// `ms` is what performance.now() says around the run; workerd does not advance its
// clocks during synchronous compute (Spectre mitigation), so it is typically 0 and
// run.ts measures wall time from the Node side instead.

import { hartModule } from "../../src/machine/core/hart-module.workerd.js";
import { BareMetalMachine } from "../../src/machine/baremetal.js";

const MAX_INSNS = 5_000_000_000n;

export default {
  async fetch(req: Request): Promise<Response> {
    const url = new URL(req.url);
    if (req.method !== "POST" || url.pathname !== "/run") return new Response("ok");
    const elf = new Uint8Array(await req.arrayBuffer());
    const memoryMiB = Number(url.searchParams.get("memoryMiB") ?? "64");
    const out: Uint8Array[] = [];
    const m = new BareMetalMachine(hartModule, { memoryMiB, console: { write: (b) => { out.push(b.slice()); } } });
    m.loadBytes(elf);
    const t0 = performance.now();
    const r = m.run(MAX_INSNS);
    const ms = performance.now() - t0;
    let len = 0;
    for (const c of out) len += c.length;
    const all = new Uint8Array(len);
    len = 0;
    for (const c of out) { all.set(c, len); len += c.length; }
    return Response.json({
      instret: m.hart.instret.toString(),
      ms,
      output: new TextDecoder().decode(all),
      outcome: r.kind,
    });
  },
};
