// Google Goldfish RTC (Android emulator "goldfish" platform, "google,goldfish-rtc"), as on
// QEMU's virt machine. Time is nanoseconds since the Unix epoch: bootWallNs + virtualNs()
// plus whatever offset the guest set by writing the time. Reading TIME_LOW latches the high
// word so TIME_HIGH read next is consistent. One alarm: it fires when the RTC time reaches
// it, either when armed (if already past) or at a poll() the machine makes between slices.
// Registers are 32-bit; other sizes and misaligned accesses fault.

import { MmioResult, type IrqLine, type MmioDevice } from "../ports.js";
import { big, bool, obj } from "./state.js";

// Register offsets (goldfish RTC: TIME_LOW .. CLEAR_INTERRUPT).
const TIME_LOW = 0x00;
const TIME_HIGH = 0x04;
const ALARM_LOW = 0x08;
const ALARM_HIGH = 0x0c;
const IRQ_ENABLED = 0x10;
const CLEAR_ALARM = 0x14;
const ALARM_STATUS = 0x18;
const CLEAR_INTERRUPT = 0x1c;
export const GOLDFISH_RTC_SIZE = 0x1000;

const U64 = (1n << 64n) - 1n;

export interface GoldfishRtcState {
  offset: string; timeHighLatch: string; alarm: string; alarmHighStaged: string; timeHighStaged: string;
  armed: boolean; irqEnabled: boolean; irqPending: boolean;
}

export class GoldfishRtc implements MmioDevice {
  /** Guest-set adjustment to the host clock, in ns (two's complement, mod 2^64). */
  private offset = 0n;
  private timeHighLatch = 0n;
  private timeHighStaged = 0n;
  private alarm = 0n;
  private alarmHighStaged = 0n;
  private armed = false;
  private irqEnabled = false;
  private irqPending = false;
  private lastLevel = false;

  constructor(
    private readonly bootWallNs: bigint,
    private readonly virtualNs: () => bigint,
    private readonly irq: IrqLine,
  ) {}

  /** The RTC's current time in ns since the epoch. */
  now(): bigint {
    return (this.bootWallNs + this.virtualNs() + this.offset) & U64;
  }

  /**
   * The virtual time (in virtualNs() units) at which the armed alarm fires, so the machine
   * can skip idle time up to it; undefined when no alarm is armed.
   */
  alarmDeadline(): bigint | undefined {
    if (!this.armed) return undefined;
    const d = this.alarm - this.bootWallNs - this.offset;
    return d < 0n ? 0n : d;
  }

  /** Fires the alarm if its time has come. The machine calls this between run slices. */
  poll(): void {
    if (this.armed && this.now() >= this.alarm) {
      this.armed = false;
      this.irqPending = true;
      this.update();
    }
  }

  private update(): void {
    const level = this.irqEnabled && this.irqPending;
    if (level !== this.lastLevel) {
      this.lastLevel = level;
      this.irq(level);
    }
  }

  read(offset: number, size: number): bigint | undefined {
    if (size !== 4 || (offset & 3) !== 0 || offset < 0 || offset >= GOLDFISH_RTC_SIZE) return undefined;
    switch (offset) {
      case TIME_LOW: {
        const t = this.now();
        this.timeHighLatch = t >> 32n;
        return t & 0xffff_ffffn;
      }
      case TIME_HIGH: return this.timeHighLatch;
      case ALARM_LOW: return this.alarm & 0xffff_ffffn;
      case ALARM_HIGH: return this.alarm >> 32n;
      case IRQ_ENABLED: return this.irqEnabled ? 1n : 0n;
      case ALARM_STATUS: return this.armed ? 1n : 0n;
      default: return 0n;
    }
  }

  write(offset: number, size: number, value: bigint): MmioResult {
    if (size !== 4 || (offset & 3) !== 0 || offset < 0 || offset >= GOLDFISH_RTC_SIZE) return MmioResult.AccessFault;
    const v = BigInt.asUintN(32, value);
    switch (offset) {
      case TIME_HIGH: this.timeHighStaged = v; break; // takes effect with the TIME_LOW write
      case TIME_LOW: {
        const want = (this.timeHighStaged << 32n) | v;
        this.offset = BigInt.asIntN(64, want - this.bootWallNs - this.virtualNs());
        break;
      }
      case ALARM_HIGH: this.alarmHighStaged = v; break; // takes effect with the ALARM_LOW write
      case ALARM_LOW:
        this.alarm = (this.alarmHighStaged << 32n) | v;
        this.armed = true;
        this.poll(); // an alarm in the past fires at once
        break;
      case IRQ_ENABLED: this.irqEnabled = (v & 1n) !== 0n; this.update(); break;
      case CLEAR_ALARM: this.armed = false; break;
      case CLEAR_INTERRUPT: this.irqPending = false; this.update(); break;
      default: break;
    }
    return MmioResult.Ok;
  }

  saveState(): GoldfishRtcState {
    return {
      offset: BigInt.asUintN(64, this.offset).toString(),
      timeHighLatch: this.timeHighLatch.toString(),
      timeHighStaged: this.timeHighStaged.toString(),
      alarm: this.alarm.toString(),
      alarmHighStaged: this.alarmHighStaged.toString(),
      armed: this.armed, irqEnabled: this.irqEnabled, irqPending: this.irqPending,
    };
  }

  /** Restores a snapshot (validated first; throws StateError and changes nothing if bad). */
  loadState(s: unknown): void {
    const o = obj(s, "rtc");
    const offset = BigInt.asIntN(64, big(o.offset, "rtc.offset", 64));
    const timeHighLatch = big(o.timeHighLatch, "rtc.timeHighLatch", 32);
    const timeHighStaged = big(o.timeHighStaged, "rtc.timeHighStaged", 32);
    const alarm = big(o.alarm, "rtc.alarm", 64);
    const alarmHighStaged = big(o.alarmHighStaged, "rtc.alarmHighStaged", 32);
    const armed = bool(o.armed, "rtc.armed");
    const irqEnabled = bool(o.irqEnabled, "rtc.irqEnabled");
    const irqPending = bool(o.irqPending, "rtc.irqPending");
    Object.assign(this, { offset, timeHighLatch, timeHighStaged, alarm, alarmHighStaged, armed, irqEnabled, irqPending });
    this.lastLevel = this.irqEnabled && this.irqPending;
    this.irq(this.lastLevel);
  }
}
