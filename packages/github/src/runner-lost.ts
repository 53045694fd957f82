/**
 * Telling a lost runner from a failed script, by what GitHub's jobs and check-runs APIs report
 * about a completed job. Pure: the caller fetches the job and its annotations.
 *
 * @module
 */

/** A step of a job, as `GET .../actions/runs/{run_id}/jobs` reports it (`steps[]`). */
export interface JobStepFacts {
  name: string;
  /** `queued`, `in_progress` or `completed`. */
  status: string;
  /** `success`, `failure`, `cancelled`, `skipped`, ... or null while not completed. */
  conclusion: string | null;
}

/** A check-run annotation, as `GET /repos/{o}/{r}/check-runs/{id}/annotations` reports it. */
export interface AnnotationFacts {
  /** `notice`, `warning` or `failure`. */
  annotation_level: string | null;
  message: string | null;
}

/** What is known of one completed job: its conclusion, its steps, its check run's annotations. */
export interface JobEndFacts {
  /** The job's `conclusion` (`success`, `failure`, `cancelled`, ...). */
  conclusion: string | null;
  /** The job's `steps` (may be empty when GitHub lists none). */
  steps: JobStepFacts[];
  /** The annotations of the job's check run (the job id is its check run id). */
  annotations: AnnotationFacts[];
}

/** The verdict on a completed job: whether its runner was lost, and the words that said so. */
export type JobEndVerdict =
  | { kind: "runner-lost"; evidence: string }
  | { kind: "not-lost"; why: string };

/**
 * GitHub's annotation when the service stops hearing from the runner that holds a job: "The
 * self-hosted runner: NAME lost communication with the server. Verify the machine is running
 * ..." (hosted runners: "The hosted runner: NAME lost communication ..."; older ones omit
 * "NAME"). It is what GitHub writes on the job's check run when the machine vanished (a spot
 * reclaim, a shutdown, a kill), as quoted in actions/runner issues 2040, 2624 and 3539.
 */
const LOST_COMMUNICATION = /\brunner\b.*\blost communication with the server\b/is;

/**
 * The message the runner itself sends when its service is stopped mid-job (actions/runner
 * `Runner.Listener`: "The runner has received a shutdown signal. This can happen when the runner
 * service is stopped, or a manually started runner is canceled."): a spot machine being shut
 * down by its provider.
 */
const SHUTDOWN_SIGNAL = /\bThe runner has received a shutdown signal\b/i;

/**
 * Whether a completed job failed because its runner was lost rather than because its script
 * failed; the rule is conservative, so that a failure of the job's own never resumes:
 *
 * 1. the job concluded `failure` (a `cancelled` job was cancelled by someone: not resumed;
 *    `success`, `skipped`, `timed_out`: nothing to resume);
 * 2. no step concluded `failure` (a failed step is a live runner reporting the script's exit,
 *    with the annotation "Process completed with exit code N.");
 * 3. a `failure` annotation of the job's check run says the runner lost communication with the
 *    server, or that it received a shutdown signal (see the patterns' sources above).
 *
 * Without annotations (e.g. the token cannot read checks) the verdict is `not-lost`.
 */
export function classifyJobEnd(facts: JobEndFacts): JobEndVerdict {
  if (facts.conclusion !== "failure") {
    return { kind: "not-lost", why: `the job concluded ${facts.conclusion ?? "nothing"}` };
  }
  const failedStep = facts.steps.find((s) => s.conclusion === "failure");
  if (failedStep !== undefined) {
    return { kind: "not-lost", why: `step ${JSON.stringify(failedStep.name)} failed` };
  }
  const said = facts.annotations.find(
    (a) =>
      a.annotation_level === "failure" &&
      typeof a.message === "string" &&
      (LOST_COMMUNICATION.test(a.message) || SHUTDOWN_SIGNAL.test(a.message)),
  );
  if (said?.message) {
    return { kind: "runner-lost", evidence: said.message.split(". ")[0] ?? said.message };
  }
  return {
    kind: "not-lost",
    why: "no annotation says the runner lost communication or was shut down",
  };
}
