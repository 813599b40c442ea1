// The SBI as S-mode software sees it: each test loads a7 (EID), a6 (FID) and a0..a5 on a
// real wasm hart, calls Sbi.handle() as the machine does after an ECALL from S-mode, and
// checks a0 (error) and a1 (value) plus the effects on the hart and on the host (console
// bytes, reset requests).

import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadHartModule } from "../../src/cli/hart-module.js";
import { Hart, RAM_BASE } from "../../src/machine/core/hart.js";
import { Sbi, type ResetKind } from "../../src/machine/sbi/sbi.js";

const EID = {
  BASE: 0x10,
  TIME: 0x54494d45,
  IPI: 0x735049,
  RFENCE: 0x52464e43,
  HSM: 0x48534d,
  SRST: 0x53525354,
  DBCN: 0x4442434e,
  PMU: 0x504d55,
  CPPC: 0x43505043,
} as const;

const SUCCESS = 0n;
const ERR_FAILED = -1n;
const ERR_NOT_SUPPORTED = -2n;
const ERR_INVALID_PARAM = -3n;
const ERR_ALREADY_AVAILABLE = -6n;

const MENVCFG = 0x30a;
const MIDELEG = 0x303;
const STIMECMP = 0x14d;
const SIP = 0x144;
const MIP = 0x344;

class FakeHost {
  written: number[] = [];
  input: number[] = [];
  resets: { kind: ResetKind; reason: number }[] = [];
  consoleWrite(b: Uint8Array): void { this.written.push(...b); }
  consoleRead(max: number): Uint8Array { return Uint8Array.from(this.input.splice(0, max)); }
  reset(kind: ResetKind, reason: number): void { this.resets.push({ kind, reason }); }
  get text(): string { return Buffer.from(this.written).toString("latin1"); }
}

let module: WebAssembly.Module;
let hart: Hart;
let host: FakeHost;
let sbi: Sbi;

beforeAll(async () => {
  module = await loadHartModule();
});

beforeEach(() => {
  hart = new Hart(module, { ramBytes: 1 << 20 });
  // What virt.ts sets up before entering the kernel: Sstc on, S-mode interrupts delegated.
  hart.setCsr(MENVCFG, 1n << 63n);
  hart.setCsr(MIDELEG, 0x222n);
  hart.priv = 1;
  host = new FakeHost();
  sbi = new Sbi(hart, host);
});

/** Performs one SBI call; returns [a0, a1] as signed values. */
function ecall(eid: number, fid: number, ...args: bigint[]): [bigint, bigint] {
  hart.setX(17, BigInt(eid));
  hart.setX(16, BigInt(fid));
  for (let i = 0; i < 6; i++) hart.setX(10 + i, args[i] ?? 0n);
  sbi.handle();
  return [BigInt.asIntN(64, hart.x(10)), BigInt.asIntN(64, hart.x(11))];
}

/** Legacy (v0.1) call: the only result is a0. */
function legacy(eid: number, a0 = 0n): bigint {
  hart.setX(17, BigInt(eid));
  hart.setX(16, 0n);
  hart.setX(10, a0);
  hart.setX(11, 0x1234n); // must be left alone
  sbi.handle();
  expect(hart.x(11)).toBe(0x1234n);
  return BigInt.asIntN(64, hart.x(10));
}

