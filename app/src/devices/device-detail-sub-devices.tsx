/**
 * A gateway's sub-devices (its topology) with whether each is logged in through it now, linking to their pages;
 * engineers can remove one from the topology.
 */
import { useState } from 'react';
import type { SubDevice, SubDeviceList } from '../../../domain/devices/device-schemas.ts';
import { apiRequest } from '../api.ts';
import { Link, pathOf } from '../routing.ts';
import { useCan } from '../session.ts';
import { Badge, OnlineBadge } from '../ui/badge.tsx';
import { Button } from '../ui/button.tsx';
import { ConfirmDialog } from '../ui/dialog.tsx';
import { EmptyState, ErrorNote, Loading } from '../ui/feedback.tsx';
import { Panel } from '../ui/page.tsx';
import { Table, TBody, Td, Th } from '../ui/table.tsx';
import { formatTime, TimeAgo } from '../ui/time.tsx';
import { useApi } from '../use-api.ts';
import { tc } from '../i18n/common.messages.ts';
import { devicePath } from './device-detail-api.ts';
import { t } from './device-detail.messages.ts';

export function SubDevicesPanel({ productKey, deviceName }: { productKey: string; deviceName: string }) {
  const read = useApi<SubDeviceList>(`${devicePath(productKey, deviceName)}/sub-devices`, { pollMs: 5000 });
  const online = read.data?.items.filter((s) => s.online).length ?? 0;
  const canWrite = useCan('devices:write');
  const [removing, setRemoving] = useState<SubDevice>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const remove = async (sub: SubDevice) => {
    setBusy(true);
    setError(undefined);
    try {
      await apiRequest('DELETE', `${devicePath(productKey, deviceName)}/sub-devices/${encodeURIComponent(sub.productKey)}/${encodeURIComponent(sub.deviceName)}`);
      setRemoving(undefined);
      void read.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Panel
      title={t('sub.title')}
      actions={read.data && <span className="text-xs text-slate-500">{t('sub.online', { online, total: read.data.total })}</span>}
    >
      {read.loading ? <Loading what={t('sub.loading')} /> : !read.data ? <ErrorNote error={read.error} /> : read.data.total === 0 ? (
        <EmptyState title={t('sub.empty')}>
          {t('sub.emptyBody')}
        </EmptyState>
      ) : (
        <Table label={t('sub.title')}>
          <thead>
            <tr><Th>{t('col.device')}</Th><Th>{t('fact.product')}</Th><Th>{t('overview.status')}</Th><Th>{t('fact.lastSeen')}</Th><Th>{t('col.added')}</Th>{canWrite && <Th><span className="sr-only">{t('col.actions')}</span></Th>}</tr>
          </thead>
          <TBody>
            {read.data.items.map((s) => (
              <tr key={`${s.productKey}/${s.deviceName}`} data-testid="sub-device-row">
                <Td>
                  <Link to={pathOf('devices', s.productKey, s.deviceName)} className="font-medium text-sky-700 hover:underline">{s.deviceName}</Link>
                </Td>
                <Td className="font-mono text-xs">{s.productKey}</Td>
                <Td>
                  <span className="flex items-center gap-2">
                    <OnlineBadge online={s.online} />
                    {!s.enabled && <Badge tone="amber">{t('page.disabled')}</Badge>}
                  </span>
                </Td>
                <Td className="text-xs">{s.lastSeenAt ? <TimeAgo at={s.lastSeenAt} /> : tc('never')}</Td>
                <Td className="whitespace-nowrap text-xs tabular-nums" title={s.linkedAt}>{formatTime(s.linkedAt)}</Td>
                {canWrite && (
                  <Td className="text-right">
                    <Button size="sm" variant="ghost" onClick={() => setRemoving(s)} aria-label={t('sub.removeLabel', { name: s.deviceName })}>{tc('remove')}</Button>
                  </Td>
                )}
              </tr>
            ))}
          </TBody>
        </Table>
      )}
      <ConfirmDialog
        open={removing !== undefined}
        onOpenChange={(open) => !open && setRemoving(undefined)}
        title={t('sub.removeTitle', { name: removing?.deviceName ?? '' })}
        confirmLabel={tc('remove')}
        busy={busy}
        onConfirm={() => void remove(removing!)}
        error={error ? <ErrorNote error={error} /> : undefined}
      >
        {t('sub.removeBody')}
      </ConfirmDialog>
    </Panel>
  );
}
