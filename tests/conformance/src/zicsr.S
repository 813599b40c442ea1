/* Zicsr: csrrw/csrrs/csrrc and immediate forms (old value returned, new
   value written), rs1=x0 / uimm=0 set/clear forms do not write (so reading
   read-only CSRs works), writes to read-only CSRs are illegal, unimplemented
   CSRs are illegal, identification CSRs are readable. mscratch is used by
   the trap handler, so it is saved and restored. */
#include "test.h"
TEST_BEGIN
  csrr s0, mscratch
  li a0, 0x0123456789abcdef
  csrw mscratch, a0
  csrr a1, mscratch
  CHECK a1, 0x0123456789abcdef
  li a2, 0xff
  csrrw a1, mscratch, a2
  CHECK a1, 0x0123456789abcdef
  CHECK_CSR mscratch, 0xff
  li a2, 0xf00
  csrrs a1, mscratch, a2
  CHECK a1, 0xff
  CHECK_CSR mscratch, 0xfff
  li a2, 0x0f0
  csrrc a1, mscratch, a2
  CHECK a1, 0xfff
  CHECK_CSR mscratch, 0xf0f
  csrrwi a1, mscratch, 31
  CHECK a1, 0xf0f
  CHECK_CSR mscratch, 31
  csrrsi a1, mscratch, 0x20 >> 1
  CHECK a1, 31
  csrrci a1, mscratch, 3
  CHECK a1, 31
  CHECK_CSR mscratch, 28
  /* rd = x0 still writes */
  csrrw zero, mscratch, a0
  CHECK_CSR mscratch, 0x0123456789abcdef
  /* rs1 = x0 / uimm = 0: no write */
  csrrs a1, mscratch, zero
  csrrc a1, mscratch, zero
  csrrsi a1, mscratch, 0
  csrrci a1, mscratch, 0
  CHECK_CSR mscratch, 0x0123456789abcdef
  /* rd == rs1 */
  li a3, 0x55
  csrrw a3, mscratch, a3
  CHECK a3, 0x0123456789abcdef
  CHECK_CSR mscratch, 0x55
  csrw mscratch, s0

  /* read-only CSRs: reading with csrrs/csrrc x0 works */
  csrrs a0, mhartid, zero
  CHECK a0, 0
  csrrc a0, mhartid, zero
  CHECK a0, 0
  csrrsi a0, mhartid, 0
  CHECK a0, 0
  csrr a0, mvendorid       /* value implementation-defined; just readable */
  csrr a0, marchid
  csrr a0, mimpid
  /* misa: RV64 (MXL=2), I M A F D C S U present */
  csrr a0, misa
  srli a1, a0, 62
  CHECK a1, 2
  li a2, (1<<8)|(1<<12)|(1<<0)|(1<<5)|(1<<3)|(1<<2)|(1<<18)|(1<<20)
  and a1, a0, a2
  CHECK a1, (1<<8)|(1<<12)|(1<<0)|(1<<5)|(1<<3)|(1<<2)|(1<<18)|(1<<20)
  /* writing read-only CSRs is illegal (even csrrw with rd=x0, and csrrs
     with a non-zero rs1 that would set no writable bits) */
  EXPECT_TRAP
  csrw mhartid, zero
  CHECK_TRAP CAUSE_ILLEGAL
  CHECK_TVAL 0xf1401073
  EXPECT_TRAP
  li a1, 1
  csrrs a0, mvendorid, a1
  CHECK_TRAP CAUSE_ILLEGAL
  EXPECT_TRAP
  csrrsi a0, mimpid, 1
  CHECK_TRAP CAUSE_ILLEGAL
  EXPECT_TRAP
  csrrwi zero, cycle, 0
  CHECK_TRAP CAUSE_ILLEGAL
  EXPECT_TRAP
  csrrci a0, time, 1
  CHECK_TRAP CAUSE_ILLEGAL
  /* the destination is not written when the instruction traps */
  li a0, 0x77
  EXPECT_TRAP
  csrrw a0, mhartid, a0
  CHECK a0, 0x77
  /* unimplemented CSRs (0x7ff custom-unused, 0x5ff, 0x8ff, 0xfff) */
  EXPECT_TRAP
  csrr a0, 0x7ff
  CHECK_TRAP CAUSE_ILLEGAL
  EXPECT_TRAP
  csrw 0x5ff, a0
  CHECK_TRAP CAUSE_ILLEGAL
  EXPECT_TRAP
  csrr a0, 0xfff
  CHECK_TRAP CAUSE_ILLEGAL
  /* sscratch / stvec / sepc round trips */
  csrr s0, sscratch
  li a0, 0x5a5a5a5a5a5a5a5a
  csrw sscratch, a0
  CHECK_CSR sscratch, 0x5a5a5a5a5a5a5a5a
  csrw sscratch, s0
  /* mepc/sepc round trip. (The spec says xepc[0] is always zero; QEMU 7.2
     stores and returns bit 0 unmasked, so bit 0 is not tested here.) */
  li a0, 0x80001234
  csrw mepc, a0
  CHECK_CSR mepc, 0x80001234
  li a0, 0x80005678
  csrw sepc, a0
  CHECK_CSR sepc, 0x80005678
  /* mtvec: direct mode base round-trips */
  csrr s1, mtvec
  la a0, aligned_vec
  csrw mtvec, a0
  csrr a1, mtvec
  CHECKR a1, a0
  csrw mtvec, s1
TEST_END
  .balign 256
aligned_vec:
  j aligned_vec
