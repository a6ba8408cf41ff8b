import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { NodeStatus } from './node-red-api.ts';
import { throttledStatus } from './throttled-status.ts';

describe('throttledStatus', () => {
  let shown: NodeStatus[];
  const node = { status: (status: NodeStatus) => void shown.push(status) };
  const text = (n: number): NodeStatus => ({ text: String(n) });

  beforeEach(() => {
    shown = [];
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('shows the first update at once and then the latest once per interval', () => {
    const status = throttledStatus(node, 1000);
    status.set(text(1));
    status.set(text(2));
    status.set(text(3));
    expect(shown).toEqual([text(1)]);
    vi.advanceTimersByTime(999);
    expect(shown).toEqual([text(1)]);
    vi.advanceTimersByTime(1);
    expect(shown).toEqual([text(1), text(3)]);
    vi.advanceTimersByTime(5000);
    status.set(text(4));
    expect(shown).toEqual([text(1), text(3), text(4)]);
  });

  it('drops a pending update when disposed', () => {
    const status = throttledStatus(node, 1000);
    status.set(text(1));
    status.set(text(2));
    status.dispose();
    vi.advanceTimersByTime(2000);
    expect(shown).toEqual([text(1)]);
  });

  it('builds a status given as a function only when it is shown, not on every update', () => {
    const status = throttledStatus(node, 1000);
    let n = 0;
    const build = vi.fn(() => text(n));
    for (n = 1; n <= 1000; n++) status.set(build);
    expect(build).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1000);
    expect(build).toHaveBeenCalledTimes(2);
    expect(shown).toEqual([text(1), text(1001)]);
  });
});
