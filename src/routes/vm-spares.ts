// Warm spare VM objects. Starting a Durable Object the first time (instantiating it, opening
// its SQLite storage, creating its tables) costs several milliseconds, which a clone would
// otherwise pay while its caller waits. This isolate keeps a few VM ids whose objects were
// already started by a background call (`VmObject.warm`), and a clone takes one of them as
// its id; the pool is refilled after the answer. A spare nobody takes deletes its own
// storage by alarm (SPARE_EXPIRY_MS after it was warmed), and the isolate stops handing it
// out well before that (SPARE_MAX_AGE_MS), so a spare can never be taken while it expires.
import type { Context } from "hono";
import type { AppEnv } from "../app.js";
import type { Env } from "../env.js";
import { newId } from "../ids.js";
import { vmStub } from "./vm-common.js";

/** Spares this isolate keeps ready. */
const POOL_SIZE = 3;
/**
 * How long after a clone's answer the pool is refilled. Its caller usually opens the
 * clone's console and types at once; starting objects then would share that moment with
 * them (under wrangler dev every object runs on one thread).
 */
const REFILL_DELAY_MS = 250;
/** A spare older than this is not handed out (its object expires at SPARE_EXPIRY_MS). */
const SPARE_MAX_AGE_MS = 60_000;
/** When an untaken spare object deletes its storage. */
const SPARE_EXPIRY_MS = 10 * 60_000;

const spares: { id: string; at: number }[] = [];
let warming = 0;

/** A new VM's id: a warm spare's when this isolate has one, else a fresh one. */
export function takeVmId(): string {
  const now = Date.now();
  while (spares.length) {
    const s = spares.shift()!;
    if (now - s.at < SPARE_MAX_AGE_MS) return s.id;
  }
  return newId("vm");
}

/**
 * Starts objects until POOL_SIZE spares are ready (or being warmed). Returns the work, for
 * waitUntil; a spare whose warm-up fails is simply not added.
 */
function refillSpares(env: Env): Promise<void> {
  const want = POOL_SIZE - spares.length - warming;
  const work: Promise<void>[] = [];
  for (let i = 0; i < want; i++) {
    const id = newId("vm");
    warming++;
    work.push(
      vmStub(env, { id, incarnation: 0 })
        .warm(SPARE_EXPIRY_MS)
        .then((empty) => { if (empty) spares.push({ id, at: Date.now() }); })
        .catch((e) => console.error("warming a spare VM object failed", e))
        .finally(() => { warming--; }),
    );
  }
  return Promise.all(work).then(() => undefined);
}

/** Refills the pool a little after the answer has gone out (the warm-ups hold nothing up). */
export function refillAfterAnswer(c: Context<AppEnv>): void {
  const p = new Promise((res) => setTimeout(res, REFILL_DELAY_MS)).then(() => refillSpares(c.env));
  try { c.executionCtx.waitUntil(p); } catch { /* no execution context (tests): it still runs */ }
}

/** How many spares are ready (tests). */
export function sparesReady(): number {
  return spares.length;
}
