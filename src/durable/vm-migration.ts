// Live migration, both ends of it, for one VM object (the CoordinatorObject drives them):
// begin → rounds of pre-copy (frames written since the last round, packed per RPC, contents
// the target already has named by their SHA-256) while the guest runs → stop (the guest
// pauses: disks committed beside the last frames, then the machine state and the console)
// → the target finishes and runs → the source is fenced. Until the routing switches, abort
// puts the source back to work. The VM's state itself stays in VmRuntime.
import type { VirtState } from "../machine/virt.js";
import type { PowerState } from "../cluster/power.js";
import { sharedPacks } from "../storage/frame-store.js";
import { savedFrame } from "./vm-saved-frames.js";
import { concatBytes, isZeroBytes, sha256Hex } from "../encoding.js";
import type { VmRuntime } from "./vm-runtime.js";
import type { BaseLayer, Outcome, VmConfig } from "./vm-types.js";

/** Console history a migrated VM takes along (what the log keeps). */
const CONSOLE_KEEP = 1 << 20;
/** Frames per migration RPC (1 MiB of data at most), and RPCs on the wire at once. */
const MIGRATION_BATCH = 256;
const MIGRATION_IN_FLIGHT = 3;

/**
 * Frames on their way to a migration target, packed for one RPC: per entry its pfn and kind
 * (0: zero, 1: data — the next 4 KiB of `data` —, 2: content the target already holds,
 * named by `hashes`), data frames concatenated.
 */
export interface MigrationBatch { pfns: number[]; kinds: number[]; hashes: (string | null)[]; data: Uint8Array }
const KIND_ZERO = 0;
const KIND_DATA = 1;
const KIND_HASH = 2;

/** What the target needs besides the frames. */
export interface MigrationPackage {
  power: PowerState;
  state?: VirtState;
  console: { start: number; tail: Uint8Array };
  lastError?: string | undefined;
  /** Disk leases the coordinator handed to the target: disk id → epoch. */
  leases?: Record<string, number>;
}

/** Lets the guest's run loop take a slice between two batches. */
const nextTurn = () => new Promise<void>((res) => setTimeout(res, 0));

export class VmMigration {
  /** While this VM migrates out: frames written since the last pre-copy round. */
  private dirty: Set<number> | undefined;
  /** Contents already sent to the target this migration (later copies go as their hash). */
  private sentHashes = new Set<string>();
  /** Where the console history sent ahead to the target ends. */
  private consoleSent: number | undefined;
  /** Incoming migration: content hash → a frame the target holds with it, and back. */
  private incomingHashes: Map<string, number> | undefined;
  private incomingOwner: Map<number, string> | undefined;
  /** Frames this target received (its resume need not read the list back). */
  private incomingPfns: Set<number> | undefined;

  constructor(private readonly rt: VmRuntime) {}

  /** A frame the guest wrote (the runtime's harvest reports each one). */
  noteDirty(f: number): void {
    this.dirty?.add(f);
  }

  /** The source is stopped for its switchover: input must wait for the target. */
  get switching(): boolean {
    return this.rt.paused > 0 && this.dirty !== undefined;
  }

  /** Source: starts tracking writes for pre-copy. A powered-off or suspended VM moves cold. */
  migrationBegin(): Promise<Outcome<{ powerState: PowerState; memoryMiB: number }>> {
    return this.rt.exclusive(async () => {
      const power = this.rt.powerState;
      if (this.rt.store.get<string>("movedTo")) return { ok: false, status: 409, code: "moved", message: "this VM object was migrated away" };
      if (power === "POWERED_ON" && !(await this.rt.ensureMachine())) {
        return { ok: false, status: 409, code: "wrong_state", message: `the VM could not resume: ${this.rt.lastError}` };
      }
      // A suspended clone's snapshot frames are read from the isolate's pack cache: load them.
      const base = this.rt.store.get<BaseLayer>("base");
      if (base && !this.rt.machine && this.rt.pinned.length === 0) {
        await sharedPacks.pin(this.rt.host.blobs, base.packs);
        this.rt.pinned = base.packs;
      }
      this.dirty = new Set();
      this.sentHashes = new Set();
      return { ok: true, value: { powerState: this.rt.powerState, memoryMiB: this.rt.config!.memoryMiB } };
    });
  }

