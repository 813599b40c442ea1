// The life of one VM inside its Durable Object: boots or restores the machine, runs it in
// short slices that yield to other events, paces idle time against wall time, checkpoints
// dirty frames and device state, hibernates when idle, and applies power actions. The
// Durable Object class (vm.ts) is a thin shell that forwards RPC, alarms and WebSockets here.

import { VirtMachine, type VirtState } from "../machine/virt.js";
import { hartModule } from "../machine/core/hart-module.workerd.js";
import { transition, type PowerAction, type PowerState } from "../cluster/power.js";
import { IdlePacer, CYCLES_PER_MS } from "../cluster/pacer.js";
import { CheckpointStore } from "../storage/checkpoint-store.js";
import { ConsoleLog } from "../storage/console-log.js";
import { sharedPacks, storeFrames, storeManifest, loadManifest, retain, release, type FrameRef } from "../storage/frame-store.js";
import { encodeManifest, decodeManifest } from "../storage/snapshot-manifest.js";
import { VmDisks, LeaseError, type DiskAttachment } from "./vm-disks.js";
import type { DatastoreApi } from "../storage/datastore/types.js";
import { toHex } from "../encoding.js";

/** What the VM object keeps about its VM (written once at creation). */
export interface VmConfig {
  id: string;
  name: string;
  memoryMiB: number;
  kernel: { image: string; sha256: string };
  initrd?: { image: string; sha256: string };
  cmdline?: string;
  /** Idle time (WFI, no console viewer) before the VM checkpoints and hibernates. */
  idleTimeoutMs: number;
  /** Most guest RAM the machine may hold in host memory, in MiB (the isolate's budget). */
  maxResidentMiB?: number;
  /** Virtual disks, /dev/vda first (changed only while powered off). */
  disks?: DiskAttachment[];
}

/** What the runtime needs from its Durable Object. */
export interface RuntimeHost {
  now(): number;
  loadBlob(sha256: string): Promise<Uint8Array>;
  /** Sends console output to every connected viewer. */
  broadcast(bytes: Uint8Array): void;
  viewers(): number;
  setAlarm(at: number | null): Promise<void>;
  /** Reports a power-state change (inventory, events). */
  powerChanged(state: PowerState, reason: string): Promise<void>;
  randomSeed(): bigint;
  /** KV (content-addressed snapshot frames) and D1 (their index and reference counts). */
  blobs: KVNamespace;
  db: D1Database;
  /** Disks: their datastores, the chunk bucket, and this object's name as a lease holder. */
  datastore(id: string): DatastoreApi;
  /** Another VM object by name (a migration's target). */
  vm(name: string): {
    migrationFrames(batch: MigrationBatch): Promise<Outcome<{ need: number[] }>>;
    migrationConsoleHistory(start: number, tail: Uint8Array): Promise<Outcome<null>>;
  };
  bucket: R2Bucket;
  holder: string;
}

/** The memory snapshot a VM's RAM is layered on (clones, reverts). */
interface BaseLayer { manifest: string; packs: string[] }

/** What a memory snapshot of a VM produced (the caller records and retains it). */
export interface CapturedSnapshot {
  manifest: string; packs: string[]; powerState: PowerState; frames: number; storedBytes: number;
  /** The disks' frozen layers, when a snapshot id was given. */
  disks: { disk: string; layer: string }[];
}

const CONSOLE_TAIL = 64 * 1024;
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

function isZero(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}
/** Longest a busy guest's console output waits for its checkpoint. */
const OUTPUT_MS = 50;
const EMPTY = new Uint8Array(0);

export type Outcome<T> = { ok: true; value: T } | { ok: false; status: 404 | 409 | 422 | 500; code: string; message: string };

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

const yieldNow = () => new Promise<void>((res) => setTimeout(res, 0));

