/**
 * Runs `work` over `items` with at most `concurrency` at once. Many small writes at
 * once (a pause of a job that fires every second holds two minutes of occurrences,
 * each in its own claim group) would otherwise queue for the HTTP client's sockets,
 * and that wait counts against each request's time limit (core/kernel/limits.ts).
 */
export async function inTurns<T, R>(items: readonly T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

/** Writes a pause, a resume or recovery makes one by one: enough at once to be quick, few enough not to queue. */
export const WRITES_AT_ONCE = 16;
