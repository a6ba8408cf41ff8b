/**
 * One device: whether it is online and how it is connected, its latest values and history, its events and message
 * log, how to connect it by hand, and (engineers) commands to it. Everything is polled while the tab is visible and
 * updated from the live feed as soon as that pushes something newer.
 */
import { useState } from 'react';
import { ApiError, apiRequest } from '../api.ts';
import { Link, navigate, pathOf } from '../routing.ts';
import { useCan } from '../session.ts';
import { Badge, OnlineBadge } from '../ui/badge.tsx';
import { Button } from '../ui/button.tsx';
import { ConfirmDialog } from '../ui/dialog.tsx';
import { EmptyState, ErrorNote, Loading } from '../ui/feedback.tsx';
import { Page } from '../ui/page.tsx';
import { Tabs } from '../ui/tabs.tsx';
import { TimeAgo } from '../ui/time.tsx';
import { useApi } from '../use-api.ts';
import { tc } from '../i18n/common.messages.ts';
import { richText } from '../i18n/rich.tsx';
import { DeviceModbusPanel } from '../modbus/device-modbus-panel.tsx';
import { DeviceFirmwareTab } from '../ota/device-firmware-tab.tsx';
import type { DeviceModbusView, PointTableView } from '../../../domain/modbus/modbus-api.ts';
import { CommandPanel } from './command-form.tsx';
import { ConnectionPanel, type ConnectionState } from './connection-panel.tsx';
import { devicePath, useDevice, useLatestValues, usePublishedTsl, type Device, type Product } from './device-detail-api.ts';
import { EditDeviceDialog } from './device-edit-dialog.tsx';
import { EventsTab } from './device-detail-events.tsx';
import { OverviewTab } from './device-detail-overview.tsx';
import { HistoryPanel } from './history-panel.tsx';
import type { RangeChoice } from './history-range.ts';
import { t } from './device-detail.messages.ts';

const TAB_NAMES = ['overview', 'history', 'events', 'connection', 'modbus', 'firmware', 'commands'] as const;
type TabName = (typeof TAB_NAMES)[number];

/** The open tab lives in `?tab=`, so a reload or a shared link opens the same one. */
function useTab(): [TabName, (tab: string) => void] {
  const [tab, setTab] = useState<TabName>(() => {
    const asked = new URLSearchParams(window.location.search).get('tab');
    return (TAB_NAMES as readonly string[]).includes(asked ?? '') ? (asked as TabName) : 'overview';
  });
  return [tab, (next) => {
    setTab(next as TabName);
    const search = next === 'overview' ? '' : `?tab=${next}`;
    window.history.replaceState(null, '', window.location.pathname + search);
  }];
}

