/**
 * Markdown for text we do not control (commands, branch names, workflow names, metric names,
 * error messages that quote them): always inside code, where GitHub renders no markup, no HTML,
 * no `@mention` and no `#123` reference (GitHub Flavored Markdown, "Code spans" and "Fenced code
 * blocks", github.github.com/gfm/).
 *
 * @module
 */

/** The longest run of `char` in `text`. */
function longestRun(text: string, char: string): number {
  let longest = 0;
  let run = 0;
  for (const c of text) {
    run = c === char ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  return longest;
}

/**
 * `text` as one inline code span: line breaks become spaces, the backtick fence is longer than
 * any run of backticks inside, and a space pads text that starts or ends with a backtick (GFM
 * strips one space on each side). Empty text gives `""` in a code span.
 */
export function code(text: string): string {
  const flat = String(text).replace(/[\r\n]+/g, " ");
  if (flat === "") return '`""`';
  const fence = "`".repeat(longestRun(flat, "`") + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") || /^ .* $/.test(flat) ? " " : "";
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/**
 * `text` as a code span inside a GFM table cell: {@link code}, with `|` escaped (GFM reads a
 * table row's `|` before it reads code spans; `\|` keeps the pipe in the cell).
 */
export function codeCell(text: string): string {
  return code(text).replaceAll("|", "\\|");
}

/** `text` as a fenced code block whose fence no line of `text` can close. */
export function codeBlock(text: string, info = "text"): string {
  const fence = "`".repeat(Math.max(3, longestRun(String(text), "`") + 1));
  return `${fence}${info}\n${String(text).replace(/\r\n?/g, "\n")}\n${fence}`;
}

/**
 * A link `[label](url)` when `url` is an `http(s)` URL, else the label alone. The label is given
 * as Markdown (build it with {@link code}); characters that end a link destination
 * or a table cell are percent-encoded.
 */
export function link(label: string, url: string | undefined): string {
  if (!url || !/^https?:\/\/[^\s]+$/i.test(url)) return label;
  const safe = url.replace(
    /[()<>"'\\`|]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `[${label}](${safe})`;
}
