// Runs the ISA conformance suite (tests/conformance/src, built with riscv64-unknown-elf-gcc)
// on the hart in-process: every program must print "PASS <name>" and exit 0 through the
// SiFive test device.
import { describe, it, expect, beforeAll } from "vitest";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { BareMetalMachine } from "../../src/machine/baremetal.js";
import { loadHartModule } from "../../src/cli/hart-module.js";

const here = dirname(fileURLToPath(import.meta.url));
const names = readdirSync(join(here, "src"))
  .filter((f) => f.endsWith(".S") || f.endsWith(".c"))
  .map((f) => f.replace(/\.(S|c)$/, ""))
  .sort();

let module: WebAssembly.Module;
beforeAll(async () => {
  const r = spawnSync("make", ["-C", here, "-s", "-j2"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`building the conformance suite failed:\n${r.stdout}${r.stderr}`);
  module = await loadHartModule();
});

describe("ISA conformance suite", () => {
  it.each(names)("%s", (name) => {
    const chunks: Uint8Array[] = [];
    const m = new BareMetalMachine(module, { memoryMiB: 64, console: { write: (b) => chunks.push(b.slice()) } });
    m.loadBytes(readFileSync(join(here, "build", `${name}.elf`)));
    const outcome = m.run(200_000_000n);
    const text = Buffer.concat(chunks).toString("latin1");
    expect(text).toContain(`PASS ${name}`);
    expect(outcome).toEqual({ kind: "pass" });
  });
});
