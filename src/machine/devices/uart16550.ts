// NS16550A UART (register layout as QEMU's virt machine: byte registers, stride 1), after
// the TI/National PC16550D datasheet. Transmission is instantaneous: THR bytes go straight
// to the console sink (or back to the receiver in loopback), so THRE and TEMT stay set.
// Received bytes wait in a 16-byte FIFO (1-byte holding register with FIFOs disabled).
// The interrupt output follows the IIR priority scheme (datasheet Table 4): receiver line
// status > received data / character timeout > THR empty > modem status. With no clock,
// the character timeout is taken to have elapsed as soon as the FIFO holds fewer bytes
// than the trigger level.

import { MmioResult, type ConsoleSink, type MmioDevice } from "../ports.js";
import { StateError, bool, int, ints, obj } from "./state.js";

// Register offsets (datasheet Table 2), DLAB = LCR bit 7.
const RBR_THR_DLL = 0;
const IER_DLM = 1;
const IIR_FCR = 2;
const LCR = 3;
const MCR = 4;
const LSR = 5;
const MSR = 6;
const SCR = 7;

// IER bits.
const IER_RDI = 0x01;
const IER_THRI = 0x02;
const IER_RLSI = 0x04;
const IER_MSI = 0x08;
// IIR interrupt identification (Table 4); bit 0 set = nothing pending.
const IIR_NONE = 0x01;
const IIR_MSI = 0x00;
const IIR_THRI = 0x02;
const IIR_RDI = 0x04;
const IIR_RLSI = 0x06;
const IIR_TIMEOUT = 0x0c;
const IIR_FIFO_ON = 0xc0;
// FCR bits.
const FCR_ENABLE = 0x01;
const FCR_RX_RESET = 0x02;
const FCR_TX_RESET = 0x04;
const FCR_TRIGGER = [1, 4, 8, 14];
// LSR bits.
const LSR_DR = 0x01;
const LSR_OE = 0x02;
const LSR_THRE = 0x20;
const LSR_TEMT = 0x40;
// MCR bits.
const MCR_DTR = 0x01;
const MCR_RTS = 0x02;
const MCR_OUT1 = 0x04;
const MCR_OUT2 = 0x08;
const MCR_LOOP = 0x10;
// MSR bits: deltas in the low nibble, states in the high one.
const MSR_CTS = 0x10;
const MSR_DSR = 0x20;
const MSR_RI = 0x40;
const MSR_DCD = 0x80;
const MSR_TERI = 0x04;
/** Lines as a connected terminal drives them: CTS, DSR, DCD. */
const MSR_IDLE = MSR_CTS | MSR_DSR | MSR_DCD;

const FIFO_SIZE = 16;

export interface UartState {
  ier: number; lcr: number; mcr: number; scr: number; dll: number; dlm: number;
  fcr: number; rx: number[]; lsrErr: number; msr: number; thrIrq: boolean;
}

export class Uart16550 implements MmioDevice {
  private ier = 0;
  private lcr = 0;
  private mcr = 0;
  private scr = 0;
  private dll = 1;
  private dlm = 0;
  /** FIFO enable and trigger bits as last written (reset bits are self-clearing). */
  private fcr = 0;
  private rx: number[] = [];
  /** Latched LSR error bits (OE); cleared by reading LSR. */
  private lsrErr = 0;
  /** MSR: modem line states (high nibble) and delta bits (low nibble). */
  private msr = MSR_IDLE;
  /** THR-empty interrupt pending (cleared by reading IIR while it is reported, or writing THR). */
  private thrIrq = false;
  private lastIrq = false;
  /** Called whenever the interrupt line changes level. */
  onIrq: (level: boolean) => void = () => {};

  constructor(private readonly sink: ConsoleSink) {}

  private get fifoOn(): boolean { return (this.fcr & FCR_ENABLE) !== 0; }
  private get capacity(): number { return this.fifoOn ? FIFO_SIZE : 1; }

  /** Host input: bytes typed on the console. Accepts what fits; returns how many. */
  receive(bytes: Uint8Array): number {
    if ((this.mcr & MCR_LOOP) !== 0) return 0; // the receiver listens to the transmitter
    let n = 0;
    for (const b of bytes) {
      if (this.rx.length >= this.capacity) break;
      this.rx.push(b);
      n++;
    }
    if (n > 0) this.update();
    return n;
  }

  /** Free space in the receive FIFO (holding register when FIFOs are off). */
  get rxSpace(): number { return (this.mcr & MCR_LOOP) !== 0 ? 0 : this.capacity - this.rx.length; }

  /** The interrupt identification the IIR would report now. */
  private pendingId(): number {
    if ((this.ier & IER_RLSI) !== 0 && this.lsrErr !== 0) return IIR_RLSI;
    if ((this.ier & IER_RDI) !== 0 && this.rx.length > 0) {
      const trigger = this.fifoOn ? FCR_TRIGGER[this.fcr >> 6]! : 1;
      return this.rx.length >= trigger ? IIR_RDI : IIR_TIMEOUT;
    }
    if ((this.ier & IER_THRI) !== 0 && this.thrIrq) return IIR_THRI;
    if ((this.ier & IER_MSI) !== 0 && (this.msr & 0x0f) !== 0) return IIR_MSI;
    return IIR_NONE;
  }

  get irq(): boolean { return this.pendingId() !== IIR_NONE; }

  private update(): void {
    const level = this.irq;
    if (level !== this.lastIrq) {
      this.lastIrq = level;
      this.onIrq(level);
    }
  }

  private lsr(): number {
    return LSR_THRE | LSR_TEMT | this.lsrErr | (this.rx.length > 0 ? LSR_DR : 0);
  }

