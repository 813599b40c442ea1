// Loading a Linux kernel: the RISC-V Image header and ELF kernels (parseKernel), where the
// initrd and the device tree go (planBoot), and what VirtMachine leaves in the hart at the
// kernel's entry, down to a tiny hand-assembled "kernel" that prints through the SBI and
// powers off.

import { beforeAll, describe, expect, it } from "vitest";
import { gzipSync } from "node:zlib";
import { loadHartModule } from "../../src/cli/hart-module.js";
import { BootError, KERNEL_BASE, parseKernel, planBoot, type KernelImage } from "../../src/machine/boot/linux.js";
import { VirtMachine } from "../../src/machine/virt.js";

const RAM_BASE = 0x8000_0000n;
const MiB = 1n << 20n;

/** A RISC-V Image: code first, then the 64-byte header fields the loader reads. */
function fakeImage(opts: { textOffset?: bigint; imageSize?: bigint; code?: Uint32Array; length?: number; magic?: boolean; magic2?: boolean } = {}): Uint8Array {
  const len = Math.max(opts.length ?? 4096, 64);
  const b = new Uint8Array(len);
  const dv = new DataView(b.buffer);
  // code0/code1: the real Image starts with a jump over the header; ours jumps to 0x40.
  dv.setUint32(0, 0x0400006f, true); // j +0x40
  dv.setBigUint64(8, opts.textOffset ?? 0x20_0000n, true);
  dv.setBigUint64(16, opts.imageSize ?? BigInt(len), true);
  dv.setBigUint64(24, 0n, true); // flags: little-endian
  dv.setUint32(32, 0x2, true); // header version 0.2
  if (opts.magic ?? true) b.set(new TextEncoder().encode("RISCV\0\0\0"), 0x30);
  if (opts.magic2 ?? true) b.set(new TextEncoder().encode("RSC\x05"), 0x38);
  if (opts.code) new Uint32Array(b.buffer, 0x40, opts.code.length).set(opts.code);
  return b;
}

/** A minimal ELF64 RISC-V executable with one PT_LOAD segment. */
function fakeElf(paddr: bigint, entry: bigint, data: Uint8Array, memSize: bigint, machine = 243): Uint8Array {
  const phoff = 64;
  const dataOff = 0x1000;
  const b = new Uint8Array(dataOff + data.length);
  const dv = new DataView(b.buffer);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0); // ELF64, little-endian, version 1
  dv.setUint16(16, 2, true); // ET_EXEC
  dv.setUint16(18, machine, true);
  dv.setUint32(20, 1, true);
  dv.setBigUint64(24, entry, true);
  dv.setBigUint64(32, BigInt(phoff), true);
  dv.setBigUint64(40, 0n, true);
  dv.setUint16(52, 64, true); // ehsize
  dv.setUint16(54, 56, true); // phentsize
  dv.setUint16(56, 1, true); // phnum
  dv.setUint16(58, 64, true); // shentsize
  // PT_LOAD
  dv.setUint32(phoff, 1, true);
  dv.setUint32(phoff + 4, 7, true);
  dv.setBigUint64(phoff + 8, BigInt(dataOff), true);
  dv.setBigUint64(phoff + 16, 0xffff_ffff_8000_0000n, true); // vaddr: Linux links high
  dv.setBigUint64(phoff + 24, paddr, true);
  dv.setBigUint64(phoff + 32, BigInt(data.length), true);
  dv.setBigUint64(phoff + 40, memSize, true);
  dv.setBigUint64(phoff + 48, 0x1000n, true);
  b.set(data, dataOff);
  return b;
}

const catchBoot = (f: () => unknown): BootError => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(BootError);
    return e as BootError;
  }
  throw new Error("expected a BootError");
};

describe("parseKernel: RISC-V Image", () => {
  it("loads at 0x80200000 with the default text_offset and ends at image_size", () => {
    const img = fakeImage({ imageSize: 0x123_4000n });
    const k = parseKernel(img);
    expect(k.entry).toBe(0x8020_0000n);
    expect(k.entry).toBe(KERNEL_BASE);
    expect(k.end).toBe(0x8020_0000n + 0x123_4000n);
    expect(k.segments).toHaveLength(1);
    expect(k.segments[0]!.paddr).toBe(0x8020_0000n);
    expect(k.segments[0]!.data).toEqual(img);
  });

  it("honours a non-default text_offset", () => {
    const k = parseKernel(fakeImage({ textOffset: 0x40_0000n, imageSize: 0x10_0000n }));
    expect(k.entry).toBe(0x8040_0000n);
    expect(k.end).toBe(0x8050_0000n);
  });

  it("never ends before the file's own bytes (image_size smaller than the file)", () => {
    const k = parseKernel(fakeImage({ imageSize: 16n, length: 8192 }));
    expect(k.end).toBe(0x8020_0000n + 8192n);
  });

  it("accepts either magic alone (the deprecated one or the current one)", () => {
    expect(parseKernel(fakeImage({ magic: false })).entry).toBe(KERNEL_BASE);
    expect(parseKernel(fakeImage({ magic2: false })).entry).toBe(KERNEL_BASE);
  });

  it("rejects a gzip-compressed Image, telling the user to decompress it", () => {
    const gz = gzipSync(fakeImage({ length: 1 << 16 }));
    const e = catchBoot(() => parseKernel(gz));
    expect(e.message).toMatch(/gzip/);
    expect(e.message).toMatch(/decompress/);
  });

  it("rejects garbage and too-short files", () => {
    const junk = new TextEncoder().encode("#!/bin/sh\necho this is not a kernel\n".repeat(20));
    expect(catchBoot(() => parseKernel(junk)).message).toMatch(/not a RISC-V Image/);
    expect(catchBoot(() => parseKernel(fakeImage({ magic: false, magic2: false }))).message).toMatch(/not a RISC-V Image/);
    expect(catchBoot(() => parseKernel(new Uint8Array(10))).message).toMatch(/too small/);
    expect(catchBoot(() => parseKernel(new Uint8Array(0))).message).toMatch(/too small/);
  });
});

