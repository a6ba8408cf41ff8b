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
import { devicePath, useNow, type EventItem, type MessagePage } from './device-detail-api.ts';
import { codeMeaning, eventDataText, prettyJson } from './device-detail-format.ts';

export function EventsTab({ productKey, deviceName, tsl }: { productKey: string; deviceName: string; tsl: TslDocument | null | undefined }) {
  return (
    <div className="space-y-5">
      <EventList productKey={productKey} deviceName={deviceName} tsl={tsl} />
      <MessageLog productKey={productKey} deviceName={deviceName} />
    </div>
  );
}

const EVENT_TONES: Record<EventItem['type'], Tone> = { info: 'blue', alert: 'amber', error: 'red' };
const EVENT_RANGES = [['24h', 'Last 24 h', 86_400_000], ['7d', 'Last 7 days', 7 * 86_400_000], ['30d', 'Last 30 days', 30 * 86_400_000]] as const;
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
      title="Events"
      actions={(
        <div className="flex flex-wrap items-center gap-2">
          <label className="sr-only" htmlFor="event-range">Events from</label>
          <select id="event-range" className={`${INPUT} !w-auto py-1 text-xs`} value={range} onChange={(e) => setRange(e.target.value as typeof range)}>
            {EVENT_RANGES.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
          </select>
          <label className="sr-only" htmlFor="event-type">Event type</label>
          <select id="event-type" className={`${INPUT} !w-auto py-1 text-xs`} value={type} onChange={(e) => setType(e.target.value)}>
            <option value="">All types</option>
            <option value="info">info</option>
            <option value="alert">alert</option>
            <option value="error">error</option>
          </select>
        </div>
      )}
    >
      {read.loading ? <Loading what="events" /> : !read.data ? <ErrorNote error={read.error} /> : items.length === 0 ? (
        <EmptyState title="No events in this range">
          Events the device posts (<code className="font-mono text-xs">thing.event.{'{identifier}'}.post</code>) are listed here, newest first.
        </EmptyState>
      ) : (
        <div className="space-y-3">
          <Table label="Events">
            <thead><tr><Th>Time</Th><Th>Event</Th><Th>Type</Th><Th>Params</Th></tr></thead>
            <TBody>
              {items.map((e, i) => (
                <tr key={`${e.time}-${e.eventId}-${i}`}>
                  <Td className="whitespace-nowrap text-xs tabular-nums">{formatTime(e.time)}</Td>
                  <Td>
                    <div className="font-medium">{names.get(e.eventId) ?? e.eventId}</div>
                    <code className="font-mono text-xs text-slate-500">{e.eventId}</code>
                  </Td>
                  <Td><Badge tone={EVENT_TONES[e.type]}>{e.type}</Badge></Td>
                  <Td className="max-w-[28rem] break-words text-xs" title={JSON.stringify(e.data)}>{eventDataText(e.eventId, e.data, tsl)}</Td>
                </tr>
              ))}
            </TBody>
          </Table>
          {items.length >= limit && <Button size="sm" onClick={() => setLimit(limit + EVENTS_PAGE)}>Show {EVENTS_PAGE} more</Button>}
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
    <Panel title="Message log" actions={read.data && <span className="text-xs text-slate-500">{read.data.total.toLocaleString()} messages</span>}>
      <div className="mb-3 flex flex-wrap items-end gap-3">
        <Field label="Direction" className="w-40">
          <select className={INPUT} value={direction} onChange={filter(setDirection)}>
            <option value="">Both</option>
            <option value="up">↑ up (from the device)</option>
            <option value="down">↓ down (commands)</option>
          </select>
        </Field>
        <Field label="Code" className="w-44">
          <select className={INPUT} value={code} onChange={filter(setCode)}>
            <option value="">Any</option>
            {CODES.map((c) => <option key={c} value={c}>{c} {codeMeaning(c)}</option>)}
          </select>
        </Field>
      </div>
      {read.loading ? <Loading what="the message log" /> : !read.data ? <ErrorNote error={read.error} /> : read.data.total === 0 ? (
        <EmptyState title={direction || code ? 'No messages match' : 'No messages yet'}>
          {direction || code ? 'Change the filters to see more.' : 'Every message the device sends and every command sent to it is logged here with its result code.'}
        </EmptyState>
      ) : (
        <div className="space-y-3">
          <Table label="Message log">
            <thead>
              <tr><Th>Time</Th><Th>Dir</Th><Th>Kind</Th><Th>Topic</Th><Th>Code</Th><Th>Message</Th><Th><span className="sr-only">Payload</span></Th></tr>
            </thead>
            <TBody>
              {read.data.items.map((m) => (
                <Fragment key={m.id}>
                  <tr>
                    <Td className="whitespace-nowrap text-xs tabular-nums">{formatTime(m.at)}</Td>
                    <Td className="whitespace-nowrap text-xs">
                      <span title={m.direction === 'up' ? 'from the device' : 'to the device'}>{m.direction === 'up' ? '↑ up' : '↓ down'}</span>
                    </Td>
                    <Td className="whitespace-nowrap text-xs">
                      {m.kind ?? '—'}{m.identifier && <code className="ml-1 font-mono text-slate-500">{m.identifier}</code>}
                    </Td>
                    <Td className="max-w-[18rem] truncate font-mono text-xs" title={m.topic ?? undefined}>{m.topic ?? '—'}</Td>
                    <Td><CodeBadge code={m.code} /></Td>
                    <Td className="max-w-[16rem] text-xs text-slate-600">{m.reason ?? (m.code === null ? 'waiting' : codeMeaning(m.code))}</Td>
                    <Td className="text-right">
                      {m.payload && (
                        <Button size="sm" variant="ghost" aria-expanded={open === m.id} onClick={() => setOpen(open === m.id ? undefined : m.id)}>
                          {open === m.id ? 'Hide' : 'Payload'}
                        </Button>
                      )}
                    </Td>
                  </tr>
                  {open === m.id && m.payload && (
                    <tr>
                      <td colSpan={7} className="bg-slate-50 px-3 py-2">
                        <pre className="max-h-64 overflow-auto whitespace-pre-wrap break-all font-mono text-xs text-slate-800">{prettyJson(m.payload)}</pre>
                        {m.payloadTruncated && <p className="mt-1 text-xs text-slate-500">Cut to 4 KB.</p>}
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
