// The life of one VM inside its Durable Object: boots or restores the machine, runs it in
// short slices that yield to other events, paces idle time against wall time, checkpoints
// dirty frames and device state, hibernates when idle, and applies power actions. The
// Durable Object class (vm.ts) is a thin shell that forwards RPC, alarms and WebSockets here.
// Memory snapshots (vm-snapshots.ts) and live migration (vm-migration.ts) are modules of their
// own that work on this state through the members not marked private; where a saved frame
// is (own row or base layer) is vm-saved-frames.ts; how a checkpoint writes the frames that
// changed, vm-changed-frames.ts.

import { VirtMachine, type VirtState } from "../machine/virt.js";
import { hartModule } from "../machine/core/hart-module.workerd.js";
import { transition, type PowerAction, type PowerState } from "../cluster/power.js";
import { IdlePacer, CYCLES_PER_MS } from "../cluster/pacer.js";
import { CheckpointStore } from "../storage/checkpoint-store.js";
import { ConsoleLog } from "../storage/console-log.js";
import { isolateArena, sharedPacks, release } from "../storage/frame-store.js";
import { lazyFrames } from "./vm-saved-frames.js";
import { VmDisks, LeaseError, type DiskAttachment } from "./vm-disks.js";
import { ChangedFrames } from "./vm-changed-frames.js";
import { VmSnapshots } from "./vm-snapshots.js";
import { VmMigration } from "./vm-migration.js";
import type { BaseLayer, Outcome, RuntimeHost, VmConfig } from "./vm-types.js";

export type { BaseLayer, CapturedSnapshot, Outcome, RuntimeHost, VmConfig } from "./vm-types.js";

/** Longest a busy guest's console output waits for its checkpoint. */
const OUTPUT_MS = 50;

/** Cycles per slice: a few ms of guest work between yields. */
const SLICE = 1_000_000n;
/** A batch of slices per invocation; the alarm continues the next batch. */
const BATCH_MS = 1000;
/** Checkpoint at least this often while the guest is active. */
const CHECKPOINT_MS = 3000;
/** Idle waits up to this long happen in place; longer ones go through the alarm. */
const INLINE_WAIT_MS = 200;
/** Decoded-instruction cache: 16 KiB of host memory per slot. */
const DECODE_SLOTS = 256;

/** Lets other events (requests, alarms, completions) run between slices. */
const yieldNow = () => new Promise<void>((res) => setTimeout(res, 0));

export class VmRuntime {
  machine: VirtMachine | undefined;
  private kernelCache: { kernel: Uint8Array; initrd: Uint8Array | undefined } | undefined;
  private looping = false;
  wakeInline: (() => void) | undefined;
  private sleepingUntil: bigint | undefined;
  private idleSince: number | undefined;
  private lastCheckpoint = 0;
  /** When the stored state last matched the machine: its last checkpoint, or its restore. */
  private savedAt = 0;
  private pacer: IdlePacer | undefined;
  vmDisks: VmDisks | undefined;
  /** The leases were just granted (no renewal needed before running). */
  leasesFresh = false;
  /** Frames written since the last checkpoint (harvested from the hart). */
  private readonly changed = new ChangedFrames();
  /** Frames a migration target received (saves reading the list back at its resume). */
  knownPfns: Set<number> | undefined;
  /** While non-zero the run loop stays stopped (snapshots of disks and memory). */
  paused = 0;
  /** Packs this runtime has pinned in the isolate's cache for its machine. */
  pinned: string[] = [];
  /** Why the VM last stopped on its own (kept across evictions). */
  get lastError(): string | undefined { return this.store.get<string>("lastError"); }
  set lastError(v: string | undefined) {
    if (v === undefined) this.store.delete("lastError");
    else this.store.put("lastError", v);
  }
  /** Power actions, snapshots and restores run one at a time. */
  private queue: Promise<unknown> = Promise.resolve();
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
  readonly console: ConsoleLog;
  readonly store: CheckpointStore;
  /** The VM's memory snapshots and its live migration: their own modules over this state. */
  readonly snapshots: VmSnapshots;
  readonly migration: VmMigration;

  constructor(private readonly storage: DurableObjectStorage, readonly host: RuntimeHost) {
    this.store = new CheckpointStore(storage);
    this.console = new ConsoleLog(storage.sql);
    this.snapshots = new VmSnapshots(this);
    this.migration = new VmMigration(this);
  }

