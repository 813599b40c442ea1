// API and session tokens. A secret is 32 random bytes shown once as `evt_<base64url>` (the
// prefix makes leaked ones recognisable to secret scanners); D1 keeps only its SHA-256 hex
// and looks tokens up by that hash. A token is valid until it expires or is revoked and
// while its user is enabled; last_used_at is written at most once a minute.
import { and, eq, isNull, lt, or } from "drizzle-orm";
import type { Db } from "../storage/db/index.js";
import { schema } from "../storage/db/index.js";
import { newId } from "../ids.js";
import { sha256Hex, toBase64Url } from "../encoding.js";

export const TOKEN_PREFIX = "evt_";
export const SESSION_TTL_MS = 12 * 3600_000;
const TOUCH_INTERVAL_MS = 60_000;

export type TokenKind = "api" | "session";

export function newSecret(): string {
  const b = crypto.getRandomValues(new Uint8Array(32));
  return TOKEN_PREFIX + toBase64Url(b);
}

export async function hashSecret(secret: string): Promise<string> {
  return sha256Hex(new TextEncoder().encode(secret));
}

/** Creates a token for a user; the returned secret exists nowhere else. */
export async function issueToken(db: Db, t: { userId: string; name: string; kind: TokenKind; expiresAt: number | null }, now = Date.now()) {
  const token = newSecret();
  const id = newId("token");
  await db.insert(schema.tokens).values({
    id, userId: t.userId, name: t.name, kind: t.kind, secretHash: await hashSecret(token),
    createdAt: now, expiresAt: t.expiresAt, revokedAt: null, lastUsedAt: null,
  });
  return { id, token, expiresAt: t.expiresAt };
}

/** The valid token with this secret and its (enabled) user, or undefined. */
export async function findToken(db: Db, secret: string, now = Date.now()) {
  const hash = await hashSecret(secret);
  const [row] = await db
    .select({ id: schema.tokens.id, kind: schema.tokens.kind, expiresAt: schema.tokens.expiresAt, revokedAt: schema.tokens.revokedAt, lastUsedAt: schema.tokens.lastUsedAt, userId: schema.users.id, user: schema.users.name, disabled: schema.users.disabled })
    .from(schema.tokens)
    .innerJoin(schema.users, eq(schema.users.id, schema.tokens.userId))
    .where(eq(schema.tokens.secretHash, hash));
  if (!row || row.revokedAt !== null || row.disabled) return undefined;
  if (row.expiresAt !== null && row.expiresAt <= now) return undefined;
  return row;
}

/** Records a use, at most once a minute per token. */
export async function touchToken(db: Db, t: { id: string; lastUsedAt: number | null }, now = Date.now()): Promise<void> {
  if (t.lastUsedAt !== null && now - t.lastUsedAt < TOUCH_INTERVAL_MS) return;
  await db.update(schema.tokens).set({ lastUsedAt: now }).where(and(
    eq(schema.tokens.id, t.id),
    or(isNull(schema.tokens.lastUsedAt), lt(schema.tokens.lastUsedAt, now - TOUCH_INTERVAL_MS)),
  ));
}

/** Revokes a token (idempotent: an earlier revocation time is kept). */
export async function revokeToken(db: Db, id: string, now = Date.now()): Promise<void> {
  await db.update(schema.tokens).set({ revokedAt: now }).where(and(eq(schema.tokens.id, id), isNull(schema.tokens.revokedAt)));
}
