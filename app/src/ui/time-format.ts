/**
 * Times written for people: plain functions, usable outside React (and in tests without a DOM), in the user's time
 * zone and language (`i18n/locale.ts`).
 */
import { tc } from '../i18n/common.messages.ts';
import { currentLocale, currentTimeZone, type Locale } from '../i18n/locale.ts';

const clockFormats = new Map<string, Intl.DateTimeFormat>();

/** The parts of `d` on the wall clock of `zone`. */
function wallClock(d: Date, zone: string): Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', string> {
  let format = clockFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    clockFormats.set(zone, format);
  }
  const parts = { year: '', month: '', day: '', hour: '', minute: '', second: '' };
  for (const part of format.formatToParts(d)) if (part.type in parts) parts[part.type as keyof typeof parts] = part.value;
  return parts;
}

/**
 * `2026-12-02 13:04:05` in the user's time zone: sortable, the same in both languages (as Chinese consoles write it
 * too), and what an operator compares with a device log.
 */
export function formatTime(at: string | number | null | undefined, zone: string = currentTimeZone()): string {
  if (at === null || at === undefined || at === '') return '—';
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return String(at);
  const p = wallClock(d, zone);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

/** `13:04:05` in the user's time zone. */
export function formatClock(at: string | number, zone: string = currentTimeZone()): string {
  const p = wallClock(new Date(at), zone);
  return `${p.hour}:${p.minute}:${p.second}`;
}

/** `2026-12-02` in the user's time zone. */
export function formatDate(at: string | number, zone: string = currentTimeZone()): string {
  const p = wallClock(new Date(at), zone);
  return `${p.year}-${p.month}-${p.day}`;
}

/** "12 s ago" / "12 秒前", "5 min ago", "3 h ago", "4 d ago" from a time and now. */
export function ago(at: string | number, now: number = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - new Date(at).getTime()) / 1000));
  if (seconds < 60) return tc('secondsAgo', { n: seconds });
  if (seconds < 3600) return tc('minutesAgo', { n: Math.floor(seconds / 60) });
  if (seconds < 86_400) return tc('hoursAgo', { n: Math.floor(seconds / 3600) });
  return tc('daysAgo', { n: Math.floor(seconds / 86_400) });
}

/** The offset of `zone` from UTC at `at`, as `UTC+08:00`, for labels beside times. */
export function zoneOffset(zone: string = currentTimeZone(), at: number = Date.now(), locale: Locale = currentLocale()): string {
  const name = new Intl.DateTimeFormat(locale === 'zh-CN' ? 'zh-CN' : 'en-US', { timeZone: zone, timeZoneName: 'longOffset' })
    .formatToParts(new Date(at)).find((p) => p.type === 'timeZoneName')?.value;
  return name === 'GMT' ? 'UTC' : (name ?? 'UTC').replace('GMT', 'UTC');
}
