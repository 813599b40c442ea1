// VmObject (placeholder).
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.js";

export class VmObject extends DurableObject<Env> {
  ping(): string { return "pong"; }
}
