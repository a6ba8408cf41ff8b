/**
 * The inject node's "Repeat" choices and the `repeat`/`crontab` properties they stand for, read and written exactly
 * as Node-RED 4.1's inject form does (`20-inject.html`: `oneditprepare` reads, `oneditsave` writes): an interval in
 * seconds, minutes or hours becomes `repeat` (text, in seconds); "interval between times" and "at a specific time"
 * become a cron line. Also the inject property rows and the debug output as the forms show them. Pure, browser-safe.
 */

export type RepeatMode = 'none' | 'interval' | 'interval-time' | 'time';

/** Days as Node-RED's checkboxes list them, Monday first; values are cron day numbers, `day` names the label (`day.mon`). */
export const WEEK_DAYS = [
  { value: '1', day: 'mon' },
  { value: '2', day: 'tue' },
  { value: '3', day: 'wed' },
  { value: '4', day: 'thu' },
  { value: '5', day: 'fri' },
  { value: '6', day: 'sat' },
  { value: '0', day: 'sun' },
] as const satisfies readonly { value: string; day: string }[];

/** The minute steps of "interval between times" (`'0'` is "every 60 minutes"). */
export const MINUTE_STEPS: readonly { value: string; label: string }[] = [
  '1', '2', '3', '4', '5', '6', '10', '12', '15', '20', '30',
].map((v) => ({ value: v, label: v })).concat([{ value: '0', label: '60' }]);

/** What the Repeat rows show. */
export interface Schedule {
  mode: RepeatMode;
  /** interval: the count as typed and its unit. */
  count: string;
  units: 's' | 'm' | 'h';
  /** interval-time: minutes between messages (`MINUTE_STEPS`), from hour `start` to hour `end` (24 = midnight). */
  step: string;
  start: number;
  end: number;
  /** time: "HH:MM". */
  time: string;
  /** interval-time and time: the cron day numbers ticked. */
  days: readonly string[];
}

