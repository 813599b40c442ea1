// Test entry: the RNE fast paths next to the software implementation they must match.
export { f64AddFast, f64MulFast, f64DivFast, f64SqrtFast, f64FmaFast, f32ArithFast, fastResult } from "../../../src/machine/core/assembly/fastfp";
export { f64_add, f64_sub, f64_mul, f64_div, f64_sqrt, f64_fma, f32_add, f32_sub, f32_mul, f32_div, f32_sqrt } from "../../../src/machine/core/assembly/softfloat";
import { fflags } from "../../../src/machine/core/assembly/softfloat";
import { fastResult as fr } from "../../../src/machine/core/assembly/fastfp";
export function getFlags(): u32 { return fflags; }
export function setFlags(v: u32): void { fflags = v; }
export function getFast(): u64 { return fr; }
