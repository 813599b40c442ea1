// RV64GC instruction decoder.
//
// decode() turns one raw instruction (32 bits, or the 16 bits of a compressed one) into a
// decoded-cache entry as described in ops.ts:
//   word0 u32: bits 0-7 op | 8-13 rd | 14-18 rs1 | 19-23 rs2 | 24-28 rs3 | 29 compressed
//   word1 i32: immediate
// returned packed as word0 | (u64(<u32>imm) << 32).
//
// Pure integer code: no allocation, no globals, no tables.
//
// Field conventions beyond ops.ts:
//   - ops with no destination (stores, branches, fences, system) have rd = REG_SINK;
//     unused source fields are 0 (e.g. FSQRT/FCVT/FCLASS/FMV have rs2 = 0: the selector is
//     folded into the op id);
//   - FENCE: imm = the 12-bit fm|pred|succ field (zero-extended); rd/rs1 are ignored;
//   - ILLEGAL entries have rd = REG_SINK and imm 0; bit 29 is still set for 2-byte encodings.

import {
  OP_ADD, OP_ADDI, OP_ADDIW, OP_ADDW, OP_AMOADD_D, OP_AMOADD_W, OP_AMOAND_D, OP_AMOAND_W,
  OP_AMOMAXU_D, OP_AMOMAXU_W, OP_AMOMAX_D, OP_AMOMAX_W, OP_AMOMINU_D, OP_AMOMINU_W, OP_AMOMIN_D, OP_AMOMIN_W,
  OP_AMOOR_D, OP_AMOOR_W, OP_AMOSWAP_D, OP_AMOSWAP_W, OP_AMOXOR_D, OP_AMOXOR_W, OP_AND, OP_ANDI,
  OP_AUIPC, OP_BEQ, OP_BGE, OP_BGEU, OP_BLT, OP_BLTU, OP_BNE, OP_CSRRC,
  OP_CSRRCI, OP_CSRRS, OP_CSRRSI, OP_CSRRW, OP_CSRRWI, OP_DIV, OP_DIVU, OP_DIVUW,
  OP_DIVW, OP_EBREAK, OP_ECALL, OP_FADD_D, OP_FADD_S, OP_FCLASS_D, OP_FCLASS_S, OP_FCVT_D_S,
  OP_FCVT_D_W, OP_FCVT_S_D, OP_FCVT_S_W, OP_FCVT_W_D, OP_FCVT_W_S, OP_FDIV_D, OP_FDIV_S, OP_FENCE,
  OP_FENCE_I, OP_FEQ_D, OP_FEQ_S, OP_FLD, OP_FLE_D, OP_FLE_S, OP_FLT_D, OP_FLT_S,
  OP_FLW, OP_FMADD_D, OP_FMADD_S, OP_FMIN_D, OP_FMIN_S, OP_FMUL_D, OP_FMUL_S, OP_FMV_D_X,
  OP_FMV_W_X, OP_FMV_X_D, OP_FMV_X_W, OP_FSD, OP_FSGNJ_D, OP_FSGNJ_S, OP_FSQRT_D, OP_FSQRT_S,
  OP_FSUB_D, OP_FSUB_S, OP_FSW, OP_JAL, OP_JALR, OP_LB, OP_LBU, OP_LD,
  OP_LH, OP_LHU, OP_LR_D, OP_LR_W, OP_LUI, OP_LW, OP_LWU, OP_MRET,
  OP_MUL, OP_MULH, OP_MULHSU, OP_MULHU, OP_MULW, OP_OR, OP_ORI, OP_REM,
  OP_REMU, OP_REMUW, OP_REMW, OP_SB, OP_SC_D, OP_SC_W, OP_SD, OP_SFENCE_VMA,
  OP_SH, OP_SLL, OP_SLLI, OP_SLLIW, OP_SLLW, OP_SLT, OP_SLTI, OP_SLTIU,
  OP_SLTU, OP_SRA, OP_SRAI, OP_SRAIW, OP_SRAW, OP_SRET, OP_SRL, OP_SRLI,
  OP_SRLIW, OP_SRLW, OP_SUB, OP_SUBW, OP_SW, OP_WFI, OP_XOR, OP_XORI,
} from "./ops";
import { illegal, xop, noDest, fop, immI, immS, immB, immJ, rmOk, COMPRESSED_FLAG } from "./decode-fields";
import { decodeCompressed } from "./decode-compressed";

