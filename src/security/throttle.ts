// Login throttling. Every attempt for a key (`name:<user name>`) is counted atomically before
// the password is checked, so parallel guesses cannot slip past the limit; a success clears
// the count. Once MAX_FAILURES attempts have failed within WINDOW_MS of the first, further
// attempts are refused, a correct password included, until that window has passed.
import { eq, lte, sql } from "drizzle-orm";
import type { Db } from "../storage/db/index.js";
import { schema } from "../storage/db/index.js";

export const MAX_FAILURES = 5;
export const WINDOW_MS = 15 * 60_000;

const f = schema.loginFailures;

/** Counts an attempt; answers the seconds to wait when it must be refused, else undefined. */
export async function countAttempt(db: Db, key: string, now = Date.now()): Promise<number | undefined> {
  const expired = sql`${f.windowStart} <= ${now - WINDOW_MS}`;
  const [, rows] = await db.batch([
    // Rows whose window has passed are no longer needed (unknown names are counted too).
    db.delete(f).where(lte(f.windowStart, now - WINDOW_MS)),
    db.insert(f).values({ key, count: 1, windowStart: now, lockedUntil: null }).onConflictDoUpdate({
      target: f.key,
      set: {
        count: sql`CASE WHEN ${expired} THEN 1 ELSE ${f.count} + 1 END`,
        windowStart: sql`CASE WHEN ${expired} THEN ${now} ELSE ${f.windowStart} END`,
        lockedUntil: sql`CASE WHEN ${expired} THEN NULL WHEN ${f.count} + 1 >= ${MAX_FAILURES} THEN ${f.windowStart} + ${WINDOW_MS} ELSE ${f.lockedUntil} END`,
      },
    }).returning(),
  ]);
  const row = rows[0]!;
  if (row.count <= MAX_FAILURES) return undefined;
  return Math.max(1, Math.ceil((row.windowStart + WINDOW_MS - now) / 1000));
}

/** Forgets the attempts for a key (after a successful login). */
export async function clearAttempts(db: Db, key: string): Promise<void> {
  await db.delete(f).where(eq(f.key, key));
}
