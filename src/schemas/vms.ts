// The VM part of the API contract (API.md "VMs"): request bodies as zod schemas, shared by
// the routes, the CLI and the OpenAPI document.
import { z } from "zod";

export const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
export const nameSchema = z.string().regex(NAME, "must be 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit");

export const diskSpecSchema = z.object({
  sizeMiB: z.number().int().positive(),
  provisioning: z.enum(["thin", "lazyZeroedThick", "eagerZeroedThick"]).optional(),
  image: z.string().optional(),
});

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
export const powerStateSchema = z.enum(["POWERED_ON", "POWERED_OFF", "SUSPENDED"]);
