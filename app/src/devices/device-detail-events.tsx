/** Events & messages: the events the device reported, and its message log (uplinks with their reply codes, commands with their outcomes). */
import { Fragment, useState, type ChangeEvent } from 'react';
import type { TslDocument } from '../../../domain/thing-model/tsl-types.ts';
import { useLiveEvents } from '../live/device-feed.ts';
import { Badge, CodeBadge, type Tone } from '../ui/badge.tsx';
import { Button } from '../ui/button.tsx';
import { EmptyState, ErrorNote, Loading } from '../ui/feedback.tsx';
import { Field, INPUT } from '../ui/field.tsx';
import { Panel } from '../ui/page.tsx';
import { Pager } from '../ui/pager.tsx';
import { Table, TBody, Td, Th } from '../ui/table.tsx';
import { formatTime } from '../ui/time.tsx';
import { queryString, useApi } from '../use-api.ts';
import { richText } from '../i18n/rich.tsx';
import { devicePath, useNow, type EventItem, type MessagePage } from './device-detail-api.ts';
import { codeMeaning, eventDataText, prettyJson } from './device-detail-format.ts';
import { t } from './device-detail.messages.ts';
import { serverText } from '../i18n/server-text.ts';

export function EventsTab({ productKey, deviceName, tsl }: { productKey: string; deviceName: string; tsl: TslDocument | null | undefined }) {
  return (
    <div className="space-y-5">
      <EventList productKey={productKey} deviceName={deviceName} tsl={tsl} />
      <MessageLog productKey={productKey} deviceName={deviceName} />
    </div>
  );
}

const EVENT_TONES: Record<EventItem['type'], Tone> = { info: 'blue', alert: 'amber', error: 'red' };
const EVENT_RANGES = [['24h', 'events.last24h', 86_400_000], ['7d', 'events.last7d', 7 * 86_400_000], ['30d', 'events.last30d', 30 * 86_400_000]] as const;
const EVENT_TYPES = ['info', 'alert', 'error'] as const;
/** The placeholder topic of events in the empty state's sentence. */
const EVENT_TOPIC = 'thing.event.{identifier}.post';
const EVENTS_PAGE = 50;

function EventList({ productKey, deviceName, tsl }: { productKey: string; deviceName: string; tsl: TslDocument | null | undefined }) {
  const [range, setRange] = useState<(typeof EVENT_RANGES)[number][0]>('24h');
  const [type, setType] = useState('');
  const [limit, setLimit] = useState(EVENTS_PAGE);
  const span = EVENT_RANGES.find((r) => r[0] === range)![2];
  // `from` is rounded to the minute so the polled path (and the list) stays put between polls.
  const now = useNow(10_000);
  const from = Math.floor((now - span) / 60_000) * 60_000;
  const read = useApi<{ items: EventItem[] }>(
    `${devicePath(productKey, deviceName)}/events${queryString({ from, type, limit })}`,
    { pollMs: 5000 },
  );
  // A pushed event shows at once rather than at the next poll.
  useLiveEvents(productKey, deviceName, () => void read.reload());
  const names = new Map((tsl?.events ?? []).map((e) => [e.identifier, e.name]));
  const items = read.data?.items ?? [];

  return (
    <Panel
      title={t('events.title')}
      actions={(
        <div className="flex flex-wrap items-center gap-2">
          <label className="sr-only" htmlFor="event-range">{t('events.from')}</label>
          <select id="event-range" className={`${INPUT} !w-auto py-1 text-xs`} value={range} onChange={(e) => setRange(e.target.value as typeof range)}>
            {EVENT_RANGES.map(([v, l]) => <option key={v} value={v}>{t(l)}</option>)}
          </select>
          <label className="sr-only" htmlFor="event-type">{t('events.type')}</label>
          <select id="event-type" className={`${INPUT} !w-auto py-1 text-xs`} value={type} onChange={(e) => setType(e.target.value)}>
            <option value="">{t('events.allTypes')}</option>
            {EVENT_TYPES.map((v) => <option key={v} value={v}>{t(`eventType.${v}`)}</option>)}
          </select>
        </div>
      )}
    >
      {read.loading ? <Loading what={t('events.loading')} /> : !read.data ? <ErrorNote error={read.error} /> : items.length === 0 ? (
        <EmptyState title={t('events.empty')}>
          {richText(t('events.emptyBody', { topic: EVENT_TOPIC }), { code: (text) => <code className="font-mono text-xs">{text}</code> })}
        </EmptyState>
      ) : (
        <div className="space-y-3">
          <Table label={t('events.title')}>
            <thead><tr><Th>{t('col.time')}</Th><Th>{t('col.event')}</Th><Th>{t('col.type')}</Th><Th>{t('col.params')}</Th></tr></thead>
            <TBody>
              {items.map((e, i) => (
                <tr key={`${e.time}-${e.eventId}-${i}`}>
                  <Td className="whitespace-nowrap text-xs tabular-nums">{formatTime(e.time)}</Td>
                  <Td>
                    <div className="font-medium">{names.get(e.eventId) ?? e.eventId}</div>
                    <code className="font-mono text-xs text-slate-500">{e.eventId}</code>
                  </Td>
                  <Td><Badge tone={EVENT_TONES[e.type]}>{t(`eventType.${e.type}`)}</Badge></Td>
                  <Td className="max-w-[28rem] break-words text-xs" title={JSON.stringify(e.data)}>{eventDataText(e.eventId, e.data, tsl)}</Td>
                </tr>
              ))}
            </TBody>
          </Table>
          {items.length >= limit && <Button size="sm" onClick={() => setLimit(limit + EVENTS_PAGE)}>{t('events.more', { count: EVENTS_PAGE })}</Button>}
          <ErrorNote error={read.error} />
        </div>
      )}
    </Panel>
  );
}

