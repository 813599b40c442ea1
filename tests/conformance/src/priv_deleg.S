/* Delegation: medeleg sends U ecall / breakpoint / illegal instruction to
   S-mode (scause, sepc, stval, SPP, SPIE/SIE), sret returns to U or S;
   non-delegated traps still go to M; traps taken in M are never delegated;
   sstatus is a restricted view of mstatus; sie/sip are masked by mideleg;
   mideleg delegates the supervisor software interrupt to S. */
#include "test.h"
/* From U with U-ecall delegated: ecall to the S handler, resume in S. */
.macro U_TO_S
  SEXPECT_TRAP_RET .Lus\@
  ecall
.Lus\@:
.endm
TEST_BEGIN
  /* medeleg: U ecall (8), breakpoint (3), illegal (2) to S */
  li t0, (1 << CAUSE_ECALL_U) | (1 << CAUSE_BREAKPOINT) | (1 << CAUSE_ILLEGAL)
  csrw medeleg, t0
  csrr a0, medeleg
  CHECK a0, (1 << CAUSE_ECALL_U) | (1 << CAUSE_BREAKPOINT) | (1 << CAUSE_ILLEGAL)
  /* set SIE so we can observe SPIE */
  csrsi sstatus, MSTATUS_SIE
  GOTO_U
  SEXPECT_TRAP
1:
  ecall                     /* -> S handler, then sret back to U */
  CHECK_STRAP CAUSE_ECALL_U
  la t5, strap_epc
  ld a0, 0(t5)
  la t6, 1b
  CHECKR a0, t6
  la t5, strap_sstatus
  ld a0, 0(t5)
  andi a1, a0, MSTATUS_SPP
  CHECK a1, 0               /* came from U */
  andi a1, a0, MSTATUS_SPIE
  CHECK a1, MSTATUS_SPIE    /* old SIE */
  andi a1, a0, MSTATUS_SIE
  CHECK a1, 0
  SEXPECT_TRAP
  ebreak
  CHECK_STRAP CAUSE_BREAKPOINT
  SEXPECT_TRAP
  mret                      /* illegal in U -> S; stval = bits or 0 */
  CHECK_STRAP CAUSE_ILLEGAL
  /* S handler count vs M handler count: M never saw these */
  la t5, trap_count
  ld s4, 0(t5)
  /* a non-delegated exception (load access fault) still goes to M */
  EXPECT_TRAP
  ld a0, 0(zero)
  CHECK_TRAP CAUSE_LOAD_ACCESS
  U_TO_S
  BACK_TO_M
  /* SIE restored by sret from SPIE */
  csrr a0, sstatus
  andi a1, a0, MSTATUS_SIE
  CHECK a1, MSTATUS_SIE
  la t5, strap_count
  ld a0, 0(t5)
  CHECK a0, 4

  /* S-mode traps delegated to S: SPP = 1; medeleg bit 9 (S ecall) is
     WARL - QEMU allows it - so use the delegated breakpoint instead */
  GOTO_S
  SEXPECT_TRAP
  ebreak
  CHECK_STRAP CAUSE_BREAKPOINT
  la t5, strap_sstatus
  ld a0, 0(t5)
  andi a1, a0, MSTATUS_SPP
  CHECK a1, MSTATUS_SPP
  /* S ecall is not delegated: goes to M */
  EXPECT_TRAP
  ecall
  CHECK_TRAP CAUSE_ECALL_S
  BACK_TO_M
  /* traps from M-mode are never delegated */
  EXPECT_TRAP
  ebreak
  CHECK_TRAP CAUSE_BREAKPOINT
  csrw medeleg, zero

  /* sret by hand from S into U, SPIE -> SIE, SPIE = 1, SPP = U */
  GOTO_S
  csrci sstatus, MSTATUS_SIE
  li t0, MSTATUS_SPIE | MSTATUS_SPP
  csrc sstatus, t0
  li t0, MSTATUS_SPIE
  csrs sstatus, t0
  la t0, 2f
  csrw sepc, t0
  sret
