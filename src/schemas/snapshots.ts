// Snapshot and clone request bodies (API.md "Snapshots", "Clone").
import { z } from "zod";
import { nameSchema } from "./vms.js";

export const createSnapshotSchema = z.object({
  name: z.string().min(1).max(128),
  description: z.string().max(1024).optional(),
  memory: z.boolean().optional(),
}).strict();

export const cloneSchema = z.object({
  name: nameSchema,
  snapshot: z.string().optional(),
  /** Memory is always shared with the snapshot until written; disks honour this with their issue. */
  linked: z.boolean().optional(),
  powerOn: z.boolean().optional(),
}).strict();
