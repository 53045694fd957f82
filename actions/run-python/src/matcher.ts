/**
 * The problem matcher that turns Python tracebacks in the job's output into error annotations at
 * the innermost frame's file and line (an annotation on the line that failed, as GitHub's problem
 * matchers make them: https://github.com/actions/toolkit/blob/main/docs/problem-matchers.md).
 *
 * GitHub applies a matcher to every line a step prints once `::add-matcher::<file>` names its
 * JSON; a multi-line pattern must match consecutive lines, and only the last may carry
 * `message` (https://github.com/actions/toolkit/blob/main/docs/problem-matchers.md). A Python
 * traceback ends with the innermost frame, its source line, optionally a line of `^`/`~`
 * markers (Python 3.11+, and every SyntaxError), then `ExceptionType: message`:
 *
 * ```text
 *   File "/home/runner/work/repo/train.py", line 12, in main
 *     loss = 1 / 0
 *            ~~^~~
 * ZeroDivisionError: division by zero
 * ```
 *
 * Problem matchers have no optional lines, so there are two: one without the marker line and one
 * with it. Earlier frames never match the last pattern (their next line is indented), so each
 * traceback yields one annotation. The runner keeps a file only when it lies inside the
 * repository; a traceback ending in site-packages is annotated without a file.
 *
 * @module
 */

/** The owners of the two matchers, for `::remove-matcher owner=...::`. */
export const MATCHER_OWNERS = ["dstack-python-traceback", "dstack-python-traceback-marked"];

const FRAME = String.raw`^\s*File "(.+)", line (\d+)(?:, in .+)?$`;
const SOURCE = String.raw`^\s{4,}\S.*$`;
const MARKERS = String.raw`^\s*[\^~]+[\s\^~]*$`;
// `ValueError: bad`, `mypkg.errors.DataError: ...`, `KeyboardInterrupt`: a dotted name at the
// line start, then nothing or `: message`.
const EXCEPTION = String.raw`^((?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*(?::\s.*)?)$`;

/** One pattern of a matcher, in the runner's JSON shape. */
export interface MatcherPattern {
  regexp: string;
  file?: number;
  line?: number;
  message?: number;
}

/** A problem matcher file's content (`{ problemMatcher: [...] }`). */
export interface ProblemMatcherFile {
  problemMatcher: { owner: string; severity?: "error" | "warning"; pattern: MatcherPattern[] }[];
}

/** The matcher file's content. */
export const PYTHON_TRACEBACK_MATCHER: ProblemMatcherFile = {
  problemMatcher: [
    {
      owner: MATCHER_OWNERS[0] as string,
      severity: "error",
      pattern: [
        { regexp: FRAME, file: 1, line: 2 },
        { regexp: SOURCE },
        { regexp: EXCEPTION, message: 1 },
      ],
    },
    {
      owner: MATCHER_OWNERS[1] as string,
      severity: "error",
      pattern: [
        { regexp: FRAME, file: 1, line: 2 },
        { regexp: SOURCE },
        { regexp: MARKERS },
        { regexp: EXCEPTION, message: 1 },
      ],
    },
  ],
};
