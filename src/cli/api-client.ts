// How the command line reaches a running Edgevisor service: the base URL (--url, or
// EDGEVISOR_URL, default http://127.0.0.1:8787) and the token (--token, or EDGEVISOR_TOKEN,
// or EDGEVISOR_ADMIN_TOKEN in .dev.vars as `npm start` writes it), with JSON calls that turn
// the API's error bodies into one readable line.
import { existsSync, readFileSync } from "node:fs";

export interface ApiTarget {
  url: string;
  token: string;
  fetch?: typeof fetch;
}

export class ApiCallError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** The token from the environment or .dev.vars in the working directory. */
export function defaultToken(cwd = process.cwd()): string | undefined {
  if (process.env.EDGEVISOR_TOKEN) return process.env.EDGEVISOR_TOKEN;
  const vars = `${cwd}/.dev.vars`;
  if (!existsSync(vars)) return undefined;
  const m = /^EDGEVISOR_ADMIN_TOKEN\s*=\s*"?([^"\n]+)"?\s*$/m.exec(readFileSync(vars, "utf8"));
  return m?.[1];
}

export async function apiCall<T>(t: ApiTarget, method: string, path: string, body?: unknown): Promise<T> {
  const f = t.fetch ?? fetch;
  let res: Response;
  try {
    res = await f(`${t.url.replace(/\/$/, "")}${path}`, {
      method,
      headers: { authorization: `Bearer ${t.token}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (e) {
    throw new ApiCallError(0, `cannot reach ${t.url} (${(e as Error).message}); is the service running (npm start)?`);
  }
  const text = await res.text();
  let json: unknown;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  if (!res.ok) {
    const err = (json as { error?: { message?: string } } | undefined)?.error?.message ?? text.slice(0, 200);
    throw new ApiCallError(res.status, `${method} ${path}: ${res.status} ${err}`);
  }
  return json as T;
}