  /** The VM's disks (built from the config on first use; rebuilt at power-on). */
  disks(): VmDisks {
    this.vmDisks ??= new VmDisks(this.config?.disks ?? [], {
      datastore: (id) => this.host.datastore(id),
      bucket: this.host.bucket,
      blobs: this.host.blobs,
      sql: this.storage.sql,
      holder: this.host.holder,
      now: () => this.host.now(),
      loadEpochs: () => this.store.get<Record<string, number>>("leases") ?? {},
      saveEpochs: (e) => this.store.put("leases", e),
      wake: () => { if (this.machine) this.wake(); },
    });
    return this.vmDisks;
  }

  setDisks(disks: DiskAttachment[]): Promise<Outcome<null>> {
    return this.exclusive(async () => {
      const cfg = this.config;
      if (!cfg) return { ok: false, status: 404, code: "not_found", message: "the VM does not exist" };
      if (this.powerState !== "POWERED_OFF") return { ok: false, status: 409, code: "wrong_state", message: `the VM is ${this.powerState}; power it off to change its disks` };
      this.store.put("config", { ...cfg, disks });
      this.vmDisks = undefined;
      return { ok: true, value: null };
    });
  }

  /** Moves the hart's dirty frames into the checkpoint's set (and a migration's). */
  harvest(): void {
    const m = this.machine;
    if (!m) return;
    for (const f of m.dirtyFrames()) {
      this.changed.add(f);
      this.migration.noteDirty(f);
    }
  }

  /** Takes the disks' leases unless this VM holds them already. */
  async ensureLeases(): Promise<void> {
    const d = this.disks();
    if (d.count > 0 && Object.keys(this.store.get<Record<string, number>>("leases") ?? {}).length === 0) await d.acquire();
  }

  /** Runs fn with the run loop stopped, then lets the guest go on. */
  async whilePaused<T>(fn: () => Promise<T>): Promise<T> {
    this.paused++;
    try {
      return await fn();
    } finally {
      if (--this.paused === 0 && this.machine && this.powerState === "POWERED_ON") this.wake();
    }
  }

  get config(): VmConfig | undefined { return this.store.get<VmConfig>("config"); }
  get powerState(): PowerState { return this.store.get<PowerState>("power") ?? "POWERED_OFF"; }
  get hibernated(): boolean { return this.store.get<boolean>("hibernated") ?? false; }

  create(config: VmConfig): void {
    if (this.config) return;
    this.store.atomically(() => {
      this.store.put("config", config);
      this.store.put("power", "POWERED_OFF");
      this.store.delete("spare"); // a spare object (routes/vm-spares.ts) taken by a clone
    });
  }

  /** Live figures for GET /api/vms/:id. */
  stats() {
    const m = this.machine;
    return {
      // A source stopped for its migration's switchover holds its machine but never runs it again.
      running: m !== undefined && !this.store.get<boolean>("migrationStopped"),
      hibernated: this.hibernated,
      instructions: m ? m.hart.instret.toString() : undefined,
      residentFrames: m ? m.hart.framesInUse : 0,
      /** Frames given back because they held only zeros (zero-page reclaim at the RAM budget). */
      zeroFramesReclaimed: m ? m.hart.zeroFramesReclaimed : 0,
      /** The machine's own memory: hart tables, decoded code, frames it holds privately. */
      hostMemoryBytes: m ? m.hart.hostMemoryBytes : 0,
      /** Snapshot frames mapped read-only rather than held. */
      sharedFrames: m ? m.hart.sharedFrames : 0,
      /** Snapshot frames held once per isolate for every clone in it, and their decoded code. */
      sharedPackBytes: sharedPacks.bytes,
      sharedCodeBytes: isolateArena.sharedCodeBytes,
      /** All memory the isolate's machines and shared frames take. */
      isolateMemoryBytes: isolateArena.totalBytes,
      checkpointBytes: this.store.bytes(),
      /** Since the object started: checkpoints taken and the changed frames they wrote. */
      checkpoints: this.changed.checkpoints,
      checkpointFrames: this.changed.written,
      disks: this.vmDisks?.stats() ?? [],
      consoleBytes: this.console.end,
      viewers: this.host.viewers(),
      lastError: this.lastError,
    };
  }

