// Debian's own programs, compared with QEMU: the userland disk (tools/guest, out/userland.img:
// gawk, mawk, bc, coreutils, xz, openssl and python3.13 unpacked from Debian's riscv64
// packages, dynamically linked against Debian's glibc) is mounted by the small kernel, and
// each command runs with `chroot /mnt` under qemu-system-riscv64 and under Edgevisor. Every
// command's output must be identical, byte for byte.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { join } from "node:path";
import { Guest, image, OUT } from "./guest.js";
import { MemoryBlockBackend } from "../../src/machine/devices/virtio/memory-backend.js";

const C = "chroot /mnt";
const PY = "/usr/bin/python3.13";
/** Each runs in the small kernel's busybox shell; the disk is mounted on /mnt. */
const COMMANDS = [
  `${C} /usr/bin/gawk 'BEGIN{for(i=1;i<=20000;i++)s+=sin(i)*log(i)+exp(-i/1000); printf "%.17g %.17g %d\\n", s, atan2(s,3), 2^53+1}'`,
  `${C} /usr/bin/mawk 'BEGIN{for(i=1;i<=20000;i++)s+=cos(i)/sqrt(i); printf "%.17g\\n", s; print 2^0.5, int(-3.7), 1e300*1e10, substr("riscv",2,3)}'`,
  `echo "scale=200; 4*a(1); e(1); l(2); sqrt(2); 2^300 % 1000003" | ${C} /usr/bin/bc -l | tr -d '\\\\\\n'; echo`,
  `${C} /usr/bin/sha256sum ${PY}; ${C} /usr/bin/b2sum ${PY} | cut -c1-64; ${C} /usr/bin/cksum ${PY}`,
  `${C} /usr/bin/head -c 1048576 ${PY} | ${C} /usr/bin/xz -3 | ${C} /usr/bin/sha256sum`,
  `${C} /usr/bin/openssl dgst -sha512 ${PY}; ${C} /usr/bin/openssl enc -aes-256-cbc -K 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f -iv 0f0e0d0c0b0a09080706050403020100 -in ${PY} | ${C} /usr/bin/md5sum`,
  `${C} /usr/bin/factor 1234567890123456789012 18446744073709551557 340282366920938463463374607431768211297`,
  `${C} /usr/bin/seq 1 30000 | ${C} /usr/bin/sort -r | ${C} /usr/bin/md5sum; ${C} /usr/bin/seq -f %.3e 1 7 1000 | ${C} /usr/bin/tail -n 2`,
  // PYTHONHASHSEED=0: the small kernel has no entropy source for Python's hash seed.
  `PYTHONHASHSEED=0 ${C} ${PY} -c "import math, struct; d = {str(i * 7919 % 100003): i for i in range(30000)}; ` +
    `print(repr(sum(math.sin(i) * math.log1p(i) for i in range(20000))), repr(math.fsum([0.1] * 10)), (2**521 - 1) % 1000003, ` +
    `struct.pack('<d', math.pi).hex(), float('1e-320'), round(2.675, 2), len(d), sum(d.values()) % 99991, sorted(d)[:3], ` +
    `'%.20e' % sum(1 / (k * k) for k in range(1, 30000)))"`,
];

const marked = (cmd: string, n: number) => `echo BEGIN-$((${n}+1)); ${cmd}; echo END-$((${n}+2))\n`;
/** The output between a command's markers (the echoed command line cannot match them). */
function between(text: string, n: number, from = 0): string | undefined {
  const t = text.slice(from).replace(/\r/g, "");
  const begin = `BEGIN-${n + 1}\n`;
  const a = t.indexOf(begin);
  const b = a < 0 ? -1 : t.indexOf(`END-${n + 2}`, a);
  return b < 0 ? undefined : t.slice(a + begin.length, b);
}

/** The small kernel with the userland disk under QEMU, driven one command at a time. */
class QemuShell {
  private out = "";
  private readonly q: ChildProcessWithoutNullStreams;
  private wake = () => {};

  constructor(disk: string) {
    this.q = spawn("qemu-system-riscv64", [
      "-machine", "virt", "-m", "128M", "-smp", "1", "-nographic", "-bios", "default",
      "-kernel", join(OUT, "small/Image"), "-append", "console=ttyS0",
      "-drive", `file=${disk},format=raw,if=none,id=d0,snapshot=on`, "-device", "virtio-blk-device,drive=d0",
    ]);
    this.q.stdout.on("data", (b: Buffer) => { this.out += b.toString("latin1"); this.wake(); });
  }

  private async until(ok: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 300_000;
    while (!ok()) {
      if (Date.now() > deadline || this.q.exitCode !== null) throw new Error(`QEMU: no ${what}; console tail: ${JSON.stringify(this.out.slice(-400))}`);
      await new Promise<void>((res) => { this.wake = res; setTimeout(res, 200); });
    }
  }

  async ready(): Promise<void> {
    await this.until(() => { const i = this.out.indexOf("init done"); return i >= 0 && this.out.indexOf("# ", i) >= 0; }, "shell prompt");
  }

  /** Sends a command; the promise gives its output. */
  exec(cmd: string, n: number): Promise<string> {
    const from = this.out.length;
    this.q.stdin.write(marked(cmd, n));
    let got: string | undefined;
    return this.until(() => (got = between(this.out, n, from)) !== undefined, `output of ${cmd}`).then(() => got!);
  }

  close(): void { this.q.kill(); }
}

describe("Debian's own programs, QEMU beside Edgevisor", () => {
  let qemu: QemuShell | undefined;
  afterAll(() => qemu?.close());

  let disk: Uint8Array;
  beforeAll(() => { disk = image("userland.img"); });

  it("gawk, mawk, bc, coreutils, xz, openssl and python3.13 print the same under both", async () => {
    qemu = new QemuShell(join(OUT, "userland.img"));
    const g = await Guest.boot({ memoryMiB: 128, kernel: image("small/Image"), disks: [new MemoryBlockBackend(new Uint8Array(disk))] });
    g.waitFor("init done");
    g.waitFor("# ");
    await qemu.ready();
    const results: { cmd: string; qemu: string; ours: string }[] = [];
    for (const [i, cmd] of COMMANDS.entries()) {
      const n = 10 * (i + 1);
      // QEMU works on the command in its own process while this one runs Edgevisor's turn.
      const theirs = qemu.exec(cmd, n);
      const from = g.out.length;
      g.type(marked(cmd, n));
      g.waitFor(`END-${n + 2}`, 100_000_000_000n);
      results.push({ cmd, qemu: await theirs, ours: between(g.out, n, from)! });
    }
    // The programs really ran (a missing library would print the same error on both).
    const all = results.map((r) => r.qemu).join("");
    expect(all).toMatch(/^3\.1415926535897932384626433832795028841971693993751058209749445923078164/m);
    expect(all).toContain("1234567890123456789012: 2 2 3 7 5413 32237 84225392753");
    expect(all).toMatch(/SHA2-512\(.*\)= [0-9a-f]{128}/);
    expect(all).toContain("1.64490073295933125763e+00");
    expect(all).not.toMatch(/not found|error while loading|Segmentation|Illegal/i);
    for (const r of results) expect(r.ours, r.cmd).toBe(r.qemu);
  });
});
