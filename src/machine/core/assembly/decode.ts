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
  OP_ILLEGAL,
  OP_LUI, OP_AUIPC, OP_JAL, OP_JALR,
  OP_BEQ, OP_BNE, OP_BLT, OP_BGE, OP_BLTU, OP_BGEU,
  OP_LB, OP_LH, OP_LW, OP_LD, OP_LBU, OP_LHU, OP_LWU,
  OP_SB, OP_SH, OP_SW, OP_SD,
  OP_ADDI, OP_SLTI, OP_SLTIU, OP_XORI, OP_ORI, OP_ANDI, OP_SLLI, OP_SRLI, OP_SRAI,
  OP_ADD, OP_SUB, OP_SLL, OP_SLT, OP_SLTU, OP_XOR, OP_SRL, OP_SRA, OP_OR, OP_AND,
  OP_ADDIW, OP_SLLIW, OP_SRLIW, OP_SRAIW, OP_ADDW, OP_SUBW, OP_SLLW, OP_SRLW, OP_SRAW,
  OP_FENCE, OP_FENCE_I, OP_ECALL, OP_EBREAK, OP_MRET, OP_SRET, OP_WFI, OP_SFENCE_VMA,
  OP_CSRRW, OP_CSRRS, OP_CSRRC, OP_CSRRWI, OP_CSRRSI, OP_CSRRCI,
  OP_MUL, OP_MULH, OP_MULHSU, OP_MULHU, OP_DIV, OP_DIVU, OP_REM, OP_REMU,
  OP_MULW, OP_DIVW, OP_DIVUW, OP_REMW, OP_REMUW,
  OP_LR_W, OP_SC_W, OP_AMOSWAP_W, OP_AMOADD_W, OP_AMOXOR_W, OP_AMOAND_W, OP_AMOOR_W,
  OP_AMOMIN_W, OP_AMOMAX_W, OP_AMOMINU_W, OP_AMOMAXU_W,
  OP_LR_D, OP_SC_D, OP_AMOSWAP_D, OP_AMOADD_D, OP_AMOXOR_D, OP_AMOAND_D, OP_AMOOR_D,
  OP_AMOMIN_D, OP_AMOMAX_D, OP_AMOMINU_D, OP_AMOMAXU_D,
  OP_FLW, OP_FSW, OP_FMADD_S, OP_FMSUB_S, OP_FNMSUB_S, OP_FNMADD_S,
  OP_FADD_S, OP_FSUB_S, OP_FMUL_S, OP_FDIV_S, OP_FSQRT_S,
  OP_FSGNJ_S, OP_FSGNJN_S, OP_FSGNJX_S, OP_FMIN_S, OP_FMAX_S,
  OP_FCVT_W_S, OP_FCVT_WU_S, OP_FCVT_L_S, OP_FCVT_LU_S, OP_FMV_X_W,
  OP_FEQ_S, OP_FLT_S, OP_FLE_S, OP_FCLASS_S,
  OP_FCVT_S_W, OP_FCVT_S_WU, OP_FCVT_S_L, OP_FCVT_S_LU, OP_FMV_W_X,
  OP_FLD, OP_FSD, OP_FMADD_D, OP_FMSUB_D, OP_FNMSUB_D, OP_FNMADD_D,
  OP_FADD_D, OP_FSUB_D, OP_FMUL_D, OP_FDIV_D, OP_FSQRT_D,
  OP_FSGNJ_D, OP_FSGNJN_D, OP_FSGNJX_D, OP_FMIN_D, OP_FMAX_D,
  OP_FCVT_W_D, OP_FCVT_WU_D, OP_FCVT_L_D, OP_FCVT_LU_D, OP_FMV_X_D,
  OP_FEQ_D, OP_FLT_D, OP_FLE_D, OP_FCLASS_D,
  OP_FCVT_D_W, OP_FCVT_D_WU, OP_FCVT_D_L, OP_FCVT_D_LU, OP_FMV_D_X,
  OP_FCVT_S_D, OP_FCVT_D_S,
  REG_SINK,
} from "./ops";

/** Bit 29 of word0: the entry came from a 2-byte (compressed) instruction. */
const COMPRESSED_FLAG: u32 = 1 << 29;

