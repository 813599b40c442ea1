/*
 * Edgevisor ISA conformance suite - startup code, reporting and trap handlers.
 * Runs in M-mode from reset on a QEMU-virt-like machine.
 */
#include "test.h"

#define FRAME_SIZE 256

  .section .text.init
  .globl _start
_start:
  /* Until the real handler is installed, skip any trapping instruction
     (e.g. PMP CSRs on a machine without PMP). */
  la t0, early_trap
  csrw mtvec, t0
  .option push
  .option norelax
  la gp, __global_pointer$
  .option pop
  la sp, __stack_top
  mv tp, zero

  /* PMP: give S/U-mode access to the whole address space (QEMU denies
     S/U accesses when no PMP entry matches). TOR entry 0 covering [0, 2^56). */
  li t0, -1
  csrw pmpaddr0, t0
  li t0, 0x0f          /* A=TOR, X, W, R */
  csrw pmpcfg0, t0

  /* Known machine state. */
  csrw mie, zero
  csrw mip, zero
  csrw medeleg, zero
  csrw mideleg, zero
  csrw satp, zero
  csrw mcounteren, zero
  csrw scounteren, zero
  li t0, MSTATUS_MPP | MSTATUS_FS_INITIAL
  csrw mstatus, t0
  csrw fcsr, zero
  /* Zero all FP registers, then mark FP state Initial again. */
  fmv.d.x f0, zero
  fmv.d.x f1, zero
  fmv.d.x f2, zero
  fmv.d.x f3, zero
  fmv.d.x f4, zero
  fmv.d.x f5, zero
  fmv.d.x f6, zero
  fmv.d.x f7, zero
  fmv.d.x f8, zero
  fmv.d.x f9, zero
  fmv.d.x f10, zero
  fmv.d.x f11, zero
  fmv.d.x f12, zero
  fmv.d.x f13, zero
  fmv.d.x f14, zero
  fmv.d.x f15, zero
  fmv.d.x f16, zero
  fmv.d.x f17, zero
  fmv.d.x f18, zero
  fmv.d.x f19, zero
  fmv.d.x f20, zero
  fmv.d.x f21, zero
  fmv.d.x f22, zero
  fmv.d.x f23, zero
  fmv.d.x f24, zero
  fmv.d.x f25, zero
  fmv.d.x f26, zero
  fmv.d.x f27, zero
  fmv.d.x f28, zero
  fmv.d.x f29, zero
  fmv.d.x f30, zero
  fmv.d.x f31, zero
  li t0, MSTATUS_FS
  csrc mstatus, t0
  li t0, MSTATUS_FS_INITIAL
  csrs mstatus, t0

  /* CLINT: no pending software interrupt, timer far in the future. */
  li t0, CLINT_MSIP
  sw zero, 0(t0)
  li t0, CLINT_MTIMECMP
  li t1, -1
  sd t1, 0(t0)

  /* Clear .bss */
  la t0, __bss_start
  la t1, __bss_end
1:
  bgeu t0, t1, 2f
  sd zero, 0(t0)
  addi t0, t0, 8
  j 1b
2:
  /* Trap frames live at the top of dedicated trap stacks. */
  la t0, __mtrap_stack_top - FRAME_SIZE
  csrw mscratch, t0
  la t0, __strap_stack_top - FRAME_SIZE
  csrw sscratch, t0
  la t0, strap_entry
  csrw stvec, t0
  la t0, mtrap_entry
  csrw mtvec, t0

  call main
  beqz a0, pass
  /* C main returned non-zero: report it as a failed check */
  mv a1, a0
  li a2, 0
  li a0, 0
  jal ra, check_fail

  .balign 4
early_trap:
  csrr t0, mepc
  addi t0, t0, 4
  csrw mepc, t0
  mret

/* ------------------------------------------------------------------ */
/* Output                                                             */
/* ------------------------------------------------------------------ */
  .text
  .globl putchar_uart
