// VmObject: one Durable Object per VM incarnation. A thin shell: one start-up gate, typed
// RPC methods for the Worker, the console WebSocket (hibernatable, many viewers, input from
// any) and the alarm; the VM's life itself is VmRuntime (vm-runtime.ts).
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.js";
import type { PowerAction, PowerState } from "../cluster/power.js";
import { VmRuntime, type RuntimeHost, type CapturedSnapshot, type Outcome, type VmConfig } from "./vm-runtime.js";
import { readBlob } from "../storage/image-store.js";
import type { DiskAttachment } from "./vm-disks.js";
import type { MigrationBatch, MigrationPackage } from "./vm-migration.js";

const decoder = new TextDecoder();

export class VmObject extends DurableObject<Env> {
  private rt: VmRuntime;
  /** Console output goes to viewers as text; a streaming decoder keeps split UTF-8 intact. */
  private readonly viewerText = new TextDecoder();
  private reports: Promise<void> = Promise.resolve();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.rt = this.runtime();
  }

  /** The VM's runtime over this object's storage (made again once the storage is wiped). */
  private runtime(): VmRuntime {
    const { ctx, env } = this;
    const rt = () => this.rt;
    return new VmRuntime(ctx.storage, {
      now: () => Date.now(),
      loadBlob: (sha) => readBlob(env.BLOBS, sha),
      broadcast: (bytes) => {
        const text = this.viewerText.decode(bytes, { stream: true });
        if (!text) return;
        for (const ws of ctx.getWebSockets()) {
          try { ws.send(text); } catch { /* a closing socket */ }
        }
      },
      viewers: () => ctx.getWebSockets().length,
      setAlarm: async (at) => { if (at === null) await ctx.storage.deleteAlarm(); else await ctx.storage.setAlarm(at); },
      // Inventory updates are queued in order and not waited for.
      powerChanged: async (state, reason) => {
        this.reports = this.reports.then(() => this.report(state, reason)).catch((e) => console.error("power report failed", e));
      },
      blobs: env.BLOBS,
      db: env.DB,
      datastore: (id) => env.DATASTORE.get(env.DATASTORE.idFromName(id)),
      vm: (name) => env.VM.get(env.VM.idFromName(name)) as unknown as ReturnType<RuntimeHost["vm"]>,
      bucket: env.DISKS,
      // The lease holder's name: the VM and this object (one per incarnation).
      get holder() { return `${rt().config?.id ?? "vm"}@${ctx.id.toString().slice(0, 16)}`; },
      randomSeed: () => new DataView(crypto.getRandomValues(new Uint8Array(8)).buffer).getBigUint64(0),
    });
  }

  create(config: VmConfig): void {
    this.rt.create(config);
  }

  /**
   * Starts this object ahead of need, as a spare (routes/vm-spares.ts): true when it holds
   * no VM. A spare still holding none after `expiryMs` deletes its storage (alarm).
   */
  async warm(expiryMs: number): Promise<boolean> {
    if (this.rt.config || this.rt.store.get<string>("movedTo")) return false;
    if (this.rt.store.get<boolean>("spare") === undefined) {
      this.rt.store.put("spare", true);
      await this.ctx.storage.setAlarm(Date.now() + expiryMs);
    }
    return true;
  }

  config(): VmConfig | undefined {
    return this.rt.config;
  }

  /** Power state and live figures; `stats.hibernated` says whether this call found it asleep (it wakes it). */
  async info(): Promise<{ powerState: PowerState; stats: ReturnType<VmRuntime["stats"]> }> {
    const asleep = this.rt.hibernated;
    await this.rt.touch();
    return { powerState: this.rt.powerState, stats: { ...this.rt.stats(), hibernated: asleep } };
  }

  async power(action: PowerAction): Promise<Outcome<{ powerState: PowerState }>> {
    return this.rt.power(action);
  }

  /**
   * A memory snapshot of this VM (the caller records and retains it); with `snapshotId`, its
   * disks are committed and frozen under that id at the same instant.
   */
  async captureSnapshot(snapshotId?: string): Promise<Outcome<CapturedSnapshot>> {
    return this.rt.snapshots.captureSnapshot(snapshotId);
  }

  /** A snapshot of the disks alone (powered off, or memory: false). */
  async snapshotDisks(snapshotId: string): Promise<Outcome<{ disks: { disk: string; layer: string }[] }>> {
    return this.rt.snapshots.snapshotDisks(snapshotId);
  }

  /** A powered-off VM's disks back to a snapshot. */
  async revertDisks(snapshotId: string): Promise<Outcome<null>> {
    return this.rt.snapshots.revertDisks(snapshotId);
  }

  /** Replaces the disk list (add, extend, remove while powered off). */
  async setDisks(disks: DiskAttachment[]): Promise<Outcome<null>> {
    return this.rt.setDisks(disks);
  }

  /**
   * A new VM that continues from a memory snapshot (one call: create, then apply). The
   * caller writes the inventory row and counts the pack references in one D1 batch, so
   * neither happens here.
   */
  async createFromSnapshot(config: VmConfig, manifest: string, powerOn: boolean): Promise<Outcome<{ powerState: PowerState }>> {
    this.rt.create(config);
    return this.rt.snapshots.applySnapshot(manifest, powerOn, true, true);
  }

  /** Continues from one of its memory snapshots (a revert). */
  async applySnapshot(manifest: string, powerOn: boolean, diskSnapshot?: string): Promise<Outcome<{ powerState: PowerState }>> {
    return this.rt.snapshots.applySnapshot(manifest, powerOn, false, false, diskSnapshot);
  }

  async consoleOutput(from: number, max?: number): Promise<{ data: string; start: number; next: number }> {
    await this.rt.touch();
    const r = this.rt.console.read(from, max);
    return { data: decoder.decode(r.data), start: r.start, next: r.next };
  }

  async consoleInput(bytes: Uint8Array): Promise<Outcome<{ accepted: number }>> {
    return this.rt.input(bytes);
  }

  // ---- live migration (driven by the CoordinatorObject) ----

  async migrationBegin(): Promise<Outcome<{ powerState: PowerState; memoryMiB: number }>> {
    return this.rt.migration.migrationBegin();
  }

  async migrationRound(target: string, all: boolean): Promise<Outcome<{ frames: number; bytes: number; ms: number }>> {
    return this.rt.migration.migrationRound(target, all);
  }

  async migrationPending(): Promise<number> {
    return this.rt.migration.migrationPending();
  }

  async migrationStop(target: string): Promise<Outcome<{ frames: number; bytes: number; pkg: MigrationPackage }>> {
    return this.rt.migration.migrationStop(target);
  }

  async migrationAbort(): Promise<void> {
    await this.rt.migration.migrationAbort();
  }

  /** The VM runs in `movedTo` now: viewers are told where the output went on (their next offset). */
  async migrationFenced(movedTo: string): Promise<void> {
    const end = this.rt.console.end;
    await this.rt.migration.migrationFenced(movedTo);
    for (const ws of this.ctx.getWebSockets()) {
      try { ws.close(4001, `moved ${end}`); } catch { /* already closed */ }
    }
    // Everything else this object stored goes; it keeps only where the VM went.
    await this.ctx.storage.deleteAll();
    this.rt = this.runtime();
    this.rt.migration.markMoved(movedTo);
  }

  migrationPrepare(config: VmConfig): { holder: string } {
    return this.rt.migration.migrationPrepare(config);
  }

  async migrationConsole(target: string): Promise<Outcome<{ bytes: number }>> {
    return this.rt.migration.migrationConsole(target);
  }

  migrationConsoleHistory(start: number, tail: Uint8Array): Outcome<null> {
    return this.rt.migration.migrationConsoleHistory(start, tail);
  }

  migrationFrames(batch: MigrationBatch): Outcome<{ need: number[] }> {
    return this.rt.migration.migrationFrames(batch);
  }

  async migrationFinish(pkg: MigrationPackage): Promise<Outcome<{ powerState: PowerState }>> {
    return this.rt.migration.migrationFinish(pkg);
  }

  /** Removes everything the object stores (the VM is deleted). */
  async destroy(): Promise<void> {
    await this.rt.destroy();
    for (const ws of this.ctx.getWebSockets()) ws.close(1001, "the VM was deleted");
    await this.ctx.storage.deleteAll();
    // A later call finds an empty VM object (powered off, no config), not missing tables.
    this.rt = this.runtime();
  }

  override async alarm(): Promise<void> {
    // A spare no clone took (warm): nothing of it stays.
    if (!this.rt.config && this.rt.store.get<boolean>("spare")) {
      await this.ctx.storage.deleteAll();
      return;
    }
    await this.rt.alarm();
  }

  /** The console WebSocket (text messages both ways): `?from=N` replays the output from byte N first. */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response("expected a WebSocket upgrade", { status: 426 });
    }
    // Deleted, migrated away, or never created: the caller's route to this object is stale.
    if (!this.rt.config) return new Response("this object holds no VM", { status: 404 });
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server);
    const from = new URL(request.url).searchParams.get("from");
    if (from !== null && /^\d+$/.test(from)) {
      for (let at = Number(from); at < this.rt.console.end;) {
        const r = this.rt.console.read(at, 256 * 1024);
        if (r.data.length === 0) break;
        server.send(new TextDecoder().decode(r.data));
        at = r.next;
      }
    }
    await this.rt.touch();
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(_ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const bytes = typeof message === "string" ? new TextEncoder().encode(message) : new Uint8Array(message);
    await this.rt.input(bytes);
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    try { ws.close(code === 1005 ? 1000 : code, "bye"); } catch { /* already closed */ }
  }

  /** Keeps the inventory's copy of the power state current (guest power-off included). */
  private async report(state: PowerState, reason: string): Promise<void> {
    const id = this.rt.config?.id;
    if (!id) return;
    const at = Date.now();
    await this.env.DB.batch([
      this.env.DB.prepare("UPDATE vms SET power_state = ?, updated_at = ? WHERE id = ?").bind(state, at, id),
      this.env.DB.prepare("INSERT INTO events (at, kind, entity_id, message) VALUES (?, 'vm.power', ?, ?)").bind(at, id, `${state}: ${reason}`),
    ]);
  }
}
