/*
 * Edgevisor ISA conformance suite - shared assembly definitions.
 *
 * Register conventions for tests using these macros:
 *   t5, t6  are scratch for the macros (never keep live values in them
 *           across a macro).
 *   sp      is a valid stack set up by crt.S (64 KiB).
 *   a0-a2, ra are clobbered only on the failure path.
 *
 * Each CHECK* macro is one numbered check; numbering is automatic (1, 2, ...)
 * in source order, so "check n" in a FAIL line is the n-th CHECK* macro in
 * the file (and the extra "at pc" line gives its address for objdump).
 *
 * Trap scaffolding (see crt.S):
 *   EXPECT_TRAP            arm the M-mode handler for one exception; it
 *                          records mcause/mepc/mtval/mstatus in trap_cause,
 *                          trap_epc, trap_tval, trap_mstatus and resumes at the
 *                          next instruction (or at trap_ret, in M-mode, if
 *                          SET_TRAP_RET was used).
 *   CHECK_TRAP cause       check that trap_cause == cause (and reset it).
 *   An unexpected trap prints "FAIL <name>: unexpected trap ..." and exits 1.
 *   SEXPECT_TRAP / CHECK_STRAP / SET_STRAP_RET are the S-mode equivalents
 *   (stvec is pre-set to the S-mode handler).
 *   trap_hook / strap_hook: if non-zero, called (C ABI, a0=cause, a1=epc,
 *   a2=tval) before the default handling; return non-zero to mean "handled,
 *   return to (possibly updated) xepc".
 */
#ifndef EDGEVISOR_TEST_H
#define EDGEVISOR_TEST_H

#define UART_BASE     0x10000000
#define TESTDEV_BASE  0x100000
#define CLINT_BASE    0x2000000
#define CLINT_MSIP    (CLINT_BASE + 0x0)
#define CLINT_MTIMECMP (CLINT_BASE + 0x4000)
#define CLINT_MTIME   (CLINT_BASE + 0xbff8)

#define MSTATUS_SIE   (1 << 1)
#define MSTATUS_MIE   (1 << 3)
#define MSTATUS_SPIE  (1 << 5)
#define MSTATUS_UBE   (1 << 6)
#define MSTATUS_MPIE  (1 << 7)
#define MSTATUS_SPP   (1 << 8)
#define MSTATUS_MPP   (3 << 11)
#define MSTATUS_MPP_S (1 << 11)
#define MSTATUS_FS    (3 << 13)
#define MSTATUS_FS_INITIAL (1 << 13)
#define MSTATUS_FS_CLEAN   (2 << 13)
#define MSTATUS_FS_DIRTY   (3 << 13)
#define MSTATUS_MPRV  (1 << 17)
#define MSTATUS_SUM   (1 << 18)
#define MSTATUS_MXR   (1 << 19)
#define MSTATUS_TVM   (1 << 20)
#define MSTATUS_TW    (1 << 21)
#define MSTATUS_TSR   (1 << 22)
#define MSTATUS_SD    (1 << 63)

#define CAUSE_MISALIGNED_FETCH 0
#define CAUSE_FETCH_ACCESS     1
#define CAUSE_ILLEGAL          2
#define CAUSE_BREAKPOINT       3
#define CAUSE_MISALIGNED_LOAD  4
#define CAUSE_LOAD_ACCESS      5
#define CAUSE_MISALIGNED_STORE 6
#define CAUSE_STORE_ACCESS     7
#define CAUSE_ECALL_U          8
#define CAUSE_ECALL_S          9
#define CAUSE_ECALL_M          11
#define CAUSE_FETCH_PAGE       12
#define CAUSE_LOAD_PAGE        13
#define CAUSE_STORE_PAGE       15

#define IRQ_S_SOFT   1
#define IRQ_M_SOFT   3
#define IRQ_S_TIMER  5
#define IRQ_M_TIMER  7
#define IRQ_S_EXT    9
#define IRQ_M_EXT    11
#define INTR_BIT     (1 << 63)

#define MIP_SSIP (1 << IRQ_S_SOFT)
#define MIP_MSIP (1 << IRQ_M_SOFT)
#define MIP_STIP (1 << IRQ_S_TIMER)
#define MIP_MTIP (1 << IRQ_M_TIMER)
#define MIP_SEIP (1 << IRQ_S_EXT)
#define MIP_MEIP (1 << IRQ_M_EXT)

/* fflags bits */
#define FF_NX 1
#define FF_UF 2
#define FF_OF 4
#define FF_DZ 8
#define FF_NV 16

/* rounding modes */
#define RM_RNE 0
#define RM_RTZ 1
#define RM_RDN 2
#define RM_RUP 3
#define RM_RMM 4

#ifdef __ASSEMBLER__

.set CHECKNO, 0

/* Start of a test: defines test_name and main (called by crt.S). */
.macro TEST_BEGIN
  .pushsection .rodata
  .globl test_name
test_name:
  .asciz TEST_NAME
  .popsection
  .text
  .globl main
  .balign 4
main:
.endm

/* End of a test: report PASS. Also records the number of checks. */
.macro TEST_END
  j pass
  .globl __nchecks
  .set __nchecks, CHECKNO
.endm

/* Failure path shared by all checks: a0 = check number, a1 = got, a2 = expected. */
.macro _CHECK_FAIL reg
  mv a1, \reg
  mv a2, t6
  li a0, CHECKNO
  jal ra, check_fail
.endm

/* CHECK reg, value: 64-bit register equals immediate. */
.macro CHECK reg, val
  .set CHECKNO, CHECKNO + 1
  li t6, \val
  beq \reg, t6, .Lck_ok\@
  _CHECK_FAIL \reg
