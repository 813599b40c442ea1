// Bearer-token authentication. Until users and roles exist, the one accepted token is the
// built-in admin's (EDGEVISOR_ADMIN_TOKEN). Tokens are compared as SHA-256 digests in
// constant time, so neither their length nor a prefix leaks through timing.
import { createMiddleware } from "hono/factory";
import type { Env } from "../env.js";
import { unauthorized } from "../errors.js";

export interface Principal {
  user: string;
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
    if (!admin) throw unauthorized("the server has no admin token configured (EDGEVISOR_ADMIN_TOKEN)");
    const [a, b] = await Promise.all([digest(token), digest(admin)]);
    if (!crypto.subtle.timingSafeEqual(a, b)) throw unauthorized("the token is not valid");
    c.set("principal", { user: "admin" });
    await next();
  });
