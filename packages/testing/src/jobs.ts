/**
 * Jobs and run names as the stores see them: a normalized job, and a `random` that makes
 * `createRun` pick given words.
 *
 * @module
 */
import { ADJECTIVES, ANIMALS, type Job } from "@dstack/spec";

/** A job as `@dstack/spec` normalizes it. */
export function makeJob(workflow: string | null = "train"): Job {
  return {
    workflow,
    provider: "python",
    file: "train.py",
    args: [],
    environment: {},
    artifacts: ["model"],
    workingDir: ".",
    beforeRun: [],
    resources: { interruptible: false },
    deps: [],
  };
}

/** A `random` for `createRun` that always picks these words, e.g. `sharp`, `shrimp`. */
export function wordsRandom(adjective: string, animal: string): () => number {
  const a = (ADJECTIVES.indexOf(adjective) + 0.5) / ADJECTIVES.length;
  const b = (ANIMALS.indexOf(animal) + 0.5) / ANIMALS.length;
  if (a < 0 || b < 0) throw new Error(`unknown words ${adjective} ${animal}`);
  let i = 0;
  return () => (i++ % 2 === 0 ? a : b);
}
