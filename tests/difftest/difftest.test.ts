// Differential testing against qemu-system-riscv64: random RV64GC programs (tests/difftest/gen.mjs)
// must produce byte-identical signatures (registers, FP registers, fcsr, trap log, memory) on
// QEMU and on Edgevisor. CI runs a few hundred; `npm run difftest -- --count N` runs more.
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const COUNT = Number(process.env.DIFFTEST_COUNT ?? 300);
const SEED = Number(process.env.DIFFTEST_SEED ?? 1);

describe("differential testing against QEMU", () => {
  it(`${COUNT} random programs agree with QEMU`, () => {
    const r = spawnSync(process.execPath, [join(here, "run.mjs"), "--count", String(COUNT), "--seed", String(SEED)], {
      encoding: "utf8",
      maxBuffer: 64 << 20,
    });
    const out = `${r.stdout}${r.stderr}`;
    const summary = /^(\d+) passed, (\d+) failed$/m.exec(out);
    expect(summary, out.slice(-4000)).not.toBeNull();
    expect(Number(summary![2]), out.slice(-4000)).toBe(0);
    expect(Number(summary![1])).toBe(COUNT);
    expect(r.status).toBe(0);
  });
});
