/* Illegal instructions and privilege checks: mtval = instruction bits,
   mepc = the instruction; S executing mret, U executing sret/mret; TSR
   (sret in S), TVM (satp / sfence.vma in S), TW (wfi in S; QEMU uses a
   zero time limit so it traps immediately); U/S access to M CSRs, U access
   to S CSRs. */
#include "test.h"
TEST_BEGIN
  EXPECT_TRAP
1:
  .word 0xffffffff & 0x0000707f | 0x00000000 /* opcode 0x7f: reserved */
  CHECK_TRAP CAUSE_ILLEGAL
  CHECK_EPC_ADDR 1b
  CHECK_TVAL 0x0000707f
  EXPECT_TRAP
  .word 0x0000000b            /* custom-0 (not implemented) */
  CHECK_TRAP CAUSE_ILLEGAL
  CHECK_TVAL 0x0000000b
  EXPECT_TRAP
  .word 0x02008033 | (1 << 25) | (0x7f << 25) /* OP with funct7=0x7f */
  CHECK_TRAP CAUSE_ILLEGAL
  /* S-mode: mret illegal */
  GOTO_S
  EXPECT_TRAP
  mret
  CHECK_TRAP CAUSE_ILLEGAL
  CHECK_TVAL 0x30200073
  /* S: M CSRs illegal */
  EXPECT_TRAP
  csrr a0, mstatus
  CHECK_TRAP CAUSE_ILLEGAL
  EXPECT_TRAP
  csrw mscratch, a0
  CHECK_TRAP CAUSE_ILLEGAL
  EXPECT_TRAP
  csrr a0, mhartid
  CHECK_TRAP CAUSE_ILLEGAL
  /* S CSRs fine */
  csrr a0, sstatus
  csrr a0, sscratch
  BACK_TO_M
  /* U-mode: sret/mret/S CSRs/M CSRs illegal */
  GOTO_U
  EXPECT_TRAP
  sret
  CHECK_TRAP CAUSE_ILLEGAL
  CHECK_TVAL 0x10200073
  EXPECT_TRAP
  mret
  CHECK_TRAP CAUSE_ILLEGAL
  EXPECT_TRAP
  csrr a0, sstatus
  CHECK_TRAP CAUSE_ILLEGAL
  EXPECT_TRAP
  csrr a0, satp
  CHECK_TRAP CAUSE_ILLEGAL
  EXPECT_TRAP
  csrw mstatus, zero
  CHECK_TRAP CAUSE_ILLEGAL
  EXPECT_TRAP
  csrr a0, mscratch
  CHECK_TRAP CAUSE_ILLEGAL
  EXPECT_TRAP
  sfence.vma
  CHECK_TRAP CAUSE_ILLEGAL
  BACK_TO_M
  /* TSR: sret in S traps */
  li t0, MSTATUS_TSR
  csrs mstatus, t0
  GOTO_S
  EXPECT_TRAP
  sret
  CHECK_TRAP CAUSE_ILLEGAL
  BACK_TO_M
  li t0, MSTATUS_TSR
  csrc mstatus, t0
  /* without TSR sret in S works (returns to S at sepc, SPP=S) */
  GOTO_S
  li t0, MSTATUS_SPP
  csrs sstatus, t0
  la t0, 2f
  csrw sepc, t0
  sret
2:
  EXPECT_TRAP
  ecall
  CHECK_TRAP CAUSE_ECALL_S
  BACK_TO_M
  /* TVM: satp and sfence.vma in S trap */
  li t0, MSTATUS_TVM
  csrs mstatus, t0
  GOTO_S
  EXPECT_TRAP
  csrr a0, satp
  CHECK_TRAP CAUSE_ILLEGAL
  EXPECT_TRAP
  csrw satp, zero
  CHECK_TRAP CAUSE_ILLEGAL
  EXPECT_TRAP
  sfence.vma
  CHECK_TRAP CAUSE_ILLEGAL
  BACK_TO_M
  /* TVM does not affect M-mode */
  csrr a0, satp
  sfence.vma
  li t0, MSTATUS_TVM
  csrc mstatus, t0
  GOTO_S
  csrr a0, satp
  CHECK a0, 0
  sfence.vma
  BACK_TO_M
  /* TW: wfi in S traps */
  li t0, MSTATUS_TW
  csrs mstatus, t0
  GOTO_S
  EXPECT_TRAP
  wfi
  CHECK_TRAP CAUSE_ILLEGAL
  CHECK_TVAL 0x10500073
  BACK_TO_M
  li t0, MSTATUS_TW
  csrc mstatus, t0
  /* a trapping instruction does not write its destination */
  li a0, 0x1234
  GOTO_U
  EXPECT_TRAP
  csrr a0, mstatus
  BACK_TO_M
  CHECK a0, 0x1234
TEST_END
