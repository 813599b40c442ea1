// Debian's own riscv64 kernel (package linux-image-6.12.*-riscv64) and busybox-static, from
// `npm run images`, boot on the virt machine: shell commands work, ext4 on /dev/vda keeps a
// file across a guest reboot, poweroff ends the run, and a snapshot of a running shell
// continues in a fresh machine.
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Guest, image, OUT } from "./guest.js";
import { MemoryBlockBackend } from "../../src/machine/devices/virtio/memory-backend.js";

const version = () => readFileSync(join(OUT, "debian/version.txt"), "utf8").trim();

describe("Debian's riscv64 kernel", () => {
  it("boots to a shell in 128 MiB held in 96 MiB, runs commands, and a snapshot continues the session", async () => {
    // The service's default budget: a guest may hold at most 96 MiB of host memory. This
    // kernel zeroes about 42 MiB it never uses again; zero-page reclaim gives it back.
    const cap = 96 * 256;
    const g = await Guest.boot({ memoryMiB: 128, maxResidentFrames: cap, kernel: image("debian/Image"), initrd: image("debian/initrd.cpio.gz") });
    g.waitFor("init done");
    g.waitFor("# ");
    expect(g.vm.hart.zeroFramesReclaimed).toBeGreaterThan(32 * 256);
    expect(g.vm.hart.framesInUse).toBeLessThanOrEqual(cap);
    expect(g.out).toContain("Linux version 6.12");
    expect(g.run("uname -r").trim()).toBe(version());
    const cpuinfo = g.run("cat /proc/cpuinfo");
    expect(cpuinfo).toMatch(/isa\s*: rv64imafdc/);
    expect(cpuinfo).toMatch(/mmu\s*: sv39/);
    expect(g.run("echo $((6 * 7))").trim()).toBe("42");
    g.run("X=kept-in-memory");

    // Save the running machine and resume it in a brand-new one.
    const snap = g.vm.snapshot();
    const before = g.vm.hart.stateHash();
    g.start({ restore: snap });
    expect(g.vm.hart.stateHash()).toBe(before);
    expect(g.run("echo $X").trim()).toBe("kept-in-memory");
    g.type("poweroff -f\n");
    g.waitFor("poweroff");
  }, 600_000);

  it("keeps a file written to ext4 on /dev/vda across a guest reboot", async () => {
    const disk = new MemoryBlockBackend(new Uint8Array(image("disk.img")));
    const g = await Guest.boot({
      memoryMiB: 128, kernel: image("debian/Image"), initrd: image("debian/initrd.cpio.gz"), disks: [disk],
    });
    g.waitFor("init done");
    g.waitFor("# ");
    expect(g.run("mount")).toMatch(/\/dev\/vda on \/mnt type ext4/);
    g.run("echo survives-reboot > /mnt/edgevisor-test.txt");
    g.run("sync");
    g.type("reboot -f\n");
    g.waitFor("Linux version 6.12");
    g.waitFor("init done");
    g.waitFor("# ");
    expect(g.run("cat /mnt/edgevisor-test.txt").trim()).toBe("survives-reboot");
    g.type("poweroff -f\n");
    g.waitFor("poweroff");
  }, 600_000);
});
