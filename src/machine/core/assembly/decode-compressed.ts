// RV64C: expands each compressed instruction (unprivileged spec ch. 16) to the entry of
// its 32-bit equivalent, with the compressed flag set.

import { OP_ADD, OP_ADDI, OP_ADDIW, OP_ADDW, OP_AND, OP_ANDI, OP_BEQ, OP_BNE, OP_EBREAK, OP_FLD, OP_FSD, OP_JAL, OP_JALR, OP_LD, OP_LUI, OP_LW, OP_OR, OP_SD, OP_SLLI, OP_SRAI, OP_SRLI, OP_SUB, OP_SUBW, OP_SW, OP_XOR } from "./ops";
import { illegal, sext, xop, noDest, fop, COMPRESSED_FLAG } from "./decode-fields";

// ---------------------------------------------------------------------------------------
// Compressed (RV64C) instructions

/** Compressed entry: same op ids as the 32-bit form, with bit 29 set. */
// @ts-ignore: decorator
@inline
function c(e: u64): u64 {
  return e | <u64>COMPRESSED_FLAG;
}

export function decodeCompressed(h: u32): u64 {
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
