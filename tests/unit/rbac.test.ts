// Authorization logic (src/security): the privilege catalogue, the predefined and custom roles,
// and effective privileges on the inventory tree (propagation, child overrides, No access masks).
import { describe, expect, it } from "vitest";
import {
  PRIVILEGES,
  PRIVILEGE_GROUPS,
  SYSTEM_PRIVILEGES,
  isPrivilege,
  privilegeGroup,
  privilegesUnder,
  type Privilege,
} from "../../src/security/privileges.js";
import {
  ADMIN_ROLE_ID,
  NO_ACCESS_ROLE_ID,
  NO_CRYPTO_ADMIN_ROLE_ID,
  PREDEFINED_ROLES,
  READ_ONLY_ROLE_ID,
  RoleError,
  VM_CONSOLE_USER_ROLE_ID,
  VM_POWER_USER_ROLE_ID,
  VM_USER_ROLE_ID,
  assertRoleMutable,
  predefinedRole,
  validateCustomRole,
  validateRoleUpdate,
  type Role,
} from "../../src/security/roles.js";
import {
  AuthzError,
  ancestry,
  buildTree,
  can,
  effectivePrivileges,
  resolvePrivileges,
  visibleEntities,
  type InventoryEntity,
  type Permission,
} from "../../src/security/permissions.js";

const role = (id: string): Role => {
  const r = predefinedRole(id);
  if (!r) throw new Error(`no role ${id}`);
  return r;
};
const privs = (id: string) => new Set<string>(role(id).privileges);

function roleError(fn: () => unknown): RoleError {
  try {
    fn();
  } catch (e) {
    if (e instanceof RoleError) return e;
    throw e;
  }
  throw new Error("expected a RoleError");
}

describe("privilege catalogue", () => {
  it("has unique, well-formed ids in known groups", () => {
    expect(new Set(PRIVILEGES).size).toBe(PRIVILEGES.length);
    const groups = new Set<string>(PRIVILEGE_GROUPS.map((g) => g.id));
    expect(groups.size).toBe(PRIVILEGE_GROUPS.length);
    for (const p of PRIVILEGES) {
      expect(p).toMatch(/^[A-Z][A-Za-z]*(\.[A-Z][A-Za-z]*)+$/);
      expect(groups.has(privilegeGroup(p))).toBe(true);
    }
    for (const g of groups) expect(privilegesUnder(g).length).toBeGreaterThan(0);
  });

  it("groups privileges as vSphere does", () => {
    expect(privilegeGroup("VirtualMachine.Interact.PowerOn")).toBe("VirtualMachine.Interact");
    expect(privilegeGroup("Host.Config.Maintenance")).toBe("Host.Config");
    expect(privilegeGroup("Datastore.Browse")).toBe("Datastore");
    expect(privilegesUnder("System")).toEqual(SYSTEM_PRIVILEGES);
    expect(privilegesUnder("VirtualMachine.Interact")).toEqual(expect.arrayContaining([
      "VirtualMachine.Interact.PowerOn", "VirtualMachine.Interact.PowerOff", "VirtualMachine.Interact.Suspend",
      "VirtualMachine.Interact.Reset", "VirtualMachine.Interact.ConsoleInteract",
    ]));
    expect(privilegesUnder("Cryptographer")).toHaveLength(11);
  });

  it("knows its privileges and nothing else", () => {
    expect(isPrivilege("Authorization.ModifyPermissions")).toBe(true);
    expect(isPrivilege("VirtualMachine.Interact.Fly")).toBe(false);
    expect(isPrivilege("virtualmachine.interact.poweron")).toBe(false);
    expect(isPrivilege(42)).toBe(false);
  });
});

