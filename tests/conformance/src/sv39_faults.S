/* Sv39 faults and permissions: load/store/fetch page faults (mcause
   13/15/12, mtval = faulting VA), invalid PTE, read-only, execute-only,
   W-without-R reserved encoding, non-executable page, U pages from S with
   SUM=0/1 (never executable from S), U-mode vs non-U pages, MXR making
   execute-only pages readable, misaligned superpages, non-canonical
   addresses. */
#include "test.h"
#include "sv39.h"
TEST_BEGIN
  SV39_SETUP
  GOTO_S
  /* invalid PTE */
  li s0, VA_TEST + 0x2000
  EXPECT_TRAP
  ld a0, 8(s0)
  CHECK_PF CAUSE_LOAD_PAGE, VA_TEST + 0x2008
  EXPECT_TRAP
  sw a0, 4(s0)
  CHECK_PF CAUSE_STORE_PAGE, VA_TEST + 0x2004
  /* AMO: spec says store/AMO page fault (15); QEMU 7.2 reports 13 because
     its atomic helpers translate as a load, so 13 is accepted too */
  EXPECT_TRAP
  amoadd.d a0, a0, (s0)
  la t5, trap_cause
  ld a1, 0(t5)
  li t5, CAUSE_LOAD_PAGE
  bne a1, t5, 7f
  li a1, CAUSE_STORE_PAGE
7:
  CHECK a1, CAUSE_STORE_PAGE
  CHECK_TVAL VA_TEST + 0x2000
  /* read-only */
  li s0, VA_TEST + 0x1000
  ld a0, 0(s0)
  CHECK a0, 0x1111111111111111
  EXPECT_TRAP
  sd a0, 0(s0)
  CHECK_PF CAUSE_STORE_PAGE, VA_TEST + 0x1000
  /* lr on a readable page works, sc on a read-only page faults */
  lr.d a0, (s0)
  EXPECT_TRAP
  sc.d a1, a0, (s0)
  CHECK_PF CAUSE_STORE_PAGE, VA_TEST + 0x1000
  /* execute-only: loads fault unless MXR */
  li s0, VA_TEST + 0x3000
  EXPECT_TRAP
  ld a0, 0(s0)
  CHECK_PF CAUSE_LOAD_PAGE, VA_TEST + 0x3000
  li t0, MSTATUS_MXR
  csrs sstatus, t0
  ld a0, 0(s0)
  CHECK a0, 0x1111111111111111
  EXPECT_TRAP
  sd a0, 0(s0)                /* MXR does not grant write */
  CHECK_PF CAUSE_STORE_PAGE, VA_TEST + 0x3000
  li t0, MSTATUS_MXR
  csrc sstatus, t0
  /* the load MXR allowed does not outlive it (a translation cache must not keep it) */
  EXPECT_TRAP
  ld a0, 0(s0)
  CHECK_PF CAUSE_LOAD_PAGE, VA_TEST + 0x3000
  /* W without R: reserved -> page fault for any access */
  li s0, VA_TEST + 0x7000
  EXPECT_TRAP
  ld a0, 0(s0)
  CHECK_TRAP CAUSE_LOAD_PAGE
  EXPECT_TRAP
  sd a0, 0(s0)
  CHECK_TRAP CAUSE_STORE_PAGE
  /* fetch from a non-executable page: 12, mtval = target */
  li s0, VA_TEST + 0x6000
  EXPECT_TRAP_RET 1f
  jalr ra, 0(s0)
1:
  CHECK_PF CAUSE_FETCH_PAGE, VA_TEST + 0x6000
  GOTO_S
  /* fetch from an invalid page */
  li s0, VA_TEST + 0x2000
  EXPECT_TRAP_RET 2f
  jalr ra, 0x10(s0)
2:
  CHECK_PF CAUSE_FETCH_PAGE, VA_TEST + 0x2010
  GOTO_S
  /* U page from S: SUM=0 faults, SUM=1 allows loads/stores */
  li t0, MSTATUS_SUM
  csrc sstatus, t0
  li s0, VA_TEST + 0x4000
  EXPECT_TRAP
  ld a0, 0(s0)
  CHECK_PF CAUSE_LOAD_PAGE, VA_TEST + 0x4000
  EXPECT_TRAP
  sd a0, 8(s0)
  CHECK_PF CAUSE_STORE_PAGE, VA_TEST + 0x4008
  li t0, MSTATUS_SUM
  csrs sstatus, t0
  ld a0, 0(s0)
  CHECK a0, 0x1111111111111111
  li a1, 0x7777
  sd a1, 24(s0)
  ld a0, 24(s0)
  CHECK a0, 0x7777
  /* S never executes U pages, even with SUM=1 */
  li s0, VA_TEST + 0x8000
  EXPECT_TRAP_RET 3f
  jalr ra, 0(s0)
