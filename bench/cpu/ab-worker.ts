// bench/cpu A/B worker: runs the bench ELF on two hart builds (hartA.wasm, hartB.wasm) in
// alternating slices inside workerd, so that both see the same machine over time.
// POST /?reps=N&slice=S with the ELF as the body → JSON {insns, totals: [msA, msB],
// kernels: [{kernel: ms}, {kernel: ms}]}. One untimed repetition runs first (tier-up).
//
// Timing is performance.now() around each slice: ab.ts runs this worker under the plain
// `workerd serve`, where the clock advances during compute (Miniflare's does not).

import hartA from "./hartA.wasm";
import hartB from "./hartB.wasm";
import { interleave } from "./ab-core.js";

export default {
  async fetch(req: Request): Promise<Response> {
    if (req.method !== "POST") return new Response("ok");
    const url = new URL(req.url);
    const reps = Number(url.searchParams.get("reps") ?? "2");
    const slice = BigInt(url.searchParams.get("slice") ?? "5000000");
    const elf = new Uint8Array(await req.arrayBuffer());
    const result = interleave([hartA as WebAssembly.Module, hartB as WebAssembly.Module], elf, reps, slice, () => performance.now());
    return Response.json(result);
  },
};
