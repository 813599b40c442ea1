// A real Linux program, compared with QEMU: tests/linux/programs/userland.c is built with
// Debian's riscv64-linux-gnu-gcc (static glibc), put on an ext4 disk, and run from the
// small kernel's shell under qemu-system-riscv64 and under Edgevisor. Both print the same
// lines (libm results, fenv flags per rounding mode, long double, strtod, atomics, signal
// handlers, fork), so the outputs must be identical, byte for byte.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { QemuShell, EdgevisorShell } from "./beside-qemu.js";

const here = dirname(fileURLToPath(import.meta.url));

describe("a Linux user program, QEMU beside Edgevisor", () => {
  let dir = "";
  let diskPath = "";

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "edgevisor-userland-"));
    const root = join(dir, "root");
    mkdirSync(root);
    execFileSync("riscv64-linux-gnu-gcc", ["-O2", "-static", "-Wall", "-o", join(root, "userland"), join(here, "programs/userland.c"), "-lm"], { stdio: "pipe" });
    diskPath = join(dir, "disk.img");
    execFileSync("mke2fs", ["-q", "-F", "-t", "ext4", "-d", root, diskPath, "16M"], { stdio: "pipe" });
  });
  afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  it("prints the same lines under both, byte for byte", async () => {
    const shell = new QemuShell(diskPath, 64);
    try {
      const edgevisor = await EdgevisorShell.boot(new Uint8Array(readFileSync(diskPath)), 64);
      await shell.ready();
      const theirs = shell.exec("/mnt/userland", 1);
      const ours = edgevisor.exec("/mnt/userland", 1);
      const qemu = await theirs;
      // The program ran to its end on both (and the signal handlers and fork worked).
      expect(qemu).toMatch(/^mode 3: /m);
      expect(qemu).toMatch(/^signals 4 [0-9a-f]{16}$/m);
      expect(qemu).toMatch(/^fork 97 /m);
      expect(qemu).toMatch(/^final [0-9a-f]{16}$/m);
      expect(ours.split("\n")).toEqual(qemu.split("\n"));
    } finally {
      shell.close();
    }
  });
});
