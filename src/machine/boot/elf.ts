// ELF64 little-endian RISC-V loader: validates the header and program headers of an
// untrusted file and returns the loadable segments, the entry point and the symbols the
// machine cares about (tohost). Every offset and size is checked against the file.

export class ElfError extends Error {
  override name = "ElfError";
}

export interface ElfSegment {
  paddr: bigint;
  data: Uint8Array;
  /** memsz: bytes beyond data.length are zero (.bss). */
  memSize: bigint;
}

export interface ElfImage {
  entry: bigint;
  segments: ElfSegment[];
  symbols: Map<string, bigint>;
}

const EM_RISCV = 243;
const PT_LOAD = 1;
const SHT_SYMTAB = 2;

export function parseElf(file: Uint8Array): ElfImage {
  if (file.length < 64) throw new ElfError(`not an ELF file: only ${file.length} bytes`);
  if (file[0] !== 0x7f || file[1] !== 0x45 || file[2] !== 0x4c || file[3] !== 0x46) {
    throw new ElfError("not an ELF file (bad magic)");
  }
  if (file[4] !== 2) throw new ElfError(`ELF class ${file[4]} is not ELF64: a 64-bit RISC-V (RV64) program is required`);
  if (file[5] !== 1) throw new ElfError("ELF is big-endian: RISC-V programs are little-endian");
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const machine = dv.getUint16(18, true);
  if (machine !== EM_RISCV) throw new ElfError(`ELF machine ${machine} is not RISC-V (243)`);
  const type = dv.getUint16(16, true);
  if (type !== 2 && type !== 3) throw new ElfError(`ELF type ${type} is not an executable`);
  const entry = dv.getBigUint64(24, true);
  const phoff = dv.getBigUint64(32, true);
  const shoff = dv.getBigUint64(40, true);
  const phentsize = dv.getUint16(54, true);
  const phnum = dv.getUint16(56, true);
  const shentsize = dv.getUint16(58, true);
  const shnum = dv.getUint16(60, true);
  if (phnum === 0) throw new ElfError("ELF has no program headers");
  if (phentsize < 56) throw new ElfError(`ELF program header size ${phentsize} is too small`);
  checkRange(file, phoff, BigInt(phentsize) * BigInt(phnum), "program headers");

  const segments: ElfSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = Number(phoff) + i * phentsize;
    if (dv.getUint32(o, true) !== PT_LOAD) continue;
    const offset = dv.getBigUint64(o + 8, true);
    const paddr = dv.getBigUint64(o + 24, true);
    const filesz = dv.getBigUint64(o + 32, true);
    const memsz = dv.getBigUint64(o + 40, true);
    if (memsz === 0n) continue;
    if (filesz > memsz) throw new ElfError(`segment ${i}: file size exceeds memory size`);
    checkRange(file, offset, filesz, `segment ${i}`);
    segments.push({
      paddr,
      data: file.subarray(Number(offset), Number(offset + filesz)),
      memSize: memsz,
    });
  }
  if (segments.length === 0) throw new ElfError("ELF has no loadable segments");
  return { entry, segments, symbols: readSymbols(file, dv, shoff, shentsize, shnum) };
}

function checkRange(file: Uint8Array, off: bigint, len: bigint, what: string): void {
  if (off + len > BigInt(file.length)) {
    throw new ElfError(`ELF is truncated: ${what} end at byte ${off + len} but the file has ${file.length}`);
  }
}

function readSymbols(file: Uint8Array, dv: DataView, shoff: bigint, entsize: number, num: number): Map<string, bigint> {
  const out = new Map<string, bigint>();
  if (shoff === 0n || num === 0 || entsize < 64) return out;
  if (shoff + BigInt(entsize) * BigInt(num) > BigInt(file.length)) return out;
  for (let i = 0; i < num; i++) {
    const o = Number(shoff) + i * entsize;
    if (dv.getUint32(o + 4, true) !== SHT_SYMTAB) continue;
    const symOff = dv.getBigUint64(o + 24, true);
    const symSize = dv.getBigUint64(o + 32, true);
    const link = dv.getUint32(o + 40, true);
    if (link >= num || symOff + symSize > BigInt(file.length)) continue;
    const so = Number(shoff) + link * entsize;
    const strOff = dv.getBigUint64(so + 24, true);
    const strSize = dv.getBigUint64(so + 32, true);
    if (strOff + strSize > BigInt(file.length)) continue;
    const strs = file.subarray(Number(strOff), Number(strOff + strSize));
    for (let s = Number(symOff); s + 24 <= Number(symOff + symSize); s += 24) {
      const nameOff = dv.getUint32(s, true);
      if (nameOff === 0 || nameOff >= strs.length) continue;
      let end = nameOff;
      while (end < strs.length && strs[end] !== 0) end++;
      const name = new TextDecoder().decode(strs.subarray(nameOff, end));
      out.set(name, dv.getBigUint64(s + 8, true));
    }
  }
  return out;
}
