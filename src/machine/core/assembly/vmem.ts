// Guest virtual memory access for code off the interpreter's hot path (FP loads and
// stores, SBI helpers): the same TLB fast path as the interpreter's inlined accesses,
// falling back to mmu.ts.

import { tlbRead, tlbWrite, TLB_MASK, TLB_ENTRY_SHIFT } from "./tlb";
import { loadSlow, storeSlow } from "./mmu";

/** Loads size (1, 2, 4, 8) bytes zero-extended; on a fault excCause is set. */
export function vload(a: u64, size: u32): u64 {
  let e = tlbRead + <usize>(<usize>(<u32>(a >> 12) & TLB_MASK) << TLB_ENTRY_SHIFT);
  if (load<u64>(e) == (a & ~(<u64>0xfff ^ (<u64>size - 1)))) {
    let h = <usize>(a + load<u64>(e, 8));
    if (size == 8) return load<u64>(h);
    if (size == 4) return <u64>load<u32>(h);
    if (size == 2) return <u64>load<u16>(h);
    return <u64>load<u8>(h);
  }
  return loadSlow(a, size);
}

/** Stores the low size bytes of v; on a fault excCause is set and memory is unchanged. */
export function vstore(a: u64, size: u32, v: u64): void {
  let e = tlbWrite + <usize>(<usize>(<u32>(a >> 12) & TLB_MASK) << TLB_ENTRY_SHIFT);
  if (load<u64>(e) == (a & ~(<u64>0xfff ^ (<u64>size - 1)))) {
    let h = <usize>(a + load<u64>(e, 8));
    if (size == 8) store<u64>(h, v);
    else if (size == 4) store<u32>(h, <u32>v);
    else if (size == 2) store<u16>(h, <u16>v);
    else store<u8>(h, <u8>v);
    return;
  }
  storeSlow(a, size, v);
}
