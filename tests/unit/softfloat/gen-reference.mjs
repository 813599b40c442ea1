// Regenerates expected.bin.gz: runs every vector from vectors.mjs through the RISC-V F/D
// instructions of qemu-system-riscv64 (bare metal, harness in ./qemu) and stores the results.
// Needs riscv64-unknown-elf-gcc and qemu-system-riscv64; the unit test itself needs neither.
//   node tests/unit/softfloat/gen-reference.mjs
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { generate, checksum } from "./vectors.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const work = mkdtempSync(path.join(tmpdir(), "sfref-"));
try {
  const vecs = generate();
  const n = vecs.length;
  const inp = Buffer.alloc(8 + n * 32);
  inp.writeBigUInt64LE(BigInt(n), 0);
  vecs.forEach((v, i) => {
    const o = 8 + i * 32;
    inp.writeUInt32LE(v.op, o);
    inp.writeUInt32LE(v.rm, o + 4);
    inp.writeBigUInt64LE(v.a, o + 8);
    inp.writeBigUInt64LE(v.b, o + 16);
    inp.writeBigUInt64LE(v.c, o + 24);
  });
  writeFileSync(path.join(work, "in.bin"), inp);
  const q = path.join(here, "qemu");
  execFileSync("riscv64-unknown-elf-gcc", [
    "-march=rv64gc", "-mabi=lp64d", "-O2", "-nostdlib", "-nostartfiles", "-ffreestanding",
    "-mcmodel=medany", "-T", path.join(q, "link.ld"), path.join(q, "start.S"), path.join(q, "harness.c"),
    "-o", path.join(work, "harness.elf"),
  ]);
  execFileSync("qemu-system-riscv64", [
    "-machine", "virt", "-nographic", "-bios", "none", "-m", "512M",
    "-kernel", "harness.elf",
    "-device", "loader,file=in.bin,addr=0x84000000",
    "-semihosting-config", "enable=on,target=native",
    "-monitor", "none", "-serial", "none",
  ], { cwd: work, timeout: 300000, stdio: "inherit" });
  const res = readFileSync(path.join(work, "results.bin"));
  if (res.length !== n * 16) throw new Error(`short results: ${res.length} != ${n * 16}`);
  // fixture: "SFV1", u32 count, u32 input checksum, then per vector u64 result + u8 fflags
  const out = Buffer.alloc(12 + n * 9);
  out.write("SFV1", 0, "latin1");
  out.writeUInt32LE(n, 4);
  out.writeUInt32LE(checksum(vecs), 8);
  for (let i = 0; i < n; i++) {
    out.writeBigUInt64LE(res.readBigUInt64LE(i * 16), 12 + i * 9);
    out[12 + i * 9 + 8] = Number(res.readBigUInt64LE(i * 16 + 8) & 0x1fn);
  }
  const gz = gzipSync(out, { level: 9 });
  writeFileSync(path.join(here, "expected.bin.gz"), gz);
  console.log(`${n} vectors, fixture ${gz.length} bytes`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
