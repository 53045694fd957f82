/**
 * Bounded concurrency for file work: the one limiter of the artifact stores (p-limit).
 *
 * @module
 */
import pLimit from "p-limit";

/**
 * Runs `fn` on every item with at most `concurrency` at once (p-limit), waits for all of them to
 * settle (so nothing is still writing when the caller cleans up) and then throws the first
 * failure in item order.
 *
 * @returns the results in item order.
 */
export async function settleLimited<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const limit = pLimit(Math.max(1, concurrency));
  const settled = await Promise.allSettled(items.map((item, i) => limit(() => fn(item, i))));
  const failed = settled.find((s) => s.status === "rejected");
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<R>).value);
}
