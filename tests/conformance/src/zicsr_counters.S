/* Counters: mcycle/minstret/time (and cycle/instret user aliases) increase;
   minstret counts retired instructions; time matches CLINT mtime;
   mcycle/minstret are writable; mcountinhibit? not required.
   mcounteren/scounteren gate U/S access to cycle/time/instret. */
#include "test.h"
TEST_BEGIN
  csrr a0, cycle
  csrr a1, instret
  rdtime a2
  li t0, 200
1:
  addi t0, t0, -1
  bnez t0, 1b
  csrr a3, cycle
  csrr a4, instret
  rdtime a5
  sltu t1, a0, a3
  CHECK t1, 1
  sltu t1, a1, a4
  CHECK t1, 1
  /* NOTE: without -icount QEMU 7.2 derives mcycle AND minstret from the
     host tick counter, so instret is only checked to increase, not to count
     exactly. */
  /* time is non-decreasing (may tick slowly) */
  sltu t1, a5, a2
  CHECK t1, 0
  /* mcycle/minstret mirror cycle/instret (read M then U alias: U >= M) */
  csrr a0, minstret
  csrr a1, instret
  sltu t1, a1, a0
  CHECK t1, 0
  csrr a0, mcycle
  csrr a1, cycle
  sltu t1, a1, a0
  CHECK t1, 0
  /* minstret / mcycle writable: the value continues from what was written */
  li a0, 0x100000000000
  csrw minstret, a0
  csrr a1, minstret
  sltu t1, a1, a0
  CHECK t1, 0
  li a0, 0x100000000000
  csrw mcycle, a0
  csrr a1, mcycle
  sltu t1, a1, a0
  CHECK t1, 0
  /* time advances: wait until mtime changes */
  rdtime a0
  li t0, 10000000
2:
  rdtime a1
  bne a1, a0, 3f
  addi t0, t0, -1
  bnez t0, 2b
3:
  sltu t1, a0, a1
  CHECK t1, 1
  /* time CSR tracks CLINT mtime */
  li t2, CLINT_MTIME
  ld a2, 0(t2)
  rdtime a3
  ld a4, 0(t2)
  sltu t1, a3, a2
  CHECK t1, 0
  sltu t1, a4, a3
  CHECK t1, 0
  /* U-mode access gated by mcounteren (scounteren irrelevant from U? no:
     U needs both mcounteren and scounteren) */
  csrw mcounteren, zero
  csrw scounteren, zero
  GOTO_U
  EXPECT_TRAP
  rdcycle a0
  CHECK_TRAP CAUSE_ILLEGAL
  EXPECT_TRAP
  rdtime a0
  CHECK_TRAP CAUSE_ILLEGAL
  BACK_TO_M
  li t0, 7
  csrw mcounteren, t0
  GOTO_S
  rdcycle a0           /* S: allowed by mcounteren */
  rdtime a0
  rdinstret a0
  BACK_TO_M
  GOTO_U
  EXPECT_TRAP
  rdinstret a0         /* U: still blocked by scounteren */
  CHECK_TRAP CAUSE_ILLEGAL
  BACK_TO_M
  csrw scounteren, t0
  GOTO_U
  rdcycle a0
  rdtime a1
  rdinstret a2
  BACK_TO_M
  csrw mcounteren, zero
  csrw scounteren, zero
  GOTO_S
  EXPECT_TRAP
  rdcycle a0
  CHECK_TRAP CAUSE_ILLEGAL
  BACK_TO_M
TEST_END
