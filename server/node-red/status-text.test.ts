import { describe, expect, it } from 'vitest';
import { translateStatus, translateStatusText } from './status-text.ts';

describe('status texts', () => {
  it('shows the English text of the keys Node-RED core nodes set, with or without their namespace', () => {
    expect(translateStatusText('common.status.disconnected')).toBe('disconnected');
    expect(translateStatusText('node-red:common.status.connected')).toBe('connected');
    expect(translateStatusText('common.status.not-connected')).toBe('not connected');
    expect(translateStatusText('httpin.status.requesting')).toBe('requesting');
  });

  it('shows text that is no known key as it is', () => {
    for (const text of ['killed', 'rc:0', '3 messages', 'common.status.nope', 'other:common.status.connected', 'common.status', 'temperature: 21.5', '__proto__.x', 'constructor.name']) {
      expect(translateStatusText(text)).toBe(text);
    }
  });

  it('translates a status object without changing its colour or shape, and leaves others alone', () => {
    expect(translateStatus({ fill: 'red', shape: 'ring', text: 'common.status.disconnected' })).toEqual({ fill: 'red', shape: 'ring', text: 'disconnected' });
    const plain = { fill: 'green', text: 'ok' };
    expect(translateStatus(plain)).toBe(plain);
    expect(translateStatus(null)).toBe(null);
    expect(translateStatus({ fill: 'blue', text: 3 })).toEqual({ fill: 'blue', text: 3 });
  });
});