// ---------------------------------------------------------------------------------------
// Helpers

/** Packs the fields into an entry. `rd` may be 0..32 (6 bits); the rest are 5 bits. */
// @ts-ignore: decorator
@inline
function pack(op: u32, rd: u32, rs1: u32, rs2: u32, rs3: u32, imm: i32): u64 {
  const w0: u32 = op | (rd << 8) | (rs1 << 14) | (rs2 << 19) | (rs3 << 24);
  return <u64>w0 | (<u64><u32>imm << 32);
}

/** Integer destination: x0 becomes the sink slot. */
// @ts-ignore: decorator
@inline
function xd(r: u32): u32 {
  return r == 0 ? REG_SINK : r;
}

// @ts-ignore: decorator
@inline
function illegal(): u64 {
  return <u64>OP_ILLEGAL | (<u64>REG_SINK << 8);
}

/** Sign-extends the low `bits` bits of v. */
// @ts-ignore: decorator
@inline
function sext(v: u32, bits: i32): i32 {
  const s = 32 - bits;
  return (<i32>(v << s)) >> s;
}

/** Integer-destination op (rd = x0 becomes the sink). */
// @ts-ignore: decorator
@inline
function xop(op: u32, rd: u32, rs1: u32, rs2: u32, imm: i32): u64 {
  return pack(op, xd(rd), rs1, rs2, 0, imm);
}

/** Op without a destination register (stores, branches, fences, system): rd = REG_SINK. */
// @ts-ignore: decorator
@inline
function noDest(op: u32, rs1: u32, rs2: u32, imm: i32): u64 {
  return pack(op, REG_SINK, rs1, rs2, 0, imm);
}

/** FP-destination op: rd kept as 0..31. */
// @ts-ignore: decorator
@inline
function fop(op: u32, rd: u32, rs1: u32, rs2: u32, rs3: u32, imm: i32): u64 {
  return pack(op, rd, rs1, rs2, rs3, imm);
}

// @ts-ignore: decorator
@inline
function immI(insn: u32): i32 {
  return (<i32>insn) >> 20;
}

// @ts-ignore: decorator
@inline
function immS(insn: u32): i32 {
  return (((<i32>insn) >> 20) & ~31) | <i32>((insn >> 7) & 31);
}

// @ts-ignore: decorator
@inline
function immB(insn: u32): i32 {
  const v: u32 =
    ((insn >> 19) & 0x1000) | // imm[12]   <- bit 31
    ((insn << 4) & 0x800) |   // imm[11]   <- bit 7
    ((insn >> 20) & 0x7e0) |  // imm[10:5] <- bits 30:25
    ((insn >> 7) & 0x1e);     // imm[4:1]  <- bits 11:8
  return sext(v, 13);
}

// @ts-ignore: decorator
@inline
function immJ(insn: u32): i32 {
  const v: u32 =
    ((insn >> 11) & 0x100000) | // imm[20]    <- bit 31
    (insn & 0xff000) |          // imm[19:12] <- bits 19:12
    ((insn >> 9) & 0x800) |     // imm[11]    <- bit 20
    ((insn >> 20) & 0x7fe);     // imm[10:1]  <- bits 30:21
  return sext(v, 21);
}

/** Rounding mode field check: 5 and 6 are reserved. */
// @ts-ignore: decorator
@inline
function rmOk(rm: u32): bool {
  return rm != 5 && rm != 6;
}

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

// ---------------------------------------------------------------------------------------
// Compressed (RV64C) instructions

/** Compressed entry: same op ids as the 32-bit form, with bit 29 set. */
// @ts-ignore: decorator
@inline
function c(e: u64): u64 {
  return e | <u64>COMPRESSED_FLAG;
}