// ---------------------------------------------------------------------------------------
// Public API

/** Length in bytes of the instruction whose low 16 bits are `lowHalf`: 2 or 4. */
export function insnLength(lowHalf: u32): u32 {
  return (lowHalf & 3) == 3 ? 4 : 2;
}

/** Decodes one instruction. `insn` holds 32 bits for a 4-byte instruction, or the 16 bits
 *  (upper half zero) of a compressed one (low two bits != 0b11). Returns word0 | (u64(<u32>imm) << 32). */
export function decode(insn: u32): u64 {
  // Compressed entries, illegal ones included, carry bit 29 (the trap path can tell the length).
  if ((insn & 3) != 3) return decodeCompressed(insn & 0xffff) | <u64>COMPRESSED_FLAG;
  return decode32(insn);
}

// ---------------------------------------------------------------------------------------
// 32-bit instructions

function decode32(insn: u32): u64 {
  const opcode = insn & 0x7f;
  const rd = (insn >> 7) & 31;
  const f3 = (insn >> 12) & 7;
  const rs1 = (insn >> 15) & 31;
  const rs2 = (insn >> 20) & 31;
  const f7 = insn >> 25;

  switch (opcode) {
    case 0x37: // LUI
      return xop(OP_LUI, rd, 0, 0, <i32>(insn & 0xfffff000));
    case 0x17: // AUIPC
      return xop(OP_AUIPC, rd, 0, 0, <i32>(insn & 0xfffff000));
    case 0x6f: // JAL
      return xop(OP_JAL, rd, 0, 0, immJ(insn));
    case 0x67: // JALR
      if (f3 != 0) return illegal();
      return xop(OP_JALR, rd, rs1, 0, immI(insn));

    case 0x63: { // BRANCH
      let op: u32;
      switch (f3) {
        case 0: op = OP_BEQ; break;
        case 1: op = OP_BNE; break;
        case 4: op = OP_BLT; break;
        case 5: op = OP_BGE; break;
        case 6: op = OP_BLTU; break;
        case 7: op = OP_BGEU; break;
        default: return illegal();
      }
      return noDest(op, rs1, rs2, immB(insn));
    }

    case 0x03: { // LOAD
      let op: u32;
      switch (f3) {
        case 0: op = OP_LB; break;
        case 1: op = OP_LH; break;
        case 2: op = OP_LW; break;
        case 3: op = OP_LD; break;
        case 4: op = OP_LBU; break;
        case 5: op = OP_LHU; break;
        case 6: op = OP_LWU; break;
        default: return illegal();
      }
      return xop(op, rd, rs1, 0, immI(insn));
    }

    case 0x23: { // STORE
      let op: u32;
      switch (f3) {
        case 0: op = OP_SB; break;
        case 1: op = OP_SH; break;
        case 2: op = OP_SW; break;
        case 3: op = OP_SD; break;
        default: return illegal();
      }
      return noDest(op, rs1, rs2, immS(insn));
    }

    case 0x13: { // OP-IMM
      const imm = immI(insn);
      const shamt = <i32>((insn >> 20) & 63);
      const f6 = insn >> 26;
      switch (f3) {
        case 0: return xop(OP_ADDI, rd, rs1, 0, imm);
        case 1:
          if (f6 != 0) return illegal();
          return xop(OP_SLLI, rd, rs1, 0, shamt);
        case 2: return xop(OP_SLTI, rd, rs1, 0, imm);
        case 3: return xop(OP_SLTIU, rd, rs1, 0, imm);
        case 4: return xop(OP_XORI, rd, rs1, 0, imm);
        case 5:
          if (f6 == 0) return xop(OP_SRLI, rd, rs1, 0, shamt);
          if (f6 == 0x10) return xop(OP_SRAI, rd, rs1, 0, shamt);
          return illegal();
        case 6: return xop(OP_ORI, rd, rs1, 0, imm);
        default: return xop(OP_ANDI, rd, rs1, 0, imm);
      }
    }

    case 0x1b: { // OP-IMM-32
      const shamt = <i32>rs2; // 5-bit shamt lives in the rs2 field
      switch (f3) {
        case 0: return xop(OP_ADDIW, rd, rs1, 0, immI(insn));
        case 1:
          if (f7 != 0) return illegal();
          return xop(OP_SLLIW, rd, rs1, 0, shamt);
        case 5:
          if (f7 == 0) return xop(OP_SRLIW, rd, rs1, 0, shamt);
          if (f7 == 0x20) return xop(OP_SRAIW, rd, rs1, 0, shamt);
          return illegal();
        default: return illegal();
      }
    }

    case 0x33: { // OP
      let op: u32;
      if (f7 == 0) {
        switch (f3) {
          case 0: op = OP_ADD; break;
          case 1: op = OP_SLL; break;
          case 2: op = OP_SLT; break;
          case 3: op = OP_SLTU; break;
          case 4: op = OP_XOR; break;
          case 5: op = OP_SRL; break;
          case 6: op = OP_OR; break;
          default: op = OP_AND; break;
        }
      } else if (f7 == 0x20) {
        if (f3 == 0) op = OP_SUB;
        else if (f3 == 5) op = OP_SRA;
        else return illegal();
      } else if (f7 == 1) {
        switch (f3) {
          case 0: op = OP_MUL; break;
          case 1: op = OP_MULH; break;
          case 2: op = OP_MULHSU; break;
          case 3: op = OP_MULHU; break;
          case 4: op = OP_DIV; break;
          case 5: op = OP_DIVU; break;
          case 6: op = OP_REM; break;
          default: op = OP_REMU; break;
        }
      } else {
        return illegal();
      }
      return xop(op, rd, rs1, rs2, 0);
    }

    case 0x3b: { // OP-32
      let op: u32;
      if (f7 == 0) {
        if (f3 == 0) op = OP_ADDW;
        else if (f3 == 1) op = OP_SLLW;
        else if (f3 == 5) op = OP_SRLW;
        else return illegal();
      } else if (f7 == 0x20) {
        if (f3 == 0) op = OP_SUBW;
        else if (f3 == 5) op = OP_SRAW;
        else return illegal();
      } else if (f7 == 1) {
        switch (f3) {
          case 0: op = OP_MULW; break;
          case 4: op = OP_DIVW; break;
          case 5: op = OP_DIVUW; break;
          case 6: op = OP_REMW; break;
          case 7: op = OP_REMUW; break;
          default: return illegal();
        }
      } else {
        return illegal();
      }
      return xop(op, rd, rs1, rs2, 0);
    }

    case 0x0f: // MISC-MEM
      // FENCE: fm/pred/succ kept in imm (12 bits, zero-extended); rd/rs1 ignored.
      if (f3 == 0) return noDest(OP_FENCE, 0, 0, <i32>(insn >> 20));
      if (f3 == 1) return noDest(OP_FENCE_I, 0, 0, 0);
      return illegal();

    case 0x73: // SYSTEM
      return decodeSystem(insn, rd, f3, rs1, rs2, f7);

    case 0x2f: // AMO
      return decodeAmo(insn, rd, f3, rs1, rs2);

    case 0x07: // LOAD-FP
      if (f3 == 2) return fop(OP_FLW, rd, rs1, 0, 0, immI(insn));
      if (f3 == 3) return fop(OP_FLD, rd, rs1, 0, 0, immI(insn));
      return illegal();

    case 0x27: // STORE-FP
      if (f3 == 2) return noDest(OP_FSW, rs1, rs2, immS(insn));
      if (f3 == 3) return noDest(OP_FSD, rs1, rs2, immS(insn));
      return illegal();

    case 0x43: // FMADD
    case 0x47: // FMSUB
    case 0x4b: // FNMSUB
    case 0x4f: { // FNMADD
      const fmt = f7 & 3;
      if (fmt > 1 || !rmOk(f3)) return illegal();
      const which = (opcode >> 2) & 3; // 0 madd, 1 msub, 2 nmsub, 3 nmadd
      const op = (fmt == 0 ? OP_FMADD_S : OP_FMADD_D) + which;
      return fop(op, rd, rs1, rs2, insn >> 27, <i32>f3);
    }

    case 0x53: // OP-FP
      return decodeOpFp(rd, f3, rs1, rs2, f7);

    default:
      return illegal();
  }
}

