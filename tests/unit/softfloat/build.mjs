// Compiles src/machine/core/assembly/softfloat.ts (through tests/unit/as/softfloat_entry.ts)
// with the AssemblyScript compiler API and instantiates it. No files are written.
import asc from "assemblyscript/asc";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

export async function buildSoftfloat(extraArgs = []) {
  let binary = null;
  const errs = [];
  const { error, stderr } = await asc.main(
    [
      path.join(root, "tests/unit/as/softfloat_entry.ts"),
      "-O3", "--runtime", "stub", "--noAssert",
      "--outFile", "softfloat.wasm",
      ...extraArgs,
    ],
    {
      writeFile(name, contents) {
        if (name.endsWith(".wasm")) binary = contents;
      },
      stderr: { write(s) { errs.push(String(s)); return true; } },
      stdout: { write() { return true; } },
    },
  );
  if (error || !binary) throw new Error("asc failed: " + (error ? error.message : "") + "\n" + errs.join("") + String(stderr ?? ""));
  const { instance } = await WebAssembly.instantiate(binary, {
    env: { abort() { throw new Error("abort"); } },
  });
  return instance.exports;
}
