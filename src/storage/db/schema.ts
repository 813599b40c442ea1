// The inventory in D1 (drizzle schema; migrations/ is generated from it by drizzle-kit).
// Durable Objects hold the live state of their VM; these rows are the catalogue the API
// lists and the tree permissions will hang from: datacenter → cluster → host → VM.
import { sqliteTable, text, integer, index, uniqueIndex } from "drizzle-orm/sqlite-core";

const created = () => integer("created_at", { mode: "number" }).notNull();

export const datacenters = sqliteTable("datacenters", {
  id: text("id").primaryKey(),
  name: text("name").notNull().unique(),
  createdAt: created(),
});

export const clusters = sqliteTable("clusters", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  datacenterId: text("datacenter_id").notNull().references(() => datacenters.id),
  /** JSON: HA settings. */
  ha: text("ha").notNull().default("{}"),
  /** JSON: DRS settings. */
  drs: text("drs").notNull().default("{}"),
  createdAt: created(),
});

export const hosts = sqliteTable("hosts", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  clusterId: text("cluster_id").notNull().references(() => clusters.id),
  /** Durable Object location hint (wnam, enam, weur, ...). */
  region: text("region").notNull(),
  memoryMiB: integer("memory_mib").notNull(),
  /** connected | maintenance */
  state: text("state").notNull().default("connected"),
  createdAt: created(),
});

export const images = sqliteTable("images", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  /** kernel | initrd | disk | firmware */
  kind: text("kind").notNull(),
  size: integer("size").notNull(),
  sha256: text("sha256").notNull(),
  /** Base64 Ed25519 signature given at upload (Secure Boot), if any. */
  signature: text("signature"),
  createdAt: created(),
}, (t) => [index("images_sha256").on(t.sha256)]);

export const vms = sqliteTable("vms", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  hostId: text("host_id").notNull().references(() => hosts.id),
  memoryMiB: integer("memory_mib").notNull(),
  vcpus: integer("vcpus").notNull().default(1),
  /** JSON: {kernel, initrd?, cmdline?}. */
  boot: text("boot").notNull(),
  /** POWERED_ON | POWERED_OFF | SUSPENDED, as last reported by the VM's object. */
  powerState: text("power_state").notNull(),
  /** Incarnation of the VM's Durable Object (a migration creates a new one). */
  incarnation: integer("incarnation").notNull().default(0),
  /** JSON: the VM object's settings (idleTimeoutMs, maxResidentMiB), copied by clones. */
  settings: text("settings").notNull().default("{}"),
  /** The snapshot this VM was cloned from, if any. */
  clonedFrom: text("cloned_from"),
  createdAt: created(),
  updatedAt: integer("updated_at", { mode: "number" }).notNull(),
}, (t) => [uniqueIndex("vms_name").on(t.name)]);

export const snapshots = sqliteTable("snapshots", {
  id: text("id").primaryKey(),
  vmId: text("vm_id").notNull(),
  name: text("name").notNull(),
  memory: integer("memory", { mode: "boolean" }).notNull(),
  /** The VM's snapshot this one was taken after (tree of snapshots), if any. */
  parentId: text("parent_id"),
  powerState: text("power_state").notNull(),
  /** Bytes of frames this snapshot added to the frame store. */
  storedBytes: integer("stored_bytes").notNull().default(0),
  /** JSON: the manifest's location and summary. */
  manifest: text("manifest").notNull(),
  /** Clones and child snapshots that depend on this one. */
  refs: integer("refs").notNull().default(0),
  /** JSON [{disk, layer}]: the disk snapshots taken with it (same id as this snapshot in each disk's datastore). */
  disks: text("disks").notNull().default("[]"),
  createdAt: created(),
}, (t) => [index("snapshots_vm").on(t.vmId)]);

/**
 * Datastores (DESIGN.md "Storage"): the catalogue only; capacity, space and the disks'
 * extent maps and leases live in each datastore's DatastoreObject.
 */
export const datastores = sqliteTable("datastores", {
  id: text("id").primaryKey(),
  name: text("name").notNull().unique(),
  datacenterId: text("datacenter_id").notNull().references(() => datacenters.id),
  createdAt: created(),
});

/** Virtual disks: which VM uses each (in which slot, /dev/vda first) and where it lives. */
export const disks = sqliteTable("disks", {
  id: text("id").primaryKey(),
  /** The VM it is attached to (null: detached). */
  vmId: text("vm_id"),
  /** Position on the VM: 0 is /dev/vda. */
  slot: integer("slot"),
  datastoreId: text("datastore_id").notNull().references(() => datastores.id),
  sizeBytes: integer("size_bytes").notNull(),
  /** thin | lazyZeroedThick | eagerZeroedThick */
  provisioning: text("provisioning").notNull(),
  chunkBytes: integer("chunk_bytes").notNull(),
  /** The base image (kind disk) it reads through to, if any. */
  imageId: text("image_id"),
  createdAt: created(),
}, (t) => [index("disks_vm").on(t.vmId)]);

