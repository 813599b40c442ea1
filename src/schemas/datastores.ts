// Datastore request bodies (API.md "Hosts, clusters, datastores"): create and resize.
import { z } from "zod";
import { nameSchema } from "./vms.js";

export const createDatastoreSchema = z.object({
  name: nameSchema,
  /** Capacity in MiB (or capacityGiB). */
  capacityMiB: z.number().int().min(1).max(1 << 30).optional(),
  capacityGiB: z.number().int().min(1).max(1 << 20).optional(),
  datacenter: z.string().min(1).optional(),
}).strict().refine((b) => (b.capacityMiB === undefined) !== (b.capacityGiB === undefined), "give capacityMiB or capacityGiB (one of them)");

export const updateDatastoreSchema = z.object({
  capacityMiB: z.number().int().min(1).max(1 << 30).optional(),
  capacityGiB: z.number().int().min(1).max(1 << 20).optional(),
}).strict().refine((b) => (b.capacityMiB === undefined) !== (b.capacityGiB === undefined), "give capacityMiB or capacityGiB (one of them)");