3:
  CHECK_PF CAUSE_FETCH_PAGE, VA_TEST + 0x8000
  GOTO_S
  /* accesses SUM allowed do not outlive it: used with SUM=1, then refused once it is clear;
     a supervisor page used meanwhile stays usable */
  li s0, VA_TEST + 0x4000
  li s1, VA_TEST + 0x1000
  li t0, MSTATUS_SUM
  csrs sstatus, t0
  ld a0, 24(s0)
  CHECK a0, 0x7777
  sd a0, 16(s0)
  ld a1, 0(s1)
  li t0, MSTATUS_SUM
  csrc sstatus, t0
  EXPECT_TRAP
  ld a0, 24(s0)
  CHECK_PF CAUSE_LOAD_PAGE, VA_TEST + 0x4018
  EXPECT_TRAP
  sd a0, 16(s0)
  CHECK_PF CAUSE_STORE_PAGE, VA_TEST + 0x4010
  ld a1, 0(s1)
  CHECK a1, 0x1111111111111111
  /* and setting SUM again allows them again */
  li t0, MSTATUS_SUM
  csrs sstatus, t0
  ld a0, 16(s0)
  CHECK a0, 0x7777
  csrc sstatus, t0
  /* misaligned superpages */
  li s0, VA_MEGA_BAD
  EXPECT_TRAP
  ld a0, 0(s0)
  CHECK_PF CAUSE_LOAD_PAGE, VA_MEGA_BAD
  li s0, VA_GIGA_BAD
  EXPECT_TRAP
  ld a0, 0x100(s0)
  CHECK_PF CAUSE_LOAD_PAGE, VA_GIGA_BAD + 0x100
  /* non-canonical addresses (bits 63:39 != bit 38) */
  li s0, 0x0000008000000000
  EXPECT_TRAP
  ld a0, 0(s0)
  CHECK_TRAP CAUSE_LOAD_PAGE
  li s0, 0xffff000080000000
  EXPECT_TRAP
  sd a0, 0(s0)
  CHECK_TRAP CAUSE_STORE_PAGE
  li s0, 0x4000000000
  EXPECT_TRAP_RET 4f
  jalr ra, 0(s0)
4:
  CHECK_TRAP CAUSE_FETCH_PAGE
  /* unmapped (root entry 5 is invalid) */
  GOTO_S
  li s0, 0x140000000
  EXPECT_TRAP
  lw a0, 0(s0)
  CHECK_PF CAUSE_LOAD_PAGE, 0x140000000
  BACK_TO_M

  /* U-mode: runs the user code page; U pages accessible, others not.
     Jump to VA 0x40008000 in U-mode (addi a0,a0,1 ; ret): the ret goes to
     a supervisor page, which faults (fetch, 12) -> resume in M. */
  la t0, 5f
  SET_GLOBAL_ADDR trap_ret, 5f
  SET_GLOBAL trap_expect, 1
  li t0, VA_TEST + 0x8000
  csrw mepc, t0
  li t0, MSTATUS_MPP
  csrc mstatus, t0
  li a0, 100
  la ra, 6f                  /* supervisor-only code page for U */
  mret
6:
  nop
5:
  CHECK a0, 101              /* the user code ran */
  CHECK_TRAP CAUSE_FETCH_PAGE
  CHECK_TVAL_ADDR 6b
  /* MPRV with MPP=U: U page accessible, S page not. While MPRV=1 and
     MPP=U every M-mode data access is a U-mode access, and the test's own
     globals live on a supervisor page: arm the handler first and touch no
     memory except the accesses under test.
     (QEMU 7.2 keeps stale TLB entries here and would let such accesses
     through; the spec does not.) */
  EXPECT_TRAP
  li s0, VA_TEST + 0x4000
  li s1, VA_TEST + 0x1000
  li t0, MSTATUS_MPP
  csrc mstatus, t0
  li t0, MSTATUS_MPRV
  csrs mstatus, t0
  ld a0, 0(s0)              /* U page: ok */
  ld a1, 0(s1)              /* S page: load page fault; the handler's
                               mret leaves MPP = U */
  li t0, MSTATUS_MPRV
  csrc mstatus, t0
  CHECK a0, 0x1111111111111111
  CHECK_PF CAUSE_LOAD_PAGE, VA_TEST + 0x1000
  csrw satp, zero
  sfence.vma
TEST_END
