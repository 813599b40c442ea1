// Test entry: re-exports the softfloat module and gives JS access to the flag register.
import { fflags } from "../../../src/machine/core/assembly/softfloat";
export * from "../../../src/machine/core/assembly/softfloat";

export function getFlags(): u32 {
  return fflags;
}

export function clearFlags(): void {
  fflags = 0;
}

// Micro-benchmark loops (run inside wasm, as the emulator will call these).
import { f64_add, f64_mul, f64_div, f64_sqrt, f64_fma, f32_add, f32_mul } from "../../../src/machine/core/assembly/softfloat";

export function benchOp(which: i32, n: i32): u64 {
  let a: u64 = 0x3ff3c0ca428c59fb; // 1.234...
  let b: u64 = 0x3fe6a09e667f3bcd;
  let acc: u64 = 0;
  for (let i = 0; i < n; i++) {
    let x = a ^ (<u64>(i & 0xffff) << 4);
    let r: u64;
    switch (which) {
      case 0: r = f64_add(x, b, 0); break;
      case 1: r = f64_mul(x, b, 0); break;
      case 2: r = f64_div(x, b, 0); break;
      case 3: r = f64_sqrt(x, 0); break;
      case 4: r = f64_fma(x, b, a, 0); break;
      case 5: r = <u64>f32_add(<u32>(x >> 32), 0x3f3504f3, 0); break;
      default: r = <u64>f32_mul(<u32>(x >> 32), 0x3f3504f3, 0); break;
    }
    acc += r;
  }
  return acc;
}
