  .section .text.init
  .globl _start
_start:
  la sp, __stack_top
  li t0, 0x2000          # mstatus.FS = Initial: enable the FPU
  csrs mstatus, t0
  call main
1: j 1b
