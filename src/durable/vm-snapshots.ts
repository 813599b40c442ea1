// Memory snapshots of one VM object: capture (RAM, hart, devices, console tail into the
// content-addressed frame store; the disks frozen at the same instant), disk-only snapshots
// and reverts, and applying a snapshot (a clone's first state, or a revert). The VM's state
// itself stays in VmRuntime.
import type { VirtState } from "../machine/virt.js";
import type { PowerState } from "../cluster/power.js";
import { storeFrames, storeManifest, loadManifest, retain, release, type FrameRef } from "../storage/frame-store.js";
import { encodeManifest, decodeManifest } from "../storage/snapshot-manifest.js";
import { LeaseError } from "./vm-disks.js";
import type { VmRuntime } from "./vm-runtime.js";
import type { BaseLayer, CapturedSnapshot, Outcome } from "./vm-types.js";

const CONSOLE_TAIL = 64 * 1024;

export class VmSnapshots {
  constructor(private readonly rt: VmRuntime) {}

  /**
   * Captures the whole VM (RAM, hart, devices, console tail) into the content-addressed
   * frame store. Frames still in the base layer are referenced, not re-read. The VM keeps
   * running; the caller retains the returned keys for whoever holds the snapshot.
   */
  captureSnapshot(snapshotId?: string): Promise<Outcome<CapturedSnapshot>> {
    return this.rt.exclusive(() => this.captureNow(snapshotId));
  }

  /**
   * A snapshot of the disks only (a powered-off VM, or `memory: false`): what the guest
   * wrote so far is committed, then every disk's layer is frozen as `snapshotId`.
   */
  snapshotDisks(snapshotId: string): Promise<Outcome<{ disks: { disk: string; layer: string }[] }>> {
    return this.rt.exclusive(() => this.rt.whilePaused(async () => {
      try {
        if (this.rt.machine) this.rt.checkpoint();
        await this.rt.disks().commitJournal();
        return { ok: true as const, value: { disks: await this.rt.disks().snapshot(snapshotId) } };
      } catch (e) {
        return { ok: false as const, status: 409 as const, code: "disk_snapshot_failed", message: (e as Error).message };
      }
    }));
  }

  /** Reverts the disks to snapshot `snapshotId` (a snapshot without memory; the VM is off). */
  revertDisks(snapshotId: string): Promise<Outcome<null>> {
    return this.rt.exclusive(async () => {
      if (this.rt.powerState !== "POWERED_OFF") return { ok: false, status: 409, code: "wrong_state", message: "power the VM off before reverting its disks" };
      try {
        await this.rt.disks().revert(snapshotId);
        return { ok: true, value: null };
      } catch (e) {
        return { ok: false, status: 409, code: "disk_revert_failed", message: (e as Error).message };
      }
    });
  }

  private async captureNow(snapshotId: string | undefined): Promise<Outcome<CapturedSnapshot>> {
    const power = this.rt.powerState;
    if (power === "POWERED_OFF") return { ok: false, status: 409, code: "wrong_state", message: "a powered-off VM has no memory to snapshot" };
    if (power === "POWERED_ON") {
      if (!(await this.rt.ensureMachine())) return { ok: false, status: 409, code: "wrong_state", message: `the VM could not resume: ${this.rt.lastError}` };
    }
    // The guest stops while its disks are committed and frozen, so RAM and disks agree.
    const taken = await this.rt.whilePaused(async () => {
      if (this.rt.machine) this.rt.checkpoint();
      const state = this.rt.store.get<VirtState>("machine");
      if (!state) return undefined;
      const own = new Map<number, Uint8Array>();
      for (const f of this.rt.store.pfns()) {
        const b = this.rt.store.frame(f);
        if (b && b.length) own.set(f, b);
      }
      let disks: { disk: string; layer: string }[] = [];
      if (snapshotId !== undefined && this.rt.disks().count > 0) {
        await this.rt.disks().commitJournal();
        disks = await this.rt.disks().snapshot(snapshotId);
      }
      return { state, own, disks };
    }).catch((e: Error) => e);
    if (taken instanceof Error) return { ok: false, status: 409, code: "disk_snapshot_failed", message: taken.message };
    if (!taken) return { ok: false, status: 409, code: "wrong_state", message: "the VM has no saved state yet" };
    const { state, own, disks } = taken;
    const now = this.rt.host.now();
    const { refs, newBytes } = await storeFrames(this.rt.host.blobs, this.rt.host.db, own, now);
    const base = this.rt.store.get<BaseLayer>("base");
    if (base) for (const [f, r] of this.rt.store.baseOnly()) refs.set(f, { pack: base.packs[r.pack]!, slot: r.slot } satisfies FrameRef);
    const tail = this.rt.console.read(Math.max(0, this.rt.console.end - CONSOLE_TAIL), CONSOLE_TAIL);
    const { json, packs } = encodeManifest({
      memoryMiB: this.rt.config!.memoryMiB, powerState: power, state, refs,
      console: { end: tail.next, tail: tail.data },
    });
    const manifest = await storeManifest(this.rt.host.blobs, this.rt.host.db, json, now);
    return { ok: true, value: { manifest, packs, powerState: power, frames: refs.size, storedBytes: newBytes, disks } };
  }

