/** Overview: the device's status and the facts of its connection, its latest values, and its connection history. */
import { useState, type ReactNode } from 'react';
import type { TslDocument } from '../../../domain/thing-model/tsl-types.ts';
import { Link, pathOf } from '../routing.ts';
import { Badge, OnlineBadge, type Tone } from '../ui/badge.tsx';
import { EmptyState, ErrorNote, Loading } from '../ui/feedback.tsx';
import { Facts, Panel } from '../ui/page.tsx';
import { Pager } from '../ui/pager.tsx';
import { Table, TBody, Td, Th } from '../ui/table.tsx';
import { formatTime, TimeAgo } from '../ui/time.tsx';
import { queryString, useApi } from '../use-api.ts';
import { tc } from '../i18n/common.messages.ts';
import { richText } from '../i18n/rich.tsx';
import { devicePath, useRecentConnections, type ConnectionLogItem, type ConnectionPage, type Device, type Product, type useLatestValues } from './device-detail-api.ts';
import { LiveValues } from './device-detail-live-values.tsx';
import { SubDevicesPanel } from './device-detail-sub-devices.tsx';
import { t } from './device-detail.messages.ts';

export function OverviewTab({ device, online, product, tsl, latest }: {
  device: Device;
  online: boolean;
  product: Product | undefined;
  tsl: TslDocument | null | undefined;
  latest: ReturnType<typeof useLatestValues>;
}) {
  return (
    <div className="space-y-5">
      <div className="grid gap-5 lg:grid-cols-5">
        <Panel title={t('overview.status')} className="lg:col-span-2">
          <StatusFacts device={device} online={online} product={product} />
        </Panel>
        <Panel title={t('overview.latest')} className="lg:col-span-3" bodyClassName="[&>div>div]:rounded-none [&>div>div]:border-0 [&>div>div]:shadow-none">
          <LiveValues tsl={tsl} values={latest.values} items={latest.items} loading={latest.loading} error={latest.error} />
        </Panel>
      </div>
      {device.nodeType === 'gateway' && <SubDevicesPanel productKey={device.productKey} deviceName={device.deviceName} />}
      <ConnectionHistory device={device} />
    </div>
  );
}

function StatusFacts({ device, online, product }: { device: Device; online: boolean; product: Product | undefined }) {
  const recent = useRecentConnections(device.productKey, device.deviceName, 5000);
  const items = recent.data?.items ?? [];
  const connected = items.find((c) => c.event === 'connected');
  const ended = items.find((c) => c.event === 'disconnected');
  const refused = items.find((c) => c.event === 'refused');
  const lastRefusalIsNews = refused && (!connected || Date.parse(refused.at) > Date.parse(connected.at));

  const facts: [ReactNode, ReactNode][] = [
    [t('overview.status'), (
      <span className="flex flex-wrap items-center gap-2">
        <OnlineBadge online={online} />
        {device.status === 'inactive' && !online && <span className="text-slate-500">{t('overview.neverConnected')}</span>}
        {!device.enabled && <Badge tone="amber">{t('page.disabled')}</Badge>}
      </span>
    )],
  ];
  if (online && connected) {
    facts.push(
      [t('fact.connectedSince'), <span key="s">{formatTime(connected.at)} (<TimeAgo at={connected.at} />)</span>],
      [t('fact.protocol'), <code key="p" className="font-mono text-xs">{connected.protocol ?? '—'}</code>],
      [t('fact.dialect'), connected.dialect ?? '—'],
      [t('fact.clientId'), <code key="c" className="break-all font-mono text-xs">{connected.clientId ?? '—'}</code>],
      [t('fact.remoteAddress'), <code key="r" className="font-mono text-xs">{connected.remoteAddress ?? '—'}</code>],
    );
  } else {
    facts.push([t('fact.lastOnline'), device.lastOnlineAt ? <span key="o">{formatTime(device.lastOnlineAt)} (<TimeAgo at={device.lastOnlineAt} />)</span> : tc('never')]);
    if (ended) facts.push([t('fact.lastDisconnect'), <span key="d">{ended.reason ?? t('fact.disconnect')}{ended.remoteAddress ? t('fact.from', { address: ended.remoteAddress }) : ''}</span>]);
  }
  // Written every few seconds: a device that just connected (the live feed knew first) was seen when it connected.
  const seen = device.lastSeenAt ?? device.lastOnlineAt ?? (online ? connected?.at : undefined);
  facts.push([t('fact.lastSeen'), seen ? <TimeAgo key="l" at={seen} /> : tc('never')]);
  facts.push([t('fact.product'), (
    <Link key="pr" to={pathOf('products', device.productKey)} className="text-sky-700 hover:underline">
      {product?.name ?? device.productKey} <code className="font-mono text-xs text-slate-500">{device.productKey}</code>
    </Link>
  )]);
  if (product) facts.push([t('fact.productDialect'), product.dialect]);
  if (device.nodeType !== 'direct') facts.push([t('fact.nodeType'), t(`nodeType.${device.nodeType}`)]);
  if (device.gateway) {
    const { productKey, deviceName } = device.gateway;
    facts.push([t('fact.gateway'), (
      <Link key="gw" to={pathOf('devices', productKey, deviceName)} className="text-sky-700 hover:underline" data-testid="device-gateway">
        {deviceName} <code className="font-mono text-xs text-slate-500">{productKey}</code>
      </Link>
    )]);
  } else if (device.nodeType === 'sub-device') {
    facts.push([t('fact.gateway'), <span key="gw" className="text-slate-500">{t('fact.noGateway')}</span>]);
  }
  if (device.description) facts.push([t('fact.description'), device.description]);
  const tags = Object.entries(device.tags);
  if (tags.length > 0) {
    facts.push([t('fact.tags'), <span key="t" className="flex flex-wrap gap-1">{tags.map(([k, v]) => <Badge key={k}>{k}: {v}</Badge>)}</span>]);
  }
  facts.push([t('fact.created'), formatTime(device.createdAt)]);

  return (
    <div className="space-y-3">
      <Facts items={facts} />
      {lastRefusalIsNews && (
        <p className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900" data-testid="last-refusal">
          {richText(
            refused.remoteAddress
              ? t('refusal.from', { reason: refused.reason ?? t('refusal.refused'), address: refused.remoteAddress })
              : t('refusal', { reason: refused.reason ?? t('refusal.refused') }),
            {
              ago: () => <TimeAgo at={refused.at} />,
              b: (text) => <strong>{text}</strong>,
              code: (text) => <code className="font-mono text-xs">{text}</code>,
            },
          )}
        </p>
      )}
      <ErrorNote error={recent.error} />
    </div>
  );
}

