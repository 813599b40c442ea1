// CoordinatorObject: the one object that moves running VMs between hosts (vMotion) and owns
// the routing from a VM id to its current object (`vms.incarnation` and `vms.host_id` in D1,
// switched with one compare-and-set). A migration runs here as a task: pre-copy rounds while
// the guest runs, stop-and-copy, disk leases handed over, the target resumes, the routing
// switches, the source is fenced. Before the switch any failure aborts and the source runs
// on; after it the target is authoritative. Never both running, never none.
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.js";
import type { PowerState } from "../cluster/power.js";
import type { Outcome, VmConfig } from "./vm-runtime.js";
import type { MigrationPackage } from "./vm-migration.js";
import type { DatastoreApi } from "../storage/datastore/types.js";
import type { FaultPoint } from "../schemas/hosts.js";
import { recordEvent, updateTask, type TaskPatch } from "../storage/task-log.js";

/** The VM object's migration methods, as plain promises (RPC stubs of a union type confuse inference). */
interface VmEnd {
  config(): Promise<VmConfig | undefined>;
  migrationBegin(): Promise<Outcome<{ powerState: PowerState; memoryMiB: number }>>;
  migrationRound(target: string, all: boolean): Promise<Outcome<{ frames: number; bytes: number; ms: number }>>;
  migrationPending(): Promise<number>;
  migrationConsole(target: string): Promise<Outcome<{ bytes: number }>>;
  migrationStop(target: string): Promise<Outcome<{ frames: number; bytes: number; pkg: MigrationPackage }>>;
  migrationAbort(): Promise<void>;
  migrationFenced(movedTo: string): Promise<void>;
  migrationPrepare(config: VmConfig): Promise<{ holder: string }>;
  migrationFinish(pkg: MigrationPackage): Promise<Outcome<{ powerState: PowerState }>>;
  destroy(): Promise<void>;
}

export interface MigrateOptions {
  /** Downtime target in ms (the stop-and-copy starts once the rest fits in it). */
  downtimeMs?: number;
  maxRounds?: number;
  failAt?: FaultPoint;
}

export interface MigrationResult {
  totalMs: number;
  /** From the guest's stop on the source to its resumption on the target. */
  downtimeMs: number;
  /** Then the routing switch (requests reach the target from here on). */
  switchMs: number;
  /** The downtime's parts: the source's stop (disks committed, last frames), the lease handover, the target's resume. */
  steps: { stopMs: number; handoverMs: number; finishMs: number };
  rounds: number;
  bytesSent: number;
  framesPerRound: number[];
  /** Frames written per second while the pre-copy ran. */
  dirtyRate: number;
  /** Bytes per ms the pre-copy moved. */
  transferRate: number;
  cold: boolean;
  powerState: PowerState;
  from: { host: string; incarnation: number };
  to: { host: string; incarnation: number };
}

const DEFAULT_DOWNTIME_MS = 20;
const DEFAULT_MAX_ROUNDS = 10;
/** Longest any one step may take before the migration is given up (before the switch). */
const STEP_TIMEOUT_MS = 60_000;
/** How soon a failed fencing of a source is tried again. */
const FENCE_RETRY_MS = 1000;

class InjectedFault extends Error {
  override name = "InjectedFault";
}

function within<T>(p: PromiseLike<T>, what: string): Promise<Awaited<T>> {
  let t: ReturnType<typeof setTimeout> | null = null;
  const timeout = new Promise<never>((_, rej) => { t = setTimeout(() => rej(new Error(`${what} timed out after ${STEP_TIMEOUT_MS} ms`)), STEP_TIMEOUT_MS); });
  return Promise.race([Promise.resolve(p) as Promise<Awaited<T>>, timeout]).finally(() => { if (t !== null) clearTimeout(t); });
}

