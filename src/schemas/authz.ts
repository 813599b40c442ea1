// The authorization part of the API contract (API.md "Access"): bodies for custom roles and
// permissions, shared by the routes and the OpenAPI document. Role names and privileges are
// checked further by validateCustomRole (src/security/roles.ts).
import { z } from "zod";

const privilegeList = z.array(z.string().min(1).max(128)).max(256);

export const createRoleSchema = z.object({
  name: z.string().min(1).max(256),
  privileges: privilegeList,
}).strict();

export const updateRoleSchema = z.object({
  name: z.string().min(1).max(256).optional(),
  privileges: privilegeList.optional(),
}).strict();

export const createPermissionSchema = z.object({
  /** A user name. */
  principal: z.string().min(1).max(256),
  /** A role id (role-admin, role-readonly, ..., or a custom role's). */
  role: z.string().min(1).max(128),
  /** An inventory entity id: root, a datacenter, cluster, host, VM or image. */
  entity: z.string().min(1).max(128),
  propagate: z.boolean().default(true),
}).strict();

export type CreatePermission = z.infer<typeof createPermissionSchema>;