putchar_uart:               /* a0 = byte; clobbers t0 */
  li t0, UART_BASE
  sb a0, 0(t0)
  ret

  .globl puts_uart
puts_uart:                  /* a0 = string; clobbers a0, t0, t1 */
  mv t1, a0
1:
  lbu a0, 0(t1)
  beqz a0, 2f
  li t0, UART_BASE
  sb a0, 0(t0)
  addi t1, t1, 1
  j 1b
2:
  ret

  .globl puthex_uart
puthex_uart:                /* a0 = value, printed as 0x + 16 hex digits; clobbers t0-t3 */
  li t0, UART_BASE
  li t1, '0'
  sb t1, 0(t0)
  li t1, 'x'
  sb t1, 0(t0)
  li t2, 60
1:
  srl t1, a0, t2
  andi t1, t1, 15
  li t3, 10
  blt t1, t3, 2f
  addi t1, t1, 'a' - 10 - '0'
2:
  addi t1, t1, '0'
  sb t1, 0(t0)
  addi t2, t2, -4
  bgez t2, 1b
  ret

  .globl putdec_uart
putdec_uart:                /* a0 = unsigned value; uses a small stack buffer */
  addi sp, sp, -32
  addi t1, sp, 31
  sb zero, 0(t1)
  li t2, 10
1:
  remu t3, a0, t2
  divu a0, a0, t2
  addi t3, t3, '0'
  addi t1, t1, -1
  sb t3, 0(t1)
  bnez a0, 1b
  li t0, UART_BASE
2:
  lbu t3, 0(t1)
  beqz t3, 3f
  sb t3, 0(t0)
  addi t1, t1, 1
  j 2b
3:
  addi sp, sp, 32
  ret

/* exit(code): SiFive test device; code 0 = pass */
  .globl test_exit
test_exit:
  li t0, TESTDEV_BASE
  beqz a0, 1f
  slli a0, a0, 16
  li t1, 0x3333
  or a0, a0, t1
  sw a0, 0(t0)
  j 2f
1:
  li t1, 0x5555
  sw t1, 0(t0)
2:
  wfi
  j 2b

  .globl pass
pass:
  la sp, __stack_top
  la a0, msg_pass
  call puts_uart
  la a0, test_name
  call puts_uart
  li a0, '\n'
  call putchar_uart
  li a0, 0
  j test_exit

/* check_fail(a0 = check number, a1 = got, a2 = expected), ra = location */
  .globl check_fail
check_fail:
  mv s0, a0
  mv s1, a1
  mv s2, a2
  mv s3, ra
  la sp, __stack_top
  la a0, msg_fail
  call puts_uart
  la a0, test_name
  call puts_uart
  la a0, msg_check
  call puts_uart
  mv a0, s0
  call putdec_uart
  la a0, msg_got
  call puts_uart
  mv a0, s1
  call puthex_uart
  la a0, msg_expected
  call puts_uart
  mv a0, s2
  call puthex_uart
  la a0, msg_at
  call puts_uart
  addi a0, s3, -4
  call puthex_uart
  li a0, '\n'
  call putchar_uart
  li a0, 1
  j test_exit

/* trap_fail(a0 = message, a1 = cause, a2 = epc, a3 = tval) */
  .globl trap_fail
trap_fail:
  mv s0, a0
  mv s1, a1
  mv s2, a2
  mv s3, a3
  la sp, __stack_top
  la a0, msg_fail
  call puts_uart
  la a0, test_name
  call puts_uart
  mv a0, s0
  call puts_uart
  la a0, msg_cause
  call puts_uart
  mv a0, s1
  call puthex_uart
  la a0, msg_epc
  call puts_uart
  mv a0, s2
  call puthex_uart
  la a0, msg_tval
  call puts_uart
  mv a0, s3
  call puthex_uart
  li a0, '\n'
  call putchar_uart
  li a0, 1
  j test_exit

