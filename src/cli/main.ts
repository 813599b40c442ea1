// The `edgevisor` command line: argument parsing and dispatch to subcommands.

import { runCommand } from "./run.js";
import { bootCommand } from "./boot.js";
import { migrateCommand, maintenanceCommand } from "./migrate.js";
import { ApiCallError, defaultToken, type ApiTarget } from "./api-client.js";

const USAGE = `usage: edgevisor <command> [options]

commands:
  run <prog.elf> [--max-insns N] [--memory MiB] [--trace]
      run a bare-metal RV64 ELF in M-mode; UART 0x10000000 on stdout; exit code from
      the SiFive test device (0x100000) or the riscv-tests tohost symbol
  boot [--kernel Image] [--initrd I] [--disk D.img]... [--append "..."] [--memory MiB]
       [--fast] [--max-insns N]
      boot Linux on the virt machine (default: the Debian image from "npm run images");
      console on the terminal (Ctrl-A x quits) or on pipes; exit 0 on poweroff, 1 on panic
  migrate <vm> --host <host> [--downtime-ms N] [--url U] [--token T]
      live-migrate a VM of a running service (npm start) to another host, with a progress
      bar; prints downtime, total time, rounds and bytes sent
  maintenance <host> enter|exit [--url U] [--token T]
      put a host in maintenance mode (its VMs migrate away) or take it out
  (the service: --url, EDGEVISOR_URL or http://127.0.0.1:8787; the token: --token,
   EDGEVISOR_TOKEN or EDGEVISOR_ADMIN_TOKEN in ./.dev.vars)
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

/** The value of option `name`, found at index i of args. */
function valueAt(args: string[], i: number, name: string): string {
  const v = args[i];
  if (v === undefined) throw new UsageError(`${name} needs a value`);
  return v;
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
          const val = () => valueAt(rest, ++i, o);
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
      case "migrate":
      case "maintenance": {
        const pos: string[] = [];
        let url = process.env.EDGEVISOR_URL ?? "http://127.0.0.1:8787";
        let token = defaultToken();
        let host: string | undefined;
        let downtimeMs: number | undefined;
        for (let i = 0; i < rest.length; i++) {
          const o = rest[i]!;
          const val = () => valueAt(rest, ++i, o);
          if (o === "--url") url = val();
          else if (o === "--token") token = val();
          else if (o === "--host" && cmd === "migrate") host = val();
          else if (o === "--downtime-ms" && cmd === "migrate") downtimeMs = Number(parseIntArg("--downtime-ms", rest[++i], 1n, 10_000n));
          else if (o.startsWith("--")) throw new UsageError(`unknown option ${o}`);
          else pos.push(o);
        }
        if (!token) throw new UsageError("no API token: pass --token, set EDGEVISOR_TOKEN, or run from the directory whose .dev.vars npm start wrote");
        const t: ApiTarget = { url, token };
        const out = { write: (s: string) => { process.stdout.write(s); }, isTTY: process.stdout.isTTY === true };
        try {
          if (cmd === "migrate") {
            if (pos.length !== 1 || !host) throw new UsageError("migrate needs a VM id and --host <host id>");
            return await migrateCommand(t, pos[0]!, host, out, downtimeMs !== undefined ? { downtimeMs } : {});
          }
          if (pos.length !== 2 || (pos[1] !== "enter" && pos[1] !== "exit")) throw new UsageError("maintenance needs a host id and enter or exit");
          return await maintenanceCommand(t, pos[0]!, pos[1], out);
        } catch (e) {
          if (e instanceof ApiCallError) {
            process.stderr.write(`edgevisor: ${e.message}\n`);
            return 1;
          }
          throw e;
        }
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
