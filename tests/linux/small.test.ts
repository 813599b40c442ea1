// The small kernel built from Debian's linux-source-6.1 with the project's config
// (tools/guest/small-kernel.config, initramfs built in) boots in a few MiB: shell commands,
// ext4 on /dev/vda across a reboot, poweroff, and a snapshot restored into a fresh machine.
import { describe, it, expect } from "vitest";
import { Guest, image } from "./guest.js";
import { MemoryBlockBackend } from "../../src/machine/devices/virtio/memory-backend.js";

describe("the small kernel", () => {
  it("boots to a shell in 16 MiB, keeps ext4 data across a reboot, resumes from a snapshot", async () => {
    const disk = new MemoryBlockBackend(new Uint8Array(image("disk.img")));
    const g = await Guest.boot({ memoryMiB: 16, kernel: image("small/Image"), disks: [disk] });
    g.waitFor("init done");
    g.waitFor("# ");
    const bootInsns = g.vm.hart.instret;
    expect(bootInsns).toBeLessThan(400_000_000n);
    expect(g.run("uname -r").trim()).toMatch(/^6\.1\./);
    const cpuinfo = g.run("cat /proc/cpuinfo");
    expect(cpuinfo).toMatch(/isa\s*: rv64imafdc/);
    expect(cpuinfo).toMatch(/mmu\s*: sv39/);
    expect(g.run("cat /mnt/hello.txt").trim()).toBe("hello from the edgevisor test disk");
    g.run("echo small-kernel-was-here > /mnt/small.txt && sync");

    const snap = g.vm.snapshot();
    g.start({ restore: snap, disks: [disk] });
    expect(g.run("cat /mnt/small.txt").trim()).toBe("small-kernel-was-here");

    g.type("reboot -f\n");
    g.waitFor("Linux version 6.1");
    g.waitFor("init done");
    g.waitFor("# ");
    expect(g.run("cat /mnt/small.txt").trim()).toBe("small-kernel-was-here");
    g.type("poweroff -f\n");
    g.waitFor("poweroff");
  }, 300_000);
});
