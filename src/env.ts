// The Worker's bindings and configuration variables (wrangler.toml, .dev.vars).
import type { VmObject } from "./durable/vm.js";
import type { DatastoreObject } from "./durable/datastore.js";
import type { HostObject } from "./durable/host.js";
import type { CoordinatorObject } from "./durable/coordinator.js";

export interface Env {
  DB: D1Database;
  /** Immutable, content-addressed data: image chunks, snapshot frame packs. */
  BLOBS: KVNamespace;
  /** Mutable blobs (disk chunks). */
  DISKS: R2Bucket;
  VM: DurableObjectNamespace<VmObject>;
  /** One object per datastore (by name = datastore id): disks, extent maps, leases (src/durable/datastore.ts). */
  DATASTORE: DurableObjectNamespace<DatastoreObject>;
  /** One object per host (by name = host id), in the host's region: admission control. */
  HOST: DurableObjectNamespace<HostObject>;
  /** The one coordinator (name "coordinator"): migrations and the VM routing switch. */
  COORDINATOR: DurableObjectNamespace<CoordinatorObject>;
  /** Bearer token of the built-in admin user (.dev.vars locally, a secret in production). */
  EDGEVISOR_ADMIN_TOKEN?: string;
  EDGEVISOR_MAX_IMAGE_BYTES?: string;
  EDGEVISOR_MAX_VM_MEMORY_MIB?: string;
  EDGEVISOR_IDLE_TIMEOUT_SECONDS?: string;
  EDGEVISOR_MAX_RESIDENT_MIB?: string;
  /** "1" lets POST /api/vms/:id/migrate inject failures (`failAt`); tests only. */
  EDGEVISOR_TEST_FAULTS?: string;
}

/** Reads a positive integer setting, falling back when unset or malformed. */
export function intSetting(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isSafeInteger(n) && n > 0 ? n : fallback;
}
