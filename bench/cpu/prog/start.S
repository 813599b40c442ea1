/* bench/cpu startup: M-mode from reset on QEMU virt with -bios none (hart 0 only).
   Sets up gp/sp, enables the FPU, zeroes .bss, calls main, and reports any
   unexpected trap through the SiFive test finisher as a failure. */
  .section .text.init
  .globl _start
_start:
  la t0, trap
  csrw mtvec, t0
  .option push
  .option norelax
  la gp, __global_pointer$
  .option pop
  la sp, __stack_top
  li t0, (1 << 13)          /* mstatus.FS = Initial */
  csrs mstatus, t0
  csrw fcsr, zero
  la t0, __bss_start
  la t1, __bss_end
1:
  bgeu t0, t1, 2f
  sd zero, 0(t0)
  addi t0, t0, 8
  j 1b
2:
  call main
  /* main returns the exit status: 0 = pass, else fail with that code */
  j finish

  .align 2
trap:
  csrr a0, mcause
  addi a0, a0, 0x100        /* distinguish trap exits from program failures */
  /* fallthrough */
  .globl finish
finish:
  li t0, 0x100000
  bnez a0, 3f
  li t1, 0x5555
  sw t1, 0(t0)
  j 4f
3:
  slli t1, a0, 16
  li t2, 0x3333
  or t1, t1, t2
  sw t1, 0(t0)
4:
  wfi
  j 4b