function decodeCompressed(h: u32): u64 {
  const quadrant = h & 3;
  const f3 = h >> 13;
  const rdp = ((h >> 2) & 7) + 8;  // rd' / rs2' (bits 4:2)
  const rs1p = ((h >> 7) & 7) + 8; // rs1' / rd' (bits 9:7)
  const r = (h >> 7) & 31;         // rd / rs1 (bits 11:7)
  const r2 = (h >> 2) & 31;        // rs2 (bits 6:2)
  // 6-bit immediate: imm[5] = bit 12, imm[4:0] = bits 6:2
  const imm6u: u32 = ((h >> 7) & 0x20) | r2;
  const imm6 = sext(imm6u, 6);

  if (quadrant == 0) {
    // Offsets shared by C.FLD / C.LD / C.FSD / C.SD: uimm[5:3] = bits 12:10, uimm[7:6] = bits 6:5.
    const offD = <i32>(((h >> 7) & 0x38) | ((h << 1) & 0xc0));
    // C.LW / C.SW: uimm[5:3] = bits 12:10, uimm[2] = bit 6, uimm[6] = bit 5.
    const offW = <i32>(((h >> 7) & 0x38) | ((h >> 4) & 4) | ((h << 1) & 0x40));
    switch (f3) {
      case 0: { // C.ADDI4SPN: nzuimm[5:4|9:6|2|3] = bits 12:5
        const nz = ((h >> 7) & 0x30) | ((h >> 1) & 0x3c0) | ((h >> 4) & 4) | ((h >> 2) & 8);
        if (nz == 0) return illegal(); // includes the all-zero instruction
        return c(xop(OP_ADDI, rdp, 2, 0, <i32>nz));
      }
      case 1: return c(fop(OP_FLD, rdp, rs1p, 0, 0, offD));
      case 2: return c(xop(OP_LW, rdp, rs1p, 0, offW));
      case 3: return c(xop(OP_LD, rdp, rs1p, 0, offD));
      case 5: return c(noDest(OP_FSD, rs1p, rdp, offD));
      case 6: return c(noDest(OP_SW, rs1p, rdp, offW));
      case 7: return c(noDest(OP_SD, rs1p, rdp, offD));
      default: return illegal(); // 4: reserved
    }
  }

  if (quadrant == 1) {
    switch (f3) {
      case 0: // C.NOP / C.ADDI (rd = 0 is a hint)
        return c(xop(OP_ADDI, r, r, 0, imm6));
      case 1: // C.ADDIW
        if (r == 0) return illegal();
        return c(xop(OP_ADDIW, r, r, 0, imm6));
      case 2: // C.LI
        return c(xop(OP_ADDI, r, 0, 0, imm6));
      case 3: {
        if (r == 2) { // C.ADDI16SP: nzimm[9] = bit 12, nzimm[4|6|8:7|5] = bits 6:2
          const v: u32 =
            ((h >> 3) & 0x200) | // nzimm[9]   <- bit 12
            ((h >> 2) & 0x10) |  // nzimm[4]   <- bit 6
            ((h << 1) & 0x40) |  // nzimm[6]   <- bit 5
            ((h << 4) & 0x180) | // nzimm[8:7] <- bits 4:3
            ((h << 3) & 0x20);   // nzimm[5]   <- bit 2
          if (v == 0) return illegal();
          return c(xop(OP_ADDI, 2, 2, 0, sext(v, 10)));
        }
        // C.LUI: nzimm[17] = bit 12, nzimm[16:12] = bits 6:2 (rd = 0 is a hint)
        if (imm6u == 0) return illegal();
        return c(xop(OP_LUI, r, 0, 0, imm6 << 12));
      }
      case 4: {
        const f2 = (h >> 10) & 3;
        if (f2 == 0) return c(xop(OP_SRLI, rs1p, rs1p, 0, <i32>imm6u));
        if (f2 == 1) return c(xop(OP_SRAI, rs1p, rs1p, 0, <i32>imm6u));
        if (f2 == 2) return c(xop(OP_ANDI, rs1p, rs1p, 0, imm6));
        const sel = (h >> 5) & 3;
        let op: u32;
        if ((h & 0x1000) == 0) {
          if (sel == 0) op = OP_SUB;
          else if (sel == 1) op = OP_XOR;
          else if (sel == 2) op = OP_OR;
          else op = OP_AND;
        } else {
          if (sel == 0) op = OP_SUBW;
          else if (sel == 1) op = OP_ADDW;
          else return illegal(); // reserved
        }
        return c(xop(op, rs1p, rs1p, rdp, 0));
      }
      case 5: { // C.J: imm[11|4|9:8|10|6|7|3:1|5] = bits 12:2
        const v: u32 =
          ((h >> 1) & 0x800) | // imm[11]   <- bit 12
          ((h >> 7) & 0x10) |  // imm[4]    <- bit 11
          ((h >> 1) & 0x300) | // imm[9:8]  <- bits 10:9
          ((h << 2) & 0x400) | // imm[10]   <- bit 8
          ((h >> 1) & 0x40) |  // imm[6]    <- bit 7
          ((h << 1) & 0x80) |  // imm[7]    <- bit 6
          ((h >> 2) & 0xe) |   // imm[3:1]  <- bits 5:3
          ((h << 3) & 0x20);   // imm[5]    <- bit 2
        return c(xop(OP_JAL, 0, 0, 0, sext(v, 12)));
      }
      default: { // 6: C.BEQZ, 7: C.BNEZ: offset[8|4:3] = bits 12:10, offset[7:6|2:1|5] = bits 6:2
        const v: u32 =
          ((h >> 4) & 0x100) | // off[8]   <- bit 12
          ((h >> 7) & 0x18) |  // off[4:3] <- bits 11:10
          ((h << 1) & 0xc0) |  // off[7:6] <- bits 6:5
          ((h >> 2) & 0x6) |   // off[2:1] <- bits 4:3
          ((h << 3) & 0x20);   // off[5]   <- bit 2
        return c(noDest(f3 == 6 ? OP_BEQ : OP_BNE, rs1p, 0, sext(v, 9)));
      }
    }
  }

  // quadrant 2
  switch (f3) {
    case 0: // C.SLLI (rd = 0 is a hint, shamt = 0 is a hint)
      return c(xop(OP_SLLI, r, r, 0, <i32>imm6u));
    case 1: { // C.FLDSP: uimm[5] = bit 12, uimm[4:3|8:6] = bits 6:2
      const off = ((h >> 7) & 0x20) | ((h >> 2) & 0x18) | ((h << 4) & 0x1c0);
      return c(fop(OP_FLD, r, 2, 0, 0, <i32>off));
    }
    case 2: { // C.LWSP: uimm[5] = bit 12, uimm[4:2|7:6] = bits 6:2
      if (r == 0) return illegal();
      const off = ((h >> 7) & 0x20) | ((h >> 2) & 0x1c) | ((h << 4) & 0xc0);
      return c(xop(OP_LW, r, 2, 0, <i32>off));
    }
    case 3: { // C.LDSP
      if (r == 0) return illegal();
      const off = ((h >> 7) & 0x20) | ((h >> 2) & 0x18) | ((h << 4) & 0x1c0);
      return c(xop(OP_LD, r, 2, 0, <i32>off));
    }
    case 4: {
      if ((h & 0x1000) == 0) {
        if (r2 == 0) { // C.JR
          if (r == 0) return illegal();
          return c(xop(OP_JALR, 0, r, 0, 0));
        }
        return c(xop(OP_ADD, r, 0, r2, 0)); // C.MV (rd = 0 is a hint)
      }
      if (r2 == 0) {
        if (r == 0) return c(noDest(OP_EBREAK, 0, 0, 0)); // C.EBREAK
        return c(xop(OP_JALR, 1, r, 0, 0)); // C.JALR
      }
      return c(xop(OP_ADD, r, r, r2, 0)); // C.ADD (rd = 0 is a hint)
    }
    case 5: { // C.FSDSP: uimm[5:3|8:6] = bits 12:7
      const off = ((h >> 7) & 0x38) | ((h >> 1) & 0x1c0);
      return c(noDest(OP_FSD, 2, r2, <i32>off));
    }
    case 6: { // C.SWSP: uimm[5:2|7:6] = bits 12:7
      const off = ((h >> 7) & 0x3c) | ((h >> 1) & 0xc0);
      return c(noDest(OP_SW, 2, r2, <i32>off));
    }
    default: { // 7: C.SDSP
      const off = ((h >> 7) & 0x38) | ((h >> 1) & 0x1c0);
      return c(noDest(OP_SD, 2, r2, <i32>off));
    }
  }
}