describe("BASE", () => {
  it("reports spec version 2.0", () => {
    expect(ecall(EID.BASE, 0)).toEqual([SUCCESS, 0x0200_0000n]);
  });

  it("reports the Edgevisor implementation id and a version", () => {
    const [err, id] = ecall(EID.BASE, 1);
    expect(err).toBe(SUCCESS);
    expect(id).toBe(0x45565a52n); // "EVZR"
    // Not one of the registered implementation ids (0 BBL .. 10) that Linux special-cases.
    expect(id).toBeGreaterThan(10n);
    const [err2, ver] = ecall(EID.BASE, 2);
    expect(err2).toBe(SUCCESS);
    expect(ver).toBeGreaterThan(0n);
  });

  const implemented = ["BASE", "TIME", "IPI", "RFENCE", "HSM", "SRST", "DBCN"] as const;
  it.each(implemented)("probe_extension(%s) = 1", (name) => {
    expect(ecall(EID.BASE, 3, BigInt(EID[name]))).toEqual([SUCCESS, 1n]);
  });

  it("probe_extension of unimplemented extensions (PMU, CPPC, junk) = 0", () => {
    expect(ecall(EID.BASE, 3, BigInt(EID.PMU))).toEqual([SUCCESS, 0n]);
    expect(ecall(EID.BASE, 3, BigInt(EID.CPPC))).toEqual([SUCCESS, 0n]);
    expect(ecall(EID.BASE, 3, 0x7777_7777n)).toEqual([SUCCESS, 0n]);
  });

  it("machine vendor/arch/impl ids succeed", () => {
    for (const fid of [4, 5, 6]) expect(ecall(EID.BASE, fid)[0]).toBe(SUCCESS);
  });

  it("an unknown function of a known extension and an unknown extension are NOT_SUPPORTED", () => {
    expect(ecall(EID.BASE, 7)[0]).toBe(ERR_NOT_SUPPORTED);
    expect(ecall(EID.TIME, 1)[0]).toBe(ERR_NOT_SUPPORTED);
    expect(ecall(EID.DBCN, 3)[0]).toBe(ERR_NOT_SUPPORTED);
    expect(ecall(EID.PMU, 0)[0]).toBe(ERR_NOT_SUPPORTED);
    expect(ecall(0x0a00_0000, 0)[0]).toBe(ERR_NOT_SUPPORTED);
    // Nothing leaked to the host on the way.
    expect(host.written).toEqual([]);
    expect(host.resets).toEqual([]);
  });
});

describe("TIME", () => {
  it("set_timer programs stimecmp and arms the hart's timer", () => {
    expect(hart.nextDeadline()).toBeUndefined();
    expect(ecall(EID.TIME, 0, 123_456n)[0]).toBe(SUCCESS);
    expect(hart.csr(STIMECMP)).toBe(123_456n);
    expect(hart.nextDeadline()).toBeDefined();
    // Pushing the timer out to "never" disarms it again (Linux does this when idle).
    expect(ecall(EID.TIME, 0, -1n)[0]).toBe(SUCCESS);
    expect(hart.csr(STIMECMP)).toBe(0xffff_ffff_ffff_ffffn);
  });

  it("legacy set_timer (EID 0) programs the same register", () => {
    expect(legacy(0, 777n)).toBe(0n);
    expect(hart.csr(STIMECMP)).toBe(777n);
  });
});

describe("IPI", () => {
  const ssip = () => (hart.csr(SIP) >> 1n) & 1n;

  it("send_ipi to hart 0 raises sip.SSIP", () => {
    expect(ssip()).toBe(0n);
    expect(ecall(EID.IPI, 0, 1n, 0n)).toEqual([SUCCESS, 0n]);
    expect(ssip()).toBe(1n);
    expect((hart.csr(MIP) >> 1n) & 1n).toBe(1n);
  });

  it("the guest can clear the software interrupt it was sent", () => {
    ecall(EID.IPI, 0, 1n, 0n);
    hart.setCsr(SIP, 0n);
    expect(ssip()).toBe(0n);
  });

  it("send_ipi to hart 1 (mask bit 1, or base 1) does not touch hart 0", () => {
    expect(ecall(EID.IPI, 0, 2n, 0n)[0]).toBe(SUCCESS);
    expect(ssip()).toBe(0n);
    expect(ecall(EID.IPI, 0, 1n, 1n)[0]).toBe(SUCCESS);
    expect(ssip()).toBe(0n);
  });

  it("hart_mask_base = -1 means every hart", () => {
    expect(ecall(EID.IPI, 0, 0n, -1n)[0]).toBe(SUCCESS);
    expect(ssip()).toBe(1n);
  });
});

