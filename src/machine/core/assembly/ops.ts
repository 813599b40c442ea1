// Decoded operation ids: the first byte of every decoded-instruction cache entry.
// The decoder (decode.ts) maps each RV64GC encoding, compressed ones included, to one of
// these; the interpreter (exec.ts) dispatches on them with a single switch.
//
// Entry format (8 bytes, one per 2-byte offset of a code page):
//   word0 u32: bits 0-7 op | 8-13 rd | 14-18 rs1 | 19-23 rs2 | 24-28 rs3 | 29 compressed
//     rd = 32 (REG_SINK) when an integer destination is x0, so writes to it are discarded.
//   word1 i32: immediate (sign-extended), shift amount, CSR number, or rounding mode
//     for FP ops (raw rm field 0-4 or 7 = dynamic).

// Internal markers
export const OP_NONE: u32 = 0;
export const OP_ILLEGAL: u32 = 1;
export const OP_PAGE_END: u32 = 2;
export const OP_CROSS: u32 = 3;

// RV64I
export const OP_LUI: u32 = 4;
export const OP_AUIPC: u32 = 5;
export const OP_JAL: u32 = 6;
export const OP_JALR: u32 = 7;
export const OP_BEQ: u32 = 8;
export const OP_BNE: u32 = 9;
export const OP_BLT: u32 = 10;
export const OP_BGE: u32 = 11;
export const OP_BLTU: u32 = 12;
export const OP_BGEU: u32 = 13;
export const OP_LB: u32 = 14;
export const OP_LH: u32 = 15;
export const OP_LW: u32 = 16;
export const OP_LD: u32 = 17;
export const OP_LBU: u32 = 18;
export const OP_LHU: u32 = 19;
export const OP_LWU: u32 = 20;
export const OP_SB: u32 = 21;
export const OP_SH: u32 = 22;
export const OP_SW: u32 = 23;
export const OP_SD: u32 = 24;
export const OP_ADDI: u32 = 25;
export const OP_SLTI: u32 = 26;
export const OP_SLTIU: u32 = 27;
export const OP_XORI: u32 = 28;
export const OP_ORI: u32 = 29;
export const OP_ANDI: u32 = 30;
export const OP_SLLI: u32 = 31;
export const OP_SRLI: u32 = 32;
export const OP_SRAI: u32 = 33;
export const OP_ADD: u32 = 34;
export const OP_SUB: u32 = 35;
export const OP_SLL: u32 = 36;
export const OP_SLT: u32 = 37;
export const OP_SLTU: u32 = 38;
export const OP_XOR: u32 = 39;
export const OP_SRL: u32 = 40;
export const OP_SRA: u32 = 41;
export const OP_OR: u32 = 42;
export const OP_AND: u32 = 43;
export const OP_ADDIW: u32 = 44;
export const OP_SLLIW: u32 = 45;
export const OP_SRLIW: u32 = 46;
export const OP_SRAIW: u32 = 47;
export const OP_ADDW: u32 = 48;
export const OP_SUBW: u32 = 49;
export const OP_SLLW: u32 = 50;
export const OP_SRLW: u32 = 51;
export const OP_SRAW: u32 = 52;

// System, Zifencei, Zicsr
export const OP_FENCE: u32 = 53;
export const OP_FENCE_I: u32 = 54;
export const OP_ECALL: u32 = 55;
export const OP_EBREAK: u32 = 56;
export const OP_MRET: u32 = 57;
export const OP_SRET: u32 = 58;
export const OP_WFI: u32 = 59;
export const OP_SFENCE_VMA: u32 = 60;
export const OP_CSRRW: u32 = 61;
export const OP_CSRRS: u32 = 62;
export const OP_CSRRC: u32 = 63;
export const OP_CSRRWI: u32 = 64;
export const OP_CSRRSI: u32 = 65;
export const OP_CSRRCI: u32 = 66;

// M
export const OP_MUL: u32 = 67;
export const OP_MULH: u32 = 68;
export const OP_MULHSU: u32 = 69;
export const OP_MULHU: u32 = 70;
export const OP_DIV: u32 = 71;
export const OP_DIVU: u32 = 72;
export const OP_REM: u32 = 73;
export const OP_REMU: u32 = 74;
export const OP_MULW: u32 = 75;
export const OP_DIVW: u32 = 76;
export const OP_DIVUW: u32 = 77;
export const OP_REMW: u32 = 78;
export const OP_REMUW: u32 = 79;

