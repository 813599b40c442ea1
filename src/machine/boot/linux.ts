// Loading a Linux kernel: the RISC-V Image format (Documentation/arch/riscv/boot-image-header.rst:
// magic "RISCV\0\0\0" at 0x30, "RSC\x05" at 0x38, text_offset at 8, image_size at 16)
// placed at 0x8020_0000, or an ELF kernel at its physical addresses; then the initrd and
// the device tree at the top of RAM. Entry is in S-mode with a0 = hart id, a1 = DTB.

import { parseElf, ElfError } from "./elf.js";

export class BootError extends Error {
  override name = "BootError";
}

export const KERNEL_BASE = 0x8020_0000n;

export interface KernelImage {
  /** Physical load address and bytes of each piece. */
  segments: { paddr: bigint; data: Uint8Array; memSize: bigint }[];
  entry: bigint;
  /** End of the memory the kernel occupies (image_size, bss included). */
  end: bigint;
}

export function parseKernel(bytes: Uint8Array): KernelImage {
  if (bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46) {
    let elf;
    try {
      elf = parseElf(bytes);
    } catch (e) {
      throw new BootError(`kernel: ${(e as ElfError).message}`);
    }
    let end = 0n;
    for (const s of elf.segments) if (s.paddr + s.memSize > end) end = s.paddr + s.memSize;
    return { segments: elf.segments, entry: elf.entry, end };
  }
  if (bytes.length < 64) throw new BootError(`kernel: ${bytes.length} bytes is too small for a RISC-V Image`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = new TextDecoder().decode(bytes.subarray(0x30, 0x38));
  const magic2 = dv.getUint32(0x38, true);
  if (magic !== "RISCV\0\0\0" && magic2 !== 0x05435352) {
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) throw new BootError("kernel: gzip-compressed; decompress the Image first");
    throw new BootError("kernel: not a RISC-V Image (no RISCV magic at 0x30) nor an ELF file");
  }
  const textOffset = dv.getBigUint64(8, true);
  const imageSize = dv.getBigUint64(16, true);
  const base = 0x8000_0000n + (textOffset === 0n ? 0x20_0000n : textOffset);
  const memSize = imageSize > BigInt(bytes.length) ? imageSize : BigInt(bytes.length);
  return { segments: [{ paddr: base, data: bytes, memSize }], entry: base, end: base + memSize };
}

export interface BootLayout {
  kernel: KernelImage;
  initrd?: { start: bigint; end: bigint };
  dtbAddr: bigint;
}

/**
 * Places the initrd and the DTB: the DTB in the last `dtbMax` bytes of RAM (page aligned),
 * the initrd just below it (page aligned). Throws BootError when they do not fit above the
 * kernel.
 */
export function planBoot(kernel: KernelImage, ramBytes: bigint, initrdSize: number | undefined, dtbMax = 0x10000): BootLayout {
  const ramStart = 0x8000_0000n;
  const ramEnd = ramStart + ramBytes;
  for (const s of kernel.segments) {
    if (s.paddr < ramStart || s.paddr + s.memSize > ramEnd) {
      throw new BootError(`kernel at 0x${s.paddr.toString(16)} (+0x${s.memSize.toString(16)}) does not fit in ${ramBytes >> 20n} MiB of RAM`);
    }
  }
  const dtbAddr = (ramEnd - BigInt(dtbMax)) & ~0xfffn;
  let initrd: { start: bigint; end: bigint } | undefined;
  if (initrdSize !== undefined) {
    const start = (dtbAddr - BigInt(initrdSize)) & ~0xfffn;
    if (start < kernel.end) {
      throw new BootError(
        `initrd (${initrdSize} bytes) does not fit between the kernel (ends at 0x${kernel.end.toString(16)}) and the end of RAM; give the VM more memory`,
      );
    }
    initrd = { start, end: start + BigInt(initrdSize) };
  }
  if (dtbAddr < kernel.end) throw new BootError("no room for the device tree above the kernel; give the VM more memory");
  return { kernel, ...(initrd ? { initrd } : {}), dtbAddr };
}
