/*
 * Shared Sv39 set-up for the paging tests (assembly). Builds, in the
 * scratch area (physical = __scratch_start):
 *   page 0  root table
 *   page 1  level-1 table for VA 0x40000000..0x7fffffff
 *   page 2  level-0 table for VA 0x40000000..0x401fffff
 *   page 8  data page P   (first dwords 0x1111..., 0x2222..., ...)
 *   page 9  code page C   (addi a0,a0,1 ; ret)
 *   page 10 data page Q   (first dword 0x5151...)
 * Mappings:
 *   VA 0x00000000 1 GiB  -> PA 0          RW  (devices: UART, test device, CLINT)
 *   VA 0x80000000 1 GiB  -> PA 0x80000000 RWX (identity: code, data, stack)
 *   VA 0xc0000000 1 GiB  -> PA 0x80000000 R   (gigapage alias of RAM)
 *   VA 0x100000000 1 GiB -> PPN 0x80200 (misaligned gigapage: must fault)
 *   VA 0x40200000 2 MiB  -> PA 0x80000000 R   (megapage alias of RAM)
 *   VA 0x40400000 2 MiB  -> PPN 0x80001 (misaligned megapage: must fault)
 *   VA 0x40000000 + n*4K, n =
 *     0: P  RW   (A=D=0, to observe hardware A/D updates)
 *     1: P  R    A
 *     2: invalid
 *     3: P  X    A      (execute-only)
 *     4: P  RWU  A D    (user page)
 *     5: C  X    A      (code)
 *     6: P  RW   A D    (not executable)
 *     7: P  W    (reserved encoding W without R)
 *     8: C  XU   A      (user code)
 * Identity and alias mappings have A and D preset.
 */
#define PTE_V 0x01
#define PTE_R 0x02
#define PTE_W 0x04
#define PTE_X 0x08
#define PTE_U 0x10
#define PTE_G 0x20
#define PTE_A 0x40
#define PTE_D 0x80

#define VA_TEST   0x40000000
#define VA_MEGA   0x40200000
#define VA_MEGA_BAD 0x40400000
#define VA_GIGA   0xc0000000
#define VA_GIGA_BAD 0x100000000
#define RAM_BASE  0x80000000

#define PG_ROOT 0
#define PG_L1   1
#define PG_L0   2
#define PG_P    8
#define PG_C    9
#define PG_Q    10

/* a0 := physical address of scratch page n */
.macro SCRATCH_PAGE reg, n
  la \reg, __scratch_start
  li t5, (\n) * 4096
  add \reg, \reg, t5
.endm

/* write PTE: table page tp, index idx, pointing at physical address in reg
   (or 0), flags */
.macro SET_PTE_REG tp, idx, preg, flags
  SCRATCH_PAGE t4, \tp
  srli t5, \preg, 12
  slli t5, t5, 10
  ori t5, t5, \flags
  sd t5, (\idx * 8)(t4)
.endm
.macro SET_PTE_PA tp, idx, pa, flags
  li t3, \pa
  SET_PTE_REG \tp, \idx, t3, \flags
.endm
.macro SET_PTE_PAGE tp, idx, pg, flags
  SCRATCH_PAGE t3, \pg
  SET_PTE_REG \tp, \idx, t3, \flags
.endm
/* a0 := PTE value at table tp index idx */
.macro GET_PTE reg, tp, idx
  SCRATCH_PAGE t4, \tp
  ld \reg, (\idx * 8)(t4)
.endm

.macro SV39_SETUP
  /* zero 16 pages */
  SCRATCH_PAGE t0, 0
  li t1, 16 * 4096
  add t1, t1, t0
.Lz\@:
  sd zero, 0(t0)
  addi t0, t0, 8
  bltu t0, t1, .Lz\@
  /* data page P and Q contents */
  SCRATCH_PAGE t0, PG_P
  li t1, 0x1111111111111111
  sd t1, 0(t0)
  li t1, 0x2222222222222222
  sd t1, 8(t0)
  SCRATCH_PAGE t0, PG_Q
  li t1, 0x5151515151515151
  sd t1, 0(t0)
  /* code page C: addi a0, a0, 1 ; ret */
  SCRATCH_PAGE t0, PG_C
  li t1, 0x00150513
  sw t1, 0(t0)
  li t1, 0x00008067
  sw t1, 4(t0)
  fence.i
  /* root */
  SET_PTE_PA PG_ROOT, 0, 0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
  SET_PTE_PAGE PG_ROOT, 1, PG_L1, PTE_V
  SET_PTE_PA PG_ROOT, 2, RAM_BASE, PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D
  SET_PTE_PA PG_ROOT, 3, RAM_BASE, PTE_V | PTE_R | PTE_A
  SET_PTE_PA PG_ROOT, 4, 0x80200000, PTE_V | PTE_R | PTE_A
  /* level 1 */
  SET_PTE_PAGE PG_L1, 0, PG_L0, PTE_V
  SET_PTE_PA PG_L1, 1, RAM_BASE, PTE_V | PTE_R | PTE_A
  SET_PTE_PA PG_L1, 2, 0x80001000, PTE_V | PTE_R | PTE_A
  /* level 0 */
  SET_PTE_PAGE PG_L0, 0, PG_P, PTE_V | PTE_R | PTE_W
  SET_PTE_PAGE PG_L0, 1, PG_P, PTE_V | PTE_R | PTE_A
  SET_PTE_PAGE PG_L0, 3, PG_P, PTE_V | PTE_X | PTE_A
  SET_PTE_PAGE PG_L0, 4, PG_P, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D
  SET_PTE_PAGE PG_L0, 5, PG_C, PTE_V | PTE_X | PTE_A
  SET_PTE_PAGE PG_L0, 6, PG_P, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
  SET_PTE_PAGE PG_L0, 7, PG_P, PTE_V | PTE_W | PTE_A | PTE_D
  SET_PTE_PAGE PG_L0, 8, PG_C, PTE_V | PTE_X | PTE_U | PTE_A
  /* satp: mode 8 (Sv39), ASID 0, root PPN */
  SCRATCH_PAGE t0, PG_ROOT
  srli t0, t0, 12
  li t1, 8 << 60
  or t0, t0, t1
  csrw satp, t0
  sfence.vma
.endm

/* CHECK_PF cause, va: the last trap had this cause and mtval */
.macro CHECK_PF cause, va
  CHECK_TRAP \cause
  CHECK_TVAL \va
.endm
