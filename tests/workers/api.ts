// Helpers for workers tests: authenticated calls to the Worker, the small Linux kernel as an
// image, and waiting for console output.
import { SELF, env } from "cloudflare:test";

export const auth = { authorization: `Bearer ${env.EDGEVISOR_ADMIN_TOKEN}` };

export async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const init: RequestInit = { method, headers: { ...auth, ...headers } };
  if (body !== undefined) {
    init.body = typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body);
  }
  const r = await SELF.fetch(`http://edgevisor${path}`, init);
  const text = await r.text();
  let json: any;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = text; }
  return { status: r.status, json };
}

/** Registers the small kernel (once per test file's storage) and returns its image id. */
export async function smallKernel(): Promise<string> {
  const bytes = env.SMALL_KERNEL;
  if (!bytes) throw new Error("tools/guest/out/small/Image is missing: run npm run images:small");
  const r = await call("POST", "/api/images?name=small-kernel&kind=kernel", new Uint8Array(bytes), { "content-type": "application/octet-stream" });
  if (r.status !== 201 && r.status !== 200) throw new Error(`image upload failed: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json.id as string;
}

/** Polls a task until it succeeds or fails; returns it. */
export async function waitTask(id: string): Promise<any> {
  for (let i = 0; i < 1200; i++) {
    const t = await call("GET", `/api/tasks/${id}`);
    if (t.json.state === "succeeded" || t.json.state === "failed") return t.json;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`task ${id} did not finish`);
}

/** Follows a VM's console output. */
export class ConsoleReader {
  text = "";
  private next = 0;
  constructor(readonly vm: string) {}

  async poll(): Promise<string> {
    const r = await call("GET", `/api/vms/${this.vm}/console/output?from=${this.next}`);
    if (r.status !== 200) throw new Error(`console output: ${r.status} ${JSON.stringify(r.json)}`);
    this.text += r.json.data;
    this.next = r.json.next;
    return r.json.data;
  }

  /** Waits until the output since `mark` matches; returns that output. */
  async waitFor(pattern: string | RegExp, timeoutMs = 120_000, mark = 0): Promise<string> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      await this.poll();
      const seen = this.text.slice(mark);
      if (typeof pattern === "string" ? seen.includes(pattern) : pattern.test(seen)) return seen;
      if (Date.now() > until) throw new Error(`timed out waiting for ${String(pattern)}; console tail: ${JSON.stringify(this.text.slice(-400))}`);
      await new Promise((res) => setTimeout(res, 50));
    }
  }

  /** Types a command and waits for a marker echoed after it. */
  async run(cmd: string, timeoutMs = 60_000): Promise<string> {
    const mark = this.text.length;
    const tag = `@@${Math.random().toString(36).slice(2, 8)}`;
    const r = await call("POST", `/api/vms/${this.vm}/console/input`, `${cmd}; echo ${tag}-$((1+1))\n`, { "content-type": "text/plain" });
    if (r.status !== 200) throw new Error(`console input: ${r.status} ${JSON.stringify(r.json)}`);
    const out = await this.waitFor(`${tag}-2`, timeoutMs, mark);
    return out;
  }
}