/* ------------------------------------------------------------------ */
/* Trap handlers                                                       */
/* ------------------------------------------------------------------ */

.macro SAVE_REGS
  sd x1, 8(sp)
  sd x3, 24(sp)
  sd x4, 32(sp)
  sd x5, 40(sp)
  sd x6, 48(sp)
  sd x7, 56(sp)
  sd x8, 64(sp)
  sd x9, 72(sp)
  sd x10, 80(sp)
  sd x11, 88(sp)
  sd x12, 96(sp)
  sd x13, 104(sp)
  sd x14, 112(sp)
  sd x15, 120(sp)
  sd x16, 128(sp)
  sd x17, 136(sp)
  sd x18, 144(sp)
  sd x19, 152(sp)
  sd x20, 160(sp)
  sd x21, 168(sp)
  sd x22, 176(sp)
  sd x23, 184(sp)
  sd x24, 192(sp)
  sd x25, 200(sp)
  sd x26, 208(sp)
  sd x27, 216(sp)
  sd x28, 224(sp)
  sd x29, 232(sp)
  sd x30, 240(sp)
  sd x31, 248(sp)
.endm
.macro RESTORE_REGS
  ld x1, 8(sp)
  ld x3, 24(sp)
  ld x4, 32(sp)
  ld x5, 40(sp)
  ld x6, 48(sp)
  ld x7, 56(sp)
  ld x8, 64(sp)
  ld x9, 72(sp)
  ld x10, 80(sp)
  ld x11, 88(sp)
  ld x12, 96(sp)
  ld x13, 104(sp)
  ld x14, 112(sp)
  ld x15, 120(sp)
  ld x16, 128(sp)
  ld x17, 136(sp)
  ld x18, 144(sp)
  ld x19, 152(sp)
  ld x20, 160(sp)
  ld x21, 168(sp)
  ld x22, 176(sp)
  ld x23, 184(sp)
  ld x24, 192(sp)
  ld x25, 200(sp)
  ld x26, 208(sp)
  ld x27, 216(sp)
  ld x28, 224(sp)
  ld x29, 232(sp)
  ld x30, 240(sp)
  ld x31, 248(sp)
  ld x2, 16(sp)
.endm

/* TRAP_HANDLER m|s */
.macro TRAP_HANDLER p
  .balign 64
  .globl \p\()trap_entry
\p\()trap_entry:
  csrrw sp, \p\()scratch, sp
  SAVE_REGS
  csrr t0, \p\()scratch
  sd t0, 16(sp)
  csrw \p\()scratch, sp
  .option push
  .option norelax
  la gp, __global_pointer$
  .option pop

  la t0, \p\()_in_handler
  ld t1, 0(t0)
  bnez t1, .L\p\()nested
  li t1, 1
  sd t1, 0(t0)

  csrr a0, \p\()cause
  csrr a1, \p\()epc
  csrr a2, \p\()tval
  csrr a3, \p\()status
  la t0, \p\()trap_cause
  sd a0, 0(t0)
  la t0, \p\()trap_epc
  sd a1, 0(t0)
  la t0, \p\()trap_tval
  sd a2, 0(t0)
  la t0, \p\()trap_status_saved
  sd a3, 0(t0)
  la t0, \p\()trap_count
  ld t1, 0(t0)
  addi t1, t1, 1
  sd t1, 0(t0)

  /* optional hook */
  la t0, \p\()trap_hook
  ld t0, 0(t0)
  beqz t0, 1f
  jalr ra, t0
  bnez a0, .L\p\()return
  csrr a0, \p\()cause
  csrr a1, \p\()epc
  csrr a2, \p\()tval
1:
  la t0, \p\()trap_expect
  ld t1, 0(t0)
  beqz t1, .L\p\()unexpected
  sd zero, 0(t0)
  bgez a0, 2f
  /* interrupt: return to the interrupted instruction with interrupts
     disabled afterwards (xPIE cleared) to avoid an interrupt storm */
