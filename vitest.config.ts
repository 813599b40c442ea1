// Test projects: `node` runs src/machine unit tests, the conformance suite, the differential
// tests and the Linux guests in plain Node; `workers` runs everything that touches bindings
// inside workerd (vitest-pool-workers), with the D1 migrations applied.
import { defineConfig } from "vitest/config";
import { existsSync } from "node:fs";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";

const SMALL_KERNEL = "tools/guest/out/small/Image";

export const TEST_ADMIN_TOKEN = "test-admin-token-0123456789abcdef";

export default defineConfig(async () => {
  const migrations = await readD1Migrations("./migrations");
  return {
    test: {
      projects: [
        {
          test: {
            name: "node",
            environment: "node",
            include: ["tests/unit/**/*.test.ts", "tests/conformance/**/*.test.ts", "tests/difftest/**/*.test.ts", "tests/linux/**/*.test.ts", "src/machine/**/*.test.ts"],
            testTimeout: 600_000,
            hookTimeout: 600_000,
          },
        },
        {
          plugins: [
            cloudflareTest({
              main: "./src/index.ts",
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: { TEST_MIGRATIONS: migrations, EDGEVISOR_ADMIN_TOKEN: TEST_ADMIN_TOKEN, EDGEVISOR_MAX_IMAGE_BYTES: "16777216", EDGEVISOR_MAX_RESIDENT_MIB: "24", EDGEVISOR_TEST_FAULTS: "1" },
                // The small Linux kernel (initramfs built in) from `npm run images:small`.
                dataBlobBindings: existsSync(SMALL_KERNEL) ? { SMALL_KERNEL } : {},
              },
            }),
          ],
          test: {
            name: "workers",
            include: ["tests/workers/**/*.test.ts"],
            setupFiles: ["./tests/workers/setup.ts"],
            testTimeout: 300_000,
            hookTimeout: 300_000,
          },
        },
      ],
    },
  };
});
