import { describe, expect, it } from "vitest";
import { mapPool, Semaphore } from "../../src/core/pool.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("mapPool", () => {
  it("keeps input order, bounds concurrency, and reports each result as soon as it is known", async () => {
    let active = 0;
    let peak = 0;
    const reported: Array<[number, number]> = [];
    const t0 = Date.now();
    const delays = [400, 20, 20, 20, 20, 20, 20, 20];
    const r = await mapPool(
      delays,
      3,
      async (ms, i) => {
        active++;
        peak = Math.max(peak, active);
        await sleep(ms);
        active--;
        if (i === 2) throw new Error("boom");
        return i * 10;
      },
      (_res, _item, i) => reported.push([i, Date.now() - t0]),
    );
    expect(peak).toBe(3);
    expect(r.map((x) => (x.ok ? x.value : "err"))).toEqual([0, 10, "err", 30, 40, 50, 60, 70]);
    // the slow first task held one slot only: every other result was reported long before it finished
    const slow = reported.find(([i]) => i === 0)![1];
    for (const [i, at] of reported) if (i !== 0) expect(at).toBeLessThan(slow - 200);
    expect(reported.at(-1)![0]).toBe(0);
  });
  it("handles empty input and limits larger than the input", async () => {
    expect(await mapPool([], 10, async () => 1)).toEqual([]);
    expect(await mapPool([1, 2], 100, async (x) => x)).toEqual([{ ok: true, value: 1 }, { ok: true, value: 2 }]);
  });
});

describe("Semaphore", () => {
  it("never runs more than its size", async () => {
    const s = new Semaphore(2);
    let active = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        s.use(async () => {
          active++;
          peak = Math.max(peak, active);
          await sleep(5 + (i % 3));
          active--;
        }),
      ),
    );
    expect(peak).toBe(2);
  });
});