const MESSAGES_PAGE = 25;
const CODES = [200, 202, 400, 404, 410, 422, 429, 500, 503, 504];

function MessageLog({ productKey, deviceName }: { productKey: string; deviceName: string }) {
  const [direction, setDirection] = useState('');
  const [code, setCode] = useState('');
  const [offset, setOffset] = useState(0);
  const [open, setOpen] = useState<number>();
  const read = useApi<MessagePage>(
    `${devicePath(productKey, deviceName)}/messages${queryString({ direction, code, limit: MESSAGES_PAGE, offset })}`,
    { pollMs: offset === 0 ? 5000 : undefined },
  );
  const filter = (set: (v: string) => void) => (e: ChangeEvent<HTMLSelectElement>) => {
    set(e.target.value);
    setOffset(0);
  };

  return (
    <Panel title={t('log.title')} actions={read.data && <span className="text-xs text-slate-500">{t('log.count', { count: read.data.total })}</span>}>
      <div className="mb-3 flex flex-wrap items-end gap-3">
        <Field label={t('log.direction')} className="w-40">
          <select className={INPUT} value={direction} onChange={filter(setDirection)}>
            <option value="">{t('log.both')}</option>
            <option value="up">{t('log.upOption')}</option>
            <option value="down">{t('log.downOption')}</option>
          </select>
        </Field>
        <Field label={t('col.code')} className="w-44">
          <select className={INPUT} value={code} onChange={filter(setCode)}>
            <option value="">{t('log.any')}</option>
            {CODES.map((c) => <option key={c} value={c}>{c} {codeMeaning(c)}</option>)}
          </select>
        </Field>
      </div>
      {read.loading ? <Loading what={t('log.loading')} /> : !read.data ? <ErrorNote error={read.error} /> : read.data.total === 0 ? (
        <EmptyState title={t(direction || code ? 'log.noMatch' : 'log.empty')}>
          {t(direction || code ? 'log.noMatchBody' : 'log.emptyBody')}
        </EmptyState>
      ) : (
        <div className="space-y-3">
          <Table label={t('log.title')}>
            <thead>
              <tr><Th>{t('col.time')}</Th><Th>{t('col.dir')}</Th><Th>{t('col.kind')}</Th><Th>{t('col.topic')}</Th><Th>{t('col.code')}</Th><Th>{t('col.message')}</Th><Th><span className="sr-only">{t('log.payload')}</span></Th></tr>
            </thead>
            <TBody>
              {read.data.items.map((m) => (
                <Fragment key={m.id}>
                  <tr>
                    <Td className="whitespace-nowrap text-xs tabular-nums">{formatTime(m.at)}</Td>
                    <Td className="whitespace-nowrap text-xs">
                      <span title={t(m.direction === 'up' ? 'log.fromDevice' : 'log.toDevice')}>{t(m.direction === 'up' ? 'log.up' : 'log.down')}</span>
                    </Td>
                    <Td className="whitespace-nowrap text-xs">
                      {m.kind ?? '—'}{m.identifier && <code className="ml-1 font-mono text-slate-500">{m.identifier}</code>}
                    </Td>
                    <Td className="max-w-[18rem] truncate font-mono text-xs" title={m.topic ?? undefined}>{m.topic ?? '—'}</Td>
                    <Td><CodeBadge code={m.code} /></Td>
                    <Td className="max-w-[16rem] text-xs text-slate-600">{serverText(m.reason) ?? (m.code === null ? t('log.waiting') : codeMeaning(m.code))}</Td>
                    <Td className="text-right">
                      {m.payload && (
                        <Button size="sm" variant="ghost" aria-expanded={open === m.id} onClick={() => setOpen(open === m.id ? undefined : m.id)}>
                          {t(open === m.id ? 'log.hide' : 'log.payload')}
                        </Button>
                      )}
                    </Td>
                  </tr>
                  {open === m.id && m.payload && (
                    <tr>
                      <td colSpan={7} className="bg-slate-50 px-3 py-2">
                        <pre className="max-h-64 overflow-auto whitespace-pre-wrap break-all font-mono text-xs text-slate-800">{prettyJson(m.payload)}</pre>
                        {m.payloadTruncated && <p className="mt-1 text-xs text-slate-500">{t('log.cut')}</p>}
                      </td>
                    </tr>
                  )}
                </Fragment>
              ))}
            </TBody>
          </Table>
          <Pager total={read.data.total} limit={MESSAGES_PAGE} offset={offset} onOffset={setOffset} />
          <ErrorNote error={read.error} />
        </div>
      )}
    </Panel>
  );
}