describe("predefined roles", () => {
  it("carry vSphere's names and ids", () => {
    const byName = new Map(PREDEFINED_ROLES.map((r) => [r.name, r]));
    expect([...byName.keys()].sort()).toEqual([
      "Administrator", "No access", "No cryptography administrator", "Read-only",
      "Virtual machine console user", "Virtual machine power user", "Virtual machine user",
    ]);
    expect(byName.get("Administrator")).toMatchObject({ id: ADMIN_ROLE_ID, vsphereId: -1, vsphereName: "Admin" });
    expect(byName.get("Read-only")).toMatchObject({ id: READ_ONLY_ROLE_ID, vsphereId: -2 });
    expect(byName.get("No access")).toMatchObject({ id: NO_ACCESS_ROLE_ID, vsphereId: -5 });
    expect(byName.get("No cryptography administrator")).toMatchObject({ vsphereId: -6 });
    expect(new Set(PREDEFINED_ROLES.map((r) => r.vsphereId)).size).toBe(PREDEFINED_ROLES.length);
    expect(PREDEFINED_ROLES.every((r) => r.system && Object.isFrozen(r) && Object.isFrozen(r.privileges))).toBe(true);
  });

  it("Administrator has every privilege, No access none, Read-only System.*", () => {
    expect(role(ADMIN_ROLE_ID).privileges).toEqual(PRIVILEGES);
    expect(role(NO_ACCESS_ROLE_ID).privileges).toEqual([]);
    expect(role(READ_ONLY_ROLE_ID).privileges).toEqual(["System.Anonymous", "System.View", "System.Read"]);
  });

  it("No cryptography administrator has everything but Cryptographer.*", () => {
    const p = privs(NO_CRYPTO_ADMIN_ROLE_ID);
    for (const x of PRIVILEGES) expect(p.has(x)).toBe(!x.startsWith("Cryptographer."));
  });

  it("Virtual machine user: interaction and scheduled tasks, no configuration or inventory", () => {
    const p = privs(VM_USER_ROLE_ID);
    for (const x of [...SYSTEM_PRIVILEGES, ...privilegesUnder("VirtualMachine.Interact"), ...privilegesUnder("ScheduledTask")]) {
      expect(p.has(x)).toBe(true);
    }
    expect(p.has("Global.CancelTask")).toBe(true);
    for (const g of ["VirtualMachine.Config", "VirtualMachine.Inventory", "VirtualMachine.State", "VirtualMachine.Provisioning",
      "Datastore", "Resource", "Host", "Authorization", "Cryptographer", "Sessions"]) {
      expect(privilegesUnder(g).filter((x) => p.has(x))).toEqual([]);
    }
  });

  it("Virtual machine power user: VM user plus configuration, snapshots and datastore browsing", () => {
    const p = privs(VM_POWER_USER_ROLE_ID);
    for (const x of privs(VM_USER_ROLE_ID)) expect(p.has(x)).toBe(true);
    for (const x of [...privilegesUnder("VirtualMachine.Config"), ...privilegesUnder("VirtualMachine.State"), "Datastore.Browse"]) {
      expect(p.has(x)).toBe(true);
    }
    for (const x of ["VirtualMachine.Inventory.Create", "VirtualMachine.Inventory.Delete", "VirtualMachine.Provisioning.Clone",
      "Datastore.AllocateSpace", "Resource.HotMigrate", "Host.Config.Maintenance", "Authorization.ModifyPermissions",
      "Cryptographer.Encrypt"]) {
      expect(p.has(x)).toBe(false);
    }
  });

  it("Virtual machine console user: System.*, console and device/media connection only", () => {
    expect([...privs(VM_CONSOLE_USER_ROLE_ID)].sort()).toEqual([
      ...SYSTEM_PRIVILEGES,
      "VirtualMachine.Interact.ConsoleInteract",
      "VirtualMachine.Interact.DeviceConnection",
      "VirtualMachine.Interact.SetCDMedia",
    ].sort());
  });
});

