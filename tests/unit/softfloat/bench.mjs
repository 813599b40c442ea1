// Rough speed check: node tests/unit/softfloat/bench.mjs
import { buildSoftfloat } from "./build.mjs";
const x = await buildSoftfloat();
const names = ["f64_add", "f64_mul", "f64_div", "f64_sqrt", "f64_fma", "f32_add", "f32_mul"];
for (let w = 0; w < names.length; w++) {
  const n = 5_000_000;
  x.benchOp(w, 100000);
  const t = performance.now();
  x.benchOp(w, n);
  const dt = (performance.now() - t) / 1000;
  console.log(`${names[w].padEnd(9)} in-wasm loop: ${(n / dt / 1e6).toFixed(1)} Mops/s`);
}
// through the JS boundary (BigInt arguments)
for (const f of ["f64_add", "f64_mul"]) {
  const n = 1_000_000;
  const a = 0x3ff3c0ca428c59fbn, b = 0x3fe6a09e667f3bcdn;
  let t = performance.now();
  for (let i = 0; i < n; i++) x[f](a, b, 0);
  const dt = (performance.now() - t) / 1000;
  console.log(`${f.padEnd(9)} called from JS: ${(n / dt / 1e6).toFixed(1)} Mops/s`);
}
