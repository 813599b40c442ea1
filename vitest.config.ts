// Test projects: `node` runs src/machine unit tests, the conformance suite and the
// differential tests in plain Node.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "node",
          environment: "node",
          include: ["tests/unit/**/*.test.ts", "tests/conformance/**/*.test.ts", "tests/difftest/**/*.test.ts", "tests/linux/**/*.test.ts", "src/**/*.test.ts"],
          testTimeout: 600_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
