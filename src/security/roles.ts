// Roles: the predefined roles under vSphere's names and ids, and the rules for custom roles.
// Predefined roles are immutable. Custom roles are validated here (name, known privileges) and
// always hold System.Anonymous/View/Read, as vSphere adds them to every role it creates.
// Pure logic: no Workers, Hono, drizzle or I/O imports (runs in Node and workerd).
import {
  PRIVILEGES,
  SYSTEM_PRIVILEGES,
  isPrivilege,
  privilegesUnder,
  sortPrivileges,
  type Privilege,
} from "./privileges.js";

/** What permission evaluation needs of a role (custom roles read from storage fit this). */
export interface RoleLike {
  readonly id: string;
  readonly privileges: readonly string[];
}

export interface Role extends RoleLike {
  /** Stable string id ("role-admin"); custom roles get theirs from storage. */
  readonly id: string;
  /** The name shown to users (vSphere client's label for predefined roles). */
  readonly name: string;
  readonly privileges: readonly Privilege[];
  /** Predefined: cannot be edited or deleted. */
  readonly system: boolean;
}

export interface PredefinedRole extends Role {
  readonly system: true;
  /** vSphere's roleId (system roles are negative; sample roles positive). */
  readonly vsphereId: number;
  /** vSphere's internal role name (AuthorizationRole.name). */
  readonly vsphereName: string;
  readonly description: string;
}

export const ADMIN_ROLE_ID = "role-admin";
export const READ_ONLY_ROLE_ID = "role-readonly";
export const NO_ACCESS_ROLE_ID = "role-noaccess";
export const NO_CRYPTO_ADMIN_ROLE_ID = "role-nocryptoadmin";
export const VM_POWER_USER_ROLE_ID = "role-vm-poweruser";
export const VM_USER_ROLE_ID = "role-vm-user";
export const VM_CONSOLE_USER_ROLE_ID = "role-vm-consoleuser";

const VM_USER_PRIVILEGES: readonly Privilege[] = [
  ...SYSTEM_PRIVILEGES,
  "Global.CancelTask",
  ...privilegesUnder("ScheduledTask"),
  ...privilegesUnder("VirtualMachine.Interact"),
];

const predefined = (r: Omit<PredefinedRole, "system" | "privileges"> & { privileges: Iterable<Privilege> }): PredefinedRole =>
  Object.freeze({ ...r, system: true as const, privileges: Object.freeze(sortPrivileges(r.privileges)) });

/** The predefined roles, in the order vSphere lists them. */
export const PREDEFINED_ROLES: readonly PredefinedRole[] = Object.freeze([
  predefined({
    id: NO_CRYPTO_ADMIN_ROLE_ID, vsphereId: -6, vsphereName: "NoCryptoAdmin", name: "No cryptography administrator",
    description: "Everything Administrator may do except cryptographic operations.",
    privileges: PRIVILEGES.filter((p) => !p.startsWith("Cryptographer.")),
  }),
  predefined({
    id: NO_ACCESS_ROLE_ID, vsphereId: -5, vsphereName: "NoAccess", name: "No access",
    description: "Nothing; granted on an entity, it masks whatever the user would inherit there.",
    privileges: [],
  }),
  predefined({
    id: READ_ONLY_ROLE_ID, vsphereId: -2, vsphereName: "ReadOnly", name: "Read-only",
    description: "See entities and their state; change nothing.",
    privileges: SYSTEM_PRIVILEGES,
  }),
  predefined({
    id: ADMIN_ROLE_ID, vsphereId: -1, vsphereName: "Admin", name: "Administrator",
    description: "Every privilege.",
    privileges: PRIVILEGES,
  }),
  predefined({
    id: VM_POWER_USER_ROLE_ID, vsphereId: 4, vsphereName: "VirtualMachinePowerUser", name: "Virtual machine power user",
    description: "Virtual machine user, plus changing a VM's hardware and settings, snapshots and browsing datastores.",
    privileges: [
      ...VM_USER_PRIVILEGES,
      ...privilegesUnder("VirtualMachine.Config"),
      ...privilegesUnder("VirtualMachine.State"),
      "Datastore.Browse",
    ],
  }),
  predefined({
    id: VM_USER_ROLE_ID, vsphereId: 5, vsphereName: "VirtualMachineUser", name: "Virtual machine user",
    description: "Power operations, console and media on VMs, and scheduled tasks; no configuration or inventory changes.",
    privileges: VM_USER_PRIVILEGES,
  }),
  predefined({
    id: VM_CONSOLE_USER_ROLE_ID, vsphereId: 10, vsphereName: "VirtualMachineConsoleUser", name: "Virtual machine console user",
    description: "Use a VM's console and connect its devices and media; no power operations.",
    privileges: [
      ...SYSTEM_PRIVILEGES,
      "VirtualMachine.Interact.ConsoleInteract",
      "VirtualMachine.Interact.DeviceConnection",
      "VirtualMachine.Interact.SetCDMedia",
    ],
  }),
]);

