// The interleaving loop shared by bench/cpu/ab.ts (Node) and ab-worker.ts (workerd): two
// machines, one per hart build, run the same program in alternating slices of `slice`
// instructions; each slice's time is charged to its build and to the kernel it ran in
// (the last "kernel NAME:" line the program printed before it). On a shared, noisy host
// both builds see the same spells, which alternating whole runs do not.

import { BareMetalMachine } from "../../src/machine/baremetal.js";

export interface AbResult {
  /** Instructions of one repetition (the same for both builds, or the run is wrong). */
  insns: number;
  /** Milliseconds per build, summed over the timed repetitions. */
  totals: [number, number];
  /** Per build, milliseconds per kernel ("int" … "fp"). */
  kernels: [Record<string, number>, Record<string, number>];
}

const KERNELS = ["int", "mem", "sort", "muldiv", "fp"];

/** A machine of hart build `mod` with the program loaded; its console lines go to onLine. */
function machine(mod: WebAssembly.Module, elf: Uint8Array, onLine: (line: string) => void): BareMetalMachine {
  let line: number[] = [];
  const m = new BareMetalMachine(mod, {
    memoryMiB: 64,
    console: { write: (b) => { for (const x of b) { if (x === 10) { onLine(String.fromCharCode(...line)); line = []; } else line.push(x); } } },
  });
  m.loadBytes(elf);
  return m;
}

/** Runs reps + 1 repetitions of the ELF (the first untimed: the engine tiers up) on both builds. */
export function interleave(
  mods: [WebAssembly.Module, WebAssembly.Module],
  elf: Uint8Array,
  reps: number,
  slice: bigint,
  now: () => number,
): AbResult {
  const totals: [number, number] = [0, 0];
  const kernels: [Record<string, number>, Record<string, number>] = [{}, {}];
  const insns = [0, 0];
  for (let rep = 0; rep <= reps; rep++) {
    // The kernel running now: the one after the last result line seen.
    const current = [0, 0];
    const output: [string[], string[]] = [[], []];
    const machines = mods.map((mod, i) => machine(mod, elf, (line) => {
      output[i]!.push(line);
      if (/^kernel \w+:/.test(line)) current[i]!++;
    }));
    const done = [false, false];
    while (!done[0] || !done[1]) {
      for (const i of [0, 1] as const) {
        if (done[i]) continue;
        const kernel = KERNELS[current[i]!] ?? "end";
        const t0 = now();
        const reason = machines[i]!.hart.run(slice);
        const ms = now() - t0;
        if (rep > 0) {
          totals[i] += ms;
          kernels[i][kernel] = (kernels[i][kernel] ?? 0) + ms;
        }
        if (reason !== 0) done[i] = true;
      }
    }
    for (const i of [0, 1]) insns[i] = Number(machines[i]!.hart.instret);
    if (output[0].join("\n") !== output[1].join("\n")) {
      throw new Error(`the builds printed different results:\nA: ${output[0].join(" | ")}\nB: ${output[1].join(" | ")}`);
    }
    if (!output[0].some((l) => l.startsWith("checksum: "))) throw new Error(`the program did not finish: ${output[0].join(" | ")}`);
  }
  if (insns[0] !== insns[1]) throw new Error(`the builds retired different counts: ${insns[0]} and ${insns[1]}`);
  return { insns: insns[0]!, totals, kernels };
}