describe("custom roles", () => {
  it("are normalised: trimmed name, deduplicated privileges in catalogue order, System.* added", () => {
    const r = validateCustomRole({
      name: "  Snapshotter ",
      privileges: ["VirtualMachine.State.CreateSnapshot", "System.View", "VirtualMachine.Interact.PowerOn", "VirtualMachine.State.CreateSnapshot"],
    });
    expect(r).toEqual({
      name: "Snapshotter",
      privileges: ["System.Anonymous", "System.View", "System.Read", "VirtualMachine.Interact.PowerOn", "VirtualMachine.State.CreateSnapshot"],
    });
    expect(validateCustomRole({ name: "Nothing", privileges: [] }).privileges).toEqual(SYSTEM_PRIVILEGES);
  });

  it("refuse unknown privileges, naming them", () => {
    const e = roleError(() => validateCustomRole({ name: "x", privileges: ["VirtualMachine.Interact.PowerOn", "Root.Everything", 7] }));
    expect(e.code).toBe("unknown_privilege");
    expect(e.details).toEqual(["Root.Everything", "7"]);
    expect(roleError(() => validateCustomRole({ name: "x", privileges: "System.View" })).code).toBe("invalid");
    expect(roleError(() => validateCustomRole(null)).code).toBe("invalid");
  });

  it("refuse bad, predefined and duplicate names", () => {
    expect(roleError(() => validateCustomRole({ name: "", privileges: [] })).code).toBe("invalid_name");
    expect(roleError(() => validateCustomRole({ name: "   ", privileges: [] })).code).toBe("invalid_name");
    expect(roleError(() => validateCustomRole({ name: "x".repeat(65), privileges: [] })).code).toBe("invalid_name");
    expect(validateCustomRole({ name: "x".repeat(64), privileges: [] }).name).toHaveLength(64);
    expect(roleError(() => validateCustomRole({ name: "a\nb", privileges: [] })).code).toBe("invalid_name");
    expect(roleError(() => validateCustomRole({ name: 3, privileges: [] })).code).toBe("invalid_name");
    for (const name of ["Administrator", "administrator", "Admin", "Read-only", "No access", "NoAccess",
      "Virtual machine user (sample)", "VirtualMachinePowerUser", "No cryptography administrator"]) {
      expect(roleError(() => validateCustomRole({ name, privileges: [] })).code).toBe("reserved_name");
    }
    expect(roleError(() => validateCustomRole({ name: "ops", privileges: [] }, ["Dev", "OPS"])).code).toBe("duplicate_name");
  });

  it("predefined roles cannot be edited; custom ones can", () => {
    for (const r of PREDEFINED_ROLES) {
      expect(roleError(() => assertRoleMutable(r.id)).code).toBe("immutable");
      expect(roleError(() => validateRoleUpdate(r, { name: "Mine", privileges: [] })).code).toBe("immutable");
    }
    expect(roleError(() => assertRoleMutable({ id: "role-x", system: true })).code).toBe("immutable");
    expect(validateRoleUpdate({ id: "role-custom-1", system: false }, { name: "Mine", privileges: ["Datastore.Browse"] }).privileges)
      .toContain("Datastore.Browse");
  });
});

// root ─ dc1 ─ cl1 ─ h1 ─ vm1, vm2
//           │      └ h2 ─ vm3
//           ├ ds1, img1
//           └ fo1 ─ cl2 ─ h3 ─ vm4
const ENTITIES: InventoryEntity[] = [
  { id: "root", type: "root", parentId: null },
  { id: "dc1", type: "datacenter", parentId: "root" },
  { id: "cl1", type: "cluster", parentId: "dc1" },
  { id: "h1", type: "host", parentId: "cl1" },
  { id: "h2", type: "host", parentId: "cl1" },
  { id: "vm1", type: "vm", parentId: "h1" },
  { id: "vm2", type: "vm", parentId: "h1" },
  { id: "vm3", type: "vm", parentId: "h2" },
  { id: "ds1", type: "datastore", parentId: "dc1" },
  { id: "img1", type: "image", parentId: "dc1" },
  { id: "fo1", type: "folder", parentId: "dc1" },
  { id: "cl2", type: "cluster", parentId: "fo1" },
  { id: "h3", type: "host", parentId: "cl2" },
  { id: "vm4", type: "vm", parentId: "h3" },
];
const tree = buildTree(ENTITIES);
const perm = (principal: string, roleId: string, entityId: string, propagate = true): Permission => ({ principal, roleId, entityId, propagate });
const ADMIN_ALL = privs(ADMIN_ROLE_ID);