.Lck_ok\@:
.endm

/* CHECKR reg, reg2: two registers equal (reg2 must not be t6). */
.macro CHECKR reg, reg2
  .set CHECKNO, CHECKNO + 1
  mv t6, \reg2
  beq \reg, t6, .Lck_ok\@
  _CHECK_FAIL \reg
.Lck_ok\@:
.endm

/* CHECK_CSR csr, value */
.macro CHECK_CSR csr, val
  csrr t5, \csr
  CHECK t5, \val
.endm

/* CHECK_MEM_D label, value: doubleword in memory */
.macro CHECK_MEM_D sym, val
  la t5, \sym
  ld t5, 0(t5)
  CHECK t5, \val
.endm

/* Floating point: compare raw bits of a double/single register. */
.macro CHECK_D freg, bits
  fmv.x.d t5, \freg
  CHECK t5, \bits
.endm
/* For single precision we compare the whole 64-bit register, i.e. the
   NaN-boxed value: upper 32 bits must be all ones. */
.macro CHECK_S freg, bits
  fmv.x.d t5, \freg
  CHECK t5, (0xffffffff00000000 | (\bits))
.endm
/* Check and clear fflags. */
.macro CHECK_FFLAGS val
  csrrw t5, fflags, zero
  CHECK t5, \val
.endm

/* Load FP constants through t5. */
.macro LI_D freg, bits
  li t5, \bits
  fmv.d.x \freg, t5
.endm
.macro LI_S freg, bits
  li t5, \bits
  fmv.w.x \freg, t5
.endm

/* Store a 64-bit immediate into a global. */
.macro SET_GLOBAL sym, val
  la t6, \sym
  li t5, \val
  sd t5, 0(t6)
.endm
.macro SET_GLOBAL_ADDR sym, addr
  la t6, \sym
  la t5, \addr
  sd t5, 0(t6)
.endm

/* Arm the M-mode trap handler for one exception (resume at next insn). */
.macro EXPECT_TRAP
  la t6, trap_cause
  li t5, -1
  sd t5, 0(t6)
  la t6, trap_expect
  li t5, 1
  sd t5, 0(t6)
.endm
/* Arm for one exception, resume in M-mode at label. */
.macro EXPECT_TRAP_RET label
  EXPECT_TRAP
  SET_GLOBAL_ADDR trap_ret, \label
.endm
/* One check: the expected trap happened with the given mcause. */
.macro CHECK_TRAP cause
  la t5, trap_cause
  ld t5, 0(t5)
  CHECK t5, \cause
.endm
.macro CHECK_TVAL val
  la t5, trap_tval
  ld t5, 0(t5)
  CHECK t5, \val
.endm
.macro CHECK_TVAL_ADDR label
  la t5, trap_tval
  ld t5, 0(t5)
  .set CHECKNO, CHECKNO + 1
  la t6, \label
  beq t5, t6, .Lck_ok\@
  _CHECK_FAIL t5
.Lck_ok\@:
.endm
.macro CHECK_EPC_ADDR label
  la t5, trap_epc
  ld t5, 0(t5)
  .set CHECKNO, CHECKNO + 1
  la t6, \label
  beq t5, t6, .Lck_ok\@
  _CHECK_FAIL t5
.Lck_ok\@:
.endm

/* Interrupt latency is not architecturally bounded (QEMU only checks at
   translation-block boundaries): spin until the armed trap has happened
   (trap_expect consumed), with a generous iteration limit. */
.macro WAIT_TRAP
  li t6, 10000000
.Lw\@:
  la t5, trap_expect
  ld t5, 0(t5)
  beqz t5, .Lwd\@
  addi t6, t6, -1
  bnez t6, .Lw\@
.Lwd\@:
.endm
.macro WAIT_STRAP
  li t6, 10000000
.Lw\@:
  la t5, strap_expect
  ld t5, 0(t5)
  beqz t5, .Lwd\@
  addi t6, t6, -1
  bnez t6, .Lw\@
.Lwd\@:
.endm

/* S-mode handler equivalents. */
.macro SEXPECT_TRAP
  la t6, strap_cause
  li t5, -1
  sd t5, 0(t6)
  la t6, strap_expect
  li t5, 1
  sd t5, 0(t6)
.endm
.macro SEXPECT_TRAP_RET label
  SEXPECT_TRAP
  SET_GLOBAL_ADDR strap_ret, \label
.endm
.macro CHECK_STRAP cause
  la t5, strap_cause
  ld t5, 0(t5)
  CHECK t5, \cause
.endm
.macro CHECK_STVAL val
  la t5, strap_tval
  ld t5, 0(t5)
  CHECK t5, \val
.endm

/* Privilege switching (no paging or identity-mapped code). */
/* M -> S, continuing at the next instruction. */
.macro GOTO_S
  la t6, .Lgo\@
  csrw mepc, t6
  li t6, MSTATUS_MPP
  csrc mstatus, t6
  li t6, MSTATUS_MPP_S
  csrs mstatus, t6
  mret
.Lgo\@:
.endm
/* M -> U, continuing at the next instruction. */
.macro GOTO_U
  la t6, .Lgo\@
  csrw mepc, t6
  li t6, MSTATUS_MPP
  csrc mstatus, t6
  mret
.Lgo\@:
.endm
/* S/U -> M via ecall, continuing at the next instruction in M-mode. */
.macro BACK_TO_M
  EXPECT_TRAP_RET .Lbk\@
  ecall
.Lbk\@:
.endm

#endif /* __ASSEMBLER__ */
#endif
