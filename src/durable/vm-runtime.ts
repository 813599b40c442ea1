// The life of one VM inside its Durable Object: boots or restores the machine, runs it in
// short slices that yield to other events, paces idle time against wall time, checkpoints
// dirty frames and device state, hibernates when idle, and applies power actions. The
// Durable Object class (vm.ts) is a thin shell that forwards RPC, alarms and WebSockets here.

import { VirtMachine, type VirtState } from "../machine/virt.js";
import { hartModule } from "../machine/core/hart-module.workerd.js";
import { transition, type PowerAction, type PowerState } from "../cluster/power.js";
import { IdlePacer } from "../cluster/pacer.js";
import { CheckpointStore } from "../storage/checkpoint-store.js";
import { ConsoleLog } from "../storage/console-log.js";

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
}

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
  /** Frames saved in the checkpoint (to drop the ones the guest gave back). */
  private persisted = new Set<number>();
  private lastError: string | undefined;
  private unsent: Uint8Array[] = [];
  readonly console: ConsoleLog;
  private readonly store: CheckpointStore;

  constructor(storage: DurableObjectStorage, private readonly host: RuntimeHost) {
    this.store = new CheckpointStore(storage);
    this.console = new ConsoleLog(storage.sql);
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
      running: m !== undefined,
      hibernated: this.hibernated,
      instructions: m ? m.hart.instret.toString() : undefined,
      residentFrames: m ? m.hart.framesInUse : 0,
      hostMemoryBytes: m ? m.hart.hostMemoryBytes : 0,
      checkpointBytes: this.store.bytes(),
      consoleBytes: this.console.end,
      viewers: this.host.viewers(),
      lastError: this.lastError,
    };
  }

  async power(action: PowerAction): Promise<Outcome<{ powerState: PowerState }>> {
    const from = this.powerState;
    const t = transition(from, action);
    if (!t.ok) return { ok: false, status: 409, code: "wrong_state", message: t.message };
    try {
      if (action === "stop") await this.powerOff("stopped by the API");
      else if (action === "suspend") await this.suspend();
      else if (action === "reset") { await this.boot("reset"); this.checkpoint(); this.wake(); }
      else if (from === "SUSPENDED") await this.resume();
      else await this.powerOn();
    } catch (e) {
      this.lastError = (e as Error).message;
      return { ok: false, status: 422, code: "boot_failed", message: `cannot ${action}: ${(e as Error).message}` };
    }
    return { ok: true, value: { powerState: this.powerState } };
  }

  /** Console input from the API or a viewer; wakes the VM. */
  async input(bytes: Uint8Array): Promise<Outcome<{ accepted: number }>> {
    if (this.powerState !== "POWERED_ON") {
      return { ok: false, status: 409, code: "wrong_state", message: `the VM is ${this.powerState}; console input needs POWERED_ON` };
    }
    await this.ensureMachine();
    this.machine!.input(bytes);
    this.wake();
    return { ok: true, value: { accepted: bytes.length } };
  }

  /** Any request to a powered-on VM brings it back from hibernation or eviction. */
  async touch(): Promise<void> {
    if (this.powerState !== "POWERED_ON") return;
    await this.ensureMachine();
    this.wake();
  }

  async alarm(): Promise<void> {
    if (this.powerState !== "POWERED_ON") return;
    if (this.hibernated && !this.machine) return;
    await this.ensureMachine();
    await this.loop();
  }

  /** Called when the object is deleted: nothing may keep running. */
  async destroy(): Promise<void> {
    this.machine = undefined;
    this.wakeInline?.();
    await this.host.setAlarm(null);
  }

  // ---- power ----------------------------------------------------------------------------

  private async powerOn(): Promise<void> {
    await this.boot("powered on");
    this.store.put("power", "POWERED_ON");
    this.checkpoint();
    await this.host.powerChanged("POWERED_ON", "powered on");
    this.wake();
  }

  private async resume(): Promise<void> {
    this.store.put("power", "POWERED_ON");
    this.store.put("hibernated", false);
    await this.ensureMachine();
    await this.host.powerChanged("POWERED_ON", "resumed");
    this.wake();
  }

  private async suspend(): Promise<void> {
    await this.ensureMachine();
    this.checkpoint();
    this.store.put("power", "SUSPENDED");
    this.dropMachine();
    await this.host.setAlarm(null);
    await this.host.powerChanged("SUSPENDED", "suspended");
  }

  private async powerOff(reason: string): Promise<void> {
    this.dropMachine();
    this.store.atomically(() => {
      this.store.clearFrames();
      this.store.delete("machine");
      this.store.put("hibernated", false);
      this.store.put("power", "POWERED_OFF");
      this.console.persist();
    });
    this.persisted.clear();
    await this.host.setAlarm(null);
    await this.host.powerChanged("POWERED_OFF", reason);
  }

  private dropMachine(): void {
    this.machine = undefined;
    this.sleepingUntil = undefined;
    this.idleSince = undefined;
    this.wakeInline?.();
  }

  /** Boots the kernel into a fresh machine (power-on, reset, guest reboot). */
  private async boot(reason: string): Promise<void> {
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
      maxResidentFrames: cfg.memoryMiB * 256,
    });
    this.pacer = new IdlePacer(this.host.now(), this.machine.hart.clock);
    this.sleepingUntil = undefined;
    this.idleSince = undefined;
    this.lastError = undefined;
    // A fresh boot replaces the whole checkpoint.
    this.store.clearFrames();
    this.persisted.clear();
    this.store.put("hibernated", false);
    void reason;
  }

  /** Brings the machine into memory from the checkpoint (after eviction or hibernation). */
  private async ensureMachine(): Promise<void> {
    if (this.machine) return;
    const cfg = this.config!;
    const state = this.store.get<VirtState>("machine");
    if (!state) {
      // Powered on but never checkpointed (evicted during boot): boot again.
      await this.boot("restarted after eviction");
      this.checkpoint();
      return;
    }
    const pfns = this.store.pfns();
    this.machine = new VirtMachine(hartModule, {
      memoryMiB: cfg.memoryMiB,
      kernel: new Uint8Array(0),
      console: { write: (b) => this.output(b) },
      decodeSlots: DECODE_SLOTS,
      maxResidentFrames: cfg.memoryMiB * 256,
      restore: { state, lazy: { indices: pfns, load: (f) => this.store.frame(f) } },
    });
    this.persisted = new Set(pfns);
    this.pacer = new IdlePacer(this.host.now(), this.machine.hart.clock);
    this.sleepingUntil = undefined;
    this.idleSince = undefined;
    this.console.dropPending();
    if (this.hibernated) this.store.put("hibernated", false);
  }

  // ---- running ---------------------------------------------------------------------------

  private output(bytes: Uint8Array): void {
    this.console.append(bytes);
    this.unsent.push(bytes.slice());
  }

  /** Sends the output of the last slice to the viewers as one message. */
  private flushViewers(): void {
    if (this.unsent.length === 0) return;
    const parts = this.unsent;
    this.unsent = [];
    let n = 0;
    for (const p of parts) n += p.length;
    const all = new Uint8Array(n);
    n = 0;
    for (const p of parts) { all.set(p, n); n += p.length; }
    this.host.broadcast(all);
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
      const batchStart = this.host.now();
      // If evicted mid-batch, the alarm restarts the VM from its checkpoint.
      await this.host.setAlarm(batchStart + 2 * BATCH_MS + 1000);
      this.catchUpSleep();
      while (this.machine && this.powerState === "POWERED_ON") {
        if (this.host.now() - batchStart > BATCH_MS) {
          await this.host.setAlarm(this.host.now());
          return;
        }
        const m = this.machine;
        const r = m.run(SLICE);
        this.flushViewers();
        if (m.hart.lazyFaultError) throw new Error(`checkpoint frame unreadable: ${m.hart.lazyFaultError}`);
        if (r.kind === "poweroff") { await this.powerOff("the guest powered off"); return; }
        if (r.kind === "reboot") { await this.boot("the guest rebooted"); this.checkpoint(); continue; }
        if (r.kind === "out-of-memory") {
          this.lastError = `guest RAM exceeded the VM's resident cap (${this.config!.memoryMiB} MiB)`;
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
    if (noViewers && now - this.idleSince >= cfg.idleTimeoutMs) {
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

  private async hibernate(): Promise<void> {
    this.checkpoint();
    this.store.put("hibernated", true);
    this.dropMachine();
    await this.host.setAlarm(null);
  }

  /** Writes dirty frames, machine state and console output in one transaction. */
  checkpoint(): void {
    const m = this.machine;
    if (!m) return;
    const dirty = m.dirtyFrames();
    const state = m.saveState();
    const zero = (b: Uint8Array) => { for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false; return true; };
    this.store.atomically(() => {
      const seen = new Set<number>();
      for (const f of dirty) {
        seen.add(f);
        const b = m.frameBytes(f);
        if (b && !zero(b)) { this.store.putFrame(f, b); this.persisted.add(f); }
        else if (this.persisted.delete(f)) this.store.deleteFrame(f);
      }
      // Frames the guest gave back (balloon) read as zero now.
      for (const f of [...this.persisted]) {
        if (!seen.has(f) && !m.hart.isLazy(f) && m.hart.frame(f) === undefined) {
          this.store.deleteFrame(f);
          this.persisted.delete(f);
        }
      }
      this.store.put("machine", state);
      this.console.persist();
    });
    this.lastCheckpoint = this.host.now();
  }
}
