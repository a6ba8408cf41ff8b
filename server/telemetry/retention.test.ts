import { afterEach, describe, expect, it, vi } from 'vitest';
import { RetentionSweeper, type RetentionPolicy } from './retention.ts';

const NOW = Date.UTC(2026, 10, 22);
const DAY = 86_400_000;

function fakeBackend(fail: string[] = []) {
  const calls: Array<[string, number]> = [];
  return {
    calls,
    deleteBefore: async (productKey: string, before: number) => {
      calls.push([productKey, before]);
      if (fail.includes(productKey)) throw new Error(`cannot delete ${productKey}`);
      return 10;
    },
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('retention sweeper', () => {
  it('deletes each product older than its own retention, and keeps products without one forever', async () => {
    const backend = fakeBackend();
    const policies: RetentionPolicy[] = [
      { productKey: 'a', days: 30 },
      { productKey: 'b', days: 1 },
      { productKey: 'forever', days: null },
      { productKey: 'zero', days: 0 },
    ];
    const sweeper = new RetentionSweeper({ backend, policies: () => policies, now: () => NOW });
    const result = await sweeper.sweep();
    expect(backend.calls).toEqual([
      ['a', NOW - 30 * DAY],
      ['b', NOW - DAY],
    ]);
    expect(result).toEqual({ startedAt: NOW, deleted: { a: 10, b: 10 }, failed: {} });
    expect(sweeper.lastSweep).toBe(result);
  });

  it('goes on with the other products when one fails, and reports it', async () => {
    const backend = fakeBackend(['a']);
    const sweeper = new RetentionSweeper({
      backend,
      policies: async () => [
        { productKey: 'a', days: 7 },
        { productKey: 'b', days: 7 },
      ],
      now: () => NOW,
    });
    expect(await sweeper.sweep()).toEqual({ startedAt: NOW, deleted: { b: 10 }, failed: { a: 'cannot delete a' } });
  });

  it('never runs two sweeps at once', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const backend = fakeBackend();
    const sweeper = new RetentionSweeper({
      backend: { deleteBefore: async (pk, before) => (await gate, backend.deleteBefore(pk, before)) },
      policies: () => [{ productKey: 'a', days: 1 }],
      now: () => NOW,
    });
    const first = sweeper.sweep();
    const second = sweeper.sweep();
    expect(second).toBe(first);
    release();
    await first;
    expect(backend.calls).toHaveLength(1);
  });

  it('sweeps on its interval after start, and not after stop', async () => {
    vi.useFakeTimers({ now: NOW });
    const backend = fakeBackend();
    const sweeper = new RetentionSweeper({
      backend,
      policies: () => [{ productKey: 'a', days: 1 }],
      intervalMs: 1000,
      firstSweepAfterMs: 100,
    });
    sweeper.start();
    await vi.advanceTimersByTimeAsync(99);
    expect(backend.calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(backend.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(2000);
    expect(backend.calls).toHaveLength(3);
    await sweeper.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(backend.calls).toHaveLength(3);
  });

  it('does not keep the process alive', () => {
    const sweeper = new RetentionSweeper({ backend: fakeBackend(), policies: () => [], firstSweepAfterMs: 60_000 });
    const before = new Set(process.getActiveResourcesInfo());
    const count = (list: string[]) => list.filter((r) => r === 'Timeout').length;
    sweeper.start();
    // An unref'd timer is not among the resources that keep the event loop running.
    expect(count(process.getActiveResourcesInfo())).toBe(count([...before]));
    void sweeper.stop();
  });
});
