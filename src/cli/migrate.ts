// `edgevisor migrate <vm> --host <host>`: live-migrates a VM through the service's API and
// follows the task with a progress bar, then prints the figures (downtime, total time,
// rounds, bytes sent). `edgevisor maintenance <host> enter|exit` evacuates a host the same way.
import { apiCall, type ApiTarget } from "./api-client.js";

interface Task {
  id: string;
  state: "queued" | "running" | "succeeded" | "failed";
  progress: number;
  result?: Record<string, unknown>;
  error?: { code: string; message: string };
}

export interface Output {
  write(s: string): void;
  isTTY?: boolean;
}

const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

export function bar(progress: number, width = 30): string {
  const p = Math.max(0, Math.min(100, Math.round(progress)));
  const filled = Math.round((p / 100) * width);
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${String(p).padStart(3)}%`;
}

/** Polls a task until it ends, drawing its progress; returns the finished task. */
export async function follow(t: ApiTarget, taskId: string, out: Output, label: string, pollMs = 100): Promise<Task> {
  let last = "";
  for (;;) {
    const task = await apiCall<Task>(t, "GET", `/api/tasks/${taskId}`);
    const line = `${label} ${bar(task.progress)} ${task.state}`;
    if (line !== last) {
      out.write(out.isTTY ? `\r${line}` : `${line}\n`);
      last = line;
    }
    if (task.state === "succeeded" || task.state === "failed") {
      if (out.isTTY) out.write("\n");
      return task;
    }
    await sleep(pollMs);
  }
}

function figures(r: Record<string, unknown>): string {
  const n = (k: string) => (typeof r[k] === "number" ? (r[k] as number) : undefined);
  const mib = (b: number | undefined) => (b === undefined ? "?" : `${(b / (1 << 20)).toFixed(1)} MiB`);
  return [
    `downtime ${n("downtimeMs") ?? "?"} ms, total ${n("totalMs") ?? "?"} ms, ${n("rounds") ?? "?"} rounds`,
    `sent ${mib(n("bytesSent"))}, frames per round ${JSON.stringify(r.framesPerRound ?? [])}, dirty rate ${n("dirtyRate") ?? "?"} frames/s`,
  ].join("\n");
}

export async function migrateCommand(t: ApiTarget, vm: string, host: string, out: Output, opts: { downtimeMs?: number } = {}): Promise<number> {
  const { task } = await apiCall<{ task: Task }>(t, "POST", `/api/vms/${encodeURIComponent(vm)}/migrate`, { host, ...(opts.downtimeMs ? { downtimeMs: opts.downtimeMs } : {}) });
  const done = await follow(t, task.id, out, `migrating ${vm} to ${host}`);
  if (done.state === "failed") {
    out.write(`migration failed: ${done.error?.message ?? "unknown error"} (the VM runs on where it was)\n`);
    return 1;
  }
  out.write(`${figures(done.result ?? {})}\n`);
  return 0;
}

export async function maintenanceCommand(t: ApiTarget, host: string, action: "enter" | "exit", out: Output): Promise<number> {
  const r = await apiCall<{ state: string; task?: Task }>(t, "POST", `/api/hosts/${encodeURIComponent(host)}/maintenance?action=${action}`);
  if (!r.task) {
    out.write(`host ${host} is ${r.state}\n`);
    return 0;
  }
  const done = await follow(t, r.task.id, out, `evacuating ${host}`);
  if (done.state === "failed") {
    out.write(`evacuation failed: ${done.error?.message ?? "unknown error"}\n`);
    return 1;
  }
  const moved = (done.result?.moved as { vm: string; host: string }[] | undefined) ?? [];
  out.write(`host ${host} is in maintenance; ${moved.length} VM(s) moved${moved.length ? `: ${moved.map((m) => `${m.vm} → ${m.host}`).join(", ")}` : ""}\n`);
  return 0;
}
