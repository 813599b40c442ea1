// The ELF loader (src/machine/boot/elf.ts) on real and damaged files, and the bare-metal
// machine's check that every segment lies in RAM.

import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadHartModule } from "../../src/cli/hart-module.js";
import { BareMetalMachine } from "../../src/machine/baremetal.js";
import { ElfError, parseElf } from "../../src/machine/boot/elf.js";
import { ProgramBuilder, TextSink } from "./programs/toolchain.js";

let mod: WebAssembly.Module;
let progs: ProgramBuilder;
let hello: Uint8Array;
let tohost: Uint8Array;

beforeAll(async () => {
  mod = await loadHartModule();
  progs = new ProgramBuilder();
  hello = progs.bytes("hello");
  tohost = progs.bytes("tohost", { defines: { TOHOST_VALUE: 1 } });
});
afterAll(() => progs?.cleanup());

const view = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** A copy of the file with `edit` applied. */
function patched(file: Uint8Array, edit: (dv: DataView, b: Uint8Array) => void): Uint8Array {
  const b = file.slice();
  edit(view(b), b);
  return b;
}

/** Offset of the first PT_LOAD program header. */
function firstLoad(file: Uint8Array): number {
  const dv = view(file);
  const phoff = Number(dv.getBigUint64(32, true));
  const phentsize = dv.getUint16(54, true);
  const phnum = dv.getUint16(56, true);
  for (let i = 0; i < phnum; i++) if (dv.getUint32(phoff + i * phentsize, true) === 1) return phoff + i * phentsize;
  throw new Error("no PT_LOAD");
}

function parseError(file: Uint8Array): ElfError {
  try {
    parseElf(file);
  } catch (e) {
    expect(e).toBeInstanceOf(ElfError);
    return e as ElfError;
  }
  throw new Error("parseElf accepted the file");
}

describe("parseElf on valid programs", () => {
  it("returns the entry point, the loadable bytes and the tohost symbol", () => {
    const img = parseElf(hello);
    expect(img.entry).toBe(0x8000_0000n);
    expect(img.segments.length).toBeGreaterThanOrEqual(1);
    const text = img.segments.find((s) => s.paddr === 0x8000_0000n)!;
    expect(text).toBeDefined();
    expect(text.memSize).toBeGreaterThanOrEqual(BigInt(text.data.length));
    // The greeting is in some segment's bytes.
    const all = img.segments.map((s) => Buffer.from(s.data).toString("latin1")).join("");
    expect(all).toContain("hello from rv64\n");
    expect(img.symbols.has("tohost")).toBe(false);

    const t = parseElf(tohost);
    const addr = t.symbols.get("tohost");
    expect(addr).toBeDefined();
    expect(addr! % 64n).toBe(0n);
    expect(addr!).toBeGreaterThan(0x8000_0000n);
    expect(t.symbols.get("fromhost")).toBe(addr! + 64n);
  });
});

