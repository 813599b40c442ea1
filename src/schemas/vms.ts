// The VM part of the API contract (API.md "VMs"): request bodies as zod schemas, shared by
// the routes, the CLI and the OpenAPI document.
import { z } from "zod";

export const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
export const nameSchema = z.string().regex(NAME, "must be 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit");

export const provisioningSchema = z.enum(["thin", "lazyZeroedThick", "eagerZeroedThick"]);

export const diskSpecSchema = z.object({
  sizeMiB: z.number().int("must be a whole number of MiB").min(1, "must be at least 1 MiB").max(16 << 20, "must be at most 16 TiB"),
  provisioning: provisioningSchema.optional(),
  /** An image of kind disk: the disk reads through to it until written. */
  image: z.string().min(1).optional(),
  /** Edgevisor extension: the datastore (default ds-default). */
  datastore: z.string().min(1).optional(),
  /** Edgevisor extension: chunk size in KiB (a power of two, 64..1024; default 64). */
  chunkKiB: z.number().int().optional(),
}).strict();

/** PATCH /api/vms/:id/disks/:diskId: grow a disk. */
export const extendDiskSchema = z.object({
  sizeMiB: z.number().int("must be a whole number of MiB").min(1).max(16 << 20, "must be at most 16 TiB"),
}).strict();

export const createVmSchema = z.object({
  name: nameSchema,
  memoryMiB: z.number().int("must be a whole number of MiB").min(8, "must be at least 8 MiB"),
  vcpus: z.number().int().min(1).max(1, "only 1 vCPU is supported").optional(),
  boot: z.object({
    kernel: z.string().min(1, "must be an image id"),
    initrd: z.string().min(1).optional(),
    cmdline: z.string().max(1024).optional(),
  }).strict(),
  disks: z.array(diskSpecSchema).max(6).optional(),
  host: z.string().optional(),
  secureBoot: z.boolean().optional(),
  encrypted: z.boolean().optional(),
  /** Edgevisor extension: idle seconds (WFI, no console viewer) before the VM hibernates. */
  idleTimeoutSeconds: z.number().int().min(1).max(86_400).optional(),
  /** Edgevisor extension: power the VM on right after creating it. */
  powerOn: z.boolean().optional(),
}).strict();

export type CreateVm = z.infer<typeof createVmSchema>;

export const powerActionSchema = z.enum(["start", "stop", "reset", "suspend", "resume"]);
/** A power action may come as ?action= or as this body (checked against powerActionSchema after). */
export const powerBodySchema = z.object({ action: z.unknown().optional() });
export const powerStateSchema = z.enum(["POWERED_ON", "POWERED_OFF", "SUSPENDED"]);
