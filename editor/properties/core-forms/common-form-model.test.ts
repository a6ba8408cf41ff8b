import { describe, expect, it } from 'vitest';
import { debugOutput, DEFAULT_SCHEDULE, injectPropsPatch, injectRows, readSchedule, writeSchedule, type Schedule } from './common-form-model.ts';

const schedule = (over: Partial<Schedule>): Schedule => ({ ...DEFAULT_SCHEDULE, ...over });

describe('inject repeat, written as Node-RED 4.1 writes repeat and crontab', () => {
  it('writes intervals in seconds as typed and minutes or hours as seconds', () => {
    expect(writeSchedule(schedule({ mode: 'interval', count: '5', units: 's' }))).toEqual({ repeat: '5', crontab: '' });
    expect(writeSchedule(schedule({ mode: 'interval', count: '2', units: 'm' }))).toEqual({ repeat: '120', crontab: '' });
    expect(writeSchedule(schedule({ mode: 'interval', count: '1', units: 'h' }))).toEqual({ repeat: '3600', crontab: '' });
    expect(writeSchedule(schedule({ mode: 'none' }))).toEqual({ repeat: '', crontab: '' });
  });

  it('writes a time of day with two-digit fields, and the days Monday first', () => {
    expect(writeSchedule(schedule({ mode: 'time', time: '07:30', days: ['5', '1', '3'] }))).toEqual({ repeat: '', crontab: '30 07 * * 1,3,5' });
    expect(writeSchedule(schedule({ mode: 'time', time: '12:00' }))).toEqual({ repeat: '', crontab: '00 12 * * *' });
    expect(writeSchedule(schedule({ mode: 'time', time: '12:00', days: ['0', '6'] }))).toEqual({ repeat: '', crontab: '00 12 * * 6,0' });
    // No day ticked: no schedule at all.
    expect(writeSchedule(schedule({ mode: 'time', days: [] }))).toEqual({ repeat: '', crontab: '' });
  });

  it('writes intervals between times as hour ranges, across midnight too', () => {
    expect(writeSchedule(schedule({ mode: 'interval-time', step: '15', start: 8, end: 17, days: ['1', '2', '3', '4', '5'] })))
      .toEqual({ repeat: '', crontab: '*/15 8-16 * * 1,2,3,4,5' });
    expect(writeSchedule(schedule({ mode: 'interval-time', step: '1', start: 0, end: 1 }))).toEqual({ repeat: '', crontab: '*/1 0 * * *' });
    expect(writeSchedule(schedule({ mode: 'interval-time', step: '0', start: 9, end: 24 }))).toEqual({ repeat: '', crontab: '0 9-23 * * *' });
    expect(writeSchedule(schedule({ mode: 'interval-time', step: '5', start: 22, end: 3 }))).toEqual({ repeat: '', crontab: '*/5 22-23,0-2 * * *' });
    expect(writeSchedule(schedule({ mode: 'interval-time', step: '5', start: 23, end: 1 }))).toEqual({ repeat: '', crontab: '*/5 23,0 * * *' });
  });

  it('reads back what it writes', () => {
    for (const s of [
      schedule({ mode: 'interval', count: '5', units: 's' }),
      schedule({ mode: 'interval', count: '2', units: 'm' }),
      schedule({ mode: 'time', time: '07:30', days: ['1', '3', '5'] }),
      schedule({ mode: 'interval-time', step: '15', start: 8, end: 17, days: ['1', '2'] }),
      schedule({ mode: 'interval-time', step: '5', start: 22, end: 3 }),
    ]) {
      const written = writeSchedule(s);
      expect(writeSchedule(readSchedule(written.repeat, written.crontab))).toEqual(written);
    }
  });

  it('reads what Node-RED reads from older and odd values', () => {
    expect(readSchedule(60, '')).toMatchObject({ mode: 'interval', count: '1', units: 'm' });
    expect(readSchedule('86400', '')).toMatchObject({ mode: 'interval', count: '24', units: 'h' });
    expect(readSchedule('0', '')).toMatchObject({ mode: 'none' });
    expect(readSchedule('', '30 7 * * *')).toMatchObject({ mode: 'time', time: '07:30' });
    // A hand-written cron line the rows cannot show: readable rows, nothing thrown.
    expect(readSchedule('', '*/5 x-y * * *')).toMatchObject({ mode: 'interval-time', step: '5', start: 0, end: 1 });
    expect(readSchedule('', 'garbage')).toMatchObject({ mode: 'interval-time', start: 0, end: 1 });
    expect(readSchedule('abc', '')).toMatchObject({ mode: 'interval', count: 'abc', units: 's' });
  });
});

describe('inject properties, stored as Node-RED stores them', () => {
  it('keeps the payload and a string topic in their own fields', () => {
    const patch = injectPropsPatch([
      { p: 'payload', v: '42', vt: 'num' },
      { p: 'topic', v: 'sensors', vt: 'str' },
      { p: 'unit', v: 'C', vt: 'str' },
    ]);
    expect(patch).toEqual({
      props: [{ p: 'payload' }, { p: 'topic', vt: 'str' }, { p: 'unit', v: 'C', vt: 'str' }], payload: '42', payloadType: 'num', topic: 'sensors',
    });
    expect(injectRows(patch)).toEqual([
      { p: 'payload', v: '42', vt: 'num' }, { p: 'topic', v: 'sensors', vt: 'str' }, { p: 'unit', v: 'C', vt: 'str' },
    ]);
  });

  it('drops payload fields without a payload row, and reads Node-RED 1.x nodes without props', () => {
    expect(injectPropsPatch([{ p: 'topic', v: 'x', vt: 'msg' }])).toEqual({ props: [{ p: 'topic', v: 'x', vt: 'msg' }], payload: undefined, payloadType: undefined, topic: '' });
    expect(injectRows({ payload: 'hi', topic: 't' })).toEqual([{ p: 'payload', v: 'hi', vt: 'str' }, { p: 'topic', v: 't', vt: 'str' }]);
    expect(injectRows({ payload: '', payloadType: 'none' })[0]).toEqual({ p: 'payload', v: '', vt: 'str' });
  });

  it('shows a debug output as its typed input does', () => {
    expect(debugOutput({ complete: 'false' })).toEqual({ type: 'msg', value: 'payload' });
    expect(debugOutput({ complete: 'true' })).toEqual({ type: 'full', value: '' });
    expect(debugOutput({ complete: '$x', targetType: 'jsonata' })).toEqual({ type: 'jsonata', value: '$x' });
  });
});