describe("parseKernel: ELF", () => {
  it("takes the entry point and physical addresses of an ELF kernel", () => {
    const data = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
    const k = parseKernel(fakeElf(0x8020_0000n, 0x8020_0040n, data, 0x8000n));
    expect(k.entry).toBe(0x8020_0040n);
    expect(k.segments.map((s) => s.paddr)).toEqual([0x8020_0000n]);
    expect(k.segments[0]!.data).toEqual(data);
    expect(k.end).toBe(0x8020_8000n);
  });

  it("turns ELF problems into BootErrors naming the problem", () => {
    const x86 = fakeElf(0x8020_0000n, 0x8020_0000n, new Uint8Array(16), 16n, 62);
    expect(catchBoot(() => parseKernel(x86)).message).toMatch(/^kernel: .*RISC-V/);
    const truncated = fakeElf(0x8020_0000n, 0x8020_0000n, new Uint8Array(64), 64n).subarray(0, 0x1010);
    expect(catchBoot(() => parseKernel(truncated)).message).toMatch(/truncated/);
  });
});

describe("planBoot", () => {
  const kernel = (end: bigint): KernelImage => ({
    segments: [{ paddr: KERNEL_BASE, data: new Uint8Array(16), memSize: end - KERNEL_BASE }],
    entry: KERNEL_BASE,
    end,
  });

  it("puts the DTB at the top of RAM, page aligned, with 64 KiB of room", () => {
    for (const ram of [16n * MiB, 256n * MiB, 4096n * MiB]) {
      const l = planBoot(kernel(KERNEL_BASE + 4n * MiB), ram, undefined);
      const ramEnd = RAM_BASE + ram;
      expect(l.dtbAddr % 4096n).toBe(0n);
      expect(l.dtbAddr + 0x10000n).toBeLessThanOrEqual(ramEnd);
      expect(l.dtbAddr).toBeGreaterThanOrEqual(ramEnd - 2n * MiB);
      expect(l.initrd).toBeUndefined();
    }
  });

  it("puts the initrd just below the DTB, page aligned, above the kernel", () => {
    const k = kernel(KERNEL_BASE + 5n * MiB + 123n);
    const size = 3_456_789;
    const l = planBoot(k, 64n * MiB, size);
    expect(l.initrd).toBeDefined();
    const { start, end } = l.initrd!;
    expect(start % 4096n).toBe(0n);
    expect(end - start).toBe(BigInt(size));
    expect(end).toBeLessThanOrEqual(l.dtbAddr);
    expect(l.dtbAddr - end).toBeLessThan(4096n);
    expect(start).toBeGreaterThanOrEqual(k.end);
  });

  it("fits an initrd that exactly fills the space above the kernel", () => {
    const ram = 16n * MiB;
    const dtb = planBoot(kernel(KERNEL_BASE + MiB), ram, undefined).dtbAddr;
    const size = Number(dtb - (KERNEL_BASE + MiB));
    const l = planBoot(kernel(KERNEL_BASE + MiB), ram, size);
    expect(l.initrd!.start).toBe(KERNEL_BASE + MiB);
    expect(() => planBoot(kernel(KERNEL_BASE + MiB), ram, size + 1)).toThrow(BootError);
  });

  it("asks for more memory when the initrd does not fit", () => {
    const e = catchBoot(() => planBoot(kernel(KERNEL_BASE + 10n * MiB), 16n * MiB, 8 * 1024 * 1024));
    expect(e.message).toMatch(/initrd/);
    expect(e.message).toMatch(/more memory/);
  });

  it("rejects a kernel that does not fit in RAM", () => {
    expect(catchBoot(() => planBoot(kernel(KERNEL_BASE + 20n * MiB), 16n * MiB, undefined)).message).toMatch(/does not fit in 16 MiB/);
    // A kernel ending inside the DTB's slot leaves no room for the device tree.
    expect(catchBoot(() => planBoot(kernel(RAM_BASE + 16n * MiB - 0x100n), 16n * MiB, undefined)).message).toMatch(/more memory/);
  });
});