  power(action: PowerAction): Promise<Outcome<{ powerState: PowerState }>> {
    return this.exclusive(() => this.powerNow(action));
  }

  private async powerNow(action: PowerAction): Promise<Outcome<{ powerState: PowerState }>> {
    const from = this.powerState;
    const t = transition(from, action);
    if (!t.ok) return { ok: false, status: 409, code: "wrong_state", message: t.message };
    try {
      if (action === "stop") await this.powerOff("stopped by the API");
      else if (action === "suspend") await this.suspend();
      else if (action === "reset") { await this.boot(); this.checkpoint(); this.wake(); }
      else if (from === "SUSPENDED") await this.resume();
      else await this.powerOn();
    } catch (e) {
      this.lastError = (e as Error).message;
      if (e instanceof LeaseError) return { ok: false, status: 409, code: "disk_locked", message: `cannot ${action}: ${e.message}` };
      return { ok: false, status: 422, code: "boot_failed", message: `cannot ${action}: ${(e as Error).message}` };
    }
    return { ok: true, value: { powerState: this.powerState } };
  }

  /** Console input from the API or a viewer; wakes the VM. */
  async input(bytes: Uint8Array): Promise<Outcome<{ accepted: number }>> {
    if (this.migration.switching) {
      return { ok: false, status: 409, code: "migrating", message: "the VM is switching hosts; send the input again in a moment" };
    }
    if (this.powerState !== "POWERED_ON") {
      return { ok: false, status: 409, code: "wrong_state", message: `the VM is ${this.powerState}; console input needs POWERED_ON` };
    }
    if (!(await this.ensureMachine())) {
      return { ok: false, status: 409, code: "wrong_state", message: `the VM could not resume and was powered off: ${this.lastError ?? "unknown error"}` };
    }
    this.machine!.input(bytes);
    // Acknowledged input is saved: an eviction right after this answer does not lose it.
    this.checkpoint();
    this.wake();
    return { ok: true, value: { accepted: bytes.length } };
  }

  /** Any request to a powered-on VM brings it back from hibernation or eviction. */
  async touch(): Promise<void> {
    if (this.powerState !== "POWERED_ON") return;
    if (await this.ensureMachine()) this.wake();
  }

  async alarm(): Promise<void> {
    if (this.powerState !== "POWERED_ON") return;
    if (this.hibernated && !this.machine) return;
    if (await this.ensureMachine()) await this.loop();
  }

  /** Called when the object is deleted: nothing may keep running. */
  async destroy(): Promise<void> {
    this.dropMachine();
    await this.disks().release();
    await this.dropBase();
    await this.host.setAlarm(null);
  }

  /** Frames the machine may hold: guest RAM, or less when the service caps resident memory. */
  private residentCap(cfg: VmConfig): number {
    return Math.min(cfg.memoryMiB, cfg.maxResidentMiB ?? cfg.memoryMiB) * 256;
  }

  // ---- power ----------------------------------------------------------------------------

  private async powerOn(): Promise<void> {
    // The disks as configured now (they may have changed while the VM was off).
    this.vmDisks = undefined;
    await this.disks().acquire();
    try {
      await this.boot();
    } catch (e) {
      await this.disks().release();
      throw e;
    }
    this.store.put("power", "POWERED_ON");
    this.checkpoint();
    await this.host.powerChanged("POWERED_ON", "powered on");
    this.wake();
  }

  private async resume(): Promise<void> {
    this.store.put("power", "POWERED_ON");
    this.store.put("hibernated", false);
    if (!(await this.ensureMachine())) throw new Error(this.lastError ?? "the saved state cannot be restored");
    await this.host.powerChanged("POWERED_ON", "resumed");
    this.wake();
  }

  private async suspend(): Promise<void> {
    if (!(await this.ensureMachine())) throw new Error(this.lastError ?? "the saved state cannot be restored");
    this.checkpoint();
    // The disks hold what the suspended guest wrote (the leases stay, as vSphere keeps its locks).
    await this.disks().commitJournal().catch((e) => console.error(`vm ${this.config?.id}: ${(e as Error).message}`));
    this.store.put("power", "SUSPENDED");
    this.dropMachine();
    await this.host.setAlarm(null);
    await this.host.powerChanged("SUSPENDED", "suspended");
  }

