// Timer levels: MTIP (CLINT mtimecmp) and, under Sstc, STIP (stimecmp). mtime is
// clock / cyclesPerTick, so each compare value converts once into the clock cycle at which
// it fires; the interpreter then compares cycles, with no division on the hot path.

import { clock, cyclesPerTick, mtimecmp, stimecmp, menvcfg, mipHw, MIP_MTIP, MIP_STIP } from "./state";

const NEVER: u64 = 0xffffffffffffffff;
/** Clock cycle at which mtime >= mtimecmp (NEVER when unreachable). */
export let mtipAt: u64 = NEVER;
/** Clock cycle at which mtime >= stimecmp, while Sstc is enabled. */
export let stipAt: u64 = NEVER;

@inline function sstcOn(): bool {
  return (menvcfg >> 63) != 0;
}

@inline function cycleOf(cmp: u64): u64 {
  return cmp > NEVER / cyclesPerTick ? NEVER : cmp * cyclesPerTick;
}

/** Call after mtimecmp, stimecmp, menvcfg.STCE or cyclesPerTick change. */
export function timersChanged(): void {
  mtipAt = cycleOf(mtimecmp);
  stipAt = sstcOn() ? cycleOf(stimecmp) : NEVER;
  updateTimerLines();
}

/** Sets MTIP and (under Sstc) STIP from the clock. */
@inline export function updateTimerLines(): void {
  if (clock >= mtipAt) mipHw |= MIP_MTIP; else mipHw &= ~MIP_MTIP;
  if (sstcOn()) {
    if (clock >= stipAt) mipHw |= MIP_STIP; else mipHw &= ~MIP_STIP;
  }
}

/** Cycle at which the next timer that is not already pending fires; NEVER if none. */
export function nextTimerClock(): u64 {
  let best = NEVER;
  if (clock < mtipAt) best = mtipAt;
  if (sstcOn() && clock < stipAt && stipAt < best) best = stipAt;
  return best;
}