describe("RFENCE", () => {
  it("remote fence.i and sfence.vma succeed; hypervisor fences are NOT_SUPPORTED", () => {
    expect(ecall(EID.RFENCE, 0, 1n, 0n)[0]).toBe(SUCCESS);
    expect(ecall(EID.RFENCE, 1, 1n, 0n, 0n, -1n)[0]).toBe(SUCCESS);
    expect(ecall(EID.RFENCE, 2, 1n, 0n, 0n, -1n, 1n)[0]).toBe(SUCCESS);
    for (const fid of [3, 4, 5, 6]) expect(ecall(EID.RFENCE, fid, 1n, 0n)[0]).toBe(ERR_NOT_SUPPORTED);
    expect(ecall(EID.RFENCE, 7)[0]).toBe(ERR_NOT_SUPPORTED);
  });
});

describe("HSM", () => {
  it("hart 0 is STARTED", () => {
    expect(ecall(EID.HSM, 2, 0n)).toEqual([SUCCESS, 0n]);
  });

  it("hart_start(0) is ALREADY_AVAILABLE", () => {
    expect(ecall(EID.HSM, 0, 0n, RAM_BASE, 0n)[0]).toBe(ERR_ALREADY_AVAILABLE);
  });

  it("harts that do not exist are INVALID_PARAM", () => {
    expect(ecall(EID.HSM, 2, 5n)[0]).toBe(ERR_INVALID_PARAM);
    expect(ecall(EID.HSM, 0, 5n, RAM_BASE, 0n)[0]).toBe(ERR_INVALID_PARAM);
  });

  it("the only hart cannot stop; suspend is not supported", () => {
    expect(ecall(EID.HSM, 1)[0]).toBe(ERR_FAILED);
    expect(ecall(EID.HSM, 3, 0n)[0]).toBe(ERR_NOT_SUPPORTED);
  });
});

describe("SRST", () => {
  it("shutdown asks the host for a shutdown", () => {
    expect(ecall(EID.SRST, 0, 0n, 0n)[0]).toBe(SUCCESS);
    expect(host.resets).toEqual([{ kind: "shutdown", reason: 0 }]);
  });

  it("cold and warm reboot ask for a reboot, passing the reason", () => {
    ecall(EID.SRST, 0, 1n, 1n);
    ecall(EID.SRST, 0, 2n, 0n);
    expect(host.resets).toEqual([{ kind: "cold-reboot", reason: 1 }, { kind: "warm-reboot", reason: 0 }]);
  });

  it("a reserved reset type or reason is INVALID_PARAM and does not reset", () => {
    expect(ecall(EID.SRST, 0, 3n, 0n)[0]).toBe(ERR_INVALID_PARAM);
    expect(ecall(EID.SRST, 0, 0xf000_0000n, 0n)[0]).toBe(ERR_INVALID_PARAM);
    expect(ecall(EID.SRST, 0, 0n, 2n)[0]).toBe(ERR_INVALID_PARAM);
    expect(host.resets).toEqual([]);
  });

  it("legacy shutdown (EID 8) shuts down", () => {
    legacy(8);
    expect(host.resets).toEqual([{ kind: "shutdown", reason: 0 }]);
  });
});

