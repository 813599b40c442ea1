// `edgevisor boot`: boots Linux on the virt machine with the console on the terminal
// (raw mode, Ctrl-A x quits as in QEMU) or on pipes. Exit codes: 0 when the guest powers
// off, 1 on a kernel panic, 2 on bad input, 3 when the host runs out of guest memory,
// 130 when the user quits with Ctrl-A x.

import { readFileSync, existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { VirtMachine, BootError, DEFAULT_CMDLINE } from "../machine/virt.js";
import { loadHartModule } from "./hart-module.js";
import { FileDisk } from "./file-disk.js";

export interface BootArgs {
  kernel?: string;
  initrd?: string;
  disks: string[];
  append?: string;
  memoryMiB?: number;
  /** Skip idle time at once instead of pacing it with wall time (tests, benchmarks). */
  fast?: boolean;
  /** Stop after this many cycles (exit 124). */
  maxInsns?: bigint;
}

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
export const DEBIAN_IMAGE = {
  kernel: join(root, "tools/guest/out/debian/Image"),
  initrd: join(root, "tools/guest/out/debian/initrd.cpio.gz"),
};

const PANIC = "Kernel panic - not syncing";
const SLICE = 20_000_000n;
/** Virtual ns per cycle at the nominal rate (10 cycles per 100 ns tick). */
const NS_PER_CYCLE = 10n;

function readInput(path: string, what: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new BootError(`cannot read ${what} ${path}: ${(e as Error).message}`);
  }
}

export async function bootCommand(args: BootArgs): Promise<number> {
  const kernelPath = args.kernel ?? DEBIAN_IMAGE.kernel;
  const initrdPath = args.initrd ?? (args.kernel ? undefined : DEBIAN_IMAGE.initrd);
  if (!args.kernel && !existsSync(kernelPath)) {
    process.stderr.write("edgevisor boot: no --kernel given and the Debian image is not built; run `npm run images`\n");
    return 2;
  }
  let kernel: Uint8Array;
  let initrd: Uint8Array | undefined;
  const disks: FileDisk[] = [];
  try {
    kernel = readInput(kernelPath, "kernel");
    initrd = initrdPath ? readInput(initrdPath, "initrd") : undefined;
    for (const d of args.disks) {
      try {
        disks.push(new FileDisk(d));
      } catch (e) {
        throw new BootError(`cannot open disk ${d}: ${(e as Error).message}`);
      }
    }
  } catch (e) {
    process.stderr.write(`edgevisor boot: ${(e as Error).message}\n`);
    return 2;
  }
  const module = await loadHartModule();
  const memoryMiB = args.memoryMiB ?? 256;

  let tail = "";
  let panicked = false;
  const out = process.stdout;
  const console_ = {
    write(b: Uint8Array) {
      out.write(b);
      tail = (tail + Buffer.from(b).toString("latin1")).slice(-256);
      if (tail.includes(PANIC)) panicked = true;
    },
  };

  const make = () =>
    new VirtMachine(module, {
      memoryMiB,
      kernel,
      ...(initrd ? { initrd } : {}),
      cmdline: args.append ?? DEFAULT_CMDLINE,
      disks,
      console: console_,
      bootWallNs: BigInt(Date.now()) * 1_000_000n,
    });
  let vm: VirtMachine;
  try {
    vm = make();
  } catch (e) {
    if (e instanceof BootError || e instanceof RangeError) {
      process.stderr.write(`edgevisor boot: ${e.message}\n`);
      return 2;
    }
    throw e;
  }

  // Console input: raw terminal (Ctrl-A x quits) or a pipe.
  let quit = false;
  let wake: (() => void) | undefined;
  const stdin = process.stdin;
  const tty = stdin.isTTY === true;
  if (tty) stdin.setRawMode(true);
  let ctrlA = false;
  const onData = (chunk: Buffer) => {
    const bytes: number[] = [];
    for (const b of chunk) {
      if (tty && ctrlA) {
        ctrlA = false;
        if (b === 0x78) { quit = true; break; } // Ctrl-A x
        if (b !== 0x01) bytes.push(0x01);
      } else if (tty && b === 0x01) {
        ctrlA = true;
        continue;
      }
      bytes.push(b);
    }
    if (bytes.length) vm.input(Uint8Array.from(bytes));
    wake?.();
  };
  stdin.on("data", onData);
  stdin.on("end", () => wake?.());
  stdin.resume();

  const cleanup = () => {
    stdin.off("data", onData);
    if (tty) stdin.setRawMode(false);
    stdin.pause();
    for (const d of disks) d.close();
  };

  const end = args.maxInsns;
  let code = 0;
  // Virtual time is paced against wall time while the guest is idle.
  let wallAnchor = performance.now();
  let virtAnchor = vm.hart.clock;
  try {
    while (true) {
      if (quit) { code = 130; break; }
      if (panicked) { code = 1; break; }
      if (end !== undefined && vm.hart.clock >= end) { code = 124; break; }
      const r = vm.run(SLICE);
      // Let stdin events in between slices.
      await new Promise<void>((res) => setImmediate(res));
      if (r.kind === "poweroff") break;
      if (r.kind === "reboot") { vm = make(); virtAnchor = vm.hart.clock; wallAnchor = performance.now(); continue; }
      if (r.kind === "out-of-memory") { process.stderr.write("\nedgevisor boot: out of host memory for guest RAM\n"); code = 3; break; }
      if (r.kind === "idle") {
        if (r.deadline === undefined) {
          if (args.fast && !vm.hasPendingInput) { await waitFor(50, (w) => { wake = w; }); }
          else await waitFor(1000, (w) => { wake = w; });
          continue;
        }
        const skip = r.deadline - vm.hart.clock;
        if (!args.fast) {
          // Wait until wall time reaches the deadline's virtual time (or input arrives).
          const targetMs = wallAnchor + Number((r.deadline - virtAnchor) * NS_PER_CYCLE) / 1e6;
          const waitMs = targetMs - performance.now();
          if (waitMs > 1) {
            const woke = await waitFor(waitMs, (w) => { wake = w; });
            if (woke) {
              // Input: advance virtual time only as far as wall time went.
              const elapsed = BigInt(Math.max(0, Math.floor((performance.now() - wallAnchor) * 1e6))) / NS_PER_CYCLE;
              const now = virtAnchor + elapsed;
              if (now > vm.hart.clock && now < r.deadline) vm.hart.advanceClock(now - vm.hart.clock);
              continue;
            }
          } else if (waitMs < -1000) {
            // The guest fell behind wall time (it was busy): re-anchor.
            wallAnchor = performance.now();
            virtAnchor = r.deadline;
          }
        }
        if (skip > 0n) vm.hart.advanceClock(skip);
      }
    }
  } finally {
    cleanup();
  }
  if (code === 1) process.stderr.write("\nedgevisor boot: kernel panic\n");
  if (code === 124) process.stderr.write(`\nedgevisor boot: stopped after --max-insns ${end}\n`);
  return code;
}

/** Resolves true if woken early (input), false after ms. */
function waitFor(ms: number, register: (wake: () => void) => void): Promise<boolean> {
  return new Promise((res) => {
    const t = setTimeout(() => res(false), ms);
    register(() => { clearTimeout(t); res(true); });
  });
}
