// Idle pacing: how long a VM waiting in WFI for a timer should sleep in wall time, so guest
// time keeps up with wall time while idle (`sleep 1` takes about a second) without running
// ahead of it. Virtual time comes from the retired-instruction clock (10 cycles per 100 ns
// tick, i.e. 1e5 cycles per ms); wall time is given by the caller. Pure.

export const CYCLES_PER_MS = 100_000n;

export class IdlePacer {
  private wallAnchor: number;
  private cycleAnchor: bigint;

  constructor(nowMs: number, clock: bigint) {
    this.wallAnchor = nowMs;
    this.cycleAnchor = clock;
  }

  /** Re-anchors virtual time to wall time (after a restore, or a long pause). */
  rebase(nowMs: number, clock: bigint): void {
    this.wallAnchor = nowMs;
    this.cycleAnchor = clock;
  }

  /**
   * Milliseconds to wait before virtual time may jump to `deadline` (0: jump now). A guest
   * that fell behind wall time (it was busy) is re-anchored rather than sped through.
   */
  waitMs(nowMs: number, deadline: bigint): number {
    const targetMs = this.wallAnchor + Number((deadline - this.cycleAnchor) / CYCLES_PER_MS);
    const wait = targetMs - nowMs;
    if (wait < -1000) {
      this.rebase(nowMs, deadline);
      return 0;
    }
    return Math.max(0, Math.ceil(wait));
  }

  /** The virtual clock wall time has reached now (for a wait cut short by input). */
  clockAt(nowMs: number): bigint {
    return this.cycleAnchor + BigInt(Math.max(0, Math.floor(nowMs - this.wallAnchor))) * CYCLES_PER_MS;
  }
}
