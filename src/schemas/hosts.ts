// Host and migration request bodies (API.md "Hosts", "Migrate"), and the protocol steps a
// test may make a migration fail at.
import { z } from "zod";
import { nameSchema } from "./vms.js";

/** Protocol steps where a test may inject a failure (EDGEVISOR_TEST_FAULTS=1 only). */
export const FAULT_POINTS = ["prepare", "precopy", "stop", "handover", "finish", "switch"] as const;
export type FaultPoint = (typeof FAULT_POINTS)[number];

/** Durable Object location hints a host may name. */
export const REGIONS = ["wnam", "enam", "sam", "weur", "eeur", "apac", "oc", "afr", "me"] as const;

export const createHostSchema = z.object({
  name: nameSchema,
  region: z.enum(REGIONS, { error: `must be one of ${REGIONS.join(", ")}` }),
  memoryMiB: z.number().int().min(64, "must be at least 64 MiB").max(1 << 24),
  cluster: z.string().min(1).optional(),
}).strict();

export const migrateSchema = z.object({
  host: z.string().min(1, "must be a host id"),
  /** Edgevisor extensions: the downtime target and the round limit of the pre-copy. */
  downtimeMs: z.number().int().min(1).max(10_000).optional(),
  maxRounds: z.number().int().min(1).max(100).optional(),
  /** Tests only (EDGEVISOR_TEST_FAULTS=1): fail at a protocol step. */
  failAt: z.enum(FAULT_POINTS).optional(),
}).strict();