export class VmRuntime {
  private machine: VirtMachine | undefined;
  private kernelCache: { kernel: Uint8Array; initrd: Uint8Array | undefined } | undefined;
  private looping = false;
  private wakeInline: (() => void) | undefined;
  private sleepingUntil: bigint | undefined;
  private idleSince: number | undefined;
  private lastCheckpoint = 0;
  private pacer: IdlePacer | undefined;
  private vmDisks: VmDisks | undefined;
  /** The leases were just granted (no renewal needed before running). */
  private leasesFresh = false;
  /** Frames written since the last checkpoint (harvested from the hart). */
  private readonly checkpointDirty = new Set<number>();
  /** While this VM migrates out: frames written since the last pre-copy round. */
  private migrationDirty: Set<number> | undefined;
  /** Incoming migration: content hash → a frame the target holds with it, and back. */
  private incomingHashes: Map<string, number> | undefined;
  private incomingOwner: Map<number, string> | undefined;
  /** Frames a migration target received (saves reading the list back at its resume). */
  private knownPfns: Set<number> | undefined;
  private incomingPfns: Set<number> | undefined;
  /** While non-zero the run loop stays stopped (snapshots of disks and memory). */
  private paused = 0;
  /** Packs this runtime has pinned in the isolate's cache for its machine. */
  private pinned: string[] = [];
  /** Why the VM last stopped on its own (kept across evictions). */
  private get lastError(): string | undefined { return this.store.get<string>("lastError"); }
  private set lastError(v: string | undefined) {
    if (v === undefined) this.store.delete("lastError");
    else this.store.put("lastError", v);
  }
  /** Power actions, snapshots and restores run one at a time. */
  private queue: Promise<unknown> = Promise.resolve();
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
  readonly console: ConsoleLog;
  private readonly store: CheckpointStore;

  constructor(private readonly storage: DurableObjectStorage, private readonly host: RuntimeHost) {
    this.store = new CheckpointStore(storage);
    this.console = new ConsoleLog(storage.sql);
  }