function decodeSystem(insn: u32, rd: u32, f3: u32, rs1: u32, rs2: u32, f7: u32): u64 {
  switch (f3) {
    case 0: {
      if (insn == 0x00000073) return noDest(OP_ECALL, 0, 0, 0);
      if (insn == 0x00100073) return noDest(OP_EBREAK, 0, 0, 0);
      if (insn == 0x10200073) return noDest(OP_SRET, 0, 0, 0);
      if (insn == 0x30200073) return noDest(OP_MRET, 0, 0, 0);
      if (insn == 0x10500073) return noDest(OP_WFI, 0, 0, 0);
      if (f7 == 0x09 && rd == 0) return noDest(OP_SFENCE_VMA, rs1, rs2, 0);
      return illegal();
    }
    case 1: return xop(OP_CSRRW, rd, rs1, 0, <i32>(insn >> 20));
    case 2: return xop(OP_CSRRS, rd, rs1, 0, <i32>(insn >> 20));
    case 3: return xop(OP_CSRRC, rd, rs1, 0, <i32>(insn >> 20));
    case 5: return xop(OP_CSRRWI, rd, rs1, 0, <i32>(insn >> 20));
    case 6: return xop(OP_CSRRSI, rd, rs1, 0, <i32>(insn >> 20));
    case 7: return xop(OP_CSRRCI, rd, rs1, 0, <i32>(insn >> 20));
    default: return illegal();
  }
}

