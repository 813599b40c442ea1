// `edgevisor boot` as a user runs it: `node bin/edgevisor.js boot ...` in a child process
// with the console on pipes. Uses the small kernel (tools/guest/out/small/Image, with a
// built-in initramfs; boots in about a second with --fast). Exit codes: 0 on power-off,
// 1 on a kernel panic, 2 on bad input.

import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { loadHartModule } from "../../src/cli/hart-module.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const bin = resolve(root, "bin/edgevisor.js");
const small = resolve(root, "tools/guest/out/small/Image");
const haveSmall = existsSync(small);

interface Result { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/**
 * Runs `edgevisor boot args`; `script` lists [waitForText, input] steps: each input is
 * written once its text has appeared on stdout (after the previous step's match).
 */
function boot(args: string[], script: [string, string][] = [], timeoutMs = 30_000): Promise<Result> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [bin, "boot", ...args], { cwd: root, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let from = 0;
    let step = 0;
    const advance = () => {
      while (step < script.length) {
        const [want, input] = script[step]!;
        const at = stdout.indexOf(want, from);
        if (at < 0) return;
        from = at + want.length;
        step++;
        child.stdin.write(input);
      }
    };
    child.stdout.setEncoding("latin1").on("data", (s: string) => { stdout += s; advance(); });
    child.stderr.setEncoding("utf8").on("data", (s: string) => { stderr += s; });
    child.stdin.on("error", () => {}); // the child may exit before reading everything
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      res({ code, signal, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  await loadHartModule(); // builds hart.wasm if stale, so the children do not race to build it
});

describe.concurrent("edgevisor boot", () => {
  it.skipIf(!haveSmall)("boots the small kernel, runs a command typed on stdin and exits 0 on poweroff", async () => {
    const version = readFileSync(resolve(root, "tools/guest/out/small/version.txt"), "utf8").trim();
    const r = await boot(["--kernel", small, "--fast", "--memory", "16"], [
      ["init done", "uname -r\n"],
      [`\n${version}`, "poweroff -f\n"],
    ]);
    expect(r.signal, `killed; output:\n${r.stdout.slice(-2000)}`).toBeNull();
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.replace(/\r/g, "").split("\n");
    // The output of the command itself: the version alone on a line, after the command.
    const cmd = lines.findIndex((l) => l.endsWith("uname -r"));
    expect(cmd).toBeGreaterThan(0);
    expect(lines.slice(cmd + 1)).toContain(version);
    expect(r.stdout).toContain(`Linux version ${version}`);
    expect(r.stdout).toContain("reboot: Power down");
    expect(r.stderr).toBe("");
  });

  it.skipIf(!haveSmall)("exits 1 when the kernel panics", async () => {
    // No init in the initramfs and no root device: "VFS: Unable to mount root fs".
    const r = await boot(["--kernel", small, "--fast", "--memory", "16", "--append", "console=ttyS0 rdinit=/nonexistent panic=0"]);
    expect(r.signal, `killed; output:\n${r.stdout.slice(-2000)}`).toBeNull();
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("Kernel panic - not syncing");
    expect(r.stderr).toContain("kernel panic");
  });

  it("exits 2 with one line on stderr for a kernel file that does not exist", async () => {
    const missing = resolve(root, "tmp/no-such-dir/Image");
    const r = await boot(["--kernel", missing]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    const lines = r.stderr.split("\n").filter((l) => l !== "");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(missing);
    expect(lines[0]).toMatch(/^edgevisor boot: cannot read kernel .*ENOENT/);
  });

  it("exits 2 for a kernel that is not a RISC-V kernel (/bin/true)", async () => {
    const r = await boot(["--kernel", "/bin/true", "--memory", "16"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    const lines = r.stderr.split("\n").filter((l) => l !== "");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^edgevisor boot: kernel: .*RISC-V/);
  });
});