export const tasks = sqliteTable("tasks", {
  id: text("id").primaryKey(),
  kind: text("kind").notNull(),
  /** queued | running | succeeded | failed */
  state: text("state").notNull(),
  progress: integer("progress").notNull().default(0),
  entityId: text("entity_id"),
  /** JSON */
  result: text("result"),
  /** JSON {code, message} */
  error: text("error"),
  createdAt: created(),
  updatedAt: integer("updated_at", { mode: "number" }).notNull(),
});

export const events = sqliteTable("events", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  at: integer("at", { mode: "number" }).notNull(),
  kind: text("kind").notNull(),
  entityId: text("entity_id"),
  message: text("message").notNull(),
  /** JSON */
  data: text("data"),
}, (t) => [index("events_entity").on(t.entityId)]);

/**
 * Snapshot frames are stored once by content: packs of up to 256 frames in KV
 * (`pack/<sha256>`), this index from a frame's SHA-256 to its pack and slot, and a reference
 * count per pack (snapshots and clones holding it).
 */
export const framePacks = sqliteTable("frame_packs", {
  key: text("key").primaryKey(),
  frames: integer("frames").notNull(),
  refs: integer("refs").notNull().default(0),
  createdAt: created(),
});

export const frameIndex = sqliteTable("frame_index", {
  hash: text("hash").primaryKey(),
  pack: text("pack").notNull(),
  slot: integer("slot").notNull(),
}, (t) => [index("frame_index_pack").on(t.pack)]);

/**
 * Identities (Access): users, their credentials, and login throttling. Passwords are kept
 * only as `pbkdf2-sha256$<iterations>$<salt>$<hash>` (src/security/passwords.ts); tokens only
 * as the SHA-256 hex of their secret (src/security/tokens.ts). The built-in `admin` user
 * (`user-admin`) is inserted by a migration and has no password: it signs in with
 * EDGEVISOR_ADMIN_TOKEN or with API tokens issued to it.
 */
export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  name: text("name").notNull().unique(),
  /** Null: the user cannot log in with a password (tokens only). */
  passwordHash: text("password_hash"),
  disabled: integer("disabled", { mode: "boolean" }).notNull().default(false),
  createdAt: created(),
});

export const tokens = sqliteTable("tokens", {
  id: text("id").primaryKey(),
  userId: text("user_id").notNull().references(() => users.id),
  name: text("name").notNull(),
  /** api | session */
  kind: text("kind").notNull(),
  /** Lowercase hex SHA-256 of the secret; the secret itself is never stored. */
  secretHash: text("secret_hash").notNull().unique(),
  createdAt: created(),
  /** Milliseconds since the epoch; null: never expires. */
  expiresAt: integer("expires_at", { mode: "number" }),
  revokedAt: integer("revoked_at", { mode: "number" }),
  /** Updated at most once a minute. */
  lastUsedAt: integer("last_used_at", { mode: "number" }),
}, (t) => [index("tokens_user").on(t.userId)]);

/** Failed logins per key (`name:<user name>`; room for `source:<address>`), in a sliding window. */
export const loginFailures = sqliteTable("login_failures", {
  key: text("key").primaryKey(),
  count: integer("count").notNull(),
  windowStart: integer("window_start", { mode: "number" }).notNull(),
  /** Attempts are refused until then (the end of the window in which the limit was reached). */
  lockedUntil: integer("locked_until", { mode: "number" }),
}, (t) => [index("login_failures_window").on(t.windowStart)]);

/**
 * Authorization (src/security/): custom roles (the predefined ones live in code, roles.ts) and
 * permissions — a user holds a role on an inventory entity ("root", a datacenter, cluster, host,
 * VM or image id), propagating to its descendants or not. The built-in `admin` user holds
 * Administrator on the root (granted by a migration).
 */
export const roles = sqliteTable("roles", {
  id: text("id").primaryKey(),
  name: text("name").notNull().unique(),
  /** JSON array of privilege ids (System.* included). */
  privileges: text("privileges").notNull(),
  createdAt: created(),
});

export const permissions = sqliteTable("permissions", {
  id: text("id").primaryKey(),
  /** A user name. */
  principal: text("principal").notNull(),
  /** A predefined role's id (role-admin, ...) or a custom role's. */
  roleId: text("role_id").notNull(),
  entityId: text("entity_id").notNull(),
  propagate: integer("propagate", { mode: "boolean" }).notNull().default(true),
  createdAt: created(),
}, (t) => [
  uniqueIndex("permissions_principal_entity_role").on(t.principal, t.entityId, t.roleId),
  index("permissions_entity").on(t.entityId),
  index("permissions_role").on(t.roleId),
]);

/** Every mutating request: who, what, on which entity, when, the result, from where. */
export const audit = sqliteTable("audit", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  at: integer("at", { mode: "number" }).notNull(),
  user: text("user").notNull(),
  method: text("method").notNull(),
  path: text("path").notNull(),
  /** The power action or similar query word, when the route has one. */
  action: text("action"),
  entityId: text("entity_id"),
  status: integer("status").notNull(),
  result: text("result").notNull(),
  source: text("source").notNull(),
}, (t) => [index("audit_at").on(t.at), index("audit_entity").on(t.entityId), index("audit_user").on(t.user)]);