function decodeAmo(insn: u32, rd: u32, f3: u32, rs1: u32, rs2: u32): u64 {
  let d: bool;
  if (f3 == 2) d = false;
  else if (f3 == 3) d = true;
  else return illegal();
  const f5 = insn >> 27;
  let op: u32;
  switch (f5) {
    case 0x02:
      if (rs2 != 0) return illegal();
      op = d ? OP_LR_D : OP_LR_W; break;
    case 0x03: op = d ? OP_SC_D : OP_SC_W; break;
    case 0x01: op = d ? OP_AMOSWAP_D : OP_AMOSWAP_W; break;
    case 0x00: op = d ? OP_AMOADD_D : OP_AMOADD_W; break;
    case 0x04: op = d ? OP_AMOXOR_D : OP_AMOXOR_W; break;
    case 0x0c: op = d ? OP_AMOAND_D : OP_AMOAND_W; break;
    case 0x08: op = d ? OP_AMOOR_D : OP_AMOOR_W; break;
    case 0x10: op = d ? OP_AMOMIN_D : OP_AMOMIN_W; break;
    case 0x14: op = d ? OP_AMOMAX_D : OP_AMOMAX_W; break;
    case 0x18: op = d ? OP_AMOMINU_D : OP_AMOMINU_W; break;
    case 0x1c: op = d ? OP_AMOMAXU_D : OP_AMOMAXU_W; break;
    default: return illegal();
  }
  return xop(op, rd, rs1, rs2, 0);
}