  /**
   * Source: one pre-copy round to `target` (every frame the first time, then those written
   * since the previous round). Frames whose content the target was already sent go as
   * their SHA-256 only; zero frames as a mark.
   */
  async migrationRound(target: string, all: boolean, final = false): Promise<Outcome<{ frames: number; bytes: number; ms: number }>> {
    const t0 = this.rt.host.now();
    let list: number[];
    if (all) {
      const n = this.rt.config!.memoryMiB * 256;
      const m = this.rt.machine;
      list = [];
      const saved = new Set(this.rt.store.pfns());
      for (const f of this.rt.store.basePfns()) saved.add(f);
      if (m) for (const f of m.residentFrames()) saved.add(f);
      for (let f = 0; f < n; f++) if (saved.has(f)) list.push(f);
      if (m) this.rt.harvest();
      this.dirty?.clear();
    } else {
      this.rt.harvest();
      list = [...(this.dirty ?? [])].sort((a, b) => a - b);
      this.dirty?.clear();
    }
    const stub = this.rt.host.vm(target);
    let bytes = 0;
    // Batches are packed into one buffer each and up to MIGRATION_IN_FLIGHT are on the wire
    // at once (the next one is hashed while the previous ones travel).
    const send = async (slice: number[]): Promise<Outcome<null>> => {
      const b = await this.packFrames(slice, final);
      let r = await stub.migrationFrames(b);
      if (!r.ok) return r;
      bytes += b.data.length + b.pfns.length * 8 + b.hashes.reduce((n, h) => n + (h ? h.length : 0), 0);
      if (r.value.need.length) {
        // The target no longer holds those contents: send them whole.
        const again = await this.packFrames(r.value.need, true);
        r = await stub.migrationFrames(again);
        if (!r.ok) return r;
        bytes += again.data.length;
      }
      return { ok: true, value: null };
    };
    const inFlight: Promise<Outcome<null>>[] = [];
    for (let i = 0; i < list.length; i += MIGRATION_BATCH) {
      // The guest keeps its share of the object's one thread: a slice of it may run between
      // two batches (not in the final round, where it is stopped anyway).
      if (!final && i > 0) await nextTurn();
      inFlight.push(send(list.slice(i, i + MIGRATION_BATCH)));
      if (inFlight.length >= MIGRATION_IN_FLIGHT) {
        const r = await inFlight.shift()!;
        if (!r.ok) return r;
      }
    }
    for (const p of inFlight) {
      const r = await p;
      if (!r.ok) return r;
    }
    return { ok: true, value: { frames: list.length, bytes, ms: this.rt.host.now() - t0 } };
  }

  private savedOrLive(f: number): Uint8Array | undefined {
    return this.rt.machine && !this.rt.machine.hart.isLazy(f) ? this.rt.machine.frameBytes(f) : savedFrame(this.rt.store, f);
  }

  /** Packs frames for the wire: zero marks, contents the target was sent already as hashes, data. */
  private async packFrames(pfns: number[], final: boolean): Promise<MigrationBatch> {
    // Absent and all-zero frames go as a zero mark.
    const frames = pfns.map((f) => { const d = this.savedOrLive(f); return d && !isZeroBytes(d) ? d : undefined; });
    const hashes = final ? frames.map(() => null) : await Promise.all(frames.map((d) => (d ? sha256Hex(d) : null)));
    const kinds: number[] = [];
    const parts: Uint8Array[] = [];
    frames.forEach((d, i) => {
      const h = hashes[i] ?? null;
      if (!d) kinds.push(KIND_ZERO);
      else if (h !== null && this.sentHashes.has(h)) kinds.push(KIND_HASH);
      else {
        kinds.push(KIND_DATA);
        parts.push(d);
        if (h !== null) this.sentHashes.add(h);
      }
    });
    return { pfns, kinds, hashes, data: concatBytes(parts) };
  }

  /** Source: sends the console history ahead of the stop, so the stop carries only what follows. */
  async migrationConsole(target: string): Promise<Outcome<{ bytes: number }>> {
    const tail = this.rt.console.read(Math.max(0, this.rt.console.end - CONSOLE_KEEP), CONSOLE_KEEP);
    const r = await this.rt.host.vm(target).migrationConsoleHistory(tail.start, tail.data);
    if (!r.ok) return r;
    this.consoleSent = tail.next;
    return { ok: true, value: { bytes: tail.data.length } };
  }

  /** Target: the console history so far (the stop's package continues it). */
  migrationConsoleHistory(start: number, tail: Uint8Array): Outcome<null> {
    if (!this.rt.store.get<boolean>("incoming")) return { ok: false, status: 409, code: "wrong_state", message: "this VM object is not receiving a migration" };
    this.rt.console.restart(start, tail);
    return { ok: true, value: null };
  }

