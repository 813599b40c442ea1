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

describe("virtio devices under Linux (small kernel)", () => {
  it("inflates the balloon (pages leave the frame table), reads virtio-rng, reads the RTC", async () => {
    const g = await Guest.boot({ memoryMiB: 32, kernel: image("small/Image"), entropySeed: 1234n });
    g.waitFor("init done");
    g.waitFor("# ");
    // Touch memory so there is something to give back.
    g.run("dd if=/dev/zero of=/tmp/fill bs=1024 count=4096 && rm /tmp/fill");
    const before = g.vm.hart.framesInUse;
    const balloon = g.vm.balloon!;
    balloon.setTarget(2048); // 8 MiB
    g.run("sleep 1");
    g.run("sleep 1");
    expect(balloon.actual).toBe(2048);
    expect(g.vm.hart.framesInUse).toBeLessThan(before - 1024);
    expect(g.run("grep MemTotal /proc/meminfo")).toMatch(/MemTotal:\s+\d+ kB/);
    balloon.setTarget(0);
    g.run("sleep 1");
    expect(balloon.actual).toBe(0);

    const rng = g.run("cat /sys/class/misc/hw_random/rng_current; head -c 8 /dev/hwrng | od -An -tx1");
    expect(rng).toContain("virtio_rng");
    expect(rng).toMatch(/([0-9a-f]{2}\s+){7}[0-9a-f]{2}/);
    expect(g.out).toMatch(/goldfish_rtc 101000.rtc: registered as rtc0/);
    g.type("poweroff -f\n");
    g.waitFor("poweroff");
  }, 300_000);
});
