// Test driver for Linux guests: builds a VirtMachine from the images of tools/guest,
// runs it with idle time skipped (virtual time jumps to the next timer), types into the
// console and waits for output.
import { readFileSync, existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { VirtMachine, type VirtConfig } from "../../src/machine/virt.js";
import { loadHartModule } from "../../src/cli/hart-module.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
export const OUT = join(root, "tools/guest/out");

export function image(rel: string): Uint8Array {
  const p = join(OUT, rel);
  if (!existsSync(p)) throw new Error(`${p} is missing: run \`npm run images\` (and \`npm run images:small\`) first`);
  return readFileSync(p);
}

export class Guest {
  vm!: VirtMachine;
  out = "";
  private mark = 0;

  private constructor(private readonly module: WebAssembly.Module, private readonly cfg: Omit<VirtConfig, "console">) {}

  static async boot(cfg: Omit<VirtConfig, "console">): Promise<Guest> {
    const g = new Guest(await loadHartModule(), cfg);
    g.start();
    return g;
  }

  /** (Re)creates the machine: first boot, after a guest reboot, or from a snapshot. */
  start(extra: Partial<VirtConfig> = {}): void {
    this.vm = new VirtMachine(this.module, {
      ...this.cfg,
      ...extra,
      console: { write: (b) => { this.out += Buffer.from(b).toString("latin1"); } },
    });
  }

  type(text: string): void {
    this.mark = this.out.length;
    this.vm.input(new TextEncoder().encode(text));
  }

  /** Output since the last type() (or since waitFor's start). */
  get recent(): string {
    return this.out.slice(this.mark);
  }

  /**
   * Runs until `text` appears after the mark, within maxCycles. A guest reboot restarts
   * the machine (as a host would); a power-off ends the wait with an error unless
   * expected by `until: "poweroff"`.
   */
  waitFor(text: string | "poweroff", maxCycles = 5_000_000_000n): string {
    const start = this.vm.hart.clock;
    const from = this.mark;
    while (true) {
      if (text !== "poweroff" && this.out.indexOf(text, from) >= 0) return this.out.slice(from);
      if (this.vm.hart.clock - start > maxCycles) {
        throw new Error(`timed out waiting for ${JSON.stringify(text)}; output so far:\n${this.out.slice(-3000)}`);
      }
      const r = this.vm.run(50_000_000n);
      if (r.kind === "poweroff") {
        if (text === "poweroff") return this.out.slice(from);
        throw new Error(`guest powered off while waiting for ${JSON.stringify(text)}:\n${this.out.slice(-3000)}`);
      }
      if (r.kind === "reboot") { this.start(); continue; }
      if (r.kind === "out-of-memory") throw new Error("host memory for the guest ran out");
      if (r.kind === "idle") {
        if (r.deadline === undefined) throw new Error(`guest idle forever waiting for ${JSON.stringify(text)}:\n${this.out.slice(-3000)}`);
        const skip = r.deadline - this.vm.hart.clock;
        if (skip > 0n) this.vm.hart.advanceClock(skip);
      }
    }
  }

  /** Types a command line and returns its output up to the next prompt. */
  run(cmd: string, prompt = "# "): string {
    this.type(`${cmd}\n`);
    let got = this.waitFor(`\n${prompt}`).replace(/\r/g, "");
    // Drop the echoed command line and the next prompt.
    got = got.slice(0, got.lastIndexOf(`\n${prompt}`) + 1);
    const nl = got.indexOf("\n");
    return nl >= 0 ? got.slice(nl + 1) : got;
  }
}
