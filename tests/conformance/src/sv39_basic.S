/* Sv39 translation: 4 KiB, 2 MiB and 1 GiB leaves, hardware A/D update
   (QEMU 7.2 sets A on access and D on store; checked in the PTE in memory),
   sfence.vma after changing a PTE, MPRV with MPP=S for M-mode loads and
   stores, satp round trip, execution from a mapped execute-only page. */
#include "test.h"
#include "sv39.h"
TEST_BEGIN
  /* satp: mode 0 (bare) by default */
  csrr a0, satp
  CHECK a0, 0
  SV39_SETUP
  csrr a0, satp
  srli a0, a0, 60
  CHECK a0, 8
  /* M-mode is not translated (MPRV=0): identity anyway, just run */
  GOTO_S
  /* 4 KiB page, A/D initially clear */
  GET_PTE a1, PG_L0, 0
  andi a1, a1, PTE_A | PTE_D
  CHECK a1, 0
  li s0, VA_TEST
  ld a0, 0(s0)
  CHECK a0, 0x1111111111111111
  GET_PTE a1, PG_L0, 0
  andi a1, a1, PTE_A | PTE_D
  CHECK a1, PTE_A
  li a2, 0x3333333333333333
  sd a2, 16(s0)
  GET_PTE a1, PG_L0, 0
  andi a1, a1, PTE_A | PTE_D
  CHECK a1, PTE_A | PTE_D
  /* the store reached physical page P */
  SCRATCH_PAGE a3, PG_P
  ld a0, 16(a3)
  CHECK a0, 0x3333333333333333
  /* same physical page through other virtual pages */
  li s1, VA_TEST + 0x1000
  ld a0, 16(s1)
  CHECK a0, 0x3333333333333333
  li s1, VA_TEST + 0x6000
  ld a0, 8(s1)
  CHECK a0, 0x2222222222222222
  /* offsets within a page are preserved */
  lw a0, 4(s0)
  CHECK a0, 0x11111111
  /* 2 MiB megapage alias of RAM: VA_MEGA + (x - RAM_BASE) */
  la a3, magic
  li t0, RAM_BASE
  sub a3, a3, t0
  li t0, VA_MEGA
  add a4, a3, t0
  ld a0, 0(a4)
  CHECK a0, 0x0123456789abcdef
  /* 1 GiB gigapage alias of RAM */
  li t0, VA_GIGA
  add a4, a3, t0
  ld a0, 0(a4)
  CHECK a0, 0x0123456789abcdef
  /* far into the gigapage: scratch page P through the alias */
  SCRATCH_PAGE a5, PG_P
  li t0, RAM_BASE
  sub a5, a5, t0
  li t0, VA_GIGA
  add a5, a5, t0
  ld a0, 0(a5)
  CHECK a0, 0x1111111111111111
  /* execute from a mapped X-only page */
  li a0, 41
  li t0, VA_TEST + 0x5000
  jalr ra, 0(t0)
  CHECK a0, 42
  BACK_TO_M

  /* sfence.vma after changing a PTE: remap page 0 to Q */
  SET_PTE_PAGE PG_L0, 0, PG_Q, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
  GOTO_S
  sfence.vma
  li s0, VA_TEST
  ld a0, 0(s0)
  CHECK a0, 0x5151515151515151
  BACK_TO_M
  /* make invalid page 2 valid, sfence.vma with an address operand */
  SET_PTE_PAGE PG_L0, 2, PG_P, PTE_V | PTE_R | PTE_A
  GOTO_S
  li s0, VA_TEST + 0x2000
  sfence.vma s0, zero
  ld a0, 0(s0)
  CHECK a0, 0x1111111111111111
  BACK_TO_M
  /* and invalid again: fault after sfence.vma */
  SCRATCH_PAGE t0, PG_L0
  sd zero, 16(t0)
  GOTO_S
  sfence.vma
  EXPECT_TRAP
  li s0, VA_TEST + 0x2000
  ld a0, 0(s0)
  CHECK_TRAP CAUSE_LOAD_PAGE
  BACK_TO_M

  /* MPRV=1, MPP=S: M-mode loads/stores are translated */
  li t0, MSTATUS_MPP
  csrc mstatus, t0
  li t0, MSTATUS_MPP_S | MSTATUS_MPRV
  csrs mstatus, t0
  li s0, VA_TEST + 0x1000
  ld a0, 8(s0)
  CHECK a0, 0x2222222222222222
  li s0, VA_TEST + 0x6000
  li a1, 0x4444
  sd a1, 24(s0)
  li s0, VA_TEST + 0x1000
  ld a0, 24(s0)
  CHECK a0, 0x4444
  /* ...and faults like S-mode accesses (store to read-only page) */
  EXPECT_TRAP
  sd a1, 0(s0)
  /* the handler's mret left MPP = U (mret sets MPP to the least-privileged
     mode), so M-mode data accesses would now be translated as U-mode:
     clear MPRV before checking anything */
  li t0, MSTATUS_MPRV
  csrc mstatus, t0
  CHECK_PF CAUSE_STORE_PAGE, VA_TEST + 0x1000
  csrr a0, mstatus
  srli a0, a0, 11
  andi a0, a0, 3
  CHECK a0, 0
  SCRATCH_PAGE s1, PG_P
  ld a0, 24(s1)
  CHECK a0, 0x4444
  /* MPRV=1 with MPP=M: untranslated (physical page P at its PA) */
  li t0, MSTATUS_MPP | MSTATUS_MPRV
  csrs mstatus, t0
  ld a0, 24(s1)
  CHECK a0, 0x4444
  li t0, MSTATUS_MPRV
  csrc mstatus, t0
  csrw satp, zero
  sfence.vma
TEST_END
  .data
  .balign 8
magic: .dword 0x0123456789abcdef
