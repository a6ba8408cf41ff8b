import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DashboardLive, FLUSH_MS } from './live-store.ts';

describe('the dashboard live store', () => {
  beforeEach(() => void vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => void vi.useRealTimers());

  it('tells widgets of many pushes at most once per flush interval', () => {
    const live = new DashboardLive();
    const heard = vi.fn();
    live.subscribe(heard);
    for (let i = 0; i < 50; i++) live.setLive(`p/d${i}`, { t: { value: i, time: 1_000_000 + i } });
    expect(heard).not.toHaveBeenCalled();
    vi.advanceTimersByTime(0);
    expect(heard).toHaveBeenCalledTimes(1);
    expect(live.version()).toBe(1);
    // Pushes right after a flush wait out the interval.
    live.setLive('p/d1', { t: { value: 'x', time: 1_000_100 } });
    vi.advanceTimersByTime(FLUSH_MS - 1);
    expect(heard).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    expect(heard).toHaveBeenCalledTimes(2);
    expect(live.value('p', 'd1', 't')).toEqual({ value: 'x', time: 1_000_100 });
    live.dispose();
  });

  it('answers the newer of the pushed value and the stored shadow', () => {
    const live = new DashboardLive();
    live.setShadow('p/d', { t: { value: 1, time: 200 }, h: { value: 50, time: 100 } });
    live.setLive('p/d', { t: { value: 2, time: 150 } });
    expect(live.value('p', 'd', 't')).toEqual({ value: 1, time: 200 });
    live.setLive('p/d', { t: { value: 3, time: 300 } });
    expect(live.value('p', 'd', 't')).toEqual({ value: 3, time: 300 });
    expect(live.value('p', 'd', 'h')).toEqual({ value: 50, time: 100 });
    expect(live.value('p', 'other', 't')).toBeUndefined();
    live.dispose();
  });
});
