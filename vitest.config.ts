import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/src/**/*.test.ts", "actions/*/src/**/*.test.ts", "test/**/*.test.ts"],
    // The default report, then one plain `vitest: N passed, N failed, N skipped` line for CI.
    reporters: ["default", "./scripts/summary-reporter.ts"],
    // Property-based and process-spawning tests take longer than unit tests.
    testTimeout: 30_000,
  },
});
