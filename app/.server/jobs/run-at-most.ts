/**
 * Runs `work` for every item, at most `limit` at a time, in order of the list. Job work that calls
 * hosts uses it so a batch never puts more calls in flight than the queue's concurrency allows.
 */
export async function runAtMost<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  const waiting = [...items];
  const lane = async () => {
    for (let item = waiting.shift(); item !== undefined; item = waiting.shift()) await work(item);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
}
