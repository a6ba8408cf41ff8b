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
import { devicePath } from './device-detail-api.ts';

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
      title="Sub-devices"
      actions={read.data && <span className="text-xs text-slate-500">{online} of {read.data.total.toLocaleString()} online</span>}
    >
      {read.loading ? <Loading what="sub-devices" /> : !read.data ? <ErrorNote error={read.error} /> : read.data.total === 0 ? (
        <EmptyState title="No sub-devices yet">
          The gateway adds its sub-devices itself (thing.topo.add, signed with each sub-device&apos;s secret) and logs them in
          through its connection (combine/login). See docs/protocol.md, &ldquo;Gateways and sub-devices&rdquo;.
        </EmptyState>
      ) : (
        <Table label="Sub-devices">
          <thead>
            <tr><Th>Device</Th><Th>Product</Th><Th>Status</Th><Th>Last seen</Th><Th>Added</Th>{canWrite && <Th><span className="sr-only">Actions</span></Th>}</tr>
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
                    {!s.enabled && <Badge tone="amber">disabled</Badge>}
                  </span>
                </Td>
                <Td className="text-xs">{s.lastSeenAt ? <TimeAgo at={s.lastSeenAt} /> : 'never'}</Td>
                <Td className="whitespace-nowrap text-xs tabular-nums" title={s.linkedAt}>{formatTime(s.linkedAt)}</Td>
                {canWrite && (
                  <Td className="text-right">
                    <Button size="sm" variant="ghost" onClick={() => setRemoving(s)} aria-label={`Remove ${s.deviceName} from the gateway`}>Remove</Button>
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
        title={`Remove ${removing?.deviceName ?? ''} from this gateway?`}
        confirmLabel="Remove"
        busy={busy}
        onConfirm={() => void remove(removing!)}
        error={error ? <ErrorNote error={error} /> : undefined}
      >
        Its session through the gateway ends now, and the gateway can no longer speak for it until it adds it again
        (signed with the sub-device&apos;s secret).
      </ConfirmDialog>
    </Panel>
  );
}