// --- VirtMachine: the state at the kernel's entry and a first SBI call ---

const enc = {
  i: (imm: number, rs1: number, f3: number, rd: number, op = 0x13) => (((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0,
  lui: (rd: number, imm20: number) => (((imm20 & 0xfffff) << 12) | (rd << 7) | 0x37) >>> 0,
  ecall: 0x00000073,
};
const A0 = 10, A1 = 11, A6 = 16, A7 = 17;
/** li rd, v for v < 2^31 */
const li = (rd: number, v: number): number[] => {
  const lo = ((v & 0xfff) << 20) >> 20;
  const hi = ((v - lo) >>> 12) & 0xfffff;
  return hi ? [enc.lui(rd, hi), enc.i(lo, rd, 0, rd)] : [enc.i(lo, 0, 0, rd)];
};

/** Prints "OK\n" via DBCN console_write_byte, then SRST shutdown. */
const helloKernel = new Uint32Array([
  ...li(A7, 0x4442434e), ...li(A6, 2),
  ...li(A0, 0x4f), enc.ecall,
  ...li(A7, 0x4442434e), ...li(A6, 2), ...li(A0, 0x4b), enc.ecall,
  ...li(A7, 1), ...li(A0, 0x0a), enc.ecall, // legacy putchar
  ...li(A7, 0x53525354), ...li(A6, 0), ...li(A0, 0), ...li(A1, 0), enc.ecall,
  0x0000006f, // j .
]);

describe("VirtMachine boot", () => {
  let module: WebAssembly.Module;
  beforeAll(async () => { module = await loadHartModule(); });

  const machine = (kernel: Uint8Array, memoryMiB: number, extra: { initrd?: Uint8Array; cmdline?: string } = {}) => {
    let out = "";
    const vm = new VirtMachine(module, {
      memoryMiB, kernel, ...extra, balloon: false,
      console: { write: (b) => { out += Buffer.from(b).toString("latin1"); } },
    });
    return { vm, out: () => out };
  };

  it("throws a BootError for a kernel too big for RAM", () => {
    const e = catchBoot(() => machine(fakeImage({ imageSize: 12n * MiB }), 8));
    expect(e.message).toMatch(/does not fit in 8 MiB/);
  });

  it("throws a BootError for an initrd that does not fit", () => {
    const e = catchBoot(() => machine(fakeImage({ imageSize: MiB }), 8, { initrd: new Uint8Array(7 * 1024 * 1024) }));
    expect(e.message).toMatch(/more memory/);
  });

  it("throws a BootError for a file that is not a kernel", () => {
    expect(catchBoot(() => machine(new TextEncoder().encode("hello\n".repeat(100)), 8)).message).toMatch(/not a RISC-V Image/);
  });

  it("enters the kernel in S-mode with a0 = 0, a1 = the DTB, kernel/initrd/DTB in RAM", () => {
    const img = fakeImage({ imageSize: 2n * MiB, code: helloKernel });
    const initrd = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 31) & 0xff);
    const cmdline = "console=ttyS0 quiet edgevisor-test=1";
    const { vm } = machine(img, 16, { initrd, cmdline });
    const h = vm.hart;
    expect(h.pc).toBe(0x8020_0000n);
    expect(h.priv).toBe(1);
    expect(h.x(A0)).toBe(0n);
    const dtb = h.x(A1);
    expect(dtb % 8n).toBe(0n);
    expect(dtb).toBeLessThan(RAM_BASE + 16n * MiB);
    expect(h.readPhys(0x8020_0000n, img.length)).toEqual(img);
    // The DTB: magic, size, and our command line inside it.
    const hdr = new DataView(h.readPhys(dtb, 8).buffer);
    expect(hdr.getUint32(0)).toBe(0xd00dfeed);
    const blob = Buffer.from(h.readPhys(dtb, hdr.getUint32(4)));
    expect(blob.includes(Buffer.from(`${cmdline}\0`))).toBe(true);
    // The initrd is where the DTB says: find linux,initrd-start's value (after its name offset).
    const startAt = blob.indexOf(Buffer.from("linux,initrd-start"));
    expect(startAt).toBeGreaterThan(0);
    const layout = planBoot(parseKernel(img), 16n * MiB, initrd.length);
    expect(h.readPhys(layout.initrd!.start, initrd.length)).toEqual(initrd);
    expect(layout.dtbAddr).toBe(dtb);
  });

  it("runs a tiny kernel that prints through the SBI and powers off", () => {
    const { vm, out } = machine(fakeImage({ code: helloKernel }), 16);
    const stop = vm.run(1_000_000n);
    expect(stop).toEqual({ kind: "poweroff" });
    expect(out()).toBe("OK\n");
  });
});