function decodeOpFp(rd: u32, rm: u32, rs1: u32, rs2: u32, f7: u32): u64 {
  const fmt = f7 & 3;
  if (fmt > 1) return illegal(); // H (2) and Q (3) are not supported
  const dbl = fmt == 1;
  const rmi = <i32>rm;
  switch (f7 >> 2) {
    case 0x00: // FADD
      if (!rmOk(rm)) break;
      return fop(dbl ? OP_FADD_D : OP_FADD_S, rd, rs1, rs2, 0, rmi);
    case 0x01: // FSUB
      if (!rmOk(rm)) break;
      return fop(dbl ? OP_FSUB_D : OP_FSUB_S, rd, rs1, rs2, 0, rmi);
    case 0x02: // FMUL
      if (!rmOk(rm)) break;
      return fop(dbl ? OP_FMUL_D : OP_FMUL_S, rd, rs1, rs2, 0, rmi);
    case 0x03: // FDIV
      if (!rmOk(rm)) break;
      return fop(dbl ? OP_FDIV_D : OP_FDIV_S, rd, rs1, rs2, 0, rmi);
    case 0x0b: // FSQRT
      if (rs2 != 0 || !rmOk(rm)) break;
      return fop(dbl ? OP_FSQRT_D : OP_FSQRT_S, rd, rs1, 0, 0, rmi);
    case 0x04: // FSGNJ / FSGNJN / FSGNJX
      if (rm > 2) break;
      return fop((dbl ? OP_FSGNJ_D : OP_FSGNJ_S) + rm, rd, rs1, rs2, 0, 0);
    case 0x05: // FMIN / FMAX
      if (rm > 1) break;
      return fop((dbl ? OP_FMIN_D : OP_FMIN_S) + rm, rd, rs1, rs2, 0, 0);
    case 0x08: // FCVT.S.D (fmt 0, rs2 1) / FCVT.D.S (fmt 1, rs2 0)
      if (!rmOk(rm)) break;
      if (!dbl && rs2 == 1) return fop(OP_FCVT_S_D, rd, rs1, 0, 0, rmi);
      if (dbl && rs2 == 0) return fop(OP_FCVT_D_S, rd, rs1, 0, 0, rmi);
      break;
    case 0x14: { // FLE / FLT / FEQ (rm field 0 / 1 / 2)
      if (rm > 2) break;
      const op: u32 = rm == 0
        ? (dbl ? OP_FLE_D : OP_FLE_S)
        : rm == 1 ? (dbl ? OP_FLT_D : OP_FLT_S) : (dbl ? OP_FEQ_D : OP_FEQ_S);
      return xop(op, rd, rs1, rs2, 0);
    }
    case 0x18: // FCVT.{W,WU,L,LU}.{S,D}: integer destination
      if (rs2 > 3 || !rmOk(rm)) break;
      return xop((dbl ? OP_FCVT_W_D : OP_FCVT_W_S) + rs2, rd, rs1, 0, rmi);
    case 0x1a: // FCVT.{S,D}.{W,WU,L,LU}: FP destination
      if (rs2 > 3 || !rmOk(rm)) break;
      return fop((dbl ? OP_FCVT_D_W : OP_FCVT_S_W) + rs2, rd, rs1, 0, 0, rmi);
    case 0x1c: // FMV.X.W / FMV.X.D (rm 0) and FCLASS (rm 1)
      if (rs2 != 0) break;
      if (rm == 0) return xop(dbl ? OP_FMV_X_D : OP_FMV_X_W, rd, rs1, 0, 0);
      if (rm == 1) return xop(dbl ? OP_FCLASS_D : OP_FCLASS_S, rd, rs1, 0, 0);
      break;
    case 0x1e: // FMV.W.X / FMV.D.X
      if (rs2 != 0 || rm != 0) break;
      return fop(dbl ? OP_FMV_D_X : OP_FMV_W_X, rd, rs1, 0, 0, 0);
    default:
      break;
  }
  return illegal();
}

