import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Alert } from '../../domain/alerts/alert-schemas.ts';
import type { AlertTransitionListener } from '../../domain/alerts/alert-service.ts';
import { AlertFeed } from './alert-feed.ts';

const counts = (critical: number) => ({ active: { info: 0, warning: 0, critical }, acknowledged: { info: 0, warning: 1, critical: 0 } });
const alert = (id: number, severity: Alert['severity'] = 'critical') => ({
  id, ruleId: 'r1', ruleName: 'Overheating', nodeId: 'r1', kind: 'threshold', productKey: 'pk', deviceName: `d${id}`, severity, state: 'active',
  raisedAt: '2026-12-06T00:00:00.000Z', acknowledgedAt: null, acknowledgedBy: null, clearedAt: null, clearedBy: null, value: 50, clearValue: null,
  details: {}, message: 'temperature 50 > 45',
}) as Alert;

/** An engine that announces what the test says, and a feed that records what is broadcast and greeted. */
function rig(options: { watched?: boolean } = {}) {
  let listener: AlertTransitionListener | undefined;
  let open = counts(0);
  const broadcast: unknown[] = [];
  const greetings: (() => object)[] = [];
  const feed = new AlertFeed({
    alerts: { subscribe: (l) => ((listener = l), () => (listener = undefined)), openCounts: async () => open },
    feed: { broadcast: (m) => void broadcast.push(m), watched: options.watched ?? true, greet: (g) => void greetings.push(g) },
    flushMs: 1000,
    maxTransitionsPerFlush: 3,
  });
  return { feed, broadcast, greetings, emit: (t: Parameters<AlertTransitionListener>[0], now = open) => ((open = now), listener!(t)), unsubscribed: () => listener === undefined };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('alerts on the live feed', () => {
  it('greets each socket with the open counts, then pushes the counts and what changed once per period', async () => {
    vi.useFakeTimers();
    const { feed, broadcast, greetings, emit } = rig();
    await feed.flush();
    expect(greetings.map((g) => g())).toEqual([{ type: 'alerts', counts: counts(0), transitions: [] }]);
    emit({ transition: 'raised', alert: alert(1) }, counts(1));
    emit({ transition: 'raised', alert: alert(2) }, counts(2));
    expect(broadcast).toEqual([]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(broadcast).toEqual([{
      type: 'alerts', counts: counts(2),
      transitions: [1, 2].map((id) => ({ transition: 'raised', alert: expect.objectContaining({ id, deviceName: `d${id}`, severity: 'critical', message: 'temperature 50 > 45' }) })),
    }]);
    // What a toast needs, not the alert's whole history.
    expect(Object.keys((broadcast[0] as { transitions: { alert: object }[] }).transitions[0]!.alert).sort()).toEqual(
      ['deviceName', 'id', 'message', 'nodeId', 'productKey', 'raisedAt', 'ruleName', 'severity', 'state'],
    );
    // The greeting now carries the counts as last read.
    expect(greetings.map((g) => g())).toEqual([{ type: 'alerts', counts: counts(2), transitions: [] }]);
    // Nothing changed: nothing pushed.
    await vi.advanceTimersByTimeAsync(5000);
    expect(broadcast).toHaveLength(1);
    feed.close();
  });

  it('keeps the newest transitions of a burst (the counts carry the rest), and builds nothing while nobody listens', async () => {
    vi.useFakeTimers();
    const busy = rig();
    for (let id = 1; id <= 5; id++) busy.emit({ transition: 'raised', alert: alert(id) }, counts(id));
    await vi.advanceTimersByTimeAsync(1000);
    expect((busy.broadcast[0] as { transitions: { alert: { id: number } }[] }).transitions.map((t) => t.alert.id)).toEqual([3, 4, 5]);
    busy.feed.close();
    expect(busy.unsubscribed()).toBe(true);

    const idle = rig({ watched: false });
    idle.emit({ transition: 'raised', alert: alert(1) });
    await vi.advanceTimersByTimeAsync(1000);
    expect(idle.broadcast).toEqual([]);
    idle.feed.close();
  });
});
