// Byte helpers of src/encoding.ts that frames and disk chunks go through: zero tests that
// must never call a frame with data zero, and joining buffers.
import { describe, expect, it } from "vitest";
import { concatBytes, isZeroBytes } from "../../src/encoding.js";

describe("isZeroBytes", () => {
  it("sees any non-zero byte of a 4 KiB frame, the sign bit of a word included", () => {
    const f = new Uint8Array(4096);
    expect(isZeroBytes(f)).toBe(true);
    f[4095] = 1;
    expect(isZeroBytes(f)).toBe(false);
    f[4095] = 0;
    f[7] = 0x80; // as a double this word would be -0, which equals 0
    expect(isZeroBytes(f)).toBe(false);
  });

  it("checks unaligned views byte by byte", () => {
    const b = new Uint8Array(4097);
    b[4096] = 3;
    expect(isZeroBytes(b.subarray(1, 4097))).toBe(false);
    expect(isZeroBytes(b.subarray(1, 4096))).toBe(true);
  });
});

describe("concatBytes", () => {
  it("joins the parts in order", () => {
    expect(concatBytes([Uint8Array.of(1, 2), new Uint8Array(0), Uint8Array.of(3)])).toEqual(Uint8Array.of(1, 2, 3));
  });
});