  private async powerOff(reason: string): Promise<void> {
    this.dropMachine();
    // RAM is discarded but every write the guest made stays on its disks; then the leases go.
    const d = this.disks();
    const failed = await d.commitAll();
    if (failed.length) {
      this.lastError = `writes lost at power-off: ${failed.join("; ")}`;
      console.error(`vm ${this.config?.id}: ${this.lastError}`);
    }
    await d.release();
    let shown: Uint8Array = new Uint8Array(0);
    this.store.atomically(() => {
      this.store.clearFrames();
      this.store.delete("machine");
      this.store.put("hibernated", false);
      this.store.put("power", "POWERED_OFF");
      shown = this.console.persist();
    });
    if (shown.length) this.host.broadcast(shown);
    await this.dropBase();
    await this.host.setAlarm(null);
    await this.host.powerChanged("POWERED_OFF", reason);
  }

  dropMachine(): void {
    // The machine's memory goes back first: it may map frames of the packs it pinned.
    this.machine?.dispose();
    this.machine = undefined;
    if (this.pinned.length) { sharedPacks.unpin(this.pinned); this.pinned = []; }
    this.changed.clear();
    this.sleepingUntil = undefined;
    this.idleSince = undefined;
    this.wakeInline?.();
  }

  /** Boots the kernel into a fresh machine (power-on, reset, guest reboot). */
  private async boot(): Promise<void> {
    const cfg = this.config!;
    if (!this.kernelCache) {
      const [kernel, initrd] = await Promise.all([
        this.host.loadBlob(cfg.kernel.sha256),
        cfg.initrd ? this.host.loadBlob(cfg.initrd.sha256) : Promise.resolve(undefined),
      ]);
      this.kernelCache = { kernel, initrd };
    }
    const { kernel, initrd } = this.kernelCache;
    // The old machine's memory goes back first; if the new one cannot be built, none is left.
    this.machine?.dispose();
    this.machine = undefined;
    this.machine = new VirtMachine(hartModule, {
      memoryMiB: cfg.memoryMiB,
      kernel,
      ...(initrd ? { initrd } : {}),
      ...(cfg.cmdline !== undefined ? { cmdline: cfg.cmdline } : {}),
      console: { write: (b) => this.output(b) },
      bootWallNs: BigInt(this.host.now()) * 1_000_000n,
      entropySeed: this.host.randomSeed(),
      decodeSlots: DECODE_SLOTS,
      maxResidentFrames: this.residentCap(cfg),
      disks: this.disks().disks,
      arena: isolateArena,
    });
    this.pacer = new IdlePacer(this.host.now(), this.machine.hart.clock);
    this.sleepingUntil = undefined;
    this.idleSince = undefined;
    this.lastError = undefined;
    // A fresh boot replaces the whole checkpoint, base layer included.
    this.store.clearFrames();
    await this.dropBase();
    this.store.put("hibernated", false);
  }

  private restoring: Promise<void> | undefined;

  /** Brings the machine into memory from the checkpoint (after eviction or hibernation). */
  async ensureMachine(): Promise<boolean> {
    if (this.machine) return true;
    // A fenced source never runs again (the VM lives in its new object), nor does a source
    // stopped for its switchover, even after an eviction, unless the migration is aborted.
    if (this.store.get<string>("movedTo") || this.store.get<boolean>("migrationStopped")) return false;
    this.restoring ??= this.restore().finally(() => { this.restoring = undefined; });
    try {
      await this.restoring;
      return true;
    } catch (e) {
      // A checkpoint or snapshot that cannot be restored (missing or corrupt frames, bad
      // state): the VM is powered off with the reason, the host carries on.
      if (this.machine) return true;
      this.lastError = `cannot resume: ${(e as Error).message}`;
      console.error(`vm ${this.config?.id}: ${this.lastError}`);
      if (this.powerState !== "POWERED_OFF") await this.powerOff(this.lastError);
      return false;
    }
  }

