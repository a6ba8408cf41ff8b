import type { LiveDeviceState } from '../live/device-feed.ts';
import { Link, pathOf } from '../routing.ts';
import { Badge, OnlineBadge } from '../ui/badge.tsx';
import { Table, TBody, Td, Th } from '../ui/table.tsx';
import { TimeAgo } from '../ui/time.tsx';
import type { DeviceStatus, ListedDevice, ProductSummary } from './device-list-api.ts';
import { t } from './devices.messages.ts';
import { deviceKey } from '../live/device-feed-client.ts';

/** Tags drawn per row; the rest are counted (all of them are in the tooltip and on the device page). */
const TAGS_SHOWN = 3;

/**
 * The status to show: the live feed's when it reported a change after the list was read, else the list's own (the
 * poll corrects a change the feed missed, the feed is quicker than the poll).
 */
export function currentStatus(device: ListedDevice, live: LiveDeviceState | undefined, listReadAt: number): DeviceStatus {
  if (live && live.at >= listReadAt) return live.online ? 'online' : 'offline';
  return device.status;
}

export function StatusBadge({ status }: { status: DeviceStatus }) {
  if (status === 'inactive') {
    return (
      <Badge>
        <span aria-hidden className="h-1.5 w-1.5 rounded-full border border-slate-400" />
        {t('status.neverConnected')}
      </Badge>
    );
  }
  return <OnlineBadge online={status === 'online'} />;
}

/** The devices of one page: status (live), name linking to the device, product, description, tags, last seen, enabled. */
export function DeviceTable({ devices, products, live, listReadAt, onTag }: {
  devices: readonly ListedDevice[];
  products: ReadonlyMap<string, ProductSummary>;
  live: ReadonlyMap<string, LiveDeviceState>;
  listReadAt: number;
  /** Narrows the list to devices carrying this `key:value` tag. */
  onTag(tag: string): void;
}) {
  return (
    <Table label={t('list.title')}>
      <thead>
        <tr>
          <Th>{t('field.status')}</Th>
          <Th>{t('field.name')}</Th>
          <Th>{t('field.product')}</Th>
          <Th className="hidden lg:table-cell">{t('field.description')}</Th>
          <Th>{t('field.tags')}</Th>
          <Th>{t('field.lastSeen')}</Th>
          <Th>{t('field.enabled')}</Th>
        </tr>
      </thead>
      <TBody>
        {devices.map((d) => {
          const key = deviceKey(d.productKey, d.deviceName);
          const status = currentStatus(d, live.get(key), listReadAt);
          const product = products.get(d.productKey);
          const tags = Object.entries(d.tags);
          return (
            <tr key={key} data-device={key}>
              <Td data-column="status">
                <StatusBadge status={status} />
              </Td>
              <Td>
                <Link to={pathOf('devices', d.productKey, d.deviceName)} className="whitespace-nowrap font-mono font-medium text-sky-800 hover:underline">
                  {d.deviceName}
                </Link>
                {/* Narrow screens fold the description under the name instead of giving it a column. */}
                {d.description && <span className="block max-w-[14rem] truncate text-xs text-slate-500 lg:hidden" title={d.description}>{d.description}</span>}
              </Td>
              <Td className="whitespace-nowrap">
                <span className="block max-w-[12rem] truncate" title={product ? `${product.name} (${d.productKey})` : d.productKey}>
                  {product?.name ?? d.productKey}
                </span>
                {product && <span className="block font-mono text-xs text-slate-500">{d.productKey}</span>}
              </Td>
              <Td className="hidden text-slate-700 lg:table-cell">
                {d.description ? (
                  <span className="line-clamp-2 min-w-[8rem] max-w-xs" title={d.description}>{d.description}</span>
                ) : (
                  <span className="text-slate-400">—</span>
                )}
              </Td>
              <Td>
                {tags.length === 0 ? (
                  <span className="text-slate-400">—</span>
                ) : (
                  <span className="flex max-w-xs flex-wrap gap-1" title={tags.map(([k, v]) => `${k}=${v}`).join('\n')}>
                    {tags.slice(0, TAGS_SHOWN).map(([k, v]) => (
                      <button
                        key={k}
                        type="button"
                        onClick={() => onTag(`${k}:${v}`)}
                        title={t('table.showTagged', { key: k, value: v })}
                        className="whitespace-nowrap rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs text-slate-700 ring-1 ring-inset ring-slate-200 hover:bg-sky-50 hover:ring-sky-300"
                      >
                        {k}={v}
                      </button>
                    ))}
                    {tags.length > TAGS_SHOWN && <span className="px-1 text-xs text-slate-500">+{tags.length - TAGS_SHOWN}</span>}
                  </span>
                )}
              </Td>
              <Td className="whitespace-nowrap text-slate-700">
                {status === 'online' ? <span className="text-emerald-700">{t('table.now')}</span> : <TimeAgo at={d.lastSeenAt} />}
              </Td>
              <Td>{d.enabled ? <span className="text-slate-700">{t('table.yes')}</span> : <Badge tone="amber">{t('table.disabled')}</Badge>}</Td>
            </tr>
          );
        })}
      </TBody>
    </Table>
  );
}
