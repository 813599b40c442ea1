// Tasks: a long operation answered with 202 {task} runs in the background; the task goes from
// queued/running to succeeded with its result, visible through GET /api/tasks/:id.
import { describe, it, expect } from "vitest";
import { call, smallKernel, ConsoleReader } from "./api.js";

const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

async function settle(id: string): Promise<any> {
  for (let i = 0; i < 400; i++) {
    const t = await call("GET", `/api/tasks/${id}`);
    expect(t.status).toBe(200);
    if (t.json.state === "succeeded" || t.json.state === "failed") return t.json;
    await sleep(25);
  }
  throw new Error("task did not finish");
}

describe("tasks", () => {
  it("takes a memory snapshot as a task and reports its result", async () => {
    const kernel = await smallKernel();
    const vm = (await call("POST", "/api/vms", { name: "tasked", memoryMiB: 32, boot: { kernel }, powerOn: true })).json;
    await new ConsoleReader(vm.id).waitFor(/init done[\s\S]*# /);
    const r = await call("POST", `/api/vms/${vm.id}/snapshots?async=true`, { name: "bg" });
    expect(r.status).toBe(202);
    expect(r.json.task).toMatchObject({ kind: "snapshot", state: "queued", progress: 0, entity: vm.id });
    const done = await settle(r.json.task.id);
    expect(done).toMatchObject({ state: "succeeded", progress: 100 });
    expect(done.result).toMatchObject({ name: "bg", memory: true, powerState: "POWERED_ON" });
    expect((await call("GET", `/api/vms/${vm.id}/snapshots/${done.result.id}`)).status).toBe(200);
    expect((await call("GET", "/api/tasks")).json.some((t: any) => t.id === r.json.task.id)).toBe(true);
    expect((await call("GET", "/api/tasks/task-nope")).status).toBe(404);
  });
});