2:
  EXPECT_TRAP
  ecall
  CHECK_TRAP CAUSE_ECALL_U
  BACK_TO_M
  csrr a0, mstatus
  andi a1, a0, MSTATUS_SIE
  CHECK a1, MSTATUS_SIE
  andi a1, a0, MSTATUS_SPIE
  CHECK a1, MSTATUS_SPIE
  andi a1, a0, MSTATUS_SPP
  CHECK a1, 0
  csrci sstatus, MSTATUS_SIE

  /* sstatus is a view of mstatus: S fields visible, M fields hidden */
  li t0, MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR | MSTATUS_MPRV
  csrs mstatus, t0
  csrr a0, sstatus
  and a1, a0, t0
  CHECK a1, 0
  csrc mstatus, t0
  li t0, MSTATUS_SUM | MSTATUS_MXR | MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE
  csrs sstatus, t0
  csrr a0, mstatus
  and a1, a0, t0
  CHECKR a1, t0
  csrc mstatus, t0
  csrr a0, sstatus
  and a1, a0, t0
  CHECK a1, 0
  /* writing M-only bits through sstatus has no effect */
  li t0, MSTATUS_MIE | MSTATUS_MPIE
  csrc mstatus, t0
  csrs sstatus, t0
  csrr a0, mstatus
  and a1, a0, t0
  CHECK a1, 0
  /* sstatus.UXL = 2 (64-bit) if present, read-only view of mstatus */
  csrr a0, sstatus
  srli a0, a0, 32
  andi a0, a0, 3
  CHECK a0, 2

  /* sie/sip masked by mideleg */
  csrw mideleg, zero
  csrw mie, zero
  li t0, MIP_SSIP | MIP_STIP | MIP_SEIP
  csrs mie, t0
  csrr a0, sie
  CHECK a0, 0               /* nothing delegated: sie reads zero */
  csrw mideleg, t0
  csrr a0, mideleg
  andi a0, a0, 0x2aa        /* QEMU 7.2 has the H extension: VS bits 0x1444 are read-only 1 */
  CHECK a0, MIP_SSIP | MIP_STIP | MIP_SEIP
  csrr a0, sie
  CHECK a0, MIP_SSIP | MIP_STIP | MIP_SEIP
  csrw sie, zero
  csrr a0, mie
  CHECK a0, 0               /* sie writes reach mie */
  li t0, MIP_SSIP
  csrw mideleg, t0
  li t0, MIP_SSIP | MIP_STIP
  csrw sie, t0              /* STIP not delegated: not writable via sie */
  csrr a0, mie
  CHECK a0, MIP_SSIP
  /* sip.SSIP: set from M via mip, visible in sip when delegated */
  csrsi mip, MIP_SSIP
  csrr a0, sip
  CHECK a0, MIP_SSIP
  csrw mideleg, zero
  csrr a0, sip
  CHECK a0, 0
  csrci mip, MIP_SSIP
  csrr a0, mip
  andi a0, a0, MIP_SSIP
  CHECK a0, 0

  /* delegated SSIP taken in S-mode with SIE=1 */
  li t0, MIP_SSIP
  csrw mideleg, t0
  csrw mie, t0
  GOTO_S
  SEXPECT_TRAP
  csrsi sstatus, MSTATUS_SIE
  csrsi sip, MIP_SSIP       /* S can set its own SSIP through sip */
  WAIT_STRAP
  CHECK_STRAP (INTR_BIT | IRQ_S_SOFT)
  csrci sip, MIP_SSIP
  csrci sstatus, MSTATUS_SIE
  BACK_TO_M
  /* delegated interrupts are not taken in M-mode even with MIE=1 */
  csrsi mip, MIP_SSIP
  csrsi mstatus, MSTATUS_MIE
  nop
  nop
  csrci mstatus, MSTATUS_MIE
  csrci mip, MIP_SSIP
  la t5, trap_cause
  ld a0, 0(t5)
  CHECK a0, CAUSE_ECALL_S   /* unchanged since BACK_TO_M */
  /* ...but are taken in U-mode regardless of SIE (the hook clears SSIP,
     otherwise returning to U would retake it forever) */
  SET_GLOBAL_ADDR strap_hook, clear_ssip_hook
  csrci sstatus, MSTATUS_SIE
  GOTO_U
  SEXPECT_TRAP
  la t5, strap_cause
  sd zero, 0(t5)
  BACK_TO_M
  csrsi mip, MIP_SSIP
  GOTO_U
  WAIT_STRAP
  BACK_TO_M
  csrci mip, MIP_SSIP
  la t5, strap_cause
  ld a0, 0(t5)
  CHECK a0, (INTR_BIT | IRQ_S_SOFT)
  csrr a0, sip
  CHECK a0, 0
  SET_GLOBAL strap_hook, 0
  csrw mideleg, zero
  csrw mie, zero
TEST_END

clear_ssip_hook:
  csrci sip, MIP_SSIP
  li a0, 0
  ret
