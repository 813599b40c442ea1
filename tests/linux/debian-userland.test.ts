// Debian's own programs, compared with QEMU: the userland disk (tools/guest, out/userland.img:
// gawk, mawk, bc, coreutils, xz, openssl and python3.13 unpacked from Debian's riscv64
// packages, dynamically linked against Debian's glibc) is mounted by the small kernel, and
// each command runs with `chroot /mnt` under qemu-system-riscv64 and under Edgevisor. Every
// command's output must be identical, byte for byte.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { join } from "node:path";
import { image, OUT } from "./guest.js";
import { QemuShell, EdgevisorShell } from "./beside-qemu.js";

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

describe("Debian's own programs, QEMU beside Edgevisor", () => {
  let qemu: QemuShell | undefined;
  afterAll(() => qemu?.close());

  let disk: Uint8Array;
  beforeAll(() => { disk = image("userland.img"); });

  it("gawk, mawk, bc, coreutils, xz, openssl and python3.13 print the same under both", async () => {
    qemu = new QemuShell(join(OUT, "userland.img"), 128);
    const ours = await EdgevisorShell.boot(new Uint8Array(disk), 128);
    await qemu.ready();
    const results: { cmd: string; qemu: string; ours: string }[] = [];
    for (const [i, cmd] of COMMANDS.entries()) {
      const n = 10 * (i + 1);
      // QEMU works on the command in its own process while this one runs Edgevisor's turn.
      const theirs = qemu.exec(cmd, n);
      const mine = ours.exec(cmd, n);
      results.push({ cmd, qemu: await theirs, ours: mine });
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
