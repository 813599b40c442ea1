// Bindings the workers tests see (the Worker's plus what vitest.config.ts injects).
import type { D1Migration } from "cloudflare:test";
import type { Env as WorkerEnv } from "../../src/env.js";

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {
      TEST_MIGRATIONS: D1Migration[];
      EDGEVISOR_ADMIN_TOKEN: string;
      /** tools/guest/out/small/Image, when built. */
      SMALL_KERNEL?: ArrayBuffer;
    }
  }
}
