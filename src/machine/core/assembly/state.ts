// Architectural state of the hart: register files in linear memory (so the interpreter
// addresses them with constant offsets) and the CSRs as module globals. Everything that
// defines the machine's behaviour lives here or in memory.ts, so save/restore and the
// state hash can walk it in one place (snapshot.ts).

/** x0..x31 then the sink slot x32 that swallows writes to x0. */
export const XREGS: usize = memory.data(34 * 8, 64);
/** f0..f31 as raw 64-bit patterns (binary32 values NaN-boxed). */
export const FREGS: usize = memory.data(32 * 8, 64);

// Privilege levels (priv spec 1.12 §1.2).
export const PRIV_U: u32 = 0;
export const PRIV_S: u32 = 1;
export const PRIV_M: u32 = 3;

// mstatus fields (priv spec §3.1.6).
export const MSTATUS_SIE: u64 = 1 << 1;
export const MSTATUS_MIE: u64 = 1 << 3;
export const MSTATUS_SPIE: u64 = 1 << 5;
export const MSTATUS_UBE: u64 = 1 << 6;
export const MSTATUS_MPIE: u64 = 1 << 7;
export const MSTATUS_SPP: u64 = 1 << 8;
export const MSTATUS_VS: u64 = 3 << 9;
export const MSTATUS_MPP_SHIFT: u64 = 11;
export const MSTATUS_MPP: u64 = 3 << 11;
export const MSTATUS_FS_SHIFT: u64 = 13;
export const MSTATUS_FS: u64 = 3 << 13;
export const MSTATUS_XS: u64 = 3 << 15;
export const MSTATUS_MPRV: u64 = 1 << 17;
export const MSTATUS_SUM: u64 = 1 << 18;
export const MSTATUS_MXR: u64 = 1 << 19;
export const MSTATUS_TVM: u64 = 1 << 20;
export const MSTATUS_TW: u64 = 1 << 21;
export const MSTATUS_TSR: u64 = 1 << 22;
export const MSTATUS_UXL: u64 = 3 << 32;
export const MSTATUS_SXL: u64 = 3 << 34;
export const MSTATUS_SD: u64 = 1 << 63;

// Interrupt bits in mip/mie (priv spec §3.1.9).
export const IRQ_SSI: u32 = 1;
export const IRQ_MSI: u32 = 3;
export const IRQ_STI: u32 = 5;
export const IRQ_MTI: u32 = 7;
export const IRQ_SEI: u32 = 9;
export const IRQ_MEI: u32 = 11;
export const MIP_SSIP: u64 = 1 << 1;
export const MIP_MSIP: u64 = 1 << 3;
export const MIP_STIP: u64 = 1 << 5;
export const MIP_MTIP: u64 = 1 << 7;
export const MIP_SEIP: u64 = 1 << 9;
export const MIP_MEIP: u64 = 1 << 11;

// Exception causes (priv spec table 3.6).
export const EXC_INSN_MISALIGNED: u32 = 0;
export const EXC_INSN_ACCESS: u32 = 1;
export const EXC_ILLEGAL: u32 = 2;
export const EXC_BREAKPOINT: u32 = 3;
export const EXC_LOAD_MISALIGNED: u32 = 4;
export const EXC_LOAD_ACCESS: u32 = 5;
export const EXC_STORE_MISALIGNED: u32 = 6;
export const EXC_STORE_ACCESS: u32 = 7;
export const EXC_ECALL_U: u32 = 8;
export const EXC_ECALL_S: u32 = 9;
export const EXC_ECALL_M: u32 = 11;
export const EXC_INSN_PAGE: u32 = 12;
export const EXC_LOAD_PAGE: u32 = 13;
export const EXC_STORE_PAGE: u32 = 15;
/** Not architectural: the host ran out of memory for a new frame; the run stops. */
export const EXC_HOST_OOM: u32 = 64;
/** No exception pending. */
export const EXC_NONE: u32 = 0xffffffff;