export function DeviceDetailPage({ productKey, deviceName }: { productKey: string; deviceName: string }) {
  const device = useDevice(productKey, deviceName);
  const product = useApi<Product>(`/products/${encodeURIComponent(productKey)}`);
  const { tsl, error: tslError } = usePublishedTsl(productKey);
  const latest = useLatestValues(productKey, deviceName);
  const canWrite = useCan('devices:write');
  const canReadOta = useCan('ota:read');
  const [tab, setTab] = useTab();
  const [connection, setConnection] = useState<ConnectionState>({});
  const [historyChoice, setHistoryChoice] = useState<RangeChoice>({ preset: '1h' });
  // A Modbus section for a device that has a connection, or whose product has a point table (to give it one).
  const modbus = useApi<DeviceModbusView>(`${devicePath(productKey, deviceName)}/modbus`, { pollMs: tab === 'modbus' ? 5000 : undefined });
  const points = useApi<PointTableView>(`/products/${encodeURIComponent(productKey)}/modbus/points`);
  const isModbus = !!modbus.data?.connection || (points.data?.points.length ?? 0) > 0;
  const back = <Link to="/devices" className="text-sky-700 hover:underline"><i className="fa fa-angle-left" aria-hidden /> {t('page.devices')}</Link>;

  if (device.loading) return <Page title={deviceName} back={back}><Loading what={t('page.loading')} /></Page>;
  if (!device.data) {
    const missing = device.error instanceof ApiError && device.error.status === 404;
    return (
      <Page title={deviceName} back={back}>
        {missing ? (
          <EmptyState title={t('page.missing')} action={<Link to="/devices" className="text-sm font-medium text-sky-700 underline">{t('page.allDevices')}</Link>}>
            {richText(t('page.missingBody', { productKey, deviceName }), { code: (text) => <code className="font-mono">{text}</code> })}
          </EmptyState>
        ) : <ErrorNote error={device.error} />}
      </Page>
    );
  }
  const d = device.data;
  const online = device.online;

  const tabs = [
    {
      value: 'overview', label: t('tab.overview'),
      content: <OverviewTab device={d} online={online} product={product.data} tsl={tsl} latest={latest} />,
    },
    {
      value: 'history', label: t('tab.history'),
      content: <HistoryPanel productKey={productKey} deviceName={deviceName} tsl={tsl} choice={historyChoice} onChoice={setHistoryChoice} />,
    },
    { value: 'events', label: t('tab.events'), content: <EventsTab productKey={productKey} deviceName={deviceName} tsl={tsl} /> },
    {
      value: 'connection', label: t('tab.connection'),
      content: <ConnectionPanel device={d} online={online} tsl={tsl} state={connection} onState={setConnection} />,
    },
    ...(isModbus ? [{
      value: 'modbus', label: 'Modbus',
      content: <DeviceModbusPanel productKey={productKey} deviceName={deviceName} view={modbus} canWrite={canWrite} />,
    }] : []),
    ...(canReadOta ? [{ value: 'firmware', label: t('tab.firmware'), content: <DeviceFirmwareTab productKey={productKey} deviceName={deviceName} /> }] : []),
    ...(canWrite ? [{
      value: 'commands', label: t('tab.commands'),
      content: (
        <CommandPanel
          productKey={productKey}
          deviceName={deviceName}
          online={online}
          tsl={tsl}
          current={latest.loading ? undefined : latest.values}
          onSent={() => void latest.reload()}
        />
      ),
    }] : []),
  ];

  return (
    <Page
      title={<span data-testid="device-title">{d.deviceName}</span>}
      back={back}
      subtitle={(
        <span className="flex flex-wrap items-center gap-x-3 gap-y-1">
          <Link to={pathOf('products', productKey)} className="text-sky-700 hover:underline">
            <i className="fa fa-cube mr-1 text-slate-400" aria-hidden />{product.data?.name ?? productKey}
          </Link>
          <span data-testid="device-online"><OnlineBadge online={online} /></span>
          {d.gateway && (
            <span className="text-slate-500">
              {t('page.viaGateway')}{' '}
              <Link to={pathOf('devices', d.gateway.productKey, d.gateway.deviceName)} className="text-sky-700 hover:underline">{d.gateway.deviceName}</Link>
            </span>
          )}
          {d.nodeType === 'gateway' && <Badge>{t('page.gateway')}</Badge>}
          {d.enabled ? <Badge tone="green">{t('page.enabled')}</Badge> : <Badge tone="amber">{t('page.disabled')}</Badge>}
          <span className="text-slate-500">
            {online
              ? (d.lastOnlineAt && d.status === 'online'
                ? richText(t('page.connectedAgo'), { ago: () => <TimeAgo at={d.lastOnlineAt} /> })
                : t('page.connectedNow'))
              : (d.lastSeenAt ?? d.lastOnlineAt
                ? richText(t('page.lastSeenAgo'), { ago: () => <TimeAgo at={d.lastSeenAt ?? d.lastOnlineAt} /> })
                : t('page.lastSeenNever'))}
          </span>
        </span>
      )}
      actions={canWrite && <DeviceActions device={d} onChanged={() => void device.reload()} />}
    >
      {device.error && <ErrorNote error={device.error} />}
      {tslError && <ErrorNote error={tslError} />}
      <Tabs label={t('page.sections')} value={tabs.some((s) => s.value === tab) ? tab : 'overview'} onValueChange={setTab} tabs={tabs} />
    </Page>
  );
}

/** Edit, enable/disable and delete, for roles that may change devices. */
function DeviceActions({ device, onChanged }: { device: Device; onChanged(): void }) {
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [confirm, setConfirm] = useState<'disable' | 'delete'>();
  const path = devicePath(device.productKey, device.deviceName);

  const run = async (what: 'enable' | 'disable' | 'delete') => {
    setBusy(true);
    setError(undefined);
    try {
      if (what === 'delete') {
        await apiRequest('DELETE', path);
        navigate('/devices');
        return;
      }
      await apiRequest('PATCH', path, { enabled: what === 'enable' });
      setConfirm(undefined);
      onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="flex flex-col items-end gap-2">
      <div className="flex gap-2">
        <Button onClick={() => setEditing(true)}><i className="fa fa-pencil" aria-hidden /> {tc('edit')}</Button>
        {device.enabled
          ? <Button onClick={() => setConfirm('disable')}><i className="fa fa-ban" aria-hidden /> {t('action.disable')}</Button>
          : <Button onClick={() => void run('enable')} disabled={busy}><i className="fa fa-check" aria-hidden /> {t('action.enable')}</Button>}
        <Button variant="ghost" onClick={() => setConfirm('delete')}><i className="fa fa-trash-o" aria-hidden /> {tc('delete')}</Button>
      </div>
      {!confirm && <ErrorNote error={error} />}
      <EditDeviceDialog device={device} open={editing} onOpenChange={setEditing} onSaved={onChanged} />
      <ConfirmDialog
        open={confirm !== undefined}
        onOpenChange={(open) => !open && setConfirm(undefined)}
        title={t(confirm === 'delete' ? 'action.deleteTitle' : 'action.disableTitle', { name: device.deviceName })}
        confirmLabel={t(confirm === 'delete' ? 'action.deleteDevice' : 'action.disableDevice')}
        busy={busy}
        onConfirm={() => void run(confirm!)}
        error={confirm && error ? <ErrorNote error={error} /> : undefined}
      >
        {t(confirm === 'delete' ? 'action.deleteBody' : 'action.disableBody')}
      </ConfirmDialog>
    </div>
  );
}
