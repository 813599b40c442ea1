// Builds small bare-metal RV64 test programs with the cross toolchain, into a temp dir.
// Sources live next to this file (tests/unit/programs/*.S); tests call buildProgram()
// from beforeAll, so the ELF files always match the sources.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const PROGRAMS_DIR = dirname(fileURLToPath(import.meta.url));
export const GCC = process.env.RISCV_GCC ?? "riscv64-unknown-elf-gcc";

export interface BuildOptions {
  /** -D definitions for the C preprocessor (name → value, or true for a bare -Dname). */
  defines?: Record<string, string | number | true>;
  /** Load address of .text (default 0x80000000). */
  base?: bigint;
}

/** A temp dir for one test file's builds; call cleanup() in afterAll. */
export class ProgramBuilder {
  readonly dir = mkdtempSync(join(tmpdir(), "edgevisor-progs-"));
  private n = 0;

  /** Assembles tests/unit/programs/<name>.S; returns the ELF path. */
  build(name: string, opts: BuildOptions = {}): string {
    const base = opts.base ?? 0x8000_0000n;
    const id = `${name}-${this.n++}`;
    const ld = join(this.dir, `${id}.ld`);
    writeFileSync(ld, linkerScript(base));
    const out = join(this.dir, `${id}.elf`);
    const defs = Object.entries(opts.defines ?? {}).map(([k, v]) => (v === true ? `-D${k}` : `-D${k}=${v}`));
    execFileSync(GCC, [
      "-march=rv64gc", "-mabi=lp64d", "-nostdlib", "-nostartfiles", "-static",
      "-Wl,--no-relax", `-T${ld}`, ...defs,
      "-o", out, join(PROGRAMS_DIR, `${name}.S`),
    ], { stdio: ["ignore", "ignore", "pipe"] });
    return out;
  }

  /** Builds and returns the ELF bytes. */
  bytes(name: string, opts: BuildOptions = {}): Uint8Array {
    return new Uint8Array(readFileSync(this.build(name, opts)));
  }

  /** Writes an arbitrary file into the temp dir; returns its path. */
  file(name: string, data: Uint8Array | string): string {
    const p = join(this.dir, name);
    writeFileSync(p, data);
    return p;
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function linkerScript(base: bigint): string {
  return `OUTPUT_ARCH(riscv)
ENTRY(_start)
SECTIONS {
  . = 0x${base.toString(16)};
  .text : { *(.text.init) *(.text .text.*) }
  . = ALIGN(0x1000);
  .tohost : { *(.tohost) }
  . = ALIGN(0x1000);
  .data : { *(.data .data.* .rodata .rodata.*) }
  .bss : { *(.bss .bss.* COMMON) }
  /DISCARD/ : { *(.riscv.attributes) *(.comment) }
}
`;
}

/** Collects console bytes as text. */
export class TextSink {
  private chunks: number[] = [];
  write(bytes: Uint8Array): void {
    for (const b of bytes) this.chunks.push(b);
  }
  get text(): string {
    return Buffer.from(this.chunks).toString("latin1");
  }
  clear(): void {
    this.chunks = [];
  }
}
