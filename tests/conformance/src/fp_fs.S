/* mstatus.FS: with FS=Off every FP instruction and FP CSR access is an
   illegal instruction; FP register writes make FS Dirty and set mstatus.SD;
   sstatus shows the same FS/SD. */
#include "test.h"
#define SD_BIT 63
.macro SET_FS val
  li t0, MSTATUS_FS
  csrc mstatus, t0
  li t0, (\val) << 13
  csrs mstatus, t0
.endm
.macro CHECK_FS val
  csrr a0, mstatus
  srli a0, a0, 13
  andi a0, a0, 3
  CHECK a0, \val
.endm
.macro CHECK_SD val
  csrr a0, mstatus
  srli a0, a0, SD_BIT
  CHECK a0, \val
.endm
TEST_BEGIN
  la s0, buf
  SET_FS 0
  CHECK_FS 0
  CHECK_SD 0
  EXPECT_TRAP
  fadd.d f1, f2, f3
  CHECK_TRAP CAUSE_ILLEGAL
  EXPECT_TRAP
  fld f1, 0(s0)
  CHECK_TRAP CAUSE_ILLEGAL
  EXPECT_TRAP
  fsd f1, 0(s0)
  CHECK_TRAP CAUSE_ILLEGAL
  EXPECT_TRAP
  fmv.x.d a0, f1
  CHECK_TRAP CAUSE_ILLEGAL
  EXPECT_TRAP
  fmv.w.x f1, a0
  CHECK_TRAP CAUSE_ILLEGAL
  EXPECT_TRAP
  csrr a0, fcsr
  CHECK_TRAP CAUSE_ILLEGAL
  EXPECT_TRAP
  csrwi fflags, 1
  CHECK_TRAP CAUSE_ILLEGAL
  EXPECT_TRAP
  csrr a0, frm
  CHECK_TRAP CAUSE_ILLEGAL
  EXPECT_TRAP
  .option push
  .option rvc
  c.fld f8, 0(s0)
  .option pop
  CHECK_TRAP CAUSE_ILLEGAL
  EXPECT_TRAP
  fmadd.s f1, f2, f3, f4
  CHECK_TRAP CAUSE_ILLEGAL
  CHECK_FS 0

  /* Initial -> Dirty on an FP register write, SD follows */
  SET_FS 1
  CHECK_FS 1
  CHECK_SD 0
  fmv.d.x f1, zero
  CHECK_FS 3
  CHECK_SD 1
  csrr a0, sstatus
  srli a1, a0, 13
  andi a1, a1, 3
  CHECK a1, 3
  srli a1, a0, SD_BIT
  CHECK a1, 1
  /* Clean -> Dirty by an FP load */
  SET_FS 2
  CHECK_FS 2
  CHECK_SD 0
  fld f2, 0(s0)
  CHECK_FS 3
  /* Clean -> Dirty by an FP CSR write */
  SET_FS 2
  csrwi fflags, 0
  CHECK_FS 3
  /* Clean -> Dirty by an arithmetic op */
  SET_FS 2
  fadd.d f3, f1, f2
  CHECK_FS 3
  /* FS can be changed through sstatus too */
  li t0, MSTATUS_FS
  csrc sstatus, t0
  CHECK_FS 0
  CHECK_SD 0
  EXPECT_TRAP
  fadd.d f1, f2, f3
  CHECK_TRAP CAUSE_ILLEGAL
  li t0, MSTATUS_FS_INITIAL
  csrs sstatus, t0
  CHECK_FS 1
  /* mtval of the FS=0 illegal instruction holds the instruction bits */
  SET_FS 0
  EXPECT_TRAP
  fadd.d f1, f2, f3
  CHECK_TVAL 0x023170d3
  SET_FS 1
TEST_END
  .data
  .balign 8
buf: .dword 0x3ff0000000000000, 0
