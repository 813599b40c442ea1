// Bearer-token authentication: the built-in admin's bootstrap token (EDGEVISOR_ADMIN_TOKEN,
// compared as SHA-256 digests in constant time, so neither its length nor a prefix leaks
// through timing), or an API or session token from D1 (src/security/tokens.ts). Unknown,
// expired and revoked tokens get the same answer.
import { createMiddleware } from "hono/factory";
import type { Env } from "../env.js";
import { unauthorized } from "../errors.js";
import { openDb } from "../storage/db/index.js";
import { findToken, touchToken } from "../security/tokens.js";

export interface Principal {
  /** The user's name (`admin` for the bootstrap token). */
  user: string;
  /** The D1 token in use; absent for the bootstrap token. */
  tokenId?: string;
}

async function digest(s: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", new TextEncoder().encode(s));
}

/** Reads the bearer token from the Authorization header (or `?access_token=` for WebSockets). */
export function presentedToken(req: Request): string | undefined {
  const h = req.headers.get("authorization");
  if (h) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
    return m ? m[1] : undefined;
  }
  // Browsers cannot set headers on a WebSocket upgrade; the console accepts the query form.
  if (req.headers.get("upgrade")?.toLowerCase() === "websocket") {
    return new URL(req.url).searchParams.get("access_token") ?? undefined;
  }
  return undefined;
}

export const authenticate = () =>
  createMiddleware<{ Bindings: Env; Variables: { principal: Principal } }>(async function authenticate(c, next) {
    const token = presentedToken(c.req.raw);
    if (!token) throw unauthorized("send Authorization: Bearer <token>");
    const admin = c.env.EDGEVISOR_ADMIN_TOKEN;
    if (admin) {
      const [a, b] = await Promise.all([digest(token), digest(admin)]);
      if (crypto.subtle.timingSafeEqual(a, b)) {
        c.set("principal", { user: "admin" });
        return next();
      }
    }
    const db = openDb(c.env.DB);
    const now = Date.now();
    const t = await findToken(db, token, now);
    if (!t) throw unauthorized("the token is not valid");
    await touchToken(db, t, now);
    c.set("principal", { user: t.user, tokenId: t.id });
    await next();
  });
