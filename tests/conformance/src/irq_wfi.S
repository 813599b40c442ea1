/* WFI: with a pending interrupt enabled in mie, WFI completes even when
   mstatus.MIE = 0 (no trap is taken); it also wakes up on a timer that
   fires later. */
#include "test.h"
TEST_BEGIN
  csrw mie, zero
  csrci mstatus, MSTATUS_MIE
  /* already pending software interrupt */
  li t0, MIP_MSIP
  csrw mie, t0
  li t0, CLINT_MSIP
  li t1, 1
  sw t1, 0(t0)
  wfi
  csrr a0, mip
  andi a0, a0, MIP_MSIP
  CHECK a0, MIP_MSIP
  la t5, trap_count
  ld a0, 0(t5)
  CHECK a0, 0
  li t0, CLINT_MSIP
  sw zero, 0(t0)
  /* timer that fires in the future wakes WFI (loop guards spurious wakeups) */
  li t0, MIP_MTIP
  csrw mie, t0
  li s0, CLINT_MTIMECMP
  li s1, CLINT_MTIME
  ld a0, 0(s1)
  li t0, 10000          /* 1 ms at 10 MHz */
  add a0, a0, t0
  sd a0, 0(s0)
  li s2, 1000
1:
  wfi
  csrr a1, mip
  andi a1, a1, MIP_MTIP
  bnez a1, 2f
  addi s2, s2, -1
  bnez s2, 1b
2:
  CHECK a1, MIP_MTIP
  ld a2, 0(s1)
  sltu a3, a2, a0        /* mtime >= mtimecmp now */
  CHECK a3, 0
  la t5, trap_count
  ld a0, 0(t5)
  CHECK a0, 0
  li t0, -1
  sd t0, 0(s0)
  /* WFI in S-mode with TW=0 and a pending (M-disabled) interrupt: the
     interrupt is taken in M right away since S-mode always has M
     interrupts enabled -> expect the trap */
  SET_GLOBAL_ADDR trap_hook, msip_hook
  li t0, MIP_MSIP
  csrw mie, t0
  GOTO_S
  EXPECT_TRAP
  li t0, CLINT_MSIP
  li t1, 1
  sw t1, 0(t0)
  /* The interrupt may be taken right after the store (before WFI) or after
     WFI completes (QEMU ends its translation block at WFI): both are legal,
     so only wait in WFI while the trap has not happened yet. */
  la t5, trap_expect
  ld t5, 0(t5)
  beqz t5, 7f
  wfi
7:
  WAIT_TRAP
  CHECK_TRAP (INTR_BIT | IRQ_M_SOFT)
  BACK_TO_M
  SET_GLOBAL trap_hook, 0
  csrw mie, zero
TEST_END
msip_hook:
  bgez a0, 1f
  li t0, CLINT_MSIP
  sw zero, 0(t0)
  /* QEMU takes the interrupt at the WFI itself (mepc = the WFI): resume
     after it, or the hart would sleep with nothing left to wake it. */
  lwu t1, 0(a1)
  li t2, 0x10500073
  bne t1, t2, 1f
  addi a1, a1, 4
  csrw mepc, a1
1:
  li a0, 0
  ret
