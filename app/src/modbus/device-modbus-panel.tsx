/**
 * A Modbus device's connection (how its slave is reached and how often it is read), checked with the server's own
 * schema as the user types, and how polling it goes: the poller's state, last read, failures in a row, last error.
 */
import { useState } from 'react';
import type { DeviceModbusView } from '../../../domain/modbus/modbus-api.ts';
import { ApiError, apiRequest } from '../api.ts';
import { devicePath } from '../devices/device-detail-api.ts';
import { Badge } from '../ui/badge.tsx';
import { Button } from '../ui/button.tsx';
import { cx } from '../ui/cx.ts';
import { ConfirmDialog } from '../ui/dialog.tsx';
import { ErrorNote, Loading } from '../ui/feedback.tsx';
import { Field, INPUT } from '../ui/field.tsx';
import { Facts, Panel } from '../ui/page.tsx';
import { formatTime, TimeAgo } from '../ui/time.tsx';
import type { ApiRead } from '../use-api.ts';
import {
  connectionFromForm, fieldLabel, formFromConnection, serverFieldErrors, TRANSPORT_FIELDS, type ConnectionField, type ConnectionForm, type Transport,
} from './connection-form.ts';
import { POLL_STATE_TONES } from './modbus-format.ts';
import { t } from './modbus.messages.ts';
import { tc } from '../i18n/common.messages.ts';
import { formatNumber } from '../i18n/messages.ts';

/** Each transport with its name and hint, called in render so they speak the language shown now. */
const TRANSPORTS: readonly (readonly [Transport, () => string, () => string])[] = [
  ['tcp', () => 'Modbus TCP', () => t('transport.tcpHint')],
  ['rtu', () => t('transport.rtu'), () => t('transport.rtuHint')],
  ['rtu-over-tcp', () => 'RTU over TCP', () => t('transport.rtuOverTcpHint')],
];

/** A parity setting as the form shows it. */
const parityLabel = (parity: string): string =>
  parity === 'even' ? t('parity.even') : parity === 'odd' ? t('parity.odd') : parity === 'none' ? t('parity.none') : parity;

/** Each poll state's name and what it means, by message key. */
const STATE_TEXT = {
  polling: ['pollState.polling', 'state.polling'],
  failing: ['pollState.failing', 'state.failing'],
  offline: ['pollState.offline', 'state.offline'],
  'not-polled': ['pollState.notPolled', 'state.notPolled'],
} as const;