  /** Frames written since the last round (what a stop-and-copy would still send). */
  migrationPending(): number {
    this.rt.harvest();
    return this.dirty?.size ?? 0;
  }

  /**
   * Source: the guest stops for good (unless aborted): disks committed, the last frames sent,
   * and the machine state with the console returned for the target.
   */
  async migrationStop(target: string): Promise<Outcome<{ frames: number; bytes: number; pkg: MigrationPackage }>> {
    this.rt.paused++;
    this.rt.wakeInline?.();
    this.rt.store.put("migrationStopped", true);
    try {
      // Not a whole checkpoint (the frames go to the target, not to this object's storage):
      // the machine state, the console output so far and the disks' journal, then the commit.
      const m = this.rt.machine;
      let state = this.rt.store.get<VirtState>("machine");
      if (m) {
        this.rt.harvest();
        state = m.saveState();
        let shown: Uint8Array = new Uint8Array(0);
        this.rt.store.atomically(() => {
          this.rt.vmDisks?.journal();
          shown = this.rt.console.persist();
        });
        if (shown.length) this.rt.host.broadcast(shown);
      }
      // The disks' last commit and the last frames go at the same time.
      const [, last] = await Promise.all([this.rt.disks().commitJournal(), this.migrationRound(target, false, true)]);
      if (!last.ok) throw new Error(last.message);
      // The console history went ahead (migrationConsole); only what came after goes now.
      const from = Math.max(this.consoleSent ?? 0, this.rt.console.end - CONSOLE_KEEP, 0);
      const tail = this.rt.console.read(from, CONSOLE_KEEP);
      const pkg: MigrationPackage = {
        power: this.rt.powerState, ...(state ? { state } : {}),
        console: { start: tail.start, tail: tail.data }, lastError: this.rt.lastError,
      };
      return { ok: true, value: { frames: last.value.frames, bytes: last.value.bytes, pkg } };
    } catch (e) {
      return { ok: false, status: 409, code: "migration_failed", message: (e as Error).message };
    }
  }

  /** Source: the migration failed before the switch; the guest carries on here. */
  async migrationAbort(): Promise<void> {
    this.rt.store.delete("migrationStopped");
    if (!this.rt.machine && this.rt.pinned.length) { sharedPacks.unpin(this.rt.pinned); this.rt.pinned = []; }
    this.dirty = undefined;
    this.sentHashes = new Set();
    if (this.rt.paused > 0) this.rt.paused--;
    // Leases handed over meanwhile are taken back (with a new epoch).
    try {
      const d = this.rt.disks();
      if (d.count > 0 && this.rt.powerState !== "POWERED_OFF") {
        await d.release();
        await d.acquire();
        for (const disk of d.disks) disk.unfence();
      }
    } catch (e) {
      this.rt.lastError = `after an aborted migration: ${(e as Error).message}`;
    }
    if (this.rt.machine && this.rt.powerState === "POWERED_ON") this.rt.wake();
  }

  /** Source: the VM runs elsewhere now; this object keeps only where it went. */
  async migrationFenced(movedTo: string): Promise<void> {
    this.dirty = undefined;
    this.rt.dropMachine();
    // The target holds every frame itself: the snapshot packs this VM was layered on are given back.
    await this.rt.dropBase();
    this.rt.vmDisks = undefined;
    await this.rt.host.setAlarm(null);
    this.rt.store.atomically(() => {
      this.rt.store.clearFrames();
      this.rt.store.clearBase();
      this.rt.store.delete("machine");
      this.rt.store.put("power", "POWERED_OFF");
      this.rt.store.put("movedTo", movedTo);
    });
  }

  get movedTo(): string | undefined { return this.rt.store.get<string>("movedTo"); }

  /** A fenced source's only record: the VM object it moved to. */
  markMoved(movedTo: string): void {
    this.rt.store.atomically(() => {
      this.rt.store.put("power", "POWERED_OFF");
      this.rt.store.put("movedTo", movedTo);
    });
  }

  /** Target: a new incarnation waiting for frames (it does not run until finished). */
  migrationPrepare(config: VmConfig): { holder: string } {
    this.rt.store.atomically(() => {
      this.rt.store.put("config", config);
      this.rt.store.put("power", "POWERED_OFF");
      this.rt.store.put("incoming", true);
      this.rt.store.clearFrames();
    });
    this.incomingHashes = new Map();
    this.incomingOwner = new Map();
    this.incomingPfns = new Set();
    return { holder: this.rt.host.holder };
  }