  /**
   * Makes the VM continue from a memory snapshot (a clone's first state, or a revert): the
   * snapshot becomes the base layer, own frames are dropped, and the power state becomes the
   * snapshot's (a running snapshot runs at once unless `powerOn` is false: then SUSPENDED).
   * `fresh`: a new VM (it takes the snapshot's console history); `counted`: the caller has
   * already counted this VM's references to the snapshot's packs.
   */
  applySnapshot(manifestKey: string, powerOn: boolean, fresh = false, counted = false, diskSnapshot?: string): Promise<Outcome<{ powerState: PowerState }>> {
    return this.rt.exclusive(() => this.applyNow(manifestKey, powerOn, fresh, counted, diskSnapshot));
  }

  private async applyNow(manifestKey: string, powerOn: boolean, fresh: boolean, counted: boolean, diskSnapshot: string | undefined): Promise<Outcome<{ powerState: PowerState }>> {
    let m;
    try {
      m = decodeManifest(await loadManifest(this.rt.host.blobs, manifestKey));
    } catch (e) {
      return { ok: false, status: 422, code: "bad_snapshot", message: (e as Error).message };
    }
    if (m.memoryMiB !== this.rt.config!.memoryMiB) {
      return { ok: false, status: 422, code: "bad_snapshot", message: `the snapshot has ${m.memoryMiB} MiB of RAM, the VM ${this.rt.config!.memoryMiB} MiB` };
    }
    this.rt.dropMachine();
    const power: PowerState = m.powerState === "POWERED_ON" && !powerOn ? "SUSPENDED" : m.powerState;
    try {
      // The disks go back to the state they had with this memory; a VM that will run holds their leases.
      if (diskSnapshot !== undefined) await this.rt.disks().revert(diskSnapshot);
      if (power !== "POWERED_OFF") await this.rt.ensureLeases();
    } catch (e) {
      const status = e instanceof LeaseError ? 409 : 422;
      return { ok: false, status, code: e instanceof LeaseError ? "disk_locked" : "bad_snapshot", message: (e as Error).message };
    }
    const old = this.rt.store.get<BaseLayer>("base");
    // The new references are counted while the machine comes up; answered only once counted.
    const retained = counted ? Promise.resolve() : retain(this.rt.host.db, [manifestKey, ...m.packs]);
    this.rt.store.atomically(() => {
      this.rt.store.clearFrames();
      this.rt.store.setBase(m.frames);
      this.rt.store.put("base", { manifest: manifestKey, packs: m.packs } satisfies BaseLayer);
      this.rt.store.put("machine", m.state);
      this.rt.store.put("power", power);
      this.rt.store.put("hibernated", false);
      // A new VM (a clone) starts with the snapshot's console history; a revert keeps its own
      // log going forward, so offsets a reader holds stay valid (no byte shown twice).
      if (fresh) this.rt.console.restart(m.console.end - m.console.tail.length, m.console.tail);
      else this.rt.console.persist();
    });
    if (!fresh) await this.rt.host.powerChanged(power, "reverted to a memory snapshot");
    if (power === "POWERED_ON") {
      if (!(await this.rt.ensureMachine())) {
        await retained;
        return { ok: false, status: 422, code: "bad_snapshot", message: `the snapshot cannot be resumed: ${this.rt.lastError}` };
      }
      // A new clone's first slice runs on the next turn: the caller's answer leaves first.
      if (fresh) setTimeout(() => this.rt.wake(), 0);
      else this.rt.wake();
    } else await this.rt.host.setAlarm(null);
    await retained;
    if (old) await release(this.rt.host.blobs, this.rt.host.db, [old.manifest, ...old.packs]);
    return { ok: true, value: { powerState: power } };
  }
}