describe("effective privileges", () => {
  it("Administrator at root propagates down to a VM", () => {
    const ps = [perm("alice", ADMIN_ROLE_ID, "root")];
    expect(effectivePrivileges("alice", "vm1", tree, ps)).toEqual(ADMIN_ALL);
    expect(can("alice", "VirtualMachine.Inventory.Delete", "vm4", tree, ps)).toBe(true);
    expect(resolvePrivileges("alice", "vm1", tree, ps).decidingEntityId).toBe("root");
    expect(effectivePrivileges("bob", "vm1", tree, ps).size).toBe(0);
  });

  it("propagate=false stops at the entity", () => {
    const ps = [perm("alice", ADMIN_ROLE_ID, "cl1", false)];
    expect(can("alice", "Host.Inventory.EditCluster", "cl1", tree, ps)).toBe(true);
    expect(effectivePrivileges("alice", "h1", tree, ps).size).toBe(0);
    expect(effectivePrivileges("alice", "vm1", tree, ps).size).toBe(0);
    // ... and a non-propagating permission on an ancestor does not hide a propagating one above it.
    const ps2 = [perm("alice", ADMIN_ROLE_ID, "root"), perm("alice", READ_ONLY_ROLE_ID, "cl1", false)];
    expect(effectivePrivileges("alice", "cl1", tree, ps2)).toEqual(privs(READ_ONLY_ROLE_ID));
    expect(effectivePrivileges("alice", "vm1", tree, ps2)).toEqual(ADMIN_ALL);
  });

  it("an explicit Read-only on a cluster overrides an inherited Administrator below it", () => {
    const ps = [perm("alice", ADMIN_ROLE_ID, "root"), perm("alice", READ_ONLY_ROLE_ID, "cl1")];
    for (const id of ["cl1", "h1", "vm1", "vm3"]) {
      expect(effectivePrivileges("alice", id, tree, ps)).toEqual(privs(READ_ONLY_ROLE_ID));
    }
    expect(can("alice", "VirtualMachine.Interact.PowerOn", "vm1", tree, ps)).toBe(false);
    expect(can("alice", "System.Read", "vm1", tree, ps)).toBe(true);
    expect(can("alice", "VirtualMachine.Interact.PowerOn", "vm4", tree, ps)).toBe(true);
    expect(effectivePrivileges("alice", "dc1", tree, ps)).toEqual(ADMIN_ALL);
  });

  it("No access on a host masks a propagated Administrator for its VMs, not for sibling hosts", () => {
    const ps = [perm("alice", ADMIN_ROLE_ID, "root"), perm("alice", NO_ACCESS_ROLE_ID, "h1")];
    for (const id of ["h1", "vm1", "vm2"]) expect(effectivePrivileges("alice", id, tree, ps).size).toBe(0);
    for (const id of ["h2", "vm3", "cl1", "vm4"]) expect(effectivePrivileges("alice", id, tree, ps)).toEqual(ADMIN_ALL);
    expect(visibleEntities("alice", tree, ps, [], { type: "vm" })).toEqual(["vm3", "vm4"]);
  });

  it("several permissions on one entity are unioned, and No access among them wins", () => {
    const snap = { id: "role-snap", privileges: ["System.View", "VirtualMachine.State.CreateSnapshot"] };
    const ps = [perm("alice", VM_CONSOLE_USER_ROLE_ID, "h1"), perm("alice", snap.id, "h1")];
    const p = effectivePrivileges("alice", "vm1", tree, ps, [snap]);
    expect(p.has("VirtualMachine.Interact.ConsoleInteract")).toBe(true);
    expect(p.has("VirtualMachine.State.CreateSnapshot")).toBe(true);
    expect(p.has("VirtualMachine.Interact.PowerOn")).toBe(false);
    // The roles may be given as a Map too.
    expect(effectivePrivileges("alice", "vm1", tree, ps, new Map([[snap.id, snap]]))).toEqual(p);
    const masked = [...ps, perm("alice", NO_ACCESS_ROLE_ID, "h1")];
    expect(effectivePrivileges("alice", "vm1", tree, masked, [snap]).size).toBe(0);
  });

  it("a Virtual machine user on one VM can power it on but neither see nor touch another", () => {
    const ps = [perm("carol", VM_USER_ROLE_ID, "vm1"), perm("alice", ADMIN_ROLE_ID, "root")];
    expect(can("carol", "VirtualMachine.Interact.PowerOn", "vm1", tree, ps)).toBe(true);
    expect(can("carol", "System.View", "vm1", tree, ps)).toBe(true);
    expect(can("carol", "VirtualMachine.Config.Memory", "vm1", tree, ps)).toBe(false);
    for (const other of ["vm2", "vm3", "vm4", "h1", "root"]) {
      expect(can("carol", "System.View", other, tree, ps)).toBe(false);
      expect(can("carol", "VirtualMachine.Interact.PowerOn", other, tree, ps)).toBe(false);
    }
    expect(visibleEntities("carol", tree, ps)).toEqual(["vm1"]);
    expect(visibleEntities("alice", tree, ps)).toEqual(ENTITIES.map((e) => e.id));
  });

  it("the predefined roles always win over same-id roles passed in", () => {
    const forged = { id: READ_ONLY_ROLE_ID, privileges: ["Authorization.ModifyPermissions"] };
    const ps = [perm("mallory", READ_ONLY_ROLE_ID, "root")];
    expect(can("mallory", "Authorization.ModifyPermissions", "vm1", tree, ps, [forged])).toBe(false);
  });

  it("unknown entities, unknown roles and cycles are typed errors", () => {
    const err = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        expect(e).toBeInstanceOf(AuthzError);
        return (e as AuthzError).code;
      }
      throw new Error("expected an AuthzError");
    };
    expect(err(() => effectivePrivileges("alice", "vm-nope", tree, []))).toBe("unknown_entity");
    expect(err(() => can("alice", "System.View" satisfies Privilege, "vm-nope", tree, []))).toBe("unknown_entity");
    expect(err(() => effectivePrivileges("alice", "vm1", tree, [perm("alice", "role-gone", "h1")]))).toBe("unknown_role");
    const looped = new Map<string, InventoryEntity>([
      ["a", { id: "a", type: "folder", parentId: "b" }],
      ["b", { id: "b", type: "folder", parentId: "a" }],
    ]);
    expect(err(() => effectivePrivileges("alice", "a", looped, []))).toBe("cycle");
    const dangling = new Map<string, InventoryEntity>([["v", { id: "v", type: "vm", parentId: "h-gone" }]]);
    expect(err(() => ancestry("v", dangling))).toBe("unknown_entity");
  });

  it("buildTree checks the inventory's shape", () => {
    const err = (entities: InventoryEntity[]) => {
      try {
        buildTree(entities);
      } catch (e) {
        expect(e).toBeInstanceOf(AuthzError);
        return (e as AuthzError).code;
      }
      throw new Error("expected an AuthzError");
    };
    const root: InventoryEntity = { id: "r", type: "root" };
    expect(ancestry("vm4", tree).map((e) => e.id)).toEqual(["vm4", "h3", "cl2", "fo1", "dc1", "root"]);
    expect(err([])).toBe("invalid_tree");
    expect(err([root, { id: "r2", type: "root" }])).toBe("invalid_tree");
    expect(err([root, root])).toBe("invalid_tree");
    expect(err([root, { id: "d", type: "datacenter" }])).toBe("invalid_tree");
    expect(err([root, { id: "v", type: "vm", parentId: "r" }])).toBe("invalid_tree");
    expect(err([root, { id: "v", type: "vm", parentId: "h" }])).toBe("unknown_entity");
    expect(err([root, { id: "f1", type: "folder", parentId: "f2" }, { id: "f2", type: "folder", parentId: "f1" }])).toBe("cycle");
  });
});
