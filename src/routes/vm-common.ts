// Shared by the VM routes: the VM's Durable Object stub (per incarnation), the VM's JSON
// form, lookup with 404, and turning an RPC outcome into an answer or an ApiError.
import { eq } from "drizzle-orm";
import type { Env } from "../env.js";
import { openDb, schema } from "../storage/db/index.js";
import { ApiError, notFound } from "../errors.js";
import type { Outcome } from "../durable/vm-runtime.js";

export type VmRow = typeof schema.vms.$inferSelect;

export function vmStub(env: Env, row: Pick<VmRow, "id" | "incarnation">) {
  return env.VM.get(env.VM.idFromName(`${row.id}#${row.incarnation}`));
}

export function vmJson(row: VmRow) {
  return {
    id: row.id,
    name: row.name,
    host: row.hostId,
    powerState: row.powerState,
    memoryMiB: row.memoryMiB,
    vcpus: row.vcpus,
    boot: JSON.parse(row.boot) as { kernel: string; initrd?: string; cmdline?: string },
    clonedFrom: row.clonedFrom ?? undefined,
    createdAt: new Date(row.createdAt).toISOString(),
  };
}

export async function findVm(env: Env, id: string): Promise<VmRow> {
  const [row] = await openDb(env.DB).select().from(schema.vms).where(eq(schema.vms.id, id));
  if (!row) {
    lastSeen.delete(id);
    throw notFound("VM", id);
  }
  noteVm(row);
  return row;
}

/**
 * The object each VM was last seen in by this isolate (id → incarnation): a guess that lets
 * the console route skip D1. Only a guess: an object that holds no VM (deleted, or migrated
 * away) refuses the connection, and the route then asks D1.
 */
const lastSeen = new Map<string, number>();
const LAST_SEEN_MAX = 10_000;

export function noteVm(row: Pick<VmRow, "id" | "incarnation">): void {
  lastSeen.delete(row.id);
  lastSeen.set(row.id, row.incarnation);
  if (lastSeen.size > LAST_SEEN_MAX) lastSeen.delete(lastSeen.keys().next().value!);
}

export function forgetVm(id: string): void {
  lastSeen.delete(id);
}

/** Where the VM's object probably is, without a D1 query; undefined when unknown. */
export function guessVm(id: string): Pick<VmRow, "id" | "incarnation"> | undefined {
  const incarnation = lastSeen.get(id);
  return incarnation === undefined ? undefined : { id, incarnation };
}

export function unwrap<T>(o: Outcome<T>): T {
  if (o.ok) return o.value;
  throw new ApiError(o.status, o.code, o.message);
}

