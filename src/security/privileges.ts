// The privilege catalogue: the subset of vSphere's privileges Edgevisor checks, under vSphere's
// own ids ("VirtualMachine.Interact.PowerOn", ...). A privilege's group is its id without the last
// segment ("VirtualMachine.Interact"), as in vSphere's AuthorizationManager privilege list.
// Pure data and helpers: no Workers, Hono, drizzle or I/O imports (runs in Node and workerd).

/** Every privilege Edgevisor knows, grouped and ordered as vSphere lists them. */
export const PRIVILEGES = [
  // System: held by every role except No access; cannot be removed from a role.
  "System.Anonymous",
  "System.View",
  "System.Read",
  // Global
  "Global.CancelTask",
  "Global.Diagnostics",
  "Global.LogEvent",
  // Datastore
  "Datastore.AllocateSpace",
  "Datastore.Browse",
  "Datastore.DeleteFile",
  "Datastore.FileManagement",
  "Datastore.UpdateVirtualMachineFiles",
  // Host
  "Host.Config.Maintenance",
  "Host.Inventory.AddHostToCluster",
  "Host.Inventory.RemoveHostFromCluster",
  "Host.Inventory.CreateCluster",
  "Host.Inventory.EditCluster",
  // Virtual machine
  "VirtualMachine.Interact.PowerOn",
  "VirtualMachine.Interact.PowerOff",
  "VirtualMachine.Interact.Suspend",
  "VirtualMachine.Interact.Reset",
  "VirtualMachine.Interact.AnswerQuestion",
  "VirtualMachine.Interact.ConsoleInteract",
  "VirtualMachine.Interact.DeviceConnection",
  "VirtualMachine.Interact.SetCDMedia",
  "VirtualMachine.Config.AddNewDisk",
  "VirtualMachine.Config.AddRemoveDevice",
  "VirtualMachine.Config.RemoveDisk",
  "VirtualMachine.Config.DiskExtend",
  "VirtualMachine.Config.CPUCount",
  "VirtualMachine.Config.Memory",
  "VirtualMachine.Config.Settings",
  "VirtualMachine.Config.Rename",
  "VirtualMachine.Config.Annotation",
  "VirtualMachine.Config.AdvancedConfig",
  "VirtualMachine.Inventory.Create",
  "VirtualMachine.Inventory.CreateFromExisting",
  "VirtualMachine.Inventory.Delete",
  "VirtualMachine.Inventory.Move",
  "VirtualMachine.Inventory.Register",
  "VirtualMachine.Inventory.Unregister",
  "VirtualMachine.Provisioning.Clone",
  "VirtualMachine.Provisioning.DeployTemplate",
  "VirtualMachine.Provisioning.DiskRandomRead",
  "VirtualMachine.State.CreateSnapshot",
  "VirtualMachine.State.RevertToSnapshot",
  "VirtualMachine.State.RemoveSnapshot",
  "VirtualMachine.State.RenameSnapshot",
  // Resource
  "Resource.AssignVMToPool",
  "Resource.HotMigrate",
  "Resource.ColdMigrate",
  // Scheduled task
  "ScheduledTask.Create",
  "ScheduledTask.Delete",
  "ScheduledTask.Edit",
  "ScheduledTask.Run",
  // Sessions
  "Sessions.TerminateSession",
  // Permissions
  "Authorization.ModifyPermissions",
  "Authorization.ModifyRoles",
  "Authorization.ReassignRolePermissions",
  // Tasks
  "Task.Create",
  "Task.Update",
  // Cryptographic operations
  "Cryptographer.Encrypt",
  "Cryptographer.Decrypt",
  "Cryptographer.EncryptNew",
  "Cryptographer.Recrypt",
  "Cryptographer.Clone",
  "Cryptographer.Migrate",
  "Cryptographer.RegisterHost",
  "Cryptographer.ManageKeys",
  "Cryptographer.ManageKeyServers",
  "Cryptographer.Access",
  "Cryptographer.ReadKeyServersInfo",
] as const;

export type Privilege = (typeof PRIVILEGES)[number];

/** The privilege groups, in catalogue order, with the label vSphere's client shows. */
export const PRIVILEGE_GROUPS = [
  { id: "System", label: "System" },
  { id: "Global", label: "Global" },
  { id: "Datastore", label: "Datastore" },
  { id: "Host.Config", label: "Host > Configuration" },
  { id: "Host.Inventory", label: "Host > Inventory" },
  { id: "VirtualMachine.Interact", label: "Virtual machine > Interaction" },
  { id: "VirtualMachine.Config", label: "Virtual machine > Change configuration" },
  { id: "VirtualMachine.Inventory", label: "Virtual machine > Edit inventory" },
  { id: "VirtualMachine.Provisioning", label: "Virtual machine > Provisioning" },
  { id: "VirtualMachine.State", label: "Virtual machine > Snapshot management" },
  { id: "Resource", label: "Resource" },
  { id: "ScheduledTask", label: "Scheduled task" },
  { id: "Sessions", label: "Sessions" },
  { id: "Authorization", label: "Permissions" },
  { id: "Task", label: "Tasks" },
  { id: "Cryptographer", label: "Cryptographic operations" },
] as const;

export type PrivilegeGroup = (typeof PRIVILEGE_GROUPS)[number]["id"];

/** The privileges every role but No access holds (vSphere adds them to every role it creates). */
export const SYSTEM_PRIVILEGES: readonly Privilege[] = ["System.Anonymous", "System.View", "System.Read"];

const KNOWN: ReadonlySet<string> = new Set(PRIVILEGES);
const ORDER: ReadonlyMap<string, number> = new Map(PRIVILEGES.map((p, i) => [p, i]));

export function isPrivilege(value: unknown): value is Privilege {
  return typeof value === "string" && KNOWN.has(value);
}

/** A privilege's group: its id without the last segment ("VirtualMachine.Interact.PowerOn" → "VirtualMachine.Interact"). */
export function privilegeGroup(privilege: Privilege): PrivilegeGroup {
  return privilege.slice(0, privilege.lastIndexOf(".")) as PrivilegeGroup;
}

/** The privileges whose id starts with `prefix.` ("VirtualMachine" covers every VirtualMachine.* group). */
export function privilegesUnder(prefix: string): Privilege[] {
  return PRIVILEGES.filter((p) => p.startsWith(`${prefix}.`));
}

/** Deduplicated and in catalogue order (stable output for APIs and comparisons). */
export function sortPrivileges(privileges: Iterable<Privilege>): Privilege[] {
  return [...new Set(privileges)].sort((a, b) => ORDER.get(a)! - ORDER.get(b)!);
}