const EVENT_TONES: Record<ConnectionLogItem['event'], Tone> = { connected: 'green', disconnected: 'neutral', refused: 'red' };
const PAGE = 20;

function ConnectionHistory({ device }: { device: Device }) {
  const [offset, setOffset] = useState(0);
  const read = useApi<ConnectionPage>(
    `${devicePath(device.productKey, device.deviceName)}/connections${queryString({ limit: PAGE, offset })}`,
    // The first page follows new connections; older pages stay put while being read.
    { pollMs: offset === 0 ? 5000 : undefined },
  );
  return (
    <Panel title={t('history.title')} actions={read.data && <span className="text-xs text-slate-500">{t('history.count', { count: read.data.total })}</span>}>
      {read.loading ? <Loading what={t('history.loading')} /> : !read.data ? <ErrorNote error={read.error} /> : read.data.total === 0 ? (
        <EmptyState title={t('history.empty')}>
          {t('history.emptyBody')}
        </EmptyState>
      ) : (
        <div className="space-y-3">
          <Table label={t('history.title')}>
            <thead>
              <tr><Th>{t('col.time')}</Th><Th>{t('col.event')}</Th><Th>{t('col.reason')}</Th><Th>{t('fact.remoteAddress')}</Th><Th>{t('fact.protocol')}</Th><Th>{t('fact.clientId')}</Th></tr>
            </thead>
            <TBody>
              {read.data.items.map((c) => (
                <tr key={c.id}>
                  <Td className="whitespace-nowrap text-xs tabular-nums" title={c.at}>{formatTime(c.at)}</Td>
                  <Td><Badge tone={EVENT_TONES[c.event]}>{t(`connEvent.${c.event}`)}</Badge></Td>
                  <Td className="text-xs">{c.reason ?? <span className="text-slate-400">—</span>}</Td>
                  <Td className="font-mono text-xs">{c.remoteAddress ?? '—'}</Td>
                  <Td className="whitespace-nowrap text-xs">{[c.protocol, c.dialect].filter(Boolean).join(' · ') || '—'}</Td>
                  <Td className="max-w-[16rem] truncate font-mono text-xs" title={c.clientId ?? undefined}>{c.clientId ?? '—'}</Td>
                </tr>
              ))}
            </TBody>
          </Table>
          <Pager total={read.data.total} limit={PAGE} offset={offset} onOffset={setOffset} />
          <ErrorNote error={read.error} />
        </div>
      )}
    </Panel>
  );
}
