// The `edgevisor run` command as a user runs it: `node bin/edgevisor.js run prog.elf ...`
// in a child process, checking the exit code, stdout (the guest UART) and stderr.
// Spawns run concurrently; each costs about a second of tsx start-up.

import { execFile } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadHartModule } from "../../src/cli/hart-module.js";
import { ProgramBuilder } from "./programs/toolchain.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const bin = resolve(root, "bin/edgevisor.js");

interface Result { code: number | null; signal: string | null; stdout: string; stderr: string; ms: number }

function edgevisor(args: string[], timeoutMs = 20_000): Promise<Result> {
  const t0 = performance.now();
  return new Promise((res) => {
    const child = execFile(process.execPath, [bin, ...args], {
      cwd: root, timeout: timeoutMs, killSignal: "SIGKILL", maxBuffer: 64 << 20, encoding: "utf8",
    }, (_err, stdout, stderr) => {
      res({ code: child.exitCode, signal: child.signalCode, stdout, stderr, ms: performance.now() - t0 });
    });
  });
}

const lines = (s: string): string[] => s.split("\n").filter((l) => l !== "");

let progs: ProgramBuilder;
const elf: Record<string, string> = {};

beforeAll(async () => {
  await loadHartModule(); // builds hart.wasm if stale, so the children do not race to build it
  progs = new ProgramBuilder();
  elf.hello = progs.build("hello");
  elf.fail42 = progs.build("hello", { defines: { FAIL_CODE: 42 } });
  elf.fail256 = progs.build("hello", { defines: { FAIL_CODE: 256 } });
  elf.tohost3 = progs.build("tohost", { defines: { TOHOST_VALUE: (3 << 1) | 1 } });
  elf.loop = progs.build("loop");
  elf.wfi = progs.build("wfi");
  elf.wfiTimer = progs.build("wfi", { defines: { TIMER: 100 } });
  elf.high = progs.build("hello", { base: 0x8020_0000n });
  elf.text = progs.file("notes.txt", "these are not the instructions you are looking for\n".repeat(4));
});
afterAll(() => progs?.cleanup());

describe.concurrent("edgevisor run", () => {
  it("exits 0 and prints the UART output for a passing program", async () => {
    const r = await edgevisor(["run", elf.hello!]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("hello from rv64\n");
    expect(r.stderr).toBe("");
  });

  it("exits with the program's failure code", async () => {
    const r = await edgevisor(["run", elf.fail42!]);
    expect(r.code).toBe(42);
    expect(r.stdout).toBe("hello, failing\n");
  });

  // BUG (src/cli/run.ts): the SiFive fail code becomes the process exit status unreduced,
  // and the OS keeps only its low 8 bits, so a program failing with code 256 (or any
  // multiple of 256) exits 0 — reported as a pass. Remove `.fails` once fixed.
  it("a failure code that is a multiple of 256 still exits non-zero", async () => {
    const r = await edgevisor(["run", elf.fail256!]);
    expect(r.stdout).toBe("hello, failing\n");
    expect(r.code).not.toBe(0);
  });

  it("exits 1 and names the failing test for a riscv-tests tohost failure", async () => {
    const r = await edgevisor(["run", elf.tohost3!]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("tohost program\n");
    expect(r.stderr).toMatch(/test 3 failed/);
  });

  it("exits 2 with one line on stderr for a missing file", async () => {
    const missing = resolve(progs.dir, "no-such-program.elf");
    const r = await edgevisor(["run", missing]);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toContain(`cannot read ${missing}`);
    expect(r.stderr).toMatch(/ENOENT/);
    expect(r.stdout).toBe("");
  });

  it("exits 2 with one line on stderr for a file that is not ELF", async () => {
    const r = await edgevisor(["run", elf.text!]);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/notes\.txt: not an ELF file/);
  });

  it("exits 2 with one line naming the address for a segment outside RAM", async () => {
    const r = await edgevisor(["run", elf.high!, "--memory", "1"]);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/segment at 0x80200000 .*outside RAM/);
    expect(r.stdout).toBe("");
  });

  it("exits 124 with a message when a runaway loop reaches --max-insns", async () => {
    const r = await edgevisor(["run", elf.loop!, "--max-insns", "100000"]);
    expect(r.code).toBe(124);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/stopped after --max-insns 100000 instructions \(pc=0x8000000[24]\)/);
  });

  it("exits 3 when the program waits for an interrupt that cannot come", async () => {
    const r = await edgevisor(["run", elf.wfi!]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/waits for an interrupt that can never come/);
  });

  it("exits 2 for a non-numeric --max-insns", async () => {
    const r = await edgevisor(["run", elf.hello!, "--max-insns", "abc"]);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)[0]).toBe('edgevisor: --max-insns needs a non-negative integer, got "abc"');
    expect(r.stdout).toBe("");
  });

  it("exits 2 for an unknown option", async () => {
    const r = await edgevisor(["run", elf.hello!, "--frobnicate"]);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)[0]).toBe("edgevisor: unknown option --frobnicate");
    expect(r.stdout).toBe("");
  });

  it("--trace prints one '<clock> M <pc>' line per instruction on stderr", async () => {
    const r = await edgevisor(["run", elf.hello!, "--trace"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("hello from rv64\n");
    const trace = lines(r.stderr);
    expect(trace.length).toBeGreaterThan(20);
    for (const l of trace) expect(l).toMatch(/^\d+ M [0-9a-f]{16}$/);
    expect(trace[0]).toBe("0 M 0000000080000000");
    // One line per cycle, in order, all inside the program.
    trace.forEach((l, i) => {
      const [clock, , pc] = l.split(" ");
      expect(Number(clock)).toBe(i);
      expect(BigInt(`0x${pc}`) - 0x8000_0000n).toBeLessThan(0x1000n);
    });
  });

  // BUG (src/cli/run.ts traceRun): under --trace each step is m.run(1n, 1n), whose end is
  // clock + 1; a WFI with a timer armed further out therefore reports "limit" without
  // skipping time, the clock never advances, and the loop prints the same line forever
  // (--max-insns does not bound it). Remove `.fails` once fixed.
  it("--trace through a WFI with a timer armed finishes", async () => {
    const r = await edgevisor(["run", elf.wfiTimer!, "--trace", "--max-insns", "100000"], 4000);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("woke\n");
  });
});