  /** Modem inputs: in loopback they follow the MCR outputs (datasheet "Loopback"). */
  private setModemInputs(): void {
    let states = MSR_IDLE;
    if ((this.mcr & MCR_LOOP) !== 0) {
      states = ((this.mcr & MCR_RTS) ? MSR_CTS : 0) | ((this.mcr & MCR_DTR) ? MSR_DSR : 0) |
        ((this.mcr & MCR_OUT1) ? MSR_RI : 0) | ((this.mcr & MCR_OUT2) ? MSR_DCD : 0);
    }
    const old = this.msr & 0xf0;
    const changed = old ^ states;
    let delta = this.msr & 0x0f;
    delta |= (changed & 0xb0) >> 4; // DCTS, DDSR, DDCD
    if ((old & MSR_RI) !== 0 && (states & MSR_RI) === 0) delta |= MSR_TERI; // trailing edge of RI
    this.msr = states | delta;
  }

  read(offset: number, size: number): bigint | undefined {
    if (size !== 1) return size <= 8 ? 0n : undefined; // wider accesses: as before, read 0
    const dlab = (this.lcr & 0x80) !== 0;
    let v = 0;
    switch (offset) {
      case RBR_THR_DLL:
        if (dlab) v = this.dll;
        else { v = this.rx.shift() ?? 0; this.update(); }
        break;
      case IER_DLM: v = dlab ? this.dlm : this.ier; break;
      case IIR_FCR: {
        const id = this.pendingId();
        v = id | (this.fifoOn ? IIR_FIFO_ON : 0);
        if (id === IIR_THRI) { this.thrIrq = false; this.update(); }
        break;
      }
      case LCR: v = this.lcr; break;
      case MCR: v = this.mcr; break;
      case LSR:
        v = this.lsr();
        if (this.lsrErr !== 0) { this.lsrErr = 0; this.update(); }
        break;
      case MSR:
        v = this.msr;
        if ((this.msr & 0x0f) !== 0) { this.msr &= 0xf0; this.update(); }
        break;
      case SCR: v = this.scr; break;
      default: return undefined;
    }
    return BigInt(v);
  }

  write(offset: number, size: number, value: bigint): MmioResult {
    if (size !== 1) return MmioResult.Ok; // wider accesses are ignored
    const v = Number(BigInt.asUintN(8, value));
    const dlab = (this.lcr & 0x80) !== 0;
    switch (offset) {
      case RBR_THR_DLL:
        if (dlab) { this.dll = v; break; }
        if ((this.mcr & MCR_LOOP) !== 0) {
          if (this.rx.length >= this.capacity) this.lsrErr |= LSR_OE; // overrun: byte lost
          else this.rx.push(v);
        } else {
          this.sink.write(Uint8Array.of(v));
        }
        this.thrIrq = true; // transmission is instantaneous: THR is empty again
        this.update();
        break;
      case IER_DLM:
        if (dlab) { this.dlm = v; break; }
        {
          const was = this.ier;
          this.ier = v & 0x0f;
          // Enabling ETBEI while THR is empty raises the THRE interrupt (as on the 16550A).
          if ((this.ier & IER_THRI) !== 0 && (was & IER_THRI) === 0) this.thrIrq = true;
          this.update();
        }
        break;
      case IIR_FCR: {
        const wasOn = this.fifoOn;
        this.fcr = v & 0xc9; // enable, DMA mode and trigger bits persist
        // Changing the FIFO enable bit clears both FIFOs (datasheet FCR bit 0).
        if ((v & FCR_RX_RESET) !== 0 || wasOn !== this.fifoOn) this.rx = [];
        if ((v & FCR_TX_RESET) !== 0) this.thrIrq = (this.ier & IER_THRI) !== 0;
        this.update();
        break;
      }
      case LCR: this.lcr = v; break;
      case MCR: {
        const wasLoop = (this.mcr & MCR_LOOP) !== 0;
        this.mcr = v & 0x1f;
        if (wasLoop !== ((this.mcr & MCR_LOOP) !== 0)) this.rx = [];
        this.setModemInputs();
        this.update();
        break;
      }
      case LSR: case MSR: break; // read-only (factory test writes ignored)
      case SCR: this.scr = v; break;
      default: break;
    }
    return MmioResult.Ok;
  }

  saveState(): UartState {
    return {
      ier: this.ier, lcr: this.lcr, mcr: this.mcr, scr: this.scr, dll: this.dll, dlm: this.dlm,
      fcr: this.fcr, rx: [...this.rx], lsrErr: this.lsrErr, msr: this.msr, thrIrq: this.thrIrq,
    };
  }

  /** Restores a snapshot (validated first; throws StateError and changes nothing if bad). */
  loadState(s: unknown): void {
    const o = obj(s, "uart");
    const byte = (k: string, mask = 0xff): number => {
      const v = int(o[k], `uart.${k}`, 0, 0xff);
      if ((v & ~mask) !== 0) throw new StateError(`uart.${k} has reserved bits`);
      return v;
    };
    const ier = byte("ier", 0x0f), lcr = byte("lcr"), mcr = byte("mcr", 0x1f), scr = byte("scr");
    const dll = byte("dll"), dlm = byte("dlm"), fcr = byte("fcr", 0xc9);
    const lsrErr = byte("lsrErr", LSR_OE), msr = byte("msr");
    const rx = ints(o.rx, "uart.rx", (fcr & FCR_ENABLE) !== 0 ? FIFO_SIZE : 1, 0, 0xff);
    const thrIrq = bool(o.thrIrq, "uart.thrIrq");
    Object.assign(this, { ier, lcr, mcr, scr, dll, dlm, fcr, lsrErr, msr, rx, thrIrq });
    this.lastIrq = this.irq;
    this.onIrq(this.lastIrq);
  }
}
