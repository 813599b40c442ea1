// `edgevisor run prog.elf`: runs a bare-metal RV64 ELF in M-mode with the UART on
// stdout. Exit codes: 0 pass, the program's code on failure, 2 bad input, 124 when
// --max-insns is reached, 3 when the hart sleeps forever or RAM is exhausted.

import { readFileSync } from "node:fs";
import { BareMetalMachine } from "../machine/baremetal.js";
import { ElfError } from "../machine/boot/elf.js";
import { loadHartModule } from "./hart-module.js";

export interface RunArgs {
  file: string;
  maxInsns: bigint;
  memoryMiB: number;
  trace: boolean;
}

export async function runCommand(args: RunArgs): Promise<number> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(args.file);
  } catch (e) {
    process.stderr.write(`edgevisor run: cannot read ${args.file}: ${(e as Error).message}\n`);
    return 2;
  }
  const module = await loadHartModule();
  const out = process.stdout;
  const m = new BareMetalMachine(module, {
    memoryMiB: args.memoryMiB,
    console: { write: (b) => out.write(b) },
  });
  try {
    m.loadBytes(bytes);
  } catch (e) {
    if (e instanceof ElfError || e instanceof RangeError) {
      process.stderr.write(`edgevisor run: ${args.file}: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const t0 = performance.now();
  const r = args.trace ? traceRun(m, args.maxInsns) : m.run(args.maxInsns);
  const ms = performance.now() - t0;
  const insns = m.hart.instret;
  if (process.env.EDGEVISOR_STATS) {
    process.stderr.write(`edgevisor: ${insns} instructions in ${ms.toFixed(1)} ms (${(Number(insns) / ms / 1000).toFixed(1)} MIPS)\n`);
  }
  await new Promise<void>((res) => out.write("", () => res()));
  switch (r.kind) {
    case "pass": return 0;
    case "fail":
      if (r.test !== undefined) process.stderr.write(`edgevisor run: test ${r.test} failed (tohost)\n`);
      // Exit statuses keep 8 bits: a code that would read as 0 (or be cut) exits 1.
      if (r.code < 1 || r.code > 255) {
        process.stderr.write(`edgevisor run: the program failed with code ${r.code}\n`);
        return 1;
      }
      return r.code;
    case "limit":
      process.stderr.write(`edgevisor run: stopped after --max-insns ${args.maxInsns} instructions (pc=0x${m.hart.pc.toString(16)})\n`);
      return 124;
    case "wfi-forever":
      process.stderr.write(`edgevisor run: the hart waits for an interrupt that can never come (pc=0x${m.hart.pc.toString(16)})\n`);
      return 3;
    case "out-of-memory":
      process.stderr.write("edgevisor run: host memory for guest RAM exhausted\n");
      return 3;
  }
}

/** --trace: one line per instruction (clock, privilege, pc) on stderr; slow, for debugging. */
function traceRun(m: BareMetalMachine, max: bigint): ReturnType<BareMetalMachine["run"]> {
  const h = m.hart;
  const end = h.clock + max;
  while (h.clock < end) {
    process.stderr.write(`${h.clock} ${"USHM"[h.priv]} ${h.pc.toString(16).padStart(16, "0")}\n`);
    const r = m.step(1n, end);
    if (r) return r;
  }
  return { kind: "limit" };
}
