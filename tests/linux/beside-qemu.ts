// Running the same shell commands on the small kernel under qemu-system-riscv64 and under
// Edgevisor, with one disk, and taking each command's output: the command is wrapped in
// markers computed by the shell (BEGIN-$((n+1)) … END-$((n+2))), so the echoed command
// line can never match them.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { join } from "node:path";
import { Guest, image, OUT } from "./guest.js";
import { MemoryBlockBackend } from "../../src/machine/devices/virtio/memory-backend.js";

const marked = (cmd: string, n: number) => `echo BEGIN-$((${n}+1)); ${cmd}; echo END-$((${n}+2))\n`;

/** The output between command n's markers in console text after `from` (undefined until complete). */
function between(text: string, n: number, from: number): string | undefined {
  const t = text.slice(from).replace(/\r/g, "");
  const begin = `BEGIN-${n + 1}\n`;
  const a = t.indexOf(begin);
  const b = a < 0 ? -1 : t.indexOf(`END-${n + 2}`, a);
  return b < 0 ? undefined : t.slice(a + begin.length, b);
}

/** The small kernel under QEMU with `disk` (never written: snapshot=on), driven one command at a time. */
export class QemuShell {
  private out = "";
  private readonly q: ChildProcessWithoutNullStreams;
  private wake = () => {};

  constructor(disk: string, memoryMiB: number) {
    this.q = spawn("qemu-system-riscv64", [
      "-machine", "virt", "-m", `${memoryMiB}M`, "-smp", "1", "-nographic", "-bios", "default",
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

  /** Resolves at the shell prompt after the guest's init. */
  async ready(): Promise<void> {
    await this.until(() => { const i = this.out.indexOf("init done"); return i >= 0 && this.out.indexOf("# ", i) >= 0; }, "shell prompt");
  }

  /** Sends command n (numbers must differ between commands); the promise gives its output. */
  exec(cmd: string, n: number): Promise<string> {
    const from = this.out.length;
    this.q.stdin.write(marked(cmd, n));
    let got: string | undefined;
    return this.until(() => (got = between(this.out, n, from)) !== undefined, `output of ${cmd}`).then(() => got!);
  }

  close(): void { this.q.kill(); }
}

/** The same small kernel and disk bytes on Edgevisor (in this process), at its shell prompt. */
export class EdgevisorShell {
  private constructor(private readonly g: Guest) {}

  static async boot(disk: Uint8Array, memoryMiB: number): Promise<EdgevisorShell> {
    const g = await Guest.boot({ memoryMiB, kernel: image("small/Image"), disks: [new MemoryBlockBackend(disk)] });
    g.waitFor("init done");
    g.waitFor("# ");
    return new EdgevisorShell(g);
  }

  /** Runs command n to its end (synchronously: QEMU goes on in its own process meanwhile). */
  exec(cmd: string, n: number): string {
    const from = this.g.out.length;
    this.g.type(marked(cmd, n));
    this.g.waitFor(`END-${n + 2}`, 100_000_000_000n);
    const got = between(this.g.out, n, from);
    if (got === undefined) throw new Error(`no output markers: ${JSON.stringify(this.g.out.slice(-400))}`);
    return got;
  }
}