describe("DBCN", () => {
  const buf = RAM_BASE + 0x8000n;

  it("console_read into a buffer outside RAM is INVALID_PARAM and consumes no input", () => {
    host.input.push(0x41, 0x42);
    expect(ecall(EID.DBCN, 1, 2n, 0x1000_0000n, 0n)[0]).toBe(-3n);
    expect(host.input).toEqual([0x41, 0x42]);
    expect(ecall(EID.DBCN, 1, 2n, buf, 0n)).toEqual([SUCCESS, 2n]);
    expect([...hart.readPhys(buf, 2)]).toEqual([0x41, 0x42]);
  });

  it("a nonzero upper address half (a2) is INVALID_PARAM on RV64", () => {
    hart.writePhys(buf, new TextEncoder().encode("LEAK"));
    expect(ecall(EID.DBCN, 0, 4n, buf, 1n)[0]).toBe(-3n);
    expect(host.written).toEqual([]);
  });

  it("console_write sends exactly the guest's bytes and returns the count", () => {
    const msg = new TextEncoder().encode("Linux version 6.1 (edgevisor)\n\x00\xff");
    hart.writePhys(buf, msg);
    hart.writePhys(buf + BigInt(msg.length), new TextEncoder().encode("TRAILING"));
    expect(ecall(EID.DBCN, 0, BigInt(msg.length), buf, 0n)).toEqual([SUCCESS, BigInt(msg.length)]);
    expect(Uint8Array.from(host.written)).toEqual(msg);
  });

  it("console_write of a buffer crossing a page boundary is contiguous", () => {
    const at = RAM_BASE + 0x1000n - 3n;
    hart.writePhys(at, new TextEncoder().encode("abcdef"));
    expect(ecall(EID.DBCN, 0, 6n, at, 0n)).toEqual([SUCCESS, 6n]);
    expect(host.text).toBe("abcdef");
  });

  it("console_write outside RAM is INVALID_PARAM and writes nothing", () => {
    expect(ecall(EID.DBCN, 0, 4n, 0x1000_0000n, 0n)[0]).toBe(ERR_INVALID_PARAM);
    // Past the end of the 1 MiB of RAM, and straddling it.
    expect(ecall(EID.DBCN, 0, 4n, RAM_BASE + 0x10_0000n, 0n)[0]).toBe(ERR_INVALID_PARAM);
    expect(ecall(EID.DBCN, 0, 8n, RAM_BASE + 0x10_0000n - 4n, 0n)[0]).toBe(ERR_INVALID_PARAM);
    // The high half of the address counts.
    expect(ecall(EID.DBCN, 0, 4n, buf, 1n)[0]).toBe(ERR_INVALID_PARAM);
    expect(host.written).toEqual([]);
  });

  it("console_read copies pending input into guest RAM and returns the count", () => {
    host.input.push(...new TextEncoder().encode("ls\n"));
    hart.writePhys(buf, new Uint8Array(8).fill(0xee));
    expect(ecall(EID.DBCN, 1, 8n, buf, 0n)).toEqual([SUCCESS, 3n]);
    expect(hart.readPhys(buf, 4)).toEqual(Uint8Array.of(0x6c, 0x73, 0x0a, 0xee));
    expect(host.input).toEqual([]);
    // Nothing left: zero bytes, success.
    expect(ecall(EID.DBCN, 1, 8n, buf, 0n)).toEqual([SUCCESS, 0n]);
  });

  it("console_read takes no more than asked for", () => {
    host.input.push(1, 2, 3, 4, 5);
    expect(ecall(EID.DBCN, 1, 2n, buf, 0n)).toEqual([SUCCESS, 2n]);
    expect(hart.readPhys(buf, 2)).toEqual(Uint8Array.of(1, 2));
    expect(host.input).toEqual([3, 4, 5]);
  });

  it("console_read to an address outside RAM is INVALID_PARAM", () => {
    host.input.push(0x41);
    expect(ecall(EID.DBCN, 1, 1n, 0x1000_0000n, 0n)[0]).toBe(ERR_INVALID_PARAM);
  });

  it("console_write_byte writes the low byte of a0", () => {
    expect(ecall(EID.DBCN, 2, 0x1_0000_0041n)[0]).toBe(SUCCESS);
    expect(ecall(EID.DBCN, 2, 0x0an)[0]).toBe(SUCCESS);
    expect(host.text).toBe("A\n");
  });
});

describe("legacy console", () => {
  it("putchar (EID 1) writes one byte and returns 0", () => {
    expect(legacy(1, 0x68n)).toBe(0n);
    expect(legacy(1, 0x169n)).toBe(0n);
    expect(host.text).toBe("hi");
  });

  it("getchar (EID 2) returns the next input byte, then -1 when there is none", () => {
    host.input.push(0x79, 0xff);
    expect(legacy(2)).toBe(0x79n);
    expect(legacy(2)).toBe(0xffn); // a 0xff byte is not confused with "no input"
    expect(legacy(2)).toBe(-1n);
  });

  it("other legacy calls are NOT_SUPPORTED", () => {
    for (const eid of [3, 4, 5, 6, 7, 0x0f]) expect(legacy(eid)).toBe(ERR_NOT_SUPPORTED);
  });
});
