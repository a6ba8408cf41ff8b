import { describe, expect, it } from 'vitest';
import { IngressGate } from './ingress-gate.ts';

describe('IngressGate', () => {
  it('holds publishes while any source is busy and resumes them in arrival order once all are free', () => {
    const gate = new IngressGate();
    const resumed: number[] = [];
    gate.whenOpen(() => resumed.push(0));
    gate.setBusy('telemetry', true, 'queue above 25000 rows');
    gate.setBusy('other', true);
    for (const i of [1, 2, 3]) gate.whenOpen(() => resumed.push(i));
    expect(gate.reason).toBe('queue above 25000 rows');
    gate.setBusy('telemetry', false);
    expect(resumed).toEqual([0]);
    gate.setBusy('other', false);
    expect(resumed).toEqual([0, 1, 2, 3]);
    expect(gate.stats()).toEqual({ open: true, waiting: 0, heldTotal: 3, droppedQos0: 0 });
  });

  it('never resumes after shut (shutdown): those publishes stay unacknowledged for the device to resend', () => {
    const gate = new IngressGate();
    gate.setBusy('telemetry', true);
    let resumed = 0;
    gate.whenOpen(() => resumed++);
    gate.shut();
    gate.whenOpen(() => resumed++);
    gate.setBusy('telemetry', false);
    expect(resumed).toBe(0);
    expect(gate.open).toBe(false);
    expect(gate.reason).toBe('shutting down');
  });
});

describe('IngressGate resuming', () => {
  it('resumes held publishes only while it stays open: a resumed one that refills the pipeline stops the rest', () => {
    const gate = new IngressGate();
    gate.setBusy('flows', true);
    const resumed: number[] = [];
    for (const i of [1, 2, 3, 4]) {
      gate.whenOpen(() => {
        resumed.push(i);
        if (i === 2) gate.setBusy('flows', true); // the pipeline is full again
      });
    }
    gate.setBusy('flows', false);
    expect(resumed).toEqual([1, 2]);
    expect(gate.stats().waiting).toBe(2);
    gate.setBusy('flows', false);
    expect(resumed).toEqual([1, 2, 3, 4]);
  });
});