export function DeviceModbusPanel({ productKey, deviceName, view, canWrite }: {
  productKey: string;
  deviceName: string;
  /** `GET …/modbus`, polled by the page. */
  view: ApiRead<DeviceModbusView>;
  canWrite: boolean;
}) {
  const path = `${devicePath(productKey, deviceName)}/modbus`;
  const [form, setForm] = useState<ConnectionForm | null>(null);
  const [touched, setTouched] = useState<ReadonlySet<ConnectionField>>(new Set());
  const [attempted, setAttempted] = useState(false);
  const [serverErrors, setServerErrors] = useState<{ form: ConnectionForm; errors: Partial<Record<ConnectionField, string>> } | null>(null);
  const [busy, setBusy] = useState<'save' | 'remove' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [removing, setRemoving] = useState(false);

  // The first answer fills the form (during render, so no frame shows it empty).
  if (form === null && view.data) setForm(formFromConnection(view.data.connection));

  if (view.error && !view.data) return <ErrorNote error={view.error} />;
  if (!view.data || !form) return <Loading what={t('conn.loading')} />;
  const { connection, status } = view.data;
  const check = connectionFromForm(form);
  const fieldError = (field: ConnectionField): string | undefined => {
    const own = !check.ok && (attempted || touched.has(field)) ? check.errors[field] : undefined;
    return own ?? (serverErrors?.form === form ? serverErrors.errors[field] : undefined);
  };
  const set = (patch: Partial<ConnectionForm>) => {
    setForm({ ...form, ...patch });
    setNotice(null);
    setError(null);
  };
  const touch = (field: ConnectionField) => setTouched((t) => (t.has(field) ? t : new Set([...t, field])));
  const dirty = JSON.stringify(form) !== JSON.stringify(formFromConnection(connection));

  const save = async () => {
    setAttempted(true);
    if (!check.ok) return;
    setBusy('save');
    setError(null);
    try {
      const saved = await apiRequest<DeviceModbusView>('PUT', path, check.connection);
      setForm(formFromConnection(saved.connection));
      setServerErrors(null);
      setAttempted(false);
      setTouched(new Set());
      setNotice(t('conn.saved'));
      await view.reload();
    } catch (err) {
      if (err instanceof ApiError) setServerErrors({ form, errors: serverFieldErrors(err.details) });
      setError(err);
    } finally {
      setBusy(null);
    }
  };

  const remove = async () => {
    setBusy('remove');
    setError(null);
    try {
      await apiRequest('DELETE', path);
      setRemoving(false);
      setForm(formFromConnection(null));
      setNotice(t('conn.removed'));
      await view.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };

  const fields = new Set(TRANSPORT_FIELDS[form.transport]);
  const input = (field: ConnectionField, props: { inputMode?: 'numeric'; placeholder?: string; className?: string } = {}) => (
    <input
      className={cx(INPUT, props.className)} value={form[field]} disabled={!canWrite} inputMode={props.inputMode} placeholder={props.placeholder}
      onChange={(e) => {
        set({ [field]: e.target.value });
        // Checked from the first keystroke, not on leaving the field: a problem appearing on blur moves the buttons
        // under a click already on its way.
        touch(field);
      }}
    />
  );
  const select = (field: ConnectionField, options: readonly string[], label: (option: string) => string = (o) => o) => (
    <select className={INPUT} value={form[field]} disabled={!canWrite} onChange={(e) => set({ [field]: e.target.value })}>
      {options.map((o) => <option key={o} value={o}>{label(o)}</option>)}
    </select>
  );

  return (
    <div className="grid items-start gap-5 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
      <Panel title={t('conn.title')} actions={!connection && <Badge>{t('conn.none')}</Badge>} bodyClassName="space-y-4">
        <fieldset>
          <legend className="mb-1 text-sm font-medium text-slate-700">{t('conn.transport')}</legend>
          <div className="grid gap-2 sm:grid-cols-3">
            {TRANSPORTS.map(([value, label, hint]) => (
              <label
                key={value}
                className={cx('flex cursor-pointer gap-2 rounded-md border px-3 py-2 text-sm', form.transport === value ? 'border-sky-600 bg-sky-50' : 'border-slate-300 bg-white', !canWrite && 'cursor-default')}
              >
                <input type="radio" name="modbus-transport" value={value} checked={form.transport === value} disabled={!canWrite}
                  onChange={() => set({ transport: value })} className="mt-0.5 accent-sky-700" />
                <span>
                  <span className="block font-medium text-slate-800">{label()}</span>
                  <span className="block text-xs text-slate-500">{hint()}</span>
                </span>
              </label>
            ))}
          </div>
        </fieldset>
        <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
          {fields.has('host') && <Field label={fieldLabel('host')} error={fieldError('host')} className="sm:col-span-2">{input('host', { placeholder: '192.168.1.20' })}</Field>}
          {fields.has('port') && <Field label={fieldLabel('port')} error={fieldError('port')}>{input('port', { inputMode: 'numeric' })}</Field>}
          {fields.has('path') && <Field label={fieldLabel('path')} error={fieldError('path')} className="sm:col-span-2">{input('path', { placeholder: '/dev/ttyUSB0' })}</Field>}
          {fields.has('baudRate') && <Field label={fieldLabel('baudRate')} error={fieldError('baudRate')}>{input('baudRate', { inputMode: 'numeric' })}</Field>}
          {fields.has('parity') && <Field label={fieldLabel('parity')} error={fieldError('parity')}>{select('parity', ['none', 'even', 'odd'], parityLabel)}</Field>}
          {fields.has('dataBits') && <Field label={fieldLabel('dataBits')} error={fieldError('dataBits')}>{select('dataBits', ['8', '7'])}</Field>}
          {fields.has('stopBits') && <Field label={fieldLabel('stopBits')} error={fieldError('stopBits')}>{select('stopBits', ['1', '2'])}</Field>}
          <Field label={fieldLabel('unitId')} hint={t('conn.unitIdHint')} error={fieldError('unitId')}>{input('unitId', { inputMode: 'numeric' })}</Field>
          <Field label={t('conn.interval')} error={fieldError('intervalMs')}>{input('intervalMs', { inputMode: 'numeric' })}</Field>
          <Field label={t('conn.timeout')} hint={t('conn.timeoutHint')} error={fieldError('timeoutMs')}>{input('timeoutMs', { inputMode: 'numeric', placeholder: '1000' })}</Field>
        </div>
        {notice && <p role="status" className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-800">{notice}</p>}
        {!removing && <ErrorNote error={error} />}
        {canWrite && (
          <div className="flex flex-wrap justify-end gap-2 border-t border-slate-100 pt-3">
            {connection && <Button variant="ghost" onClick={() => setRemoving(true)}><i className="fa fa-trash-o" aria-hidden /> {t('conn.remove')}</Button>}
            <Button variant="primary" onClick={() => void save()} disabled={busy !== null || (!dirty && connection !== null)}>
              {busy === 'save' ? tc('saving') : connection ? t('conn.save') : t('conn.add')}
            </Button>
          </div>
        )}
        <ConfirmDialog
          open={removing} onOpenChange={setRemoving} title={t('conn.removeTitle', { device: deviceName })} confirmLabel={t('conn.remove')}
          onConfirm={() => void remove()} busy={busy === 'remove'} error={removing && error ? <ErrorNote error={error} /> : undefined}
        >
          {t('conn.removeText')}
        </ConfirmDialog>
      </Panel>

      <Panel title={t('poll.title')} actions={view.loading ? undefined : <span className="text-xs text-slate-500">{t('poll.every')}</span>}>
        <div data-testid="modbus-poll-status">
          <Facts
            items={[
              [t('poll.state'), (
                <span key="s" className="flex flex-wrap items-center gap-2">
                  <Badge tone={POLL_STATE_TONES[status.state]}>{t(STATE_TEXT[status.state][0])}</Badge>
                  <span className="text-xs text-slate-500">
                    {status.state === 'polling' && status.lastPollAt === null ? t('state.starting') : t(STATE_TEXT[status.state][1])}
                  </span>
                </span>
              )],
              [t('poll.last'), status.lastPollAt ? <span key="p" title={formatTime(status.lastPollAt)}><TimeAgo at={status.lastPollAt} /></span> : tc('never')],
              [t('poll.failures'), formatNumber(status.failures)],
              [t('poll.lastError'), status.lastError ? <span key="e" className="text-red-700">{status.lastError}</span> : <span className="text-slate-400">{tc('none')}</span>],
            ]}
          />
        </div>
      </Panel>
    </div>
  );
}