// Hart state.
export let pc: u64 = 0x80000000;
export let priv: u32 = PRIV_M;
export let mstatus: u64 = (<u64>2 << 32) | (<u64>2 << 34);
export let medeleg: u64 = 0;
export let mideleg: u64 = 0;
export let mie: u64 = 0;
/** Software-writable mip bits (SSIP, STIP, SEIP as written by M-mode). */
export let mipSw: u64 = 0;
/** Lines driven by devices and timers (MEIP, SEIP, MTIP, STIP, MSIP). */
export let mipHw: u64 = 0;
export let mtvec: u64 = 0;
export let mscratch: u64 = 0;
export let mepc: u64 = 0;
export let mcause: u64 = 0;
export let mtval: u64 = 0;
export let mcounteren: u32 = 0;
export let mcountinhibit: u32 = 0;
export let menvcfg: u64 = 0;
export let stvec: u64 = 0;
export let sscratch: u64 = 0;
export let sepc: u64 = 0;
export let scause: u64 = 0;
export let stval: u64 = 0;
export let scounteren: u32 = 0;
export let senvcfg: u64 = 0;
export let satp: u64 = 0;
export let stimecmp: u64 = 0xffffffffffffffff;
export let frm: u32 = 0;
export let mhartid: u64 = 0;

/** Virtual clock in cycles: retired instructions, traps and idle skips. mtime derives from it. */
export let clock: u64 = 0;
export let instret: u64 = 0;
/** mcycle = clock + cycleOffset; minstret = instret + instretOffset (writable counters). */
export let cycleOffset: u64 = 0;
export let instretOffset: u64 = 0;
/** Cycles per mtime tick (timebase 10 MHz): the nominal instruction rate is 10 MHz × this. */
export let cyclesPerTick: u64 = 10;
/** CLINT state owned by the hart: mtimecmp and msip. */
export let mtimecmp: u64 = 0xffffffffffffffff;
/** LR/SC reservation: physical address, or all ones when none. */
export let reservation: u64 = 0xffffffffffffffff;
/** Set while the hart sits in WFI waiting for an interrupt. */
export let waiting: bool = false;
/** When set, ecall from S-mode stops the run for the host to implement SBI. */
export let sbiHosted: bool = false;


/** PMP registers: pmpcfg0/2/.../14 (8 × u64) then pmpaddr0..63; stored, not enforced. */
export const PMP: usize = memory.data(72 * 8, 8);

// Pending exception raised by a slow path, taken by the interpreter at the instruction.
export let excCause: u32 = EXC_NONE;
export let excTval: u64 = 0;
/** Asks the interpreter to leave its inner loop after the current instruction. */
export let exitBlock: bool = false;
/** Stop reason requested by a device (halt) or the host, 0 for none. */
export let stopRequest: u32 = 0;

@inline export function raise(cause: u32, tval: u64): void {
  excCause = cause;
  excTval = tval;
}

/** A 32-bit result sign-extended to 64 bits, as RV64 writes W results. */
@inline export function sext32(v: u32): u64 {
  return <u64><i64><i32>v;
}

@inline export function xget(i: u32): u64 {
  return load<u64>(XREGS + (<usize>i << 3));
}
@inline export function xset(i: u32, v: u64): void {
  store<u64>(XREGS + (<usize>i << 3), v);
}
@inline export function fget(i: u32): u64 {
  return load<u64>(FREGS + (<usize>i << 3));
}
@inline export function fset(i: u32, v: u64): void {
  store<u64>(FREGS + (<usize>i << 3), v);
}

export function setPc(v: u64): void { pc = v; }
export function setCyclesPerTick(v: u64): void { cyclesPerTick = v == 0 ? 1 : v; }
export function setSbiHosted(v: bool): void { sbiHosted = v; }
export function setHartId(v: u64): void { mhartid = v; }
