/* Machine timer interrupt: mip.MTIP is set while mtime >= mtimecmp and
   cleared by writing a larger mtimecmp; the interrupt is taken when
   mie.MTIE and MIE are set (mcause 2^63 | 7). A supervisor timer
   interrupt raised by M-mode software through mip.STIP and delegated with
   mideleg is taken in S-mode (scause 2^63 | 5). Sstc is not used. */
#include "test.h"
TEST_BEGIN
  li s0, CLINT_MTIMECMP
  li s1, CLINT_MTIME
  csrw mie, zero
  csrci mstatus, MSTATUS_MIE
  /* mtime advances */
  ld a0, 0(s1)
  li t0, 100000000
1:
  ld a1, 0(s1)
  bne a0, a1, 2f
  addi t0, t0, -1
  bnez t0, 1b
2:
  sltu a2, a0, a1
  CHECK a2, 1
  /* mtimecmp far away: MTIP clear */
  li t0, -1
  sd t0, 0(s0)
  csrr a0, mip
  andi a0, a0, MIP_MTIP
  CHECK a0, 0
  /* mtimecmp = now + small: MTIP becomes set */
  ld a0, 0(s1)
  addi a0, a0, 100
  sd a0, 0(s0)
  ld a1, 0(s0)
  CHECKR a1, a0
  li t0, 100000000
3:
  csrr a0, mip
  andi a0, a0, MIP_MTIP
  bnez a0, 4f
  addi t0, t0, -1
  bnez t0, 3b
4:
  CHECK a0, MIP_MTIP
  /* MTIP is read-only in mip */
  li t0, MIP_MTIP
  csrc mip, t0
  csrr a0, mip
  andi a0, a0, MIP_MTIP
  CHECK a0, MIP_MTIP
  /* mtimecmp = 0 keeps it pending; -1 clears it */
  sd zero, 0(s0)
  csrr a0, mip
  andi a0, a0, MIP_MTIP
  CHECK a0, MIP_MTIP
  li t0, -1
  sd t0, 0(s0)
  csrr a0, mip
  andi a0, a0, MIP_MTIP
  CHECK a0, 0
  /* take the interrupt */
  SET_GLOBAL_ADDR trap_hook, timer_hook
  li t0, MIP_MTIP
  csrs mie, t0
  csrsi mstatus, MSTATUS_MIE
  EXPECT_TRAP
  ld a0, 0(s1)
  addi a0, a0, 50
  sd a0, 0(s0)
  li t0, 100000000
5:
  la t5, trap_count
  ld a0, 0(t5)
  bnez a0, 6f
  addi t0, t0, -1
  bnez t0, 5b
6:
  CHECK a0, 1
  CHECK_TRAP (INTR_BIT | IRQ_M_TIMER)
  csrr a0, mip
  andi a0, a0, MIP_MTIP
  CHECK a0, 0               /* hook wrote mtimecmp = -1 */
  csrw mie, zero
  csrci mstatus, MSTATUS_MIE
  SET_GLOBAL trap_hook, 0

  /* supervisor timer: STIP is writable from M, delegated to S */
  li t0, MIP_STIP
  csrw mideleg, t0
  csrw mie, t0
  csrs mip, t0
  csrr a0, mip
  andi a0, a0, MIP_STIP
  CHECK a0, MIP_STIP
  csrr a0, sip
  andi a0, a0, MIP_STIP
  CHECK a0, MIP_STIP
  SET_GLOBAL_ADDR strap_hook, stimer_hook
  GOTO_S
  SEXPECT_TRAP
  csrsi sstatus, MSTATUS_SIE
  WAIT_STRAP
  CHECK_STRAP (INTR_BIT | IRQ_S_TIMER)
  /* S cannot clear STIP through sip (read-only there); the hook asked M
     to clear it via ecall */
  BACK_TO_M
  csrr a0, mip
  andi a0, a0, MIP_STIP
  CHECK a0, 0
  SET_GLOBAL strap_hook, 0
  csrw mideleg, zero
  csrw mie, zero
TEST_END

timer_hook:
  bgez a0, 1f
  li t0, CLINT_MTIMECMP
  li t1, -1
  sd t1, 0(t0)
1:
  li a0, 0
  ret
/* S-mode hook: clear STIP via a (non-delegated) S ecall to M */
stimer_hook:
  bgez a0, 1f
  /* tell the M handler to clear STIP: use its hook slot */
  la t0, trap_hook
  la t1, clear_stip_m
  sd t1, 0(t0)
  la t0, trap_expect
  li t1, 1
  sd t1, 0(t0)
  ecall
1:
  li a0, 0
  ret
clear_stip_m:
  li t0, MIP_STIP
  csrc mip, t0
  la t0, trap_hook
  sd zero, 0(t0)
  li a0, 0
  ret