export class CoordinatorObject extends DurableObject<Env> {
  /** VMs being migrated right now (one migration per VM at a time). */
  private readonly active = new Set<string>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS fences (source TEXT PRIMARY KEY, moved_to TEXT NOT NULL)");
  }

  /** Sources whose fencing failed after a switch: fenced again until it lands. */
  override async alarm(): Promise<void> {
    const rows = this.ctx.storage.sql.exec<{ source: string; moved_to: string }>("SELECT source, moved_to FROM fences").toArray();
    for (const r of rows) {
      try {
        await (this.env.VM.get(this.env.VM.idFromName(r.source)) as unknown as VmEnd).migrationFenced(r.moved_to);
        this.ctx.storage.sql.exec("DELETE FROM fences WHERE source = ?", r.source);
      } catch (e) {
        console.error(`fencing ${r.source} failed again: ${(e as Error).message}`);
      }
    }
    if (this.ctx.storage.sql.exec("SELECT 1 FROM fences").toArray().length) await this.ctx.storage.setAlarm(Date.now() + FENCE_RETRY_MS);
  }

  /** Starts migrating `vmId` to `hostId` as task `taskId` (the task row exists); answers at once. */
  async migrate(taskId: string, vmId: string, hostId: string, opts: MigrateOptions = {}): Promise<{ ok: true } | { ok: false; status: 409; message: string }> {
    if (this.active.has(vmId)) return { ok: false, status: 409, message: `VM ${vmId} is already being migrated` };
    this.active.add(vmId);
    const run = this.run(taskId, vmId, hostId, opts).finally(() => this.active.delete(vmId));
    this.ctx.waitUntil(run);
    return { ok: true };
  }

  /** Runs a migration to the end and returns its task's result (tests and the CLI poll the task instead). */
  async migrateNow(taskId: string, vmId: string, hostId: string, opts: MigrateOptions = {}): Promise<void> {
    if (this.active.has(vmId)) throw new Error(`VM ${vmId} is already being migrated`);
    this.active.add(vmId);
    try { await this.run(taskId, vmId, hostId, opts); } finally { this.active.delete(vmId); }
  }

  /** The migration task's row (queued by the route that started it). */
  private task(taskId: string, vmId: string, patch: TaskPatch): Promise<void> {
    return updateTask(this.env.DB, { id: taskId, kind: "migrate", entityId: vmId }, patch);
  }

  private async run(taskId: string, vmId: string, hostId: string, opts: MigrateOptions): Promise<void> {
    await this.task(taskId, vmId, { state: "running" });
    try {
      const result = await this.protocol(taskId, vmId, hostId, opts);
      await this.task(taskId, vmId, { state: "succeeded", progress: 100, result });
    } catch (e) {
      const err = e as Error;
      await this.task(taskId, vmId, { state: "failed", error: { code: err instanceof InjectedFault ? "injected_fault" : "migration_failed", message: err.message } })
        .catch((x) => console.error("task bookkeeping failed", x));
    }
  }

  private fault(opts: MigrateOptions, at: FaultPoint): void {
    if (opts.failAt === at && this.env.EDGEVISOR_TEST_FAULTS === "1") throw new InjectedFault(`injected failure at ${at}`);
  }

  private async protocol(taskId: string, vmId: string, hostId: string, opts: MigrateOptions): Promise<MigrationResult> {
    const t0 = Date.now();
    const db = this.env.DB;
    const vm = await db.prepare("SELECT id, host_id, incarnation, memory_mib FROM vms WHERE id = ?").bind(vmId).first<{ id: string; host_id: string; incarnation: number; memory_mib: number }>();
    if (!vm) throw new Error(`VM ${vmId} does not exist`);
    const host = await db.prepare("SELECT id, region, memory_mib, state FROM hosts WHERE id = ?").bind(hostId).first<{ id: string; region: string; memory_mib: number; state: string }>();
    if (!host) throw new Error(`host ${hostId} does not exist`);
    if (vm.host_id === hostId) throw new Error(`VM ${vmId} is on host ${hostId} already`);
    const fromName = `${vm.id}#${vm.incarnation}`;
    const toName = `${vm.id}#${vm.incarnation + 1}`;
    const src = this.env.VM.get(this.env.VM.idFromName(fromName)) as unknown as VmEnd;
    const region = host.region;
    const dst = this.env.VM.get(this.env.VM.idFromName(toName), region !== "auto" ? { locationHint: region as DurableObjectLocationHint } : {}) as unknown as VmEnd;
    const hosts = this.env.HOST;
    const targetHost = hosts.get(hosts.idFromName(hostId));
    const reserved = await targetHost.reserve(vmId, vm.memory_mib, { id: host.id, region: host.region, memoryMiB: host.memory_mib });
    if (!reserved.ok) throw new Error(reserved.message);

    let switched = false;
    let stopped = false;
    let handedOver = false;
    const disks = (await db.prepare("SELECT id, datastore_id FROM disks WHERE vm_id = ?").bind(vmId).all<{ id: string; datastore_id: string }>()).results;
    try {
      const config = await within(src.config(), "reading the VM's configuration");
      if (!config) throw new Error(`VM ${vmId} has no object (incarnation ${vm.incarnation})`);
      const begin = await within(src.migrationBegin(), "starting on the source");
      if (!begin.ok) throw new Error(begin.message);
      const { holder } = await within(dst.migrationPrepare(config), "preparing the target");
      this.fault(opts, "prepare");
      const history = await within(src.migrationConsole(toName), "sending the console history");
      if (!history.ok) throw new Error(history.message);
      const cold = begin.value.powerState !== "POWERED_ON";

      // Pre-copy: everything once, then what the guest wrote meanwhile, until the rest fits
      // in the downtime target at the rate measured so far (or the round limit).
      const framesPerRound: number[] = [];
      let bytesSent = history.value.bytes;
      let copyMs = 0;
      const first = await within(src.migrationRound(toName, true), "the first pre-copy round");
      if (!first.ok) throw new Error(first.message);
      framesPerRound.push(first.value.frames);
      bytesSent += first.value.bytes;
      copyMs += first.value.ms;
      const totalFrames = Math.max(1, first.value.frames);
      const target = opts.downtimeMs ?? DEFAULT_DOWNTIME_MS;
      const maxRounds = opts.maxRounds ?? DEFAULT_MAX_ROUNDS;
      let dirtied = 0;
      const preStart = Date.now();
      while (!cold && framesPerRound.length < maxRounds) {
        const pending = await within(src.migrationPending(), "asking for written frames");
        const rate = bytesSent / Math.max(1, copyMs); // bytes per ms
        if ((pending * 4096) / Math.max(rate, 1) <= target) break;
        const r = await within(src.migrationRound(toName, false), "a pre-copy round");
        if (!r.ok) throw new Error(r.message);
        framesPerRound.push(r.value.frames);
        dirtied += r.value.frames;
        bytesSent += r.value.bytes;
        copyMs += r.value.ms;
        this.fault(opts, "precopy");
        await this.task(taskId, vmId, { progress: Math.min(80, 10 + (70 * framesPerRound.length) / maxRounds) });
      }
      const preMs = Math.max(1, Date.now() - preStart);
      this.fault(opts, "precopy");

      // Stop-and-copy: the guest pauses; its disks are committed; the rest goes over.
      const tStop = Date.now();
      stopped = true;
      const stop = await within(src.migrationStop(toName), "stopping the source");
      if (!stop.ok) throw new Error(stop.message);
      framesPerRound.push(stop.value.frames);
      bytesSent += stop.value.bytes + stop.value.pkg.console.tail.length;
      const stopMs = Date.now() - tStop;
      this.fault(opts, "stop");

      // The disks change hands in one step each: the source's epoch goes stale, the target
      // holds the write lease with the new one.
      const leases: Record<string, number> = {};
      handedOver = disks.length > 0;
      await Promise.all(disks.map(async (d) => {
        const ds = this.env.DATASTORE.get(this.env.DATASTORE.idFromName(d.datastore_id)) as unknown as Pick<DatastoreApi, "transferLease">;
        const r = await within(ds.transferLease(d.id, holder), `handing over disk ${d.id}`);
        if (!r.ok) throw new Error(`disk ${d.id}: ${r.message}`);
        leases[d.id] = r.value.epoch;
      }));
      if (stop.value.pkg.power !== "POWERED_OFF") stop.value.pkg.leases = leases;
      this.fault(opts, "handover");
      const handoverMs = Date.now() - tStop - stopMs;

      const fin = await within(dst.migrationFinish(stop.value.pkg), "resuming on the target");
      if (!fin.ok) throw new Error(fin.message);
      // The guest runs again: the downtime is from its stop on the source to here.
      const downtimeMs = Date.now() - tStop;
      const steps = { stopMs, handoverMs, finishMs: downtimeMs - stopMs - handoverMs };
      this.fault(opts, "finish");
      const tSwitch = Date.now();

      // The switch: from here on the target is the VM.
      const sw = await db.prepare("UPDATE vms SET incarnation = ?, host_id = ?, power_state = ?, updated_at = ? WHERE id = ? AND incarnation = ?")
        .bind(vm.incarnation + 1, hostId, fin.value.powerState, Date.now(), vmId, vm.incarnation).run();
      if (sw.meta.changes !== 1) throw new Error(`VM ${vmId} changed while it migrated (incarnation is no longer ${vm.incarnation})`);
      switched = true;
      const switchMs = Date.now() - tSwitch;
      try {
        this.fault(opts, "switch");
        await within(src.migrationFenced(toName), "fencing the source");
      } catch (e) {
        // The source stays stopped (its stop is persisted); the target is authoritative.
        // Fencing is tried again by the alarm until it lands.
        console.error(`fencing ${fromName} failed: ${(e as Error).message}`);
        this.ctx.storage.sql.exec("INSERT OR REPLACE INTO fences (source, moved_to) VALUES (?, ?)", fromName, toName);
        await this.ctx.storage.setAlarm(Date.now() + FENCE_RETRY_MS);
      }
      await hosts.get(hosts.idFromName(vm.host_id)).release(vmId).catch(() => undefined);
      await recordEvent(db, "vm.migrated", vmId, `migrated from ${vm.host_id} to ${hostId} (downtime ${downtimeMs} ms)`);
      return {
        totalMs: Date.now() - t0, downtimeMs, switchMs, steps, rounds: framesPerRound.length, bytesSent, framesPerRound,
        dirtyRate: Math.round((dirtied * 1000) / preMs), transferRate: Math.round(bytesSent / Math.max(1, copyMs)),
        cold, powerState: fin.value.powerState,
        from: { host: vm.host_id, incarnation: vm.incarnation }, to: { host: hostId, incarnation: vm.incarnation + 1 },
      };
    } catch (e) {
      if (!switched) {
        // Before the switch the source is the VM: the target goes, the source runs on (the
        // leases the target was given are broken first, so the source can take them back).
        if (handedOver) {
          for (const d of disks) {
            const ds = this.env.DATASTORE.get(this.env.DATASTORE.idFromName(d.datastore_id)) as unknown as Pick<DatastoreApi, "revokeLease">;
            await ds.revokeLease(d.id).catch(() => undefined);
          }
        }
        await dst.destroy().catch(() => undefined);
        await src.migrationAbort().catch((x) => console.error(`aborting on ${fromName} failed`, x));
        await targetHost.release(vmId).catch(() => undefined);
        if (stopped) console.error(`migration of ${vmId} aborted after the stop: ${(e as Error).message}`);
      }
      throw e;
    }
  }
}
