// A real Linux program, compared with QEMU: tests/linux/programs/userland.c is built with
// Debian's riscv64-linux-gnu-gcc (static glibc), put on an ext4 disk, and run from the
// small kernel's shell under qemu-system-riscv64 and under Edgevisor. Both print the same
// lines (libm results, fenv flags per rounding mode, long double, strtod, atomics, signal
// handlers, fork), so the outputs must be identical, byte for byte.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { Guest, image, OUT } from "./guest.js";
import { MemoryBlockBackend } from "../../src/machine/devices/virtio/memory-backend.js";

const here = dirname(fileURLToPath(import.meta.url));
const CMD = "echo BEGIN-$((1+1)); /mnt/userland; echo END-$((1+2))";

/** The program's output between the markers (the echoed command line cannot match them). */
function between(console: string): string | undefined {
  const text = console.replace(/\r/g, "");
  const a = text.indexOf("BEGIN-2\n");
  const b = text.indexOf("END-3", a);
  return a < 0 || b < 0 ? undefined : text.slice(a + "BEGIN-2\n".length, b);
}

function underQemu(disk: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const q = spawn("qemu-system-riscv64", [
      "-machine", "virt", "-m", "64M", "-smp", "1", "-nographic", "-bios", "default",
      "-kernel", join(OUT, "small/Image"), "-append", "console=ttyS0",
      "-drive", `file=${disk},format=raw,if=none,id=d0,snapshot=on`, "-device", "virtio-blk-device,drive=d0",
    ], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let typed = false;
    const timer = setTimeout(() => { q.kill(); reject(new Error(`QEMU timed out; console tail: ${JSON.stringify(out.slice(-400))}`)); }, 180_000);
    q.on("error", (e) => { clearTimeout(timer); reject(e); });
    q.stdout.on("data", (b: Buffer) => {
      out += b.toString("latin1");
      const booted = out.indexOf("init done");
      if (!typed && booted >= 0 && out.indexOf("# ", booted) >= 0) {
        typed = true;
        q.stdin.write(`${CMD}\n`);
      }
      const got = between(out);
      if (got !== undefined) { clearTimeout(timer); q.kill(); resolve(got); }
    });
  });
}

function underEdgevisor(disk: Uint8Array): Promise<string> {
  return Guest.boot({ memoryMiB: 64, kernel: image("small/Image"), disks: [new MemoryBlockBackend(disk)] }).then((g) => {
    g.waitFor("init done");
    g.waitFor("# ");
    g.type(`${CMD}\n`);
    g.waitFor("END-3");
    const got = between(g.out);
    if (got === undefined) throw new Error(`no output markers: ${JSON.stringify(g.out.slice(-400))}`);
    return got;
  });
}

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
    const [qemu, ours] = await Promise.all([underQemu(diskPath), underEdgevisor(new Uint8Array(readFileSync(diskPath)))]);
    // The program ran to its end on both (and the signal handlers and fork worked).
    expect(qemu).toMatch(/^mode 3: /m);
    expect(qemu).toMatch(/^signals 4 [0-9a-f]{16}$/m);
    expect(qemu).toMatch(/^fork 97 /m);
    expect(qemu).toMatch(/^final [0-9a-f]{16}$/m);
    expect(ours.split("\n")).toEqual(qemu.split("\n"));
  });
});
