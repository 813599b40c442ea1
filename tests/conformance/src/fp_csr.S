/* FP CSRs: fcsr = frm[7:5] | fflags[4:0]; fflags and frm are views of it;
   csrrs/csrrc/immediate forms; flags are sticky (accumulate); invalid frm
   values make dynamic-rounding instructions illegal; reserved static rm
   encodings (5, 6) are illegal. */
#include "test.h"
TEST_BEGIN
  csrw fcsr, zero
  CHECK_CSR fcsr, 0
  csrwi fflags, 0x1f
  CHECK_CSR fflags, 0x1f
  CHECK_CSR fcsr, 0x1f
  CHECK_CSR frm, 0
  csrwi frm, 3
  CHECK_CSR frm, 3
  CHECK_CSR fcsr, 0x7f
  li a0, 0xff
  csrw fcsr, a0
  CHECK_CSR frm, 7
  CHECK_CSR fflags, 0x1f
  /* upper bits of fcsr are reserved: read as zero */
  li a0, 0xffffffffffffff00 | 0x25
  csrw fcsr, a0
  CHECK_CSR fcsr, 0x25
  CHECK_CSR frm, 1
  CHECK_CSR fflags, 5
  /* writes to fflags/frm only affect their fields */
  li a0, 0xffffffe2
  csrw fflags, a0
  CHECK_CSR fcsr, 0x22
  li a0, 0xfffffff4
  csrw frm, a0
  CHECK_CSR fcsr, 0x82
  /* swap / set / clear forms */
  csrrw a1, fflags, zero
  CHECK a1, 2
  csrrsi a1, fflags, 0x11
  CHECK a1, 0
  csrrci a1, fflags, 0x01
  CHECK a1, 0x11
  CHECK_CSR fflags, 0x10
  csrrs a1, fcsr, zero
  CHECK a1, 0x90
  csrrc a1, frm, zero
  CHECK a1, 4
  /* flags accumulate across instructions */
  csrw fcsr, zero
  LI_D f1, 0x3ff0000000000000
  LI_D f2, 0x4008000000000000
  fdiv.d f3, f1, f2          /* NX */
  LI_D f4, 0
  fdiv.d f3, f1, f4          /* DZ */
  fadd.d f3, f1, f1          /* exact: no new flags, old ones kept */
  CHECK_CSR fflags, FF_NX | FF_DZ
  /* dynamic rounding follows frm */
  csrwi frm, RM_RUP
  fdiv.d f3, f1, f2, dyn
  CHECK_D f3, 0x3fd5555555555556
  csrwi frm, RM_RDN
  fdiv.d f3, f1, f2
  CHECK_D f3, 0x3fd5555555555555
  /* static rm overrides frm */
  fdiv.d f3, f1, f2, rup
  CHECK_D f3, 0x3fd5555555555556
  /* invalid frm (5, 6, 7) + dynamic rm -> illegal instruction */
  csrwi frm, 5
  EXPECT_TRAP
  fdiv.d f3, f1, f2, dyn
  CHECK_TRAP CAUSE_ILLEGAL
  csrwi frm, 7
  EXPECT_TRAP
  fadd.s f3, f1, f2, dyn
  CHECK_TRAP CAUSE_ILLEGAL
  /* ...but static rm still works, and ops without rm (fsgnj, fmv) too */
  fdiv.d f3, f1, f2, rdn
  CHECK_D f3, 0x3fd5555555555555
  fsgnj.d f3, f1, f1
  CHECK_D f3, 0x3ff0000000000000
  csrwi frm, 0
  /* reserved static rm 5 and 6: fadd.d f3, f1, f2 with rm=5/6 */
  EXPECT_TRAP
  .insn r 0x53, 5, 0x01, f3, f1, f2
  CHECK_TRAP CAUSE_ILLEGAL
  EXPECT_TRAP
  .insn r 0x53, 6, 0x01, f3, f1, f2
  CHECK_TRAP CAUSE_ILLEGAL
  /* mtval for illegal instruction = instruction bits (QEMU reports them) */
  CHECK_TVAL 0x0220e1d3
TEST_END
