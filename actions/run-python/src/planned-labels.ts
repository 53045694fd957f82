/**
 * The runner labels a dispatcher planned for a job (the runner workflow's `runs-on` input, which
 * its run job runs on): read from the step's `runs-on` input and checked against the labels the
 * job needs, recomputed here with `@dstack/spec`'s `jobLabels` (the same rule `mode: plan` uses),
 * so a dispatched run needs no plan job and the trust rules hold on the runner itself.
 *
 * @module
 */
import { EPHEMERAL_LABEL, type Job, jobLabels } from "@dstack/spec";
import { InputError } from "./input-error.js";

/** GitHub's `runs-on` label matching is case-insensitive. */
const fold = (label: string): string => label.toLowerCase();

/**
 * Parses the `runs-on` input: a JSON array of label strings (what `mode: plan` outputs), or
 * empty for none.
 *
 * @returns the labels, or undefined for an empty input.
 * @throws InputError naming the input, what was given and what is allowed.
 */
export function parsePlannedLabels(text: string): string[] | undefined {
  if (text.trim() === "") return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    !value.every((l) => typeof l === "string" && l !== "")
  ) {
    throw new InputError(
      `runs-on: ${JSON.stringify(text.slice(0, 200))} is not a JSON array of runner labels; give what mode: plan outputs, e.g. ["self-hosted","dstack","gpu-count-ge-1"], or leave it empty`,
    );
  }
  return value as string[];
}

/**
 * Checks that the planned labels ask for at least what the job needs: every label of
 * `jobLabels(job.resources, { untrusted })` must be among them (so an untrusted run's labels hold
 * `dstack-ephemeral`). More labels only narrow the runners that match, and are allowed.
 *
 * @throws InputError naming the missing labels (and, for `dstack-ephemeral`, why it is needed),
 *   or when no labels express the job's resources.
 */
export function checkPlannedLabels(
  job: Job,
  planned: readonly string[],
  options: { untrusted: boolean },
): void {
  const needed = jobLabels(job.resources, { untrusted: options.untrusted });
  if ("errors" in needed) {
    throw new InputError(
      `runs-on: no runner labels express this job's resources: ${needed.errors.map((e) => e.message).join("; ")}`,
    );
  }
  const have = new Set(planned.map(fold));
  const missing = needed.labels.filter((l) => !have.has(fold(l)));
  if (missing.length === 0) return;
  const ephemeral = missing.some((l) => fold(l) === fold(EPHEMERAL_LABEL))
    ? `; ${EPHEMERAL_LABEL} keeps untrusted code (not on the default branch) on ephemeral runners, which persistent runners never carry`
    : "";
  throw new InputError(
    `runs-on: the dispatcher planned ${JSON.stringify(planned)}, but this job needs ${JSON.stringify(needed.labels)}: missing ${missing.join(", ")}${ephemeral}; the job was not run (dispatch it again with dstack, which plans the labels from the job)`,
  );
}