/** A stored value as text (as the form kit's `textOf`): nothing is "", objects are JSON. */
function textOf(value: unknown): string {
  return value === undefined || value === null ? '' : typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

const ALL_DAYS = WEEK_DAYS.map((d) => d.value);

/** The rows of a new Repeat choice, as Node-RED's form starts them. */
export const DEFAULT_SCHEDULE: Schedule = { mode: 'none', count: '1', units: 's', step: '1', start: 0, end: 1, time: '12:00', days: ALL_DAYS };

const isNumeric = (text: string | undefined) => text !== undefined && !Number.isNaN(Number(text));

/** The Repeat rows for a node's `repeat` and `crontab` (Node-RED's `oneditprepare`). */
export function readSchedule(repeat: unknown, crontab: unknown): Schedule {
  const schedule: Schedule = { ...DEFAULT_SCHEDULE };
  const repeatText = repeat === undefined || repeat === null ? '' : String(repeat);
  // Node-RED compares with `!=`: "", 0 and "0" mean no interval.
  if (repeatText.trim() !== '' && Number(repeatText) !== 0) {
    const seconds = Number(repeatText);
    let count: number | string = repeatText;
    let units: Schedule['units'] = 's';
    if (seconds % 60 === 0) { units = 'm'; count = seconds / 60; }
    if (seconds % 1440 === 0) { units = 'h'; count = Number(count) / 60; }
    return { ...schedule, mode: 'interval', count: String(count), units };
  }
  if (typeof crontab !== 'string' || crontab === '') return schedule;
  const parts = crontab.split(' ');
  const days = parts[4] === undefined || parts[4] === '*' ? ALL_DAYS : parts[4].split(',');
  if (isNumeric(parts[0]) && isNumeric(parts[1])) {
    const pad = (text: string) => text.padStart(2, '0');
    return { ...schedule, mode: 'time', time: `${pad(parts[1]!)}:${pad(parts[0]!)}`, days };
  }
  const step = (parts[0] ?? '').slice(2) || '0';
  const ranges = (parts[1] ?? '').split(',');
  let start: number;
  let end: number;
  if (ranges.length === 1) {
    const hours = ranges[0]!.split('-');
    if (hours.length === 1) {
      [start, end] = hours[0] === '' ? [0, 0] : [Number(hours[0]), Number(hours[0]) + 1];
    } else {
      [start, end] = [Number(hours[0]), Number(hours[1]) + 1];
    }
  } else {
    start = Number(ranges[0]!.split('-')[0]);
    const endParts = ranges[1]!.split('-');
    end = Number(endParts[endParts.length - 1]) + 1;
  }
  // Hours that are not hours (a hand-written cron line) show as the first choices rather than as nothing.
  const hour = (n: number, low: number, fallback: number) => (Number.isInteger(n) && n >= low && n <= low + 23 ? n : fallback);
  return { ...schedule, mode: 'interval-time', step, start: hour(start, 0, 0), end: hour(end, 1, hour(start, 0, 0) + 1), days };
}

/** The `repeat` and `crontab` Node-RED's `oneditsave` writes for the Repeat rows. */
export function writeSchedule(schedule: Schedule): { repeat: string; crontab: string } {
  const days = WEEK_DAYS.map((d) => d.value).filter((d) => schedule.days.includes(d));
  const dayField = days.length === 7 ? '*' : days.join(',');
  switch (schedule.mode) {
    case 'interval': {
      if (schedule.units === 's') return { repeat: schedule.count, crontab: '' };
      return { repeat: String(Number(schedule.count) * (schedule.units === 'm' ? 60 : 3600)), crontab: '' };
    }
    case 'interval-time': {
      if (days.length === 0) return { repeat: '', crontab: '' };
      const { start, end } = schedule;
      let range: string;
      if (end === 0) range = `${start}-23`;
      else if (start + 1 < end) range = `${start}-${end - 1}`;
      else if (start + 1 === end) range = String(start);
      else range = `${start === 23 ? '23' : `${start}-23`},${end === 1 ? '0' : `0-${end - 1}`}`;
      return { repeat: '', crontab: schedule.step === '0' ? `0 ${range} * * ${dayField}` : `*/${schedule.step} ${range} * * ${dayField}` };
    }
    case 'time': {
      const parts = schedule.time.split(':');
      if (days.length === 0 || parts.length !== 2) return { repeat: '', crontab: '' };
      const two = (n: number) => `00${n}`.slice(-2);
      return { repeat: '', crontab: `${two(parseInt(parts[1]!, 10) % 60)} ${two(parseInt(parts[0]!, 10) % 24)} * * ${dayField}` };
    }
    default:
      return { repeat: '', crontab: '' };
  }
}

/** The hours "interval between times" may end at after `start` (Node-RED's end select: 24 is "00:00"). */
export function endHours(start: number): number[] {
  return Array.from({ length: 24 - start }, (_, i) => start + 1 + i);
}

/** An hour as the time selects show it. */
export const hourLabel = (hour: number) => `${String(hour % 24).padStart(2, '0')}:00`;

/** One row of the inject property list, with its value as shown (the payload's and topic's from the legacy fields). */
export interface InjectProp {
  p: string;
  v: string;
  vt: string;
}

/** The rows of an inject node's property list (Node-RED's `oneditprepare`, legacy payload and topic included). */
export function injectRows(node: Readonly<Record<string, unknown>>): InjectProp[] {
  let payloadType = textOf(node['payloadType']);
  if (node['payloadType'] === undefined || node['payloadType'] === null) payloadType = textOf(node['payload']) === '' ? 'date' : 'str';
  else if (payloadType === 'string' || payloadType === 'none') payloadType = 'str';
  const props = Array.isArray(node['props'])
    ? (node['props'] as Record<string, unknown>[])
    : [{ p: 'payload' }, { p: 'topic', vt: 'str' }];
  return props.map((prop) => {
    const row = { p: textOf(prop['p']), v: prop['v'] === undefined ? undefined : textOf(prop['v']), vt: textOf(prop['vt']) };
    if (row.v === undefined) {
      if (row.p === 'payload') return { p: row.p, v: textOf(node['payload']), vt: payloadType || 'date' };
      if (row.p === 'topic' && row.vt === 'str') return { p: row.p, v: textOf(node['topic']), vt: 'str' };
    }
    return { p: row.p, v: row.v ?? '', vt: row.vt === 'string' ? 'str' : row.vt || 'str' };
  });
}

/**
 * What Node-RED's `oneditsave` stores for the rows: `props`, with the payload's value and type in `payload` and
 * `payloadType` and a string topic's in `topic` (both removed when there is no such row; `topic` is then "").
 */
export function injectPropsPatch(rows: readonly InjectProp[]): Record<string, unknown> {
  const patch: Record<string, unknown> = { props: [], payload: undefined, payloadType: undefined, topic: '' };
  const props: Record<string, string>[] = [];
  for (const row of rows) {
    if (row.p === 'payload') {
      patch['payloadType'] = row.vt;
      patch['payload'] = row.v;
      props.push({ p: 'payload' });
    } else if (row.p === 'topic' && row.vt === 'str') {
      patch['topic'] = row.v;
      props.push({ p: 'topic', vt: 'str' });
    } else {
      props.push({ p: row.p, v: row.v, vt: row.vt });
    }
  }
  patch['props'] = props;
  return patch;
}


/** The debug node's output as its typed input shows it: a type (msg, full, jsonata) and a value. */
export function debugOutput(node: Readonly<Record<string, unknown>>): { type: string; value: string } {
  const complete = node['complete'];
  if (node['targetType'] === 'jsonata') return { type: 'jsonata', value: textOf(complete) };
  if (node['targetType'] === 'full' || complete === true || complete === 'true') return { type: 'full', value: '' };
  return { type: 'msg', value: !complete || complete === 'false' ? 'payload' : textOf(complete) };
}

