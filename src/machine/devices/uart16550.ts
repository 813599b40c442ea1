// NS16550A UART (register layout as QEMU's virt machine: byte registers, stride 1).
// Transmit goes straight to the console sink; received bytes wait in a 16-byte FIFO.
// Interrupt output (IIR) is computed from IER, the FIFO and the THR-empty state.

import { MmioResult, type ConsoleSink, type MmioDevice } from "../ports.js";

const LSR_DR = 0x01;
const LSR_THRE = 0x20;
const LSR_TEMT = 0x40;
const IER_RDI = 0x01;
const IER_THRI = 0x02;
const FIFO_SIZE = 16;

export class Uart16550 implements MmioDevice {
  private ier = 0;
  private lcr = 0;
  private mcr = 0;
  private scr = 0;
  private dll = 1;
  private dlm = 0;
  private fcr = 0;
  private rx: number[] = [];
  /** THR-empty interrupt pending (cleared by reading IIR or writing THR). */
  private thrIrq = false;
  /** Called whenever the interrupt line may have changed. */
  onIrq: (level: boolean) => void = () => {};

  constructor(private readonly sink: ConsoleSink) {}

  /** Host input: bytes typed on the console (dropped beyond the FIFO, as hardware does). */
  receive(bytes: Uint8Array): number {
    let n = 0;
    for (const b of bytes) {
      if (this.rx.length >= FIFO_SIZE) break;
      this.rx.push(b);
      n++;
    }
    this.update();
    return n;
  }

  /** Free space in the receive FIFO. */
  get rxSpace(): number { return FIFO_SIZE - this.rx.length; }

  get irq(): boolean {
    return ((this.ier & IER_RDI) !== 0 && this.rx.length > 0) || ((this.ier & IER_THRI) !== 0 && this.thrIrq);
  }

  private update(): void { this.onIrq(this.irq); }

  read(offset: number, size: number): bigint | undefined {
    if (size !== 1) return size <= 8 ? 0n : undefined;
    const dlab = (this.lcr & 0x80) !== 0;
    let v = 0;
    switch (offset) {
      case 0:
        if (dlab) v = this.dll;
        else { v = this.rx.shift() ?? 0; this.update(); }
        break;
      case 1: v = dlab ? this.dlm : this.ier; break;
      case 2: {
        // IIR: FIFOs enabled bits, then the highest-priority pending source.
        const fifo = (this.fcr & 1) !== 0 ? 0xc0 : 0;
        if ((this.ier & IER_RDI) !== 0 && this.rx.length > 0) v = fifo | 0x04;
        else if ((this.ier & IER_THRI) !== 0 && this.thrIrq) { v = fifo | 0x02; this.thrIrq = false; this.update(); }
        else v = fifo | 0x01;
        break;
      }
      case 3: v = this.lcr; break;
      case 4: v = this.mcr; break;
      case 5: v = LSR_THRE | LSR_TEMT | (this.rx.length > 0 ? LSR_DR : 0); break;
      case 6: v = 0xb0; break; // MSR: DCD, DSR, CTS
      case 7: v = this.scr; break;
      default: return undefined;
    }
    return BigInt(v);
  }

  write(offset: number, size: number, value: bigint): MmioResult {
    if (size !== 1) return MmioResult.Ok;
    const v = Number(value & 0xffn);
    const dlab = (this.lcr & 0x80) !== 0;
    switch (offset) {
      case 0:
        if (dlab) this.dll = v;
        else {
          this.sink.write(Uint8Array.of(v));
          this.thrIrq = true; // transmission is instantaneous: THR is empty again
          this.update();
        }
        break;
      case 1:
        if (dlab) this.dlm = v;
        else {
          const was = this.ier;
          this.ier = v & 0x0f;
          if ((this.ier & IER_THRI) !== 0 && (was & IER_THRI) === 0) this.thrIrq = true;
          this.update();
        }
        break;
      case 2:
        this.fcr = v;
        if (v & 2) { this.rx = []; this.update(); }
        break;
      case 3: this.lcr = v; break;
      case 4: this.mcr = v & 0x1f; break;
      case 7: this.scr = v; break;
      default: break;
    }
    return MmioResult.Ok;
  }
}
