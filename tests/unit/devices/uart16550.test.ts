import { describe, expect, it } from "vitest";
import { Uart16550 } from "../../../src/machine/devices/uart16550.js";
import { StateError } from "../../../src/machine/devices/state.js";

function make() {
  const out: number[] = [];
  const uart = new Uart16550({ write: (b) => out.push(...b) });
  const irqs: boolean[] = [];
  uart.onIrq = (l) => irqs.push(l);
  const r = (off: number): number => Number(uart.read(off, 1));
  const w = (off: number, v: number): void => { uart.write(off, 1, BigInt(v)); };
  return { uart, out, irqs, r, w };
}

const [RBR, IER, IIR, LCR, MCR, LSR, MSR, SCR] = [0, 1, 2, 3, 4, 5, 6, 7];

describe("16550A UART", () => {
  it("transmits to the sink with THRE and TEMT always set", () => {
    const { out, r, w } = make();
    w(RBR, 0x41);
    w(RBR, 0x42);
    expect(out).toEqual([0x41, 0x42]);
    expect(r(LSR)).toBe(0x60);
  });

  it("latches the divisor behind DLAB and keeps the scratch register", () => {
    const { r, w, out } = make();
    w(LCR, 0x83);
    w(RBR, 0x0c);
    w(IER, 0x01);
    expect(r(RBR)).toBe(0x0c);
    expect(r(IER)).toBe(0x01);
    w(LCR, 0x03);
    expect(r(IER)).toBe(0);
    expect(out).toEqual([]);
    w(SCR, 0x5a);
    expect(r(SCR)).toBe(0x5a);
  });

  it("buffers 16 bytes with FIFOs on and 1 without", () => {
    const { uart, r, w } = make();
    expect(uart.rxSpace).toBe(1);
    expect(uart.receive(Uint8Array.of(1, 2))).toBe(1);
    w(IIR, 0x01); // enabling FIFOs clears them
    expect(r(LSR) & 1).toBe(0);
    expect(uart.receive(new Uint8Array(20).fill(7))).toBe(16);
    expect(uart.rxSpace).toBe(0);
    expect(r(LSR) & 1).toBe(1);
    expect(r(RBR)).toBe(7);
    expect(uart.rxSpace).toBe(1);
    w(IIR, 0x03); // RX FIFO reset
    expect(r(LSR) & 1).toBe(0);
    expect(r(IIR) & 0xc0).toBe(0xc0);
  });

  it("reports received data (trigger level) or a character timeout in IIR, with the IRQ line", () => {
    const { uart, irqs, r, w } = make();
    w(IIR, 0x81); // FIFO on, trigger 8
    w(IER, 0x01);
    expect(uart.irq).toBe(false);
    uart.receive(Uint8Array.of(1, 2, 3));
    expect(uart.irq).toBe(true);
    expect(irqs.at(-1)).toBe(true);
    expect(r(IIR)).toBe(0xcc); // timeout: fewer than 8 bytes
    uart.receive(new Uint8Array(5));
    expect(r(IIR)).toBe(0xc4);
    for (let i = 0; i < 8; i++) r(RBR);
    expect(r(IIR)).toBe(0xc1);
    expect(irqs.at(-1)).toBe(false);
  });

  it("raises THRE on enable and on each write; reading IIR clears it", () => {
    const { uart, r, w } = make();
    w(IER, 0x02);
    expect(uart.irq).toBe(true);
    expect(r(IIR)).toBe(0x02);
    expect(uart.irq).toBe(false);
    expect(r(IIR)).toBe(0x01);
    w(RBR, 0x30);
    expect(uart.irq).toBe(true);
    w(IER, 0);
    expect(uart.irq).toBe(false);
  });

  it("orders IIR: line status > received data > THR empty > modem status", () => {
    const { uart, r, w } = make();
    w(MCR, 0x10); // loopback
    r(MSR); // clear the deltas from entering loopback
    w(IER, 0x0f);
    w(RBR, 0x61); // looped back into the 1-byte holding register
    w(RBR, 0x62); // overrun
    expect(r(IIR)).toBe(0x06);
    expect(r(LSR) & 0x03).toBe(0x03); // DR and OE; reading clears OE
    expect(r(LSR) & 0x02).toBe(0);
    expect(r(IIR)).toBe(0x04);
    expect(r(RBR)).toBe(0x61);
    expect(r(IIR)).toBe(0x02);
    w(MCR, 0x12); // RTS -> CTS changes: modem status
    expect(r(IIR)).toBe(0x00);
    expect(r(MSR)).toBe(0x11); // CTS with DCTS
    expect(r(MSR)).toBe(0x10);
    expect(uart.irq).toBe(false);
  });

  it("loops MCR outputs into MSR as Linux's probe expects", () => {
    const { uart, out, r, w } = make();
    expect(r(MSR) & 0xf0).toBe(0xb0);
    w(MCR, 0x1a);
    expect(r(MSR) & 0xf0).toBe(0x90);
    expect(uart.receive(Uint8Array.of(1))).toBe(0);
    w(RBR, 0x55);
    expect(out).toEqual([]);
    expect(r(RBR)).toBe(0x55);
    w(MCR, 0x0b);
    expect(r(MSR) & 0xf0).toBe(0xb0);
  });

  it("tolerates wide accesses like before", () => {
    const { uart } = make();
    expect(uart.read(0, 4)).toBe(0n);
    expect(uart.read(0, 16)).toBeUndefined();
    expect(uart.read(9, 1)).toBeUndefined();
  });

  it("round-trips its state and rejects garbage", () => {
    const a = make();
    a.w(IIR, 0xc1);
    a.w(IER, 0x05);
    a.w(SCR, 9);
    a.uart.receive(Uint8Array.of(1, 2, 3));
    const snap = JSON.parse(JSON.stringify(a.uart.saveState()));
    const b = make();
    b.uart.loadState(snap);
    expect(b.irqs.at(-1)).toBe(true);
    expect(b.uart.saveState()).toEqual(snap);
    expect(b.r(RBR)).toBe(1);
    const before = b.uart.saveState();
    for (const bad of [null, [], { ...snap, ier: 0x1f }, { ...snap, rx: new Array(17).fill(0) }, { ...snap, rx: [256] },
      { ...snap, fcr: 0, rx: [1, 2] }, { ...snap, thrIrq: 1 }, { ...snap, lcr: 1.5 }]) {
      expect(() => b.uart.loadState(bad)).toThrow(StateError);
    }
    expect(b.uart.saveState()).toEqual(before);
  });
});
