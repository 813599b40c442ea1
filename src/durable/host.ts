// HostObject: one Durable Object per host, created in the host's region (its location hint).
// It is the admission control of its host: VMs placed on it reserve their memory here, one
// request at a time, so two placements can never overcommit it between them.
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.js";

export interface HostStats { id: string; region: string; memoryMiB: number; reservedMiB: number; vms: number }

export type Reservation = { ok: true; value: HostStats } | { ok: false; status: 503 | 409; code: string; message: string };

export class HostObject extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec("CREATE TABLE IF NOT EXISTS meta (id TEXT PRIMARY KEY, region TEXT NOT NULL, memory_mib INTEGER NOT NULL)");
    this.sql.exec("CREATE TABLE IF NOT EXISTS placements (vm TEXT PRIMARY KEY, memory_mib INTEGER NOT NULL)");
  }

  /** Sets the host up, or updates its capacity (idempotent). */
  init(id: string, region: string, memoryMiB: number): HostStats {
    this.sql.exec("INSERT INTO meta (id, region, memory_mib) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET region = excluded.region, memory_mib = excluded.memory_mib", id, region, memoryMiB);
    return this.stats();
  }

  stats(): HostStats {
    const m = this.sql.exec<{ id: string; region: string; memory_mib: number }>("SELECT id, region, memory_mib FROM meta").toArray()[0];
    const p = this.sql.exec<{ n: number; mib: number }>("SELECT COUNT(*) AS n, COALESCE(SUM(memory_mib), 0) AS mib FROM placements").one();
    return { id: m?.id ?? "", region: m?.region ?? "auto", memoryMiB: m?.memory_mib ?? 0, reservedMiB: p.mib, vms: p.n };
  }

  /**
   * Reserves a VM's memory (idempotent per VM); 503 when the host has no room. `host`
   * sets the host up first when it never was (saves a separate init call).
   */
  reserve(vm: string, memoryMiB: number, host?: { id: string; region: string; memoryMiB: number }): Reservation {
    if (host && this.sql.exec("SELECT 1 FROM meta").toArray().length === 0) this.init(host.id, host.region, host.memoryMiB);
    const s = this.stats();
    const have = this.sql.exec<{ memory_mib: number }>("SELECT memory_mib FROM placements WHERE vm = ?", vm).toArray()[0];
    const free = s.memoryMiB - s.reservedMiB + (have?.memory_mib ?? 0);
    if (memoryMiB > free) {
      return { ok: false, status: 503, code: "no_capacity", message: `host ${s.id} has ${free} MiB of memory free; the VM needs ${memoryMiB} MiB` };
    }
    this.sql.exec("INSERT OR REPLACE INTO placements (vm, memory_mib) VALUES (?, ?)", vm, memoryMiB);
    return { ok: true, value: this.stats() };
  }

  release(vm: string): HostStats {
    this.sql.exec("DELETE FROM placements WHERE vm = ?", vm);
    return this.stats();
  }
}