.ifc \p, m
  li t0, MSTATUS_MPIE
.else
  li t0, MSTATUS_SPIE
.endif
  csrc \p\()status, t0
  j .L\p\()return
2:
  la t0, \p\()trap_ret
  ld t1, 0(t0)
  beqz t1, 3f
  sd zero, 0(t0)
  csrw \p\()epc, t1
  /* resume in the handler's own mode */
.ifc \p, m
  li t0, MSTATUS_MPP
.else
  li t0, MSTATUS_SPP
.endif
  csrs \p\()status, t0
  j .L\p\()return
3:
  /* instruction fetch faults need an explicit resume address */
  li t0, CAUSE_FETCH_ACCESS
  beq a0, t0, .L\p\()noret
  li t0, CAUSE_FETCH_PAGE
  beq a0, t0, .L\p\()noret
  li t0, CAUSE_MISALIGNED_FETCH
  beq a0, t0, .L\p\()noret
  /* skip the trapping instruction (2 or 4 bytes) */
  lhu t2, 0(a1)
  andi t2, t2, 3
  li t3, 3
  addi a1, a1, 2
  bne t2, t3, 4f
  addi a1, a1, 2
4:
  csrw \p\()epc, a1
.L\p\()return:
  la t0, \p\()_in_handler
  sd zero, 0(t0)
  RESTORE_REGS
  \p\()ret

.L\p\()unexpected:
  mv a3, a2
  mv a2, a1
  mv a1, a0
  la a0, msg_unexpected_\p
  j trap_fail
.L\p\()noret:
  mv a3, a2
  mv a2, a1
  mv a1, a0
  la a0, msg_noret
  j trap_fail
.L\p\()nested:
  csrr a1, \p\()cause
  csrr a2, \p\()epc
  csrr a3, \p\()tval
  la a0, msg_nested_\p
  j trap_fail
.endm

  TRAP_HANDLER m
  TRAP_HANDLER s

  .section .rodata
msg_pass:       .asciz "PASS "
msg_fail:       .asciz "FAIL "
msg_check:      .asciz " check "
msg_got:        .asciz ": got "
msg_expected:   .asciz " expected "
msg_at:         .asciz "\n  at pc "
msg_cause:      .asciz " cause="
msg_epc:        .asciz " epc="
msg_tval:       .asciz " tval="
msg_unexpected_m: .asciz ": unexpected M-mode trap"
msg_unexpected_s: .asciz ": unexpected S-mode trap"
msg_noret:      .asciz ": fetch fault without resume address"
msg_nested_m:   .asciz ": nested M-mode trap"
msg_nested_s:   .asciz ": nested S-mode trap"

  .section .bss
  .balign 8
#define GLOBAL_D(name) .globl name; name: .zero 8
#define GLOBAL_D2(name, alias) .globl name; alias: name: .zero 8
GLOBAL_D2(trap_cause, mtrap_cause)
GLOBAL_D2(trap_epc, mtrap_epc)
GLOBAL_D2(trap_tval, mtrap_tval)
GLOBAL_D2(trap_mstatus, mtrap_status_saved)
GLOBAL_D2(trap_count, mtrap_count)
GLOBAL_D2(trap_hook, mtrap_hook)
GLOBAL_D2(trap_expect, mtrap_expect)
GLOBAL_D2(trap_ret, mtrap_ret)
GLOBAL_D(m_in_handler)
GLOBAL_D(strap_cause)
GLOBAL_D(strap_epc)
GLOBAL_D(strap_tval)
GLOBAL_D2(strap_sstatus, strap_status_saved)
GLOBAL_D(strap_count)
GLOBAL_D(strap_hook)
GLOBAL_D(strap_expect)
GLOBAL_D(strap_ret)
GLOBAL_D(s_in_handler)