  private async restore(): Promise<void> {
    const cfg = this.config!;
    const state = this.store.get<VirtState>("machine");
    if (!state) {
      // Powered on but never checkpointed (evicted during boot): boot again.
      await this.boot();
      this.checkpoint();
      return;
    }
    const base = this.store.get<BaseLayer>("base");
    if (base) {
      await sharedPacks.pin(this.host.blobs, base.packs);
      this.pinned = base.packs;
    }
    // Asleep or evicted meanwhile: the leases may have lapsed; a lost one fences its disk.
    // (Before the machine exists: nothing may see a half-restored machine.)
    if (!this.leasesFresh) await this.disks().renew();
    this.leasesFresh = false;
    // A migration target knows its frames already; anyone else reads them from storage.
    const lazy = lazyFrames(this.store, base, this.knownPfns);
    this.knownPfns = undefined;
    this.machine = new VirtMachine(hartModule, {
      memoryMiB: cfg.memoryMiB,
      kernel: new Uint8Array(0),
      console: { write: (b) => this.output(b) },
      decodeSlots: DECODE_SLOTS,
      maxResidentFrames: this.residentCap(cfg),
      disks: this.disks().disks,
      restore: { state, lazy },
      arena: isolateArena,
    });
    const slept = this.hibernated;
    if (slept) {
      // Hibernation is invisible to the guest: the time it slept passes for it as one idle
      // skip, so its clocks agree with wall time again (timers due meanwhile fire at once).
      const since = this.store.get<number>("hibernatedAt");
      if (since !== undefined && this.host.now() > since) this.machine.hart.advanceClock(BigInt(this.host.now() - since) * CYCLES_PER_MS);
      this.store.put("hibernated", false);
    }
    this.pacer = new IdlePacer(this.host.now(), this.machine.hart.clock);
    this.sleepingUntil = undefined;
    this.idleSince = undefined;
    this.console.dropPending();
    // The machine is what the store holds (unless the sleep was skipped above): a wait right
    // after a restore (a new clone at its prompt, a VM back after an eviction) needs no
    // checkpoint first.
    this.savedAt = slept ? 0 : this.host.now();
  }

  // ---- running ---------------------------------------------------------------------------

  /** Guest output waits in the log's tail until a checkpoint makes it visible (the output rule). */
  private output(bytes: Uint8Array): void {
    this.console.append(bytes);
  }

  /** Starts the run loop (or cuts an idle wait short). */
  wake(): void {
    if (this.wakeInline) { this.wakeInline(); return; }
    if (!this.looping) void this.loop();
  }

  private async loop(): Promise<void> {
    if (this.looping) { this.wakeInline?.(); return; }
    this.looping = true;
    try {
      if (this.paused) return;
      const batchStart = this.host.now();
      // If evicted mid-batch, the alarm restarts the VM from its checkpoint. Not waited for:
      // the guest starts at once (storage writes still leave before any answer does).
      this.host.setAlarm(batchStart + 2 * BATCH_MS + 1000).catch((e) => console.error("setAlarm", e));
      this.catchUpSleep();
      while (this.machine && this.powerState === "POWERED_ON" && !this.paused) {
        if (this.host.now() - batchStart > BATCH_MS) {
          await this.host.setAlarm(this.host.now());
          return;
        }
        const m = this.machine;
        const r = m.run(SLICE);
        // Output is released once the state that produced it is saved: at once when the
        // guest waits, at most OUTPUT_MS later while it keeps printing.
        if (this.console.unpersisted > 0 && (r.kind !== "budget" || this.host.now() - this.lastCheckpoint >= OUTPUT_MS)) this.checkpoint();
        if (m.hart.lazyFaultError) throw new Error(`checkpoint frame unreadable: ${m.hart.lazyFaultError}`);
        this.serviceDisks();
        if (r.kind === "poweroff") { await this.powerOff("the guest powered off"); return; }
        if (r.kind === "reboot") { await this.boot(); this.checkpoint(); continue; }
        if (r.kind === "out-of-memory") {
          const cfg = this.config!;
          this.lastError = `the guest touched more RAM than the ${this.residentCap(cfg) / 256} MiB this service lets a VM hold in memory`;
          await this.powerOff(this.lastError);
          return;
        }
        if (r.kind === "budget") this.idleSince = undefined;
        else if (await this.idle(m, r.deadline)) return;
        if (this.host.now() - this.savedAt > CHECKPOINT_MS) this.checkpoint();
        await yieldNow();
      }
    } catch (e) {
      // A machine that cannot go on is powered off with the reason kept; the host survives.
      this.lastError = (e as Error).message;
      console.error(`vm ${this.config?.id}: ${this.lastError}`);
      await this.powerOff(`error: ${this.lastError}`);
    } finally {
      this.looping = false;
    }
  }

