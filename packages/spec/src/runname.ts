/**
 * Run names in dstack's style, `adjective-animal-N` (e.g. `sharp-shrimp-1`): short, readable,
 * safe as a folder name, a Git ref part, an artifact name and a GitHub label.
 *
 * A run name is unique because it is claimed atomically ({@link allocateRunName}'s `claim`, e.g.
 * `mkdir` without `recursive`), never because a listing was read first: two processes that pick
 * the same stem at the same moment get `stem-1` and `stem-2`.
 *
 * @module
 */

/** Adjectives of run names: lower-case ASCII letters only, no hyphens. */
export const ADJECTIVES: readonly string[] = Object.freeze([
  "able",
  "agile",
  "amber",
  "azure",
  "bold",
  "brave",
  "bright",
  "brisk",
  "calm",
  "clever",
  "cool",
  "cosmic",
  "crisp",
  "curious",
  "daring",
  "eager",
  "early",
  "fancy",
  "fast",
  "fluffy",
  "fresh",
  "gentle",
  "giant",
  "glad",
  "golden",
  "grand",
  "green",
  "happy",
  "hardy",
  "honest",
  "humble",
  "jolly",
  "keen",
  "kind",
  "lively",
  "lucky",
  "merry",
  "mighty",
  "modern",
  "neat",
  "nimble",
  "noble",
  "plucky",
  "polite",
  "proud",
  "quick",
  "quiet",
  "rapid",
  "rare",
  "ready",
  "regal",
  "robust",
  "rosy",
  "royal",
  "sharp",
  "shiny",
  "silent",
  "silver",
  "sleek",
  "smart",
  "smooth",
  "snowy",
  "solid",
  "speedy",
  "steady",
  "sturdy",
  "sunny",
  "swift",
  "tidy",
  "tiny",
  "vivid",
  "warm",
  "wise",
  "witty",
  "young",
  "zesty",
]);

/** Animals of run names: lower-case ASCII letters only, no hyphens. */
export const ANIMALS: readonly string[] = Object.freeze([
  "ant",
  "badger",
  "bear",
  "beaver",
  "bee",
  "bison",
  "camel",
  "cheetah",
  "cougar",
  "crab",
  "crane",
  "deer",
  "dingo",
  "dolphin",
  "duck",
  "eagle",
  "elk",
  "falcon",
  "ferret",
  "finch",
  "fox",
  "frog",
  "gazelle",
  "gecko",
  "gibbon",
  "goose",
  "gopher",
  "hare",
  "hawk",
  "hedgehog",
  "heron",
  "ibis",
  "impala",
  "jaguar",
  "kiwi",
  "koala",
  "lemur",
  "leopard",
  "lion",
  "llama",
  "lobster",
  "lynx",
  "marmot",
  "meerkat",
  "moose",
  "newt",
  "octopus",
  "otter",
  "owl",
  "panda",
  "parrot",
  "pelican",
  "penguin",
  "puffin",
  "quail",
  "rabbit",
  "raven",
  "robin",
  "salmon",
  "seal",
  "shrimp",
  "sloth",
  "sparrow",
  "squid",
  "stork",
  "swan",
  "tiger",
  "toucan",
  "turtle",
  "walrus",
  "whale",
  "wolf",
  "wombat",
  "yak",
  "zebra",
]);

const STEM_RE = /^[a-z]+(?:-[a-z]+)*$/;
const NAME_RE = /^([a-z]+(?:-[a-z]+)*)-([1-9][0-9]*)$/;

function pick(words: readonly string[], random: () => number): string {
  const r = random();
  const i = Number.isFinite(r)
    ? Math.min(words.length - 1, Math.max(0, Math.floor(r * words.length)))
    : 0;
  return words[i] ?? "";
}

/**
 * A random stem `adjective-animal` from {@link ADJECTIVES} and {@link ANIMALS}.
 *
 * @param random - a source of numbers in `[0, 1)` such as `Math.random`, called twice (adjective,
 *   then animal); out-of-range values are clamped. No state is kept between calls.
 */
export function runNameStem(random: () => number): string {
  const adjective = pick(ADJECTIVES, random);
  const animal = pick(ANIMALS, random);
  return `${adjective}-${animal}`;
}

/**
 * The run name `stem-n`, e.g. `formatRunName("sharp-shrimp", 1)` is `sharp-shrimp-1`.
 *
 * @param stem - lower-case words joined by `-` (`^[a-z]+(-[a-z]+)*$`).
 * @param n - the run's number under that stem, a positive safe integer.
 * @throws RangeError on a stem or number outside those shapes (a programming error).
 */
export function formatRunName(stem: string, n: number): string {
  if (!STEM_RE.test(stem)) {
    throw new RangeError(
      `run name stem ${JSON.stringify(stem)} must be lower-case words joined by "-"`,
    );
  }
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new RangeError(`run number ${n} must be a positive integer`);
  }
  return `${stem}-${n}`;
}

/**
 * Reads a run name back into its stem and number; the inverse of {@link formatRunName}.
 *
 * @param name - e.g. `sharp-shrimp-12`.
 * @returns `{ stem: "sharp-shrimp", n: 12 }`, or `null` when `name` is not `stem-N` (upper case,
 *   no number, a leading zero as in `sharp-shrimp-01`, a number beyond safe integers).
 */
export function parseRunName(name: string): { stem: string; n: number } | null {
  const m = NAME_RE.exec(name);
  if (!m) {
    return null;
  }
  const [, stem = "", digits = ""] = m;
  const n = Number(digits);
  return Number.isSafeInteger(n) ? { stem, n } : null;
}

/** Options of {@link allocateRunName}. */
export interface AllocateRunNameOptions {
  /**
   * Atomically creates the run called `name` and returns `true`, or returns `false` when a run of
   * that name already exists (e.g. `mkdir` without `recursive`, `false` on `EEXIST`). Any other
   * failure should throw; it ends the allocation.
   */
  claim: (name: string) => boolean | Promise<boolean>;
  /** Numbers in `[0, 1)` for {@link runNameStem}. Default `Math.random`. */
  random?: () => number;
  /** How many names to try before giving up. Default 1000. */
  maxAttempts?: number;
}

/**
 * Picks a stem with {@link runNameStem} and claims `stem-1`, `stem-2`, … in turn until `claim`
 * succeeds. Uniqueness comes from the claim being atomic, so concurrent callers (threads of one
 * process or separate processes) never get the same name.
 *
 * @returns the claimed name.
 * @throws Error when `maxAttempts` names were all taken, naming the stem and the range tried;
 *   RangeError when `maxAttempts` is not a positive integer; or whatever `claim` throws.
 */
export async function allocateRunName(options: AllocateRunNameOptions): Promise<string> {
  const { claim, random = Math.random, maxAttempts = 1000 } = options;
  if (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1) {
    throw new RangeError(`maxAttempts ${maxAttempts} must be a positive integer`);
  }
  const stem = runNameStem(random);
  for (let n = 1; n <= maxAttempts; n++) {
    const name = formatRunName(stem, n);
    if (await claim(name)) {
      return name;
    }
  }
  throw new Error(
    `could not allocate a run name: ${stem}-1 to ${stem}-${maxAttempts} are all taken (${maxAttempts} attempts); remove old runs or raise maxAttempts`,
  );
}