  /** Target: frames from the source (data, a zero mark, or a content hash it already holds). */
  migrationFrames(batch: MigrationBatch): Outcome<{ need: number[] }> {
    if (!this.rt.store.get<boolean>("incoming")) return { ok: false, status: 409, code: "wrong_state", message: "this VM object is not receiving a migration" };
    const hashes = (this.incomingHashes ??= new Map());
    const owner = (this.incomingOwner ??= new Map());
    // pfn gets new content: the hash it held no longer names it.
    const forget = (pfn: number): void => {
      const h = owner.get(pfn);
      if (h !== undefined && hashes.get(h) === pfn) hashes.delete(h);
      owner.delete(pfn);
    };
    const remember = (pfn: number, h: string): void => { hashes.set(h, pfn); owner.set(pfn, h); };
    const need: number[] = [];
    const frames = this.rt.config!.memoryMiB * 256;
    let at = 0;
    this.rt.store.atomically(() => {
      batch.pfns.forEach((pfn, i) => {
        const kind = batch.kinds[i];
        const hash = batch.hashes[i] ?? null;
        const data = kind === KIND_DATA ? batch.data.subarray(at, (at += 4096)) : undefined;
        if (!Number.isInteger(pfn) || pfn < 0 || pfn >= frames) return;
        if (kind === KIND_ZERO) { forget(pfn); this.rt.store.deleteFrame(pfn); this.incomingPfns?.delete(pfn); return; }
        if (data) {
          if (data.length !== 4096) return;
          forget(pfn);
          this.rt.store.putFrame(pfn, data);
          this.incomingPfns?.add(pfn);
          if (hash !== null) remember(pfn, hash);
          return;
        }
        // Content named by its hash: copied from the frame last seen with it (if that frame
        // was overwritten since, the source sends the data again).
        const from = hash !== null ? hashes.get(hash) : undefined;
        if (from === pfn) return;
        const bytes = from !== undefined ? this.rt.store.frame(from) : undefined;
        if (bytes && bytes.length === 4096) { forget(pfn); this.rt.store.putFrame(pfn, bytes); owner.set(pfn, hash!); this.incomingPfns?.add(pfn); }
        else need.push(pfn);
      });
    });
    return { ok: true, value: { need } };
  }

  /** Target: the machine state arrives; the VM takes its disks' leases and runs from here. */
  async migrationFinish(pkg: MigrationPackage): Promise<Outcome<{ powerState: PowerState }>> {
    if (!this.rt.store.get<boolean>("incoming")) return { ok: false, status: 409, code: "wrong_state", message: "this VM object is not receiving a migration" };
    this.rt.store.atomically(() => {
      if (pkg.state) this.rt.store.put("machine", pkg.state);
      this.rt.store.put("power", pkg.power);
      this.rt.store.put("hibernated", false);
      this.rt.store.delete("incoming");
      if (pkg.lastError !== undefined) this.rt.store.put("lastError", pkg.lastError);
      // Continues the history sent ahead, or replaces it when it does not line up.
      if (pkg.console.start === this.rt.console.end) {
        this.rt.console.append(pkg.console.tail);
        this.rt.console.persist();
      } else this.rt.console.restart(pkg.console.start, pkg.console.tail);
    });
    this.incomingHashes = undefined;
    this.incomingOwner = undefined;
    // (Set in migrationPrepare: an instance evicted since has none and reads the list back.)
    if (this.incomingPfns) this.rt.knownPfns = this.incomingPfns;
    this.incomingPfns = undefined;
    try {
      // The coordinator handed the disks' leases over to this object (one step per disk).
      if (pkg.leases) { this.rt.store.put("leases", pkg.leases); this.rt.leasesFresh = true; }
      else if (pkg.power !== "POWERED_OFF") await this.rt.ensureLeases();
    } catch (e) {
      return { ok: false, status: 409, code: "disk_locked", message: (e as Error).message };
    }
    if (pkg.power === "POWERED_ON") {
      if (!(await this.rt.ensureMachine())) return { ok: false, status: 409, code: "migration_failed", message: `the migrated state does not resume: ${this.rt.lastError}` };
      this.rt.wake();
    }
    return { ok: true, value: { powerState: this.rt.powerState } };
  }
}