  /**
   * The guest waits in WFI. Returns true when the loop should end (the VM sleeps until its
   * alarm or input, or hibernated), false to keep running.
   */
  private async idle(m: VirtMachine, deadline: bigint | undefined): Promise<boolean> {
    const now = this.host.now();
    this.idleSince ??= now;
    const cfg = this.config!;
    const noViewers = this.host.viewers() === 0;
    if (noViewers && now - this.idleSince >= cfg.idleTimeoutMs && !this.disks().busy) {
      await this.hibernate();
      return true;
    }
    let wait = deadline === undefined ? Infinity : this.pacer!.waitMs(now, deadline);
    if (wait === 0 && deadline !== undefined) {
      m.hart.advanceClock(deadline - m.hart.clock);
      return false;
    }
    const hibernateIn = noViewers ? this.idleSince + cfg.idleTimeoutMs - now : Infinity;
    if (wait <= INLINE_WAIT_MS || hibernateIn <= INLINE_WAIT_MS) {
      await new Promise<void>((res) => {
        const t = setTimeout(() => { this.wakeInline = undefined; res(); }, Math.min(wait, Math.max(hibernateIn, 0), INLINE_WAIT_MS));
        this.wakeInline = () => { clearTimeout(t); this.wakeInline = undefined; res(); };
      });
      if (deadline !== undefined) this.sleepingUntil = deadline;
      this.catchUpSleep();
      return false;
    }
    // A long wait: save the state, end this invocation, come back by alarm or input.
    this.sleepingUntil = deadline;
    if (this.host.now() - this.savedAt > INLINE_WAIT_MS) this.checkpoint();
    wait = Math.min(wait, hibernateIn);
    await this.host.setAlarm(this.host.now() + (Number.isFinite(wait) ? wait : 60_000));
    return true;
  }

  /** After a wait: virtual time moves to the deadline, or as far as wall time went. */
  private catchUpSleep(): void {
    const m = this.machine;
    const d = this.sleepingUntil;
    this.sleepingUntil = undefined;
    if (!m || d === undefined || !this.pacer) return;
    const now = this.host.now();
    const target = this.pacer.waitMs(now, d) === 0 ? d : this.pacer.clockAt(now);
    const to = target < d ? target : d;
    if (to > m.hart.clock) m.hart.advanceClock(to - m.hart.clock);
  }

  /**
   * Disk work between slices: a checkpoint when a flush waits or much is unjournaled (so
   * what gets committed matches a saved state), commits that are due, lease renewal.
   */
  private serviceDisks(): void {
    const d = this.vmDisks;
    if (!d || d.count === 0) return;
    if (d.wantsCheckpoint) this.checkpoint();
    d.startCommits();
    d.renewIfDue();
  }

  private async hibernate(): Promise<void> {
    this.checkpoint();
    // Asleep, the VM cannot renew its leases: what its disks hold goes to the datastore first.
    await this.disks().commitJournal().catch((e) => console.error(`vm ${this.config?.id}: ${(e as Error).message}`));
    this.store.put("hibernated", true);
    this.store.put("hibernatedAt", this.host.now());
    this.dropMachine();
    await this.host.setAlarm(null);
  }

  /** Forgets the base layer and gives its references back. */
  async dropBase(): Promise<void> {
    const base = this.store.get<BaseLayer>("base");
    if (!base) return;
    this.store.clearBase();
    this.store.delete("base");
    await release(this.host.blobs, this.host.db, [base.manifest, ...base.packs]);
  }

  /** Writes dirty frames, machine state and console output in one transaction. */
  checkpoint(): void {
    const m = this.machine;
    if (!m) return;
    this.harvest();
    const state = m.saveState();
    const hasBase = this.store.get<BaseLayer>("base") !== undefined;
    let shown: Uint8Array = new Uint8Array(0);
    this.store.atomically(() => {
      this.changed.write(this.store, m, hasBase);
      this.store.put("machine", state);
      this.vmDisks?.journal();
      shown = this.console.persist();
    });
    if (shown.length) this.host.broadcast(shown);
    this.lastCheckpoint = this.savedAt = this.host.now();
  }
}
