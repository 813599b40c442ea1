// Password hashing: PBKDF2-SHA256 through WebCrypto with a random 16-byte salt. The stored
// string carries its parameters (`pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>`) so they
// can change later without breaking old hashes. workerd refuses more than 100,000 iterations.
// Verification compares in constant time; DUMMY_HASH lets callers spend the same work when
// there is no real hash to check (unknown user), so timing does not tell either.

import { toBase64, fromBase64 } from "../encoding.js";

export const PBKDF2_ITERATIONS = 100_000;
export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 256;
const SCHEME = "pbkdf2-sha256";
const SALT_BYTES = 16;
const HASH_BYTES = 32;

/** A well-formed hash no password matches (its salt and hash are zeros): for timing only. */
export const DUMMY_HASH = `${SCHEME}$${PBKDF2_ITERATIONS}$${"A".repeat(22)}==$${"A".repeat(43)}=`;

/** Why a password breaks the policy (length in characters), or undefined when it is acceptable. */
export function passwordProblem(password: string): string | undefined {
  const n = [...password].length;
  if (n < PASSWORD_MIN || n > PASSWORD_MAX) return `must be ${PASSWORD_MIN}-${PASSWORD_MAX} characters`;
  return undefined;
}


async function derive(password: string, salt: Uint8Array, iterations: number, bytes: number): Promise<ArrayBuffer> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(password.normalize("NFC")), "PBKDF2", false, ["deriveBits"]);
  return crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, bytes * 8);
}

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = new Uint8Array(await derive(password, salt, PBKDF2_ITERATIONS, HASH_BYTES));
  return `${SCHEME}$${PBKDF2_ITERATIONS}$${toBase64(salt)}$${toBase64(hash)}`;
}

function parse(stored: string): { iterations: number; salt: Uint8Array; hash: Uint8Array } | undefined {
  const parts = stored.split("$");
  if (parts.length !== 4 || parts[0] !== SCHEME) return undefined;
  const iterations = Number(parts[1]);
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > PBKDF2_ITERATIONS) return undefined;
  try {
    const salt = fromBase64(parts[2]!);
    const hash = fromBase64(parts[3]!);
    return hash.length >= 16 && hash.length <= 64 ? { iterations, salt, hash } : undefined;
  } catch {
    return undefined;
  }
}

/** True when `password` matches `stored`; a null or malformed hash costs the same and fails. */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const real = stored === null ? undefined : parse(stored);
  const p = real ?? parse(DUMMY_HASH)!;
  const got = await derive(password, p.salt, p.iterations, p.hash.length);
  const same = crypto.subtle.timingSafeEqual(got, p.hash);
  return real !== undefined && same;
}
