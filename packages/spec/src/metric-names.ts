/**
 * The rule for metric names a workflow's `metrics:` may name: a name a job can log. It is the
 * rule of the writers and the reader of metrics files: the `dstack` Python module's
 * `metrics.log` takes names of 1 to 200 characters on one line, and `@dstack/metrics` reads
 * `step` and `epoch` as a point's position, never as metrics (it imports
 * {@link NOT_METRIC_NAMES} from here).
 *
 * @module
 */

/** Most characters of a metric name (the `dstack` Python module's `metrics.log` limit). */
export const METRIC_NAME_MAX = 200;

/** Keys of a JSON line and CSV columns that place a point (its step) and are not metrics. */
export const NOT_METRIC_NAMES: readonly string[] = Object.freeze(["step", "epoch"]);

/**
 * What is wrong with `name` as a metric name, or `undefined` when it is one: empty, longer than
 * {@link METRIC_NAME_MAX} characters, holding a line break or another control character, or one
 * of {@link NOT_METRIC_NAMES}.
 *
 * @returns one sentence naming the value and what is allowed.
 */
export function metricNameProblem(name: string): string | undefined {
  const shown = JSON.stringify(name.length > 60 ? `${name.slice(0, 59)}…` : name);
  if (name === "") return "a metric name must not be empty";
  if ([...name].length > METRIC_NAME_MAX) {
    return `${shown} is ${[...name].length} characters; a metric name has at most ${METRIC_NAME_MAX}`;
  }
  if (/\p{Cc}/u.test(name)) {
    return `${shown} holds a line break or another control character; a metric name is one line of text`;
  }
  if (NOT_METRIC_NAMES.includes(name)) {
    return `${shown} is the step of each point, not a metric (${NOT_METRIC_NAMES.join(" and ")} are never metrics)`;
  }
  return undefined;
}
