// A VM's serial console over its WebSocket (GET /api/vms/:id/console), as an interactive
// client uses it: output is pushed as it appears and input is sent as messages. The
// benchmarks that time console round trips use it instead of polling console/output, whose
// requests would compete for the same workerd thread as the VM they measure (wrangler dev
// runs every object on one thread). Node 20 needs --experimental-websocket for the global
// WebSocket (the npm bench scripts pass it).

export interface ConsoleSocket {
  /** Everything received so far. */
  text(): string;
  send(s: string): void;
  /** Resolves when more output arrives, or after timeoutMs. */
  more(timeoutMs?: number): Promise<void>;
  close(): void;
}

export function hasWebSocket(): boolean {
  return typeof (globalThis as { WebSocket?: unknown }).WebSocket === "function";
}

/** Connects (replaying output from byte `from`) and resolves once the socket is open. */
export function openConsole(base: string, vmId: string, token: string, from = 0): Promise<ConsoleSocket> {
  if (!hasWebSocket()) throw new Error("no global WebSocket: run node with --experimental-websocket (Node 20) or use Node 22+");
  const url = `${base.replace(/^http/, "ws")}/api/vms/${vmId}/console?from=${from}&access_token=${encodeURIComponent(token)}`;
  const ws = new WebSocket(url);
  ws.binaryType = "arraybuffer";
  let out = "";
  let wake: (() => void) | undefined;
  let closed: string | undefined;
  const decoder = new TextDecoder("latin1");
  ws.addEventListener("message", (ev: MessageEvent) => {
    out += typeof ev.data === "string" ? ev.data : decoder.decode(new Uint8Array(ev.data as ArrayBuffer));
    wake?.();
  });
  ws.addEventListener("close", (ev: { code: number; reason: string }) => { closed = `console socket closed (${ev.code} ${ev.reason})`; wake?.(); });
  const socket: ConsoleSocket = {
    text: () => out,
    send: (s) => {
      if (closed) throw new Error(closed);
      ws.send(s);
    },
    more: (timeoutMs = 1000) => new Promise<void>((res, rej) => {
      if (closed) return rej(new Error(closed));
      const t = setTimeout(() => { wake = undefined; res(); }, timeoutMs);
      wake = () => { clearTimeout(t); wake = undefined; closed ? rej(new Error(closed)) : res(); };
    }),
    close: () => { try { ws.close(1000, "done"); } catch { /* already closed */ } },
  };
  return new Promise((res, rej) => {
    ws.addEventListener("open", () => res(socket), { once: true });
    ws.addEventListener("error", () => rej(new Error(`could not open ${url.replace(/access_token=[^&]*/, "access_token=…")}`)), { once: true });
  });
}
