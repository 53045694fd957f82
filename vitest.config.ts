import { defineConfig } from "vitest/config";

export default defineConfig({
  // Tests read the workspace packages' TypeScript source (the `@dstack/source` export condition
  // of each package.json), not their built lib/: a change in one package is seen by the tests of
  // the packages that import it without a rebuild. Builds (tsc, esbuild) do not use the condition.
  // (Added to vitest's own server conditions, `node` and `development`.)
  ssr: { resolve: { conditions: ["@dstack/source"] } },
  test: {
    include: ["packages/*/src/**/*.test.ts", "actions/*/src/**/*.test.ts", "test/**/*.test.ts"],
    // The default report, then one plain `vitest: N passed, N failed, N skipped` line for CI.
    reporters: ["default", "./scripts/summary-reporter.ts"],
    // Property-based and process-spawning tests take longer than unit tests.
    testTimeout: 30_000,
    // One process per test file: tests that set process.env or the working directory (the
    // in-process action runner of @dstack/testing does both, and restores them) cannot reach
    // another file's tests. Tests of one file run one at a time.
    pool: "forks",
    // Most tests wait on processes, servers and the disk rather than the CPU: more files at once
    // than cores (vitest's default is one fewer than the cores: 1 on a 2-core machine). On the
    // shared 2-core machine, a fresh clone's vitest took 164 s with 3 workers (load ~9) and 94 s
    // with 4 (load ~8); 4 workers on a subset of files were faster than 2 and 3 too.
    // VITEST_MAX_WORKERS overrides it.
    maxWorkers: 4,
  },
});
