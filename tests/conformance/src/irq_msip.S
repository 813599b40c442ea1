/* Machine software interrupt through the CLINT msip register: mip.MSIP
   follows msip and is read-only in mip; the interrupt is taken only when
   mie.MSIE and mstatus.MIE are set (in M-mode); mcause = 2^63 | 3; the
   interrupt is always taken from S/U-mode (regardless of MIE). */
#include "test.h"
TEST_BEGIN
  li s0, CLINT_MSIP
  csrw mie, zero
  csrci mstatus, MSTATUS_MIE
  SET_GLOBAL_ADDR trap_hook, clear_msip_hook
  /* pending but disabled: visible in mip, not taken */
  li t0, 1
  sw t0, 0(s0)
  lw a0, 0(s0)
  CHECK a0, 1
  csrr a0, mip
  andi a0, a0, MIP_MSIP
  CHECK a0, MIP_MSIP
  /* mip.MSIP is read-only: clearing it through mip has no effect */
  csrci mip, MIP_MSIP
  csrr a0, mip
  andi a0, a0, MIP_MSIP
  CHECK a0, MIP_MSIP
  li t0, MIP_MSIP
  csrs mie, t0          /* enabled in mie but MIE=0: still not taken */
  nop
  nop
  la t5, trap_count
  ld a0, 0(t5)
  CHECK a0, 0
  /* enable: taken immediately */
  EXPECT_TRAP
  csrsi mstatus, MSTATUS_MIE
  WAIT_TRAP
  CHECK_TRAP (INTR_BIT | IRQ_M_SOFT)
  /* handler cleared msip and returned with MIE=0 (MPIE cleared) */
  csrr a0, mip
  andi a0, a0, MIP_MSIP
  CHECK a0, 0
  csrr a0, mstatus
  andi a0, a0, MSTATUS_MIE
  CHECK a0, 0
  la t5, trap_count
  ld a0, 0(t5)
  CHECK a0, 1
  /* raise while enabled */
  csrsi mstatus, MSTATUS_MIE
  EXPECT_TRAP
  li t0, 1
  sw t0, 0(s0)
  WAIT_TRAP
  CHECK_TRAP (INTR_BIT | IRQ_M_SOFT)
  /* in the handler MPIE was 1, MIE 0, MPP M */
  la t5, trap_mstatus
  ld a0, 0(t5)
  andi a1, a0, MSTATUS_MIE
  CHECK a1, 0
  andi a1, a0, MSTATUS_MPIE
  CHECK a1, MSTATUS_MPIE
  /* taken from U-mode even though mstatus.MIE = 0 */
  csrci mstatus, MSTATUS_MIE
  li t0, 1
  sw t0, 0(s0)
  EXPECT_TRAP_RET 1f      /* hook clears msip; resume in M at 1f */
  GOTO_U
2:
  j 2b                    /* interrupt must arrive */
1:
  CHECK_TRAP (INTR_BIT | IRQ_M_SOFT)
  la t5, trap_mstatus
  ld a0, 0(t5)
  srli a0, a0, 11
  andi a0, a0, 3
  CHECK a0, 0             /* MPP = U */
  /* mie.MSIE = 0 blocks it even in U-mode */
  li t0, MIP_MSIP
  csrc mie, t0
  li t0, 1
  sw t0, 0(s0)
  GOTO_U
  nop
  nop
  BACK_TO_M
  CHECK_TRAP CAUSE_ECALL_U
  sw zero, 0(s0)
  SET_GLOBAL trap_hook, 0
TEST_END

/* hook: for the software interrupt, clear msip; return 0 (default handling) */
clear_msip_hook:
  bgez a0, 1f
  li t0, CLINT_MSIP
  sw zero, 0(t0)
  /* interrupts resume at trap_ret if set (used for the U-mode case) */
  la t0, trap_ret
  ld t1, 0(t0)
  beqz t1, 1f
  sd zero, 0(t0)
  csrw mepc, t1
  li t0, MSTATUS_MPP
  csrs mstatus, t0
1:
  li a0, 0
  ret
