// Bounded-concurrency map. At most `limit` tasks run at once; a new one starts the moment
// any slot frees, so one slow task only holds its own slot. Each result is reported through
// `onSettled` as soon as it is known (in completion order), and the returned array keeps input order.

export type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown };

export async function mapPool<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
  onSettled?: (result: Settled<R>, item: T, index: number) => void,
): Promise<Settled<R>[]> {
  const n = items.length;
  const results: Settled<R>[] = new Array(n);
  const width = Math.max(1, Math.min(Math.floor(limit) || 1, n));
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      let r: Settled<R>;
      try {
        r = { ok: true, value: await fn(items[i], i) };
      } catch (error) {
        r = { ok: false, error };
      }
      results[i] = r;
      if (onSettled) {
        try {
          onSettled(r, items[i], i);
        } catch {
          // a reporting callback must not stop the pool
        }
      }
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return results;
}

/** A counting semaphore: `use(fn)` runs fn when one of `size` slots is free. */
export class Semaphore {
  private active = 0;
  private waiting: Array<() => void> = [];
  constructor(private readonly size: number) {}

  async use<R>(fn: () => Promise<R>): Promise<R> {
    // A released slot is handed straight to the next waiter, so `active` never exceeds `size`.
    if (this.active >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
