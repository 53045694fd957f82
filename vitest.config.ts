import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/src/**/*.test.ts", "actions/*/src/**/*.test.ts"],
    // Property-based and process-spawning tests take longer than unit tests.
    testTimeout: 30_000,
  },
});
