// The service under `wrangler dev` for the benchmarks: local storage in a throwaway
// directory (D1 migrations applied), an admin token and extra [vars], no network or
// telemetry; ready() waits until it answers, stop() ends its process group, tail() gives the
// last lines it wrote (for failure reports); apiClient() makes the JSON calls the
// benchmarks send it. BENCH_WRANGLER_LOG=FILE appends everything it writes to FILE. With
// `direct`, directBase is the Worker's own address behind wrangler's dev proxy (which
// production does not have), read from wrangler's debug log. A benchmark that is
// interrupted (Ctrl-C, timeout) takes its servers down with it instead of leaving them on
// their ports.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const env = { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };
const wrangler = join(root, "node_modules/.bin/wrangler");
const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

export class WranglerDev {
  /** Servers still running, with their storage: killed and removed if this process is interrupted or exits (they run detached). */
  private static readonly live = new Map<ChildProcess, string>();
  private static hooked = false;

  private static killOnExit(): void {
    if (WranglerDev.hooked) return;
    WranglerDev.hooked = true;
    const killAll = () => {
      for (const [c, dir] of WranglerDev.live) {
        try { process.kill(-c.pid!, "SIGKILL"); } catch { /* gone */ }
        rmSync(dir, { recursive: true, force: true });
      }
      WranglerDev.live.clear();
    };
    process.once("exit", killAll);
    for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
      process.once(sig, () => { killAll(); process.exit(128 + (sig === "SIGINT" ? 2 : sig === "SIGTERM" ? 15 : 1)); });
    }
  }

  readonly base: string;
  readonly persist: string;
  private child: ChildProcess | undefined;
  private log = "";

  constructor(readonly port: number, readonly token: string, private readonly vars: Record<string, string> = {}, name = "bench", private readonly direct = false) {
    this.base = `http://127.0.0.1:${port}`;
    this.persist = mkdtempSync(join(tmpdir(), `edgevisor-${name}-`));
    // The D1 migrations, into the same local storage the server will use.
    spawnSync(wrangler, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", this.persist], { cwd: root, env, stdio: "ignore" });
  }

  /** Starts (or restarts) the server and waits until it answers. */
  async start(): Promise<void> {
    const vars = Object.entries({ EDGEVISOR_ADMIN_TOKEN: this.token, ...this.vars }).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
    const debug = this.direct ? ["--log-level", "debug"] : [];
    this.log = "";
    this.directUrl = undefined;
    const child = spawn(wrangler, ["dev", "--ip", "127.0.0.1", "--port", String(this.port), "--persist-to", this.persist, ...debug, ...vars],
      { cwd: root, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    const logFile = process.env.BENCH_WRANGLER_LOG;
    const keep = (d: Buffer) => {
      if (logFile) appendFileSync(logFile, d);
      this.log += d.toString();
      if (this.log.length > 200_000) this.log = this.log.slice(-100_000);
    };
    child.stdout!.on("data", keep);
    child.stderr!.on("data", keep);
    this.child = child;
    WranglerDev.live.set(child, this.persist);
    child.once("exit", () => WranglerDev.live.delete(child));
    WranglerDev.killOnExit();
    for (let i = 0; i < 600; i++) {
      if (child.exitCode !== null) throw new Error(`wrangler dev exited: ${this.tail()}`);
      if (this.direct) this.directUrl = this.findDirect() ?? this.directUrl;
      try {
        if ((await fetch(`${this.base}/`)).ok && (!this.direct || this.directUrl)) return;
      } catch { /* starting */ }
      await sleep(100);
    }
    throw new Error("wrangler dev did not start");
  }

  private directUrl: string | undefined;
  /** The Worker's own address (no dev proxy in between), when started with `direct`. */
  get directBase(): string | undefined { return this.directUrl; }

  private findDirect(): string | undefined {
    const m = [...this.log.matchAll(/"userWorkerUrl":\{[^}]*"hostname":"([\d.]+)","port":"(\d+)"/g)].at(-1);
    return m ? `http://${m[1]}:${m[2]}` : undefined;
  }

  /** Stops the server (its whole process group); the storage stays until dispose(). */
  stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    return new Promise((res) => {
      if (!child || child.exitCode !== null) return res();
      child.once("exit", () => res());
      try { process.kill(-child.pid!, "SIGTERM"); } catch { res(); }
    });
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.persist, { recursive: true, force: true });
  }

  /** The last lines wrangler wrote (both streams). */
  tail(lines = 30): string {
    return this.log.split("\n").filter((l) => l.trim()).slice(-lines).join("\n");
  }
}

/** A call the service answered with an error status: the status and the body as sent. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly body: string, message: string) { super(message); }
}

/**
 * JSON calls to the service at `base` with a bearer token (a string or bytes body goes as it
 * is); the parsed answer, or ApiError.
 */
export function apiClient(base: string, token: string): (method: string, path: string, body?: unknown) => Promise<any> {
  return async (method, path, body) => {
    const init: RequestInit = { method, headers: { authorization: `Bearer ${token}` } };
    if (body !== undefined) init.body = (typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body)) as NonNullable<RequestInit["body"]>;
    const r = await fetch(`${base}${path}`, init);
    const text = await r.text();
    if (!r.ok) throw new ApiError(r.status, text, `${method} ${path}: ${r.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
}