const BY_ID: ReadonlyMap<string, PredefinedRole> = new Map(PREDEFINED_ROLES.map((r) => [r.id, r]));

/** Names a custom role may not take (compared case-insensitively): the predefined roles' labels,
 * vSphere's internal names, the "(sample)" labels, and vSphere's ungrantable system roles. */
const RESERVED_NAMES: ReadonlySet<string> = new Set(
  [
    ...PREDEFINED_ROLES.flatMap((r) => [r.name, r.vsphereName, ...(r.vsphereId > 0 ? [`${r.name} (sample)`] : [])]),
    "Anonymous",
    "View",
  ].map((n) => n.toLowerCase()),
);

export function predefinedRole(id: string): PredefinedRole | undefined {
  return BY_ID.get(id);
}

export function isPredefinedRoleId(id: string): boolean {
  return BY_ID.has(id);
}

export function isReservedRoleName(name: string): boolean {
  return RESERVED_NAMES.has(name.trim().toLowerCase());
}

export type RoleErrorCode = "invalid_name" | "reserved_name" | "duplicate_name" | "unknown_privilege" | "invalid" | "immutable";

/** A custom role definition was refused; `code` says why (routes map it to 422, 409 or 403). */
export class RoleError extends Error {
  override readonly name = "RoleError";
  constructor(readonly code: RoleErrorCode, message: string, readonly details: readonly string[] = []) {
    super(message);
  }
}

export interface CustomRoleDefinition {
  readonly name: string;
  /** Known privileges, deduplicated, in catalogue order, System.* included. */
  readonly privileges: readonly Privilege[];
}

export const ROLE_NAME_MAX = 64;

/**
 * Validate a custom role definition from a request body. `existingNames`: the other custom roles'
 * names (a duplicate is refused, case-insensitively). Throws RoleError; returns the normalised role.
 */
export function validateCustomRole(input: unknown, existingNames: Iterable<string> = []): CustomRoleDefinition {
  if (typeof input !== "object" || input === null) throw new RoleError("invalid", "a role is an object {name, privileges}");
  const { name, privileges } = input as { name?: unknown; privileges?: unknown };
  if (typeof name !== "string") throw new RoleError("invalid_name", "name must be a string");
  const trimmed = name.trim();
  if (trimmed.length < 1 || trimmed.length > ROLE_NAME_MAX) {
    throw new RoleError("invalid_name", `name must be 1 to ${ROLE_NAME_MAX} characters`);
  }
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) throw new RoleError("invalid_name", "name must not contain control characters");
  if (isReservedRoleName(trimmed)) throw new RoleError("reserved_name", `"${trimmed}" is the name of a predefined role`);
  const lower = trimmed.toLowerCase();
  for (const other of existingNames) {
    if (other.trim().toLowerCase() === lower) throw new RoleError("duplicate_name", `a role named "${trimmed}" already exists`);
  }
  if (!Array.isArray(privileges)) throw new RoleError("invalid", "privileges must be an array of privilege ids");
  const unknown = privileges.filter((p) => !isPrivilege(p)).map((p) => String(p));
  if (unknown.length > 0) {
    throw new RoleError("unknown_privilege", `unknown privilege(s): ${unknown.join(", ")}`, unknown);
  }
  return { name: trimmed, privileges: sortPrivileges([...SYSTEM_PRIVILEGES, ...(privileges as Privilege[])]) };
}

/** Refuse any change to a predefined role (or to a role marked system). */
export function assertRoleMutable(role: string | Pick<Role, "id" | "system">): void {
  const id = typeof role === "string" ? role : role.id;
  if (isPredefinedRoleId(id) || (typeof role !== "string" && role.system)) {
    throw new RoleError("immutable", `role ${id} is predefined and cannot be changed or deleted`);
  }
}

/** Validate an edit of a custom role: refused for predefined roles, otherwise as validateCustomRole. */
export function validateRoleUpdate(
  role: string | Pick<Role, "id" | "system">,
  input: unknown,
  otherNames: Iterable<string> = [],
): CustomRoleDefinition {
  assertRoleMutable(role);
  return validateCustomRole(input, otherNames);
}