  /** The VM's disks (built from the config on first use; rebuilt at power-on). */
  private disks(): VmDisks {
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

  /** Frame f as the checkpoint has it (its own row, else the base layer's); undefined: zero. */
  private savedFrame(f: number, base = this.store.get<BaseLayer>("base")): Uint8Array | undefined {
    const own = this.store.frame(f);
    if (own) return own.length ? own : undefined;
    const ref = base ? this.store.baseRef(f) : undefined;
    if (!ref || !base) return undefined;
    const bytes = sharedPacks.frame(base.packs[ref.pack]!, ref.slot);
    if (!bytes) throw new Error(`snapshot frames for frame ${f} are not loaded`);
    return bytes.slice();
  }

  /** Moves the hart's dirty frames into the checkpoint's set (and a migration's). */
  private harvest(): void {
    const m = this.machine;
    if (!m) return;
    for (const f of m.dirtyFrames()) {
      this.checkpointDirty.add(f);
      this.migrationDirty?.add(f);
    }
  }

  /** Takes the disks' leases unless this VM holds them already. */
  private async ensureLeases(): Promise<void> {
    const d = this.disks();
    if (d.count > 0 && Object.keys(this.store.get<Record<string, number>>("leases") ?? {}).length === 0) await d.acquire();
  }

  /** Runs fn with the run loop stopped, then lets the guest go on. */
  private async whilePaused<T>(fn: () => Promise<T>): Promise<T> {
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
      hostMemoryBytes: m ? m.hart.hostMemoryBytes : 0,
      /** Snapshot frames held once per isolate for every clone in it. */
      sharedPackBytes: sharedPacks.bytes,
      checkpointBytes: this.store.bytes(),
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
    if (this.paused > 0 && this.migrationDirty) {
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

  private dropMachine(): void {
    if (this.pinned.length) { sharedPacks.unpin(this.pinned); this.pinned = []; }
    this.machine = undefined;
    this.checkpointDirty.clear();
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
  private async ensureMachine(): Promise<boolean> {
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
    const pfns = this.knownPfns ?? new Set(this.store.pfns());
    this.knownPfns = undefined;
    if (base) for (const f of this.store.basePfns()) pfns.add(f);
    const load = (f: number): Uint8Array | undefined => this.savedFrame(f, base);
    this.machine = new VirtMachine(hartModule, {
      memoryMiB: cfg.memoryMiB,
      kernel: new Uint8Array(0),
      console: { write: (b) => this.output(b) },
      decodeSlots: DECODE_SLOTS,
      maxResidentFrames: this.residentCap(cfg),
      disks: this.disks().disks,
      restore: { state, lazy: { indices: pfns, load } },
    });
    if (this.hibernated) {
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
  }

  // ---- running ---------------------------------------------------------------------------

  /** Guest output waits in the log's tail until a checkpoint makes it visible (the output rule). */
  private output(bytes: Uint8Array): void {
    this.console.append(bytes);
  }

  /** Starts the run loop (or cuts an idle wait short). */
  private wake(): void {
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
        if (this.host.now() - this.lastCheckpoint > CHECKPOINT_MS) this.checkpoint();
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
    if (this.host.now() - this.lastCheckpoint > INLINE_WAIT_MS) this.checkpoint();
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

  // ---- memory snapshots -------------------------------------------------------------------

  /**
   * Captures the whole VM (RAM, hart, devices, console tail) into the content-addressed
   * frame store. Frames still in the base layer are referenced, not re-read. The VM keeps
   * running; the caller retains the returned keys for whoever holds the snapshot.
   */
  captureSnapshot(snapshotId?: string): Promise<Outcome<CapturedSnapshot>> {
    return this.exclusive(() => this.captureNow(snapshotId));
  }

  /**
   * A snapshot of the disks only (a powered-off VM, or `memory: false`): what the guest
   * wrote so far is committed, then every disk's layer is frozen as `snapshotId`.
   */
  snapshotDisks(snapshotId: string): Promise<Outcome<{ disks: { disk: string; layer: string }[] }>> {
    return this.exclusive(() => this.whilePaused(async () => {
      try {
        if (this.machine) this.checkpoint();
        await this.disks().commitJournal();
        return { ok: true as const, value: { disks: await this.disks().snapshot(snapshotId) } };
      } catch (e) {
        return { ok: false as const, status: 409 as const, code: "disk_snapshot_failed", message: (e as Error).message };
      }
    }));
  }

  /** Reverts the disks to snapshot `snapshotId` (a snapshot without memory; the VM is off). */
  revertDisks(snapshotId: string): Promise<Outcome<null>> {
    return this.exclusive(async () => {
      if (this.powerState !== "POWERED_OFF") return { ok: false, status: 409, code: "wrong_state", message: "power the VM off before reverting its disks" };
      try {
        await this.disks().revert(snapshotId);
        return { ok: true, value: null };
      } catch (e) {
        return { ok: false, status: 409, code: "disk_revert_failed", message: (e as Error).message };
      }
    });
  }

  private async captureNow(snapshotId: string | undefined): Promise<Outcome<CapturedSnapshot>> {
    const power = this.powerState;
    if (power === "POWERED_OFF") return { ok: false, status: 409, code: "wrong_state", message: "a powered-off VM has no memory to snapshot" };
    if (power === "POWERED_ON") {
      if (!(await this.ensureMachine())) return { ok: false, status: 409, code: "wrong_state", message: `the VM could not resume: ${this.lastError}` };
    }
    // The guest stops while its disks are committed and frozen, so RAM and disks agree.
    const taken = await this.whilePaused(async () => {
      if (this.machine) this.checkpoint();
      const state = this.store.get<VirtState>("machine");
      if (!state) return undefined;
      const own = new Map<number, Uint8Array>();
      for (const f of this.store.pfns()) {
        const b = this.store.frame(f);
        if (b && b.length) own.set(f, b);
      }
      let disks: { disk: string; layer: string }[] = [];
      if (snapshotId !== undefined && this.disks().count > 0) {
        await this.disks().commitJournal();
        disks = await this.disks().snapshot(snapshotId);
      }
      return { state, own, disks };
    }).catch((e: Error) => e);
    if (taken instanceof Error) return { ok: false, status: 409, code: "disk_snapshot_failed", message: taken.message };
    if (!taken) return { ok: false, status: 409, code: "wrong_state", message: "the VM has no saved state yet" };
    const { state, own, disks } = taken;
    const now = this.host.now();
    const { refs, newBytes } = await storeFrames(this.host.blobs, this.host.db, own, now);
    const base = this.store.get<BaseLayer>("base");
    if (base) for (const [f, r] of this.store.baseOnly()) refs.set(f, { pack: base.packs[r.pack]!, slot: r.slot } satisfies FrameRef);
    const tail = this.console.read(Math.max(0, this.console.end - CONSOLE_TAIL), CONSOLE_TAIL);
    const { json, packs } = encodeManifest({
      memoryMiB: this.config!.memoryMiB, powerState: power, state, refs,
      console: { end: tail.next, tail: tail.data },
    });
    const manifest = await storeManifest(this.host.blobs, this.host.db, json, now);
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
    return this.exclusive(() => this.applyNow(manifestKey, powerOn, fresh, counted, diskSnapshot));
  }

  private async applyNow(manifestKey: string, powerOn: boolean, fresh: boolean, counted: boolean, diskSnapshot: string | undefined): Promise<Outcome<{ powerState: PowerState }>> {
    let m;
    try {
      m = decodeManifest(await loadManifest(this.host.blobs, manifestKey));
    } catch (e) {
      return { ok: false, status: 422, code: "bad_snapshot", message: (e as Error).message };
    }
    if (m.memoryMiB !== this.config!.memoryMiB) {
      return { ok: false, status: 422, code: "bad_snapshot", message: `the snapshot has ${m.memoryMiB} MiB of RAM, the VM ${this.config!.memoryMiB} MiB` };
    }
    this.dropMachine();
    const power: PowerState = m.powerState === "POWERED_ON" && !powerOn ? "SUSPENDED" : m.powerState;
    try {
      // The disks go back to the state they had with this memory; a VM that will run holds their leases.
      if (diskSnapshot !== undefined) await this.disks().revert(diskSnapshot);
      if (power !== "POWERED_OFF") await this.ensureLeases();
    } catch (e) {
      const status = e instanceof LeaseError ? 409 : 422;
      return { ok: false, status, code: e instanceof LeaseError ? "disk_locked" : "bad_snapshot", message: (e as Error).message };
    }
    const old = this.store.get<BaseLayer>("base");
    // The new references are counted while the machine comes up; answered only once counted.
    const retained = counted ? Promise.resolve() : retain(this.host.db, [manifestKey, ...m.packs]);
    this.store.atomically(() => {
      this.store.clearFrames();
      this.store.setBase(m.frames);
      this.store.put("base", { manifest: manifestKey, packs: m.packs } satisfies BaseLayer);
      this.store.put("machine", m.state);
      this.store.put("power", power);
      this.store.put("hibernated", false);
      // A new VM (a clone) starts with the snapshot's console history; a revert keeps its own
      // log going forward, so offsets a reader holds stay valid (no byte shown twice).
      if (fresh) this.console.restart(m.console.end - m.console.tail.length, m.console.tail);
      else this.console.persist();
    });
    if (!fresh) await this.host.powerChanged(power, "reverted to a memory snapshot");
    if (power === "POWERED_ON") {
      if (!(await this.ensureMachine())) {
        await retained;
        return { ok: false, status: 422, code: "bad_snapshot", message: `the snapshot cannot be resumed: ${this.lastError}` };
      }
      this.wake();
    } else await this.host.setAlarm(null);
    await retained;
    if (old) await release(this.host.blobs, this.host.db, [old.manifest, ...old.packs]);
    return { ok: true, value: { powerState: power } };
  }

  /** Forgets the base layer and gives its references back. */
  private async dropBase(): Promise<void> {
    const base = this.store.get<BaseLayer>("base");
    if (!base) return;
    this.store.clearBase();
    this.store.delete("base");
    await release(this.host.blobs, this.host.db, [base.manifest, ...base.packs]);
  }

  // ---- live migration -------------------------------------------------------------------
  // The coordinator drives both ends: begin → rounds of pre-copy (frames written since the
  // last round) while the guest runs → stop (the guest pauses: disks committed, the last
  // frames, then the machine state and console) → the target finishes and runs → the source
  // is fenced. Until the routing switches, abort puts the source back to work.

  /** Source: starts tracking writes for pre-copy. A powered-off or suspended VM moves cold. */
  migrationBegin(): Promise<Outcome<{ powerState: PowerState; memoryMiB: number }>> {
    return this.exclusive(async () => {
      const power = this.powerState;
      if (this.store.get<string>("movedTo")) return { ok: false, status: 409, code: "moved", message: "this VM object was migrated away" };
      if (power === "POWERED_ON" && !(await this.ensureMachine())) {
        return { ok: false, status: 409, code: "wrong_state", message: `the VM could not resume: ${this.lastError}` };
      }
      // A suspended clone's snapshot frames are read from the isolate's pack cache: load them.
      const base = this.store.get<BaseLayer>("base");
      if (base && !this.machine && this.pinned.length === 0) {
        await sharedPacks.pin(this.host.blobs, base.packs);
        this.pinned = base.packs;
      }
      this.migrationDirty = new Set();
      this.sentHashes = new Set();
      return { ok: true, value: { powerState: this.powerState, memoryMiB: this.config!.memoryMiB } };
    });
  }

  private sentHashes = new Set<string>();

  /**
   * Source: one pre-copy round to `target` (every frame the first time, then those written
   * since the previous round). Frames whose content the target was already sent go as
   * their SHA-256 only; zero frames as a mark.
   */
  async migrationRound(target: string, all: boolean, final = false): Promise<Outcome<{ frames: number; bytes: number; ms: number }>> {
    const t0 = this.host.now();
    let list: number[];
    if (all) {
      const n = this.config!.memoryMiB * 256;
      const m = this.machine;
      list = [];
      const saved = new Set(this.store.pfns());
      for (const f of this.store.basePfns()) saved.add(f);
      if (m) for (const f of m.residentFrames()) saved.add(f);
      for (let f = 0; f < n; f++) if (saved.has(f)) list.push(f);
      if (m) this.harvest();
      this.migrationDirty?.clear();
    } else {
      this.harvest();
      list = [...(this.migrationDirty ?? [])].sort((a, b) => a - b);
      this.migrationDirty?.clear();
    }
    const stub = this.host.vm(target);
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
      if (!final && i > 0) await yieldNow();
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
    return { ok: true, value: { frames: list.length, bytes, ms: this.host.now() - t0 } };
  }

  private savedOrLive(f: number): Uint8Array | undefined {
    return this.machine && !this.machine.hart.isLazy(f) ? this.machine.frameBytes(f) : this.savedFrame(f);
  }

  /** Packs frames for the wire: zero marks, contents the target was sent already as hashes, data. */
  private async packFrames(pfns: number[], final: boolean): Promise<MigrationBatch> {
    const frames = pfns.map((f) => this.savedOrLive(f));
    const hashes = final ? frames.map(() => null) : await Promise.all(frames.map(async (d) =>
      d && !isZero(d) ? toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", d))) : null));
    const kinds: number[] = [];
    const parts: Uint8Array[] = [];
    frames.forEach((d, i) => {
      const h = hashes[i] ?? null;
      if (!d || isZero(d)) kinds.push(KIND_ZERO);
      else if (h !== null && this.sentHashes.has(h)) kinds.push(KIND_HASH);
      else {
        kinds.push(KIND_DATA);
        parts.push(d);
        if (h !== null) this.sentHashes.add(h);
      }
    });
    const data = new Uint8Array(parts.length * 4096);
    parts.forEach((p, i) => data.set(p, i * 4096));
    return { pfns, kinds, hashes, data };
  }

  /** Where the console history sent ahead to the target ends. */
  private consoleSent: number | undefined;

  /** Source: sends the console history ahead of the stop, so the stop carries only what follows. */
  async migrationConsole(target: string): Promise<Outcome<{ bytes: number }>> {
    const tail = this.console.read(Math.max(0, this.console.end - CONSOLE_KEEP), CONSOLE_KEEP);
    const r = await this.host.vm(target).migrationConsoleHistory(tail.start, tail.data);
    if (!r.ok) return r;
    this.consoleSent = tail.next;
    return { ok: true, value: { bytes: tail.data.length } };
  }

  /** Target: the console history so far (the stop's package continues it). */
  migrationConsoleHistory(start: number, tail: Uint8Array): Outcome<null> {
    if (!this.store.get<boolean>("incoming")) return { ok: false, status: 409, code: "wrong_state", message: "this VM object is not receiving a migration" };
    this.console.restart(start, tail);
    return { ok: true, value: null };
  }

  /** Frames written since the last round (what a stop-and-copy would still send). */
  migrationPending(): number {
    this.harvest();
    return this.migrationDirty?.size ?? 0;
  }

  /**
   * Source: the guest stops for good (unless aborted): disks committed, the last frames sent,
   * and the machine state with the console returned for the target.
   */
  async migrationStop(target: string): Promise<Outcome<{ frames: number; bytes: number; pkg: MigrationPackage }>> {
    this.paused++;
    this.wakeInline?.();
    this.store.put("migrationStopped", true);
    try {
      // Not a whole checkpoint (the frames go to the target, not to this object's storage):
      // the machine state, the console output so far and the disks' journal, then the commit.
      const m = this.machine;
      let state = this.store.get<VirtState>("machine");
      if (m) {
        this.harvest();
        state = m.saveState();
        let shown: Uint8Array = new Uint8Array(0);
        this.store.atomically(() => {
          this.vmDisks?.journal();
          shown = this.console.persist();
        });
        if (shown.length) this.host.broadcast(shown);
      }
      // The disks' last commit and the last frames go at the same time.
      const [, last] = await Promise.all([this.disks().commitJournal(), this.migrationRound(target, false, true)]);
      if (!last.ok) throw new Error(last.message);
      // The console history went ahead (migrationConsole); only what came after goes now.
      const from = Math.max(this.consoleSent ?? 0, this.console.end - CONSOLE_KEEP, 0);
      const tail = this.console.read(from, CONSOLE_KEEP);
      const pkg: MigrationPackage = {
        power: this.powerState, ...(state ? { state } : {}),
        console: { start: tail.start, tail: tail.data }, lastError: this.lastError,
      };
      return { ok: true, value: { frames: last.value.frames, bytes: last.value.bytes, pkg } };
    } catch (e) {
      return { ok: false, status: 409, code: "migration_failed", message: (e as Error).message };
    }
  }

  /** Source: the migration failed before the switch; the guest carries on here. */
  async migrationAbort(): Promise<void> {
    this.store.delete("migrationStopped");
    if (!this.machine && this.pinned.length) { sharedPacks.unpin(this.pinned); this.pinned = []; }
    this.migrationDirty = undefined;
    this.sentHashes = new Set();
    if (this.paused > 0) this.paused--;
    // Leases handed over meanwhile are taken back (with a new epoch).
    try {
      const d = this.disks();
      if (d.count > 0 && this.powerState !== "POWERED_OFF") {
        await d.release();
        await d.acquire();
        for (const disk of d.disks) disk.unfence();
      }
    } catch (e) {
      this.lastError = `after an aborted migration: ${(e as Error).message}`;
    }
    if (this.machine && this.powerState === "POWERED_ON") this.wake();
  }

  /** Source: the VM runs elsewhere now; this object keeps only where it went. */
  async migrationFenced(movedTo: string): Promise<void> {
    this.migrationDirty = undefined;
    this.dropMachine();
    // The target holds every frame itself: the snapshot packs this VM was layered on are given back.
    await this.dropBase();
    this.vmDisks = undefined;
    await this.host.setAlarm(null);
    this.store.atomically(() => {
      this.store.clearFrames();
      this.store.clearBase();
      this.store.delete("machine");
      this.store.put("power", "POWERED_OFF");
      this.store.put("movedTo", movedTo);
    });
  }

  get movedTo(): string | undefined { return this.store.get<string>("movedTo"); }

  /** A fenced source's only record: the VM object it moved to. */
  markMoved(movedTo: string): void {
    this.store.atomically(() => {
      this.store.put("power", "POWERED_OFF");
      this.store.put("movedTo", movedTo);
    });
  }

  /** Target: a new incarnation waiting for frames (it does not run until finished). */
  migrationPrepare(config: VmConfig): { holder: string } {
    this.store.atomically(() => {
      this.store.put("config", config);
      this.store.put("power", "POWERED_OFF");
      this.store.put("incoming", true);
      this.store.clearFrames();
    });
    this.incomingHashes = new Map();
    this.incomingOwner = new Map();
    this.incomingPfns = new Set();
    return { holder: this.host.holder };
  }

  /** Target: frames from the source (data, a zero mark, or a content hash it already holds). */
  migrationFrames(batch: MigrationBatch): Outcome<{ need: number[] }> {
    if (!this.store.get<boolean>("incoming")) return { ok: false, status: 409, code: "wrong_state", message: "this VM object is not receiving a migration" };
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
    const frames = this.config!.memoryMiB * 256;
    let at = 0;
    this.store.atomically(() => {
      batch.pfns.forEach((pfn, i) => {
        const kind = batch.kinds[i];
        const hash = batch.hashes[i] ?? null;
        const data = kind === KIND_DATA ? batch.data.subarray(at, (at += 4096)) : undefined;
        if (!Number.isInteger(pfn) || pfn < 0 || pfn >= frames) return;
        if (kind === KIND_ZERO) { forget(pfn); this.store.deleteFrame(pfn); this.incomingPfns?.delete(pfn); return; }
        if (data) {
          if (data.length !== 4096) return;
          forget(pfn);
          this.store.putFrame(pfn, data);
          this.incomingPfns?.add(pfn);
          if (hash !== null) remember(pfn, hash);
          return;
        }
        // Content named by its hash: copied from the frame last seen with it (if that frame
        // was overwritten since, the source sends the data again).
        const from = hash !== null ? hashes.get(hash) : undefined;
        if (from === pfn) return;
        const bytes = from !== undefined ? this.store.frame(from) : undefined;
        if (bytes && bytes.length === 4096) { forget(pfn); this.store.putFrame(pfn, bytes); owner.set(pfn, hash!); this.incomingPfns?.add(pfn); }
        else need.push(pfn);
      });
    });
    return { ok: true, value: { need } };
  }

  /** Target: the machine state arrives; the VM takes its disks' leases and runs from here. */
  async migrationFinish(pkg: MigrationPackage): Promise<Outcome<{ powerState: PowerState }>> {
    if (!this.store.get<boolean>("incoming")) return { ok: false, status: 409, code: "wrong_state", message: "this VM object is not receiving a migration" };
    this.store.atomically(() => {
      if (pkg.state) this.store.put("machine", pkg.state);
      this.store.put("power", pkg.power);
      this.store.put("hibernated", false);
      this.store.delete("incoming");
      if (pkg.lastError !== undefined) this.store.put("lastError", pkg.lastError);
      // Continues the history sent ahead, or replaces it when it does not line up.
      if (pkg.console.start === this.console.end) {
        this.console.append(pkg.console.tail);
        this.console.persist();
      } else this.console.restart(pkg.console.start, pkg.console.tail);
    });
    this.incomingHashes = undefined;
    this.incomingOwner = undefined;
    // (Set in migrationPrepare: an instance evicted since has none and reads the list back.)
    if (this.incomingPfns) this.knownPfns = this.incomingPfns;
    this.incomingPfns = undefined;
    try {
      // The coordinator handed the disks' leases over to this object (one step per disk).
      if (pkg.leases) { this.store.put("leases", pkg.leases); this.leasesFresh = true; }
      else if (pkg.power !== "POWERED_OFF") await this.ensureLeases();
    } catch (e) {
      return { ok: false, status: 409, code: "disk_locked", message: (e as Error).message };
    }
    if (pkg.power === "POWERED_ON") {
      if (!(await this.ensureMachine())) return { ok: false, status: 409, code: "migration_failed", message: `the migrated state does not resume: ${this.lastError}` };
      this.wake();
    }
    return { ok: true, value: { powerState: this.powerState } };
  }

  /** Writes dirty frames, machine state and console output in one transaction. */
  checkpoint(): void {
    const m = this.machine;
    if (!m) return;
    this.harvest();
    const dirty = [...this.checkpointDirty];
    this.checkpointDirty.clear();
    const state = m.saveState();
    const zero = (b: Uint8Array) => { for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false; return true; };
    const hasBase = this.store.get<BaseLayer>("base") !== undefined;
    let shown: Uint8Array = new Uint8Array(0);
    this.store.atomically(() => {
      // Dirty frames include the ones the guest gave back (balloon), which read as zero now.
      for (const f of dirty) {
        const b = m.frameBytes(f);
        if (b && !zero(b)) this.store.putFrame(f, b);
        else if (hasBase && this.store.baseRef(f)) this.store.putFrame(f, EMPTY);
        else this.store.deleteFrame(f);
      }
      this.store.put("machine", state);
      this.vmDisks?.journal();
      shown = this.console.persist();
    });
    if (shown.length) this.host.broadcast(shown);
    this.lastCheckpoint = this.host.now();
  }
}