describe("parseElf rejects bad files with a clear message", () => {
  it("a file that is not ELF", () => {
    expect(parseError(new TextEncoder().encode("#!/bin/sh\necho this is a shell script, not a program\n".repeat(3))).message)
      .toMatch(/not an ELF file \(bad magic\)/);
    expect(parseError(patched(hello, (_, b) => { b[1] = 0x46; })).message).toMatch(/bad magic/);
  });

  it("a file shorter than an ELF header", () => {
    expect(parseError(hello.subarray(0, 10)).message).toMatch(/not an ELF file: only 10 bytes/);
    expect(parseError(new Uint8Array(0)).message).toMatch(/only 0 bytes/);
  });

  it("an ELF32 file", () => {
    expect(parseError(patched(hello, (_, b) => { b[4] = 1; })).message).toMatch(/ELF class 1 is not ELF64/);
  });

  it("a big-endian file", () => {
    expect(parseError(patched(hello, (_, b) => { b[5] = 2; })).message).toMatch(/big-endian/);
  });

  it("an ELF for another machine (x86-64)", () => {
    const header = existsSync("/bin/true")
      ? new Uint8Array(readFileSync("/bin/true").subarray(0, 64))
      : patched(hello.subarray(0, 64), (dv) => dv.setUint16(18, 62, true));
    expect(view(header).getUint16(18, true)).toBe(62);
    expect(parseError(header).message).toMatch(/ELF machine 62 is not RISC-V \(243\)/);
  });

  it("a relocatable object, not an executable", () => {
    expect(parseError(patched(hello, (dv) => dv.setUint16(16, 1, true))).message).toMatch(/type 1 is not an executable/);
  });

  it("no program headers", () => {
    expect(parseError(patched(hello, (dv) => dv.setUint16(56, 0, true))).message).toMatch(/no program headers/);
  });

  it("program headers cut off by the end of the file", () => {
    const dv = view(hello);
    const phoff = Number(dv.getBigUint64(32, true));
    const end = phoff + dv.getUint16(54, true) * dv.getUint16(56, true);
    const e = parseError(hello.subarray(0, end - 1));
    expect(e.message).toMatch(/truncated: program headers end at byte \d+ but the file has \d+/);
    expect(e.message).toContain(String(end));
    // A program header table placed past the end of the file.
    expect(parseError(patched(hello, (d) => d.setBigUint64(32, 0xffff_ffffn, true))).message).toMatch(/program headers/);
    expect(parseError(patched(hello, (d) => d.setUint16(56, 0xffff, true))).message).toMatch(/program headers/);
  });

  it("a segment that extends beyond the end of the file", () => {
    const ph = firstLoad(hello);
    const grown = patched(hello, (dv) => {
      dv.setBigUint64(ph + 32, BigInt(hello.length), true); // filesz
      dv.setBigUint64(ph + 40, BigInt(hello.length), true); // memsz
    });
    expect(parseError(grown).message).toMatch(/truncated: segment \d+ end at byte \d+ but the file has \d+/);
    const farOffset = patched(hello, (dv) => dv.setBigUint64(ph + 8, 0xffff_ffff_ffff_0000n, true));
    expect(parseError(farOffset).message).toMatch(/truncated: segment/);
    // The real file cut in the middle of its code.
    const off = Number(view(hello).getBigUint64(ph + 8, true));
    expect(parseError(hello.subarray(0, off + 2)).message).toMatch(/truncated: segment/);
  });

  it("a segment whose file size exceeds its memory size", () => {
    const ph = firstLoad(hello);
    const bad = patched(hello, (dv) => dv.setBigUint64(ph + 40, 1n, true));
    expect(parseError(bad).message).toMatch(/file size exceeds memory size/);
  });

  it("garbage after a valid header never escapes as anything but ElfError", () => {
    let seed = 1;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 16;
    for (let i = 0; i < 300; i++) {
      const b = hello.slice(0, 64 + (rnd() % 512));
      for (let j = 24; j < b.length; j++) if (rnd() % 3 === 0) b[j] = rnd() & 0xff;
      b[18] = 243; b[19] = 0; b[16] = 2; b[17] = 0;
      try {
        parseElf(b);
      } catch (e) {
        expect(e).toBeInstanceOf(ElfError);
      }
    }
  });
});

describe("BareMetalMachine.load", () => {
  it("rejects a segment outside RAM with a message naming its address", () => {
    const high = progs.bytes("hello", { base: 0x8020_0000n });
    const m = new BareMetalMachine(mod, { memoryMiB: 1, console: new TextSink() });
    let err: unknown;
    try { m.loadBytes(high); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(ElfError);
    expect((err as Error).message).toMatch(/segment at 0x80200000 .* lies outside RAM 0x80000000-0x80100000/);

    // The same program fits with enough RAM, and runs.
    const out = new TextSink();
    const big = new BareMetalMachine(mod, { memoryMiB: 4, console: out });
    big.loadBytes(high);
    expect(big.run(100_000n)).toEqual({ kind: "pass" });
    expect(out.text).toBe("hello from rv64\n");
  });

  it("rejects a segment below RAM", () => {
    const low = progs.bytes("hello", { base: 0x1000n });
    const m = new BareMetalMachine(mod, { memoryMiB: 16, console: new TextSink() });
    expect(() => m.loadBytes(low)).toThrow(/segment at 0x1000 .*outside RAM/);
  });

  it("rejects a segment whose .bss runs past the end of RAM", () => {
    const ph = firstLoad(hello);
    const huge = patched(hello, (dv) => dv.setBigUint64(ph + 40, 2n << 20n, true));
    const m = new BareMetalMachine(mod, { memoryMiB: 1, console: new TextSink() });
    expect(() => m.loadBytes(huge)).toThrow(ElfError);
    expect(() => m.loadBytes(huge)).toThrow(/0x80000000 \(\+0x200000\) lies outside RAM/);
  });
});