// A
export const OP_LR_W: u32 = 80;
export const OP_SC_W: u32 = 81;
export const OP_AMOSWAP_W: u32 = 82;
export const OP_AMOADD_W: u32 = 83;
export const OP_AMOXOR_W: u32 = 84;
export const OP_AMOAND_W: u32 = 85;
export const OP_AMOOR_W: u32 = 86;
export const OP_AMOMIN_W: u32 = 87;
export const OP_AMOMAX_W: u32 = 88;
export const OP_AMOMINU_W: u32 = 89;
export const OP_AMOMAXU_W: u32 = 90;
export const OP_LR_D: u32 = 91;
export const OP_SC_D: u32 = 92;
export const OP_AMOSWAP_D: u32 = 93;
export const OP_AMOADD_D: u32 = 94;
export const OP_AMOXOR_D: u32 = 95;
export const OP_AMOAND_D: u32 = 96;
export const OP_AMOOR_D: u32 = 97;
export const OP_AMOMIN_D: u32 = 98;
export const OP_AMOMAX_D: u32 = 99;
export const OP_AMOMINU_D: u32 = 100;
export const OP_AMOMAXU_D: u32 = 101;

// F
export const OP_FLW: u32 = 102;
export const OP_FSW: u32 = 103;
export const OP_FMADD_S: u32 = 104;
export const OP_FMSUB_S: u32 = 105;
export const OP_FNMSUB_S: u32 = 106;
export const OP_FNMADD_S: u32 = 107;
export const OP_FADD_S: u32 = 108;
export const OP_FSUB_S: u32 = 109;
export const OP_FMUL_S: u32 = 110;
export const OP_FDIV_S: u32 = 111;
export const OP_FSQRT_S: u32 = 112;
export const OP_FSGNJ_S: u32 = 113;
export const OP_FSGNJN_S: u32 = 114;
export const OP_FSGNJX_S: u32 = 115;
export const OP_FMIN_S: u32 = 116;
export const OP_FMAX_S: u32 = 117;
export const OP_FCVT_W_S: u32 = 118;
export const OP_FCVT_WU_S: u32 = 119;
export const OP_FCVT_L_S: u32 = 120;
export const OP_FCVT_LU_S: u32 = 121;
export const OP_FMV_X_W: u32 = 122;
export const OP_FEQ_S: u32 = 123;
export const OP_FLT_S: u32 = 124;
export const OP_FLE_S: u32 = 125;
export const OP_FCLASS_S: u32 = 126;
export const OP_FCVT_S_W: u32 = 127;
export const OP_FCVT_S_WU: u32 = 128;
export const OP_FCVT_S_L: u32 = 129;
export const OP_FCVT_S_LU: u32 = 130;
export const OP_FMV_W_X: u32 = 131;

// D
export const OP_FLD: u32 = 132;
export const OP_FSD: u32 = 133;
export const OP_FMADD_D: u32 = 134;
export const OP_FMSUB_D: u32 = 135;
export const OP_FNMSUB_D: u32 = 136;
export const OP_FNMADD_D: u32 = 137;
export const OP_FADD_D: u32 = 138;
export const OP_FSUB_D: u32 = 139;
export const OP_FMUL_D: u32 = 140;
export const OP_FDIV_D: u32 = 141;
export const OP_FSQRT_D: u32 = 142;
export const OP_FSGNJ_D: u32 = 143;
export const OP_FSGNJN_D: u32 = 144;
export const OP_FSGNJX_D: u32 = 145;
export const OP_FMIN_D: u32 = 146;
export const OP_FMAX_D: u32 = 147;
export const OP_FCVT_W_D: u32 = 148;
export const OP_FCVT_WU_D: u32 = 149;
export const OP_FCVT_L_D: u32 = 150;
export const OP_FCVT_LU_D: u32 = 151;
export const OP_FMV_X_D: u32 = 152;
export const OP_FEQ_D: u32 = 153;
export const OP_FLT_D: u32 = 154;
export const OP_FLE_D: u32 = 155;
export const OP_FCLASS_D: u32 = 156;
export const OP_FCVT_D_W: u32 = 157;
export const OP_FCVT_D_WU: u32 = 158;
export const OP_FCVT_D_L: u32 = 159;
export const OP_FCVT_D_LU: u32 = 160;
export const OP_FMV_D_X: u32 = 161;
export const OP_FCVT_S_D: u32 = 162;
export const OP_FCVT_D_S: u32 = 163;

// Fused pairs take the ids from OP_COUNT up (fuse.ts); the decoder never produces them.
export const OP_COUNT: u32 = 164;

/** Integer destination slot that swallows writes to x0. */
export const REG_SINK: u32 = 32;
