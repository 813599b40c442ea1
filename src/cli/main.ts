// The `edgevisor` command line: argument parsing and dispatch to subcommands.

import { runCommand } from "./run.js";
import { bootCommand } from "./boot.js";

const USAGE = `usage: edgevisor <command> [options]

commands:
  run <prog.elf> [--max-insns N] [--memory MiB] [--trace]
      run a bare-metal RV64 ELF in M-mode; UART 0x10000000 on stdout; exit code from
      the SiFive test device (0x100000) or the riscv-tests tohost symbol
  boot [--kernel Image] [--initrd I] [--disk D.img]... [--append "..."] [--memory MiB]
       [--fast] [--max-insns N]
      boot Linux on the virt machine (default: the Debian image from "npm run images");
      console on the terminal (Ctrl-A x quits) or on pipes; exit 0 on poweroff, 1 on panic
`;

export class UsageError extends Error {}

function parseIntArg(name: string, v: string | undefined, min: bigint, max: bigint): bigint {
  if (v === undefined || !/^(0x[0-9a-f]+|[0-9]+)$/i.test(v.replace(/_/g, ""))) {
    throw new UsageError(`${name} needs a non-negative integer, got ${v === undefined ? "nothing" : JSON.stringify(v)}`);
  }
  const n = BigInt(v.replace(/_/g, ""));
  if (n < min || n > max) throw new UsageError(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case "run": {
        let file: string | undefined;
        let maxInsns = 1_000_000_000n;
        let memoryMiB = 128;
        let trace = false;
        for (let i = 0; i < rest.length; i++) {
          const a = rest[i]!;
          if (a === "--max-insns") maxInsns = parseIntArg("--max-insns", rest[++i], 1n, 1n << 62n);
          else if (a === "--memory") memoryMiB = Number(parseIntArg("--memory", rest[++i], 1n, 4095n));
          else if (a === "--trace") trace = true;
          else if (a.startsWith("--")) throw new UsageError(`unknown option ${a}`);
          else if (file === undefined) file = a;
          else throw new UsageError(`unexpected argument ${a}`);
        }
        if (!file) throw new UsageError("run needs an ELF file");
        return await runCommand({ file, maxInsns, memoryMiB, trace });
      }
      case "boot": {
        const a: Parameters<typeof bootCommand>[0] = { disks: [] };
        for (let i = 0; i < rest.length; i++) {
          const o = rest[i]!;
          const val = () => {
            const v = rest[++i];
            if (v === undefined) throw new UsageError(`${o} needs a value`);
            return v;
          };
          if (o === "--kernel") a.kernel = val();
          else if (o === "--initrd") a.initrd = val();
          else if (o === "--disk") a.disks.push(val());
          else if (o === "--append") a.append = val();
          else if (o === "--memory") a.memoryMiB = Number(parseIntArg("--memory", rest[++i], 4n, 4095n));
          else if (o === "--max-insns") a.maxInsns = parseIntArg("--max-insns", rest[++i], 1n, 1n << 62n);
          else if (o === "--fast") a.fast = true;
          else throw new UsageError(`unknown option ${o}`);
        }
        return await bootCommand(a);
      }
      case undefined:
      case "help":
      case "--help":
      case "-h":
        process.stdout.write(USAGE);
        return cmd === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command ${cmd}`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`edgevisor: ${e.message}\n${USAGE}`);
      return 2;
    }
    throw e;
  }
}
