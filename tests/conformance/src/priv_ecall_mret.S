/* Trap entry/return basics: ecall from M/S/U (mcause 11/9/8, mepc = the
   ecall, mtval = 0), ebreak (mcause 3), trap entry stacks MIE into MPIE and
   the previous privilege into MPP; mret restores MIE from MPIE, sets MPIE=1,
   MPP = U (least-privileged mode) and returns to the MPP mode. */
#include "test.h"
#define MPP_SHIFT 11
.macro CHECK_MPP_SAVED val
  la t5, trap_mstatus
  ld a5, 0(t5)
  srli a5, a5, MPP_SHIFT
  andi a5, a5, 3
  CHECK a5, \val
.endm
TEST_BEGIN
  /* ecall from M */
  EXPECT_TRAP
1:
  ecall
  CHECK_TRAP CAUSE_ECALL_M
  CHECK_EPC_ADDR 1b
  CHECK_TVAL 0
  CHECK_MPP_SAVED 3
  /* ebreak from M */
  EXPECT_TRAP
2:
  ebreak
  CHECK_TRAP CAUSE_BREAKPOINT
  CHECK_EPC_ADDR 2b
  /* ecall from S */
  GOTO_S
  EXPECT_TRAP
3:
  ecall
  CHECK_TRAP CAUSE_ECALL_S
  CHECK_EPC_ADDR 3b
  CHECK_MPP_SAVED 1
  /* the handler returned to S-mode (MPP=S kept): another ecall is 9 again */
  EXPECT_TRAP
  ecall
  CHECK_TRAP CAUSE_ECALL_S
  EXPECT_TRAP
  ebreak
  CHECK_TRAP CAUSE_BREAKPOINT
  BACK_TO_M
  /* ecall from U */
  GOTO_U
  EXPECT_TRAP
4:
  ecall
  CHECK_TRAP CAUSE_ECALL_U
  CHECK_EPC_ADDR 4b
  CHECK_MPP_SAVED 0
  BACK_TO_M
  /* back in M: ecall is 11 */
  EXPECT_TRAP
  ecall
  CHECK_TRAP CAUSE_ECALL_M

  /* trap entry: MPIE <- MIE, MIE <- 0 (keep all interrupts disabled in mie
     so setting MIE is harmless) */
  csrw mie, zero
  csrsi mstatus, MSTATUS_MIE
  EXPECT_TRAP
  ecall
  la t5, trap_mstatus        /* mstatus as seen inside the handler */
  ld a0, 0(t5)
  andi a1, a0, MSTATUS_MIE
  CHECK a1, 0
  andi a1, a0, MSTATUS_MPIE
  CHECK a1, MSTATUS_MPIE
  /* mret restored MIE from MPIE */
  csrr a0, mstatus
  andi a1, a0, MSTATUS_MIE
  CHECK a1, MSTATUS_MIE
  csrci mstatus, MSTATUS_MIE
  EXPECT_TRAP
  ecall
  la t5, trap_mstatus
  ld a0, 0(t5)
  andi a1, a0, MSTATUS_MPIE
  CHECK a1, 0
  csrr a0, mstatus
  andi a1, a0, MSTATUS_MIE
  CHECK a1, 0

  /* mret by hand: MPIE=1, MIE=0, MPP=S -> lands in S with MIE... (MIE is
     M's bit; in S-mode M interrupts are always enabled regardless). After
     mret: MPIE=1 and MPP=U. */
  li t0, MSTATUS_MPP
  csrc mstatus, t0
  li t0, MSTATUS_MPP_S | MSTATUS_MPIE
  csrs mstatus, t0
  la t0, 5f
  csrw mepc, t0
  mret
5:
  /* now in S: check with ecall, then inspect mstatus from M */
  EXPECT_TRAP
  ecall
  CHECK_TRAP CAUSE_ECALL_S
  la t5, trap_mstatus
  ld a0, 0(t5)
  andi a1, a0, MSTATUS_MIE   /* MIE became old MPIE=1 before the ecall */
  CHECK a1, 0                /* ...but the ecall itself cleared MIE */
  andi a1, a0, MSTATUS_MPIE  /* MPIE = MIE at the time of the ecall = 1 */
  CHECK a1, MSTATUS_MPIE
  BACK_TO_M
  /* after an mret, MPP is U (least privileged) and MPIE is 1 */
  li t0, MSTATUS_MPP
  csrs mstatus, t0
  li t0, MSTATUS_MPIE
  csrc mstatus, t0
  la t0, 6f
  csrw mepc, t0
  mret                       /* MPP=M: stays in M */
6:
  csrr a0, mstatus
  srli a1, a0, MPP_SHIFT
  andi a1, a1, 3
  CHECK a1, 0
  andi a1, a0, MSTATUS_MPIE
  CHECK a1, MSTATUS_MPIE
  EXPECT_TRAP
  ecall
  CHECK_TRAP CAUSE_ECALL_M
  /* (Priv. spec 1.12: an mret to a less-privileged mode clears MPRV.
     QEMU 7.2 implements the 1.11 behaviour and keeps MPRV, so this is not
     checked.) */
  /* mepc/mcause/mtval are writable by software */
  csrw mcause, zero
  CHECK_CSR mcause, 0
  li a0, 0x123
  csrw mtval, a0
  CHECK_CSR mtval, 0x123
TEST_END
