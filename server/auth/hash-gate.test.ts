import { describe, expect, it } from 'vitest';
import { HashGate, type HashGateEvent } from './hash-gate.ts';

/** A task the test finishes by hand, recording when it started. */
function tasks() {
  const started: string[] = [];
  const finish = new Map<string, (ok: boolean) => void>();
  const task = (label: string) => () =>
    new Promise<string>((resolve, reject) => {
      started.push(label);
      finish.set(label, (ok) => (ok ? resolve(label) : reject(new Error(`${label} broke`))));
    });
  return { started, task, finish: (label: string, ok = true) => finish.get(label)!(ok) };
}

/** Lets promise continuations run (the gate hands over turns synchronously; tasks start on the next tick). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('HashGate', () => {
  it('runs at most `concurrency` tasks at once and starts the next as soon as one ends', async () => {
    const gate = new HashGate({ concurrency: 2 });
    const t = tasks();
    const outcomes = Promise.allSettled(['a', 'b', 'c', 'd'].map((l) => gate.run(t.task(l), { urgent: true, label: l })));
    await settle();
    expect(t.started).toEqual(['a', 'b']);
    expect(gate.stats).toEqual({ running: 2, waiting: 2 });
    t.finish('b');
    await settle();
    expect(t.started).toEqual(['a', 'b', 'c']);
    t.finish('a', false);
    await settle();
    expect(t.started).toEqual(['a', 'b', 'c', 'd']);
    t.finish('c');
    t.finish('d');
    expect(await outcomes).toEqual([
      { status: 'rejected', reason: new Error('a broke') },
      { status: 'fulfilled', value: 'b' },
      { status: 'fulfilled', value: 'c' },
      { status: 'fulfilled', value: 'd' },
    ]);
    expect(gate.stats).toEqual({ running: 0, waiting: 0 });
  });

  it('starts urgent attempts before suspect ones that waited longer', async () => {
    const events: HashGateEvent[] = [];
    const gate = new HashGate({ concurrency: 1, observe: (e) => events.push(e) });
    const t = tasks();
    const all = [
      gate.run(t.task('busy'), { urgent: true, label: 'busy' }),
      gate.run(t.task('guess1'), { urgent: false, label: 'guess1' }),
      gate.run(t.task('guess2'), { urgent: false, label: 'guess2' }),
      gate.run(t.task('person'), { urgent: true, label: 'person' }),
    ];
    expect(events.filter((e) => e.type === 'queued')).toEqual([
      { type: 'queued', label: 'guess1', urgent: false, ahead: 0, waiting: 1 },
      { type: 'queued', label: 'guess2', urgent: false, ahead: 1, waiting: 2 },
      { type: 'queued', label: 'person', urgent: true, ahead: 0, waiting: 3 },
    ]);
    for (const label of ['busy', 'person', 'guess1', 'guess2']) {
      await settle();
      t.finish(label);
    }
    await Promise.all(all);
    expect(t.started).toEqual(['busy', 'person', 'guess1', 'guess2']);
  });

  it('when full, refuses a suspect newcomer and makes room for an urgent one by refusing the newest suspect, with 503 and Retry-After, hashing neither', async () => {
    const gate = new HashGate({ concurrency: 1, maxQueued: 2, busyRetryAfterSeconds: 3 });
    const t = tasks();
    const running = gate.run(t.task('busy'), { urgent: true, label: 'busy' });
    const guess1 = gate.run(t.task('guess1'), { urgent: false, label: 'guess1' });
    const guess2 = gate.run(t.task('guess2'), { urgent: false, label: 'guess2' });
    const busy = { status: 503, code: 'sign_in_busy', message: 'The server is busy checking other sign-ins. Try again in 3 seconds.', details: { retryAfterSeconds: 3 } };
    await expect(gate.run(t.task('guess3'), { urgent: false, label: 'guess3' })).rejects.toMatchObject(busy);
    const person = gate.run(t.task('person'), { urgent: true, label: 'person' });
    await expect(guess2).rejects.toMatchObject(busy);
    const person2 = gate.run(t.task('person2'), { urgent: true, label: 'person2' });
    await expect(guess1).rejects.toMatchObject(busy);
    // Full of urgent attempts, an urgent newcomer is refused too: nothing to make room with.
    await expect(gate.run(t.task('person3'), { urgent: true, label: 'person3' })).rejects.toMatchObject(busy);
    for (const label of ['busy', 'person', 'person2']) {
      await settle();
      t.finish(label);
    }
    await Promise.all([running, person, person2]);
    expect(t.started).toEqual(['busy', 'person', 'person2']);
  });
});
