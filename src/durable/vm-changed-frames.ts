// The frames a VM changed since its last checkpoint, and how a checkpoint writes them: the
// hart's dirty frames are gathered here (harvest) and each checkpoint stores them in the
// object's SQLite inside its transaction — bytes in a row of their own, an empty row where
// a zero frame overrides a base-layer frame, no row for a zero frame otherwise. Counts what
// was written, for the VM's stats.
import type { VirtMachine } from "../machine/virt.js";
import type { CheckpointStore } from "../storage/checkpoint-store.js";
import { isZeroBytes } from "../encoding.js";

const EMPTY = new Uint8Array(0);

export class ChangedFrames {
  private readonly frames = new Set<number>();
  /** Since this object started: checkpoints written and the frames they wrote. */
  checkpoints = 0;
  written = 0;

  add(f: number): void { this.frames.add(f); }
  clear(): void { this.frames.clear(); }

  /**
   * Inside the checkpoint's transaction: stores every changed frame as m holds it now and
   * forgets them. Frames the guest gave back (balloon, zero-page reclaim) read as zero.
   */
  write(store: CheckpointStore, m: VirtMachine, hasBase: boolean): void {
    for (const f of this.frames) {
      const b = m.frameView(f); // SQLite copies it
      if (b && !isZeroBytes(b)) store.putFrame(f, b);
      else if (hasBase && store.baseRef(f)) store.putFrame(f, EMPTY);
      else store.deleteFrame(f);
    }
    this.checkpoints++;
    this.written += this.frames.size;
    this.frames.clear();
  }
}
