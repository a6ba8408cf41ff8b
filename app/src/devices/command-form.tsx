/**
 * Commands to the device, generated from the published thing model: set writable properties, or invoke one of the
 * product's services. The API waits for the device's reply; the form shows that wait and then the reply (or 504 when
 * none came in time, 503 when the device is offline), and offers to queue a command for an offline device.
 */
import { useEffect, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { TslDocument } from '../../../domain/thing-model/tsl-types.ts';
import { ApiError } from '../api.ts';
import { Badge, CodeBadge } from '../ui/badge.tsx';
import { Button } from '../ui/button.tsx';
import { EmptyState, ErrorNote } from '../ui/feedback.tsx';
import { Field, INPUT } from '../ui/field.tsx';
import { Panel } from '../ui/page.tsx';
import { cx } from '../ui/cx.ts';
import { commandSummary, fieldOf, initialInput, invocableServices, parseInput, writableFields, type CommandField, type RawInput } from './command-fields.ts';
import { CommandInput } from './command-inputs.tsx';
import { codeMeaning } from './device-detail-format.ts';
import { devicePath, useNow, type CommandResult } from './device-detail-api.ts';
import { t } from './device-commands.messages.ts';
import { serverText } from '../i18n/server-text.ts';

const TIMEOUTS = [5, 10, 30, 60] as const;

export function CommandPanel({ productKey, deviceName, online, tsl, current, onSent }: {
  productKey: string;
  deviceName: string;
  online: boolean;
  tsl: TslDocument | null | undefined;
  /** The device's latest property values, to start the property form from; undefined until they loaded. */
  current: ReadonlyMap<string, { value: unknown }> | undefined;
  /** After a reply: the page refreshes what the command may have changed. */
  onSent(): void;
}) {
  const writable = useMemo(() => writableFields(tsl), [tsl]);
  const services = useMemo(() => invocableServices(tsl), [tsl]);
  if (tsl === null) {
    return <EmptyState title={t('cmd.noModel')}>{t('cmd.noModelBody')}</EmptyState>;
  }
  return (
    <div className="space-y-5">
      {!online && (
        <p role="status" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900" data-testid="command-offline-note">
          <i className="fa fa-plug mr-1.5" aria-hidden />
          {t('cmd.offline')}
        </p>
      )}
      <div className="grid gap-5 xl:grid-cols-2">
        <CommandForm
          // Remounted once the latest values arrive, so the form starts from them.
          key={current ? 'set' : 'set-loading'}
          title={t('cmd.setTitle')}
          kind="property.set"
          productKey={productKey}
          deviceName={deviceName}
          online={online}
          fields={writable}
          current={current}
          onSent={onSent}
          empty={writable.length === 0 ? t('cmd.noWritable') : undefined}
        />
        <ServiceForm productKey={productKey} deviceName={deviceName} online={online} services={services} onSent={onSent} />
      </div>
    </div>
  );
}

function ServiceForm({ productKey, deviceName, online, services, onSent }: {
  productKey: string;
  deviceName: string;
  online: boolean;
  services: ReturnType<typeof invocableServices>;
  onSent(): void;
}) {
  const [serviceId, setServiceId] = useState(services[0]?.identifier ?? '');
  const service = services.find((s) => s.identifier === serviceId) ?? services[0];
  const fields = useMemo(() => (service?.inputData ?? []).map(fieldOf), [service]);
  const picker = services.length > 0 && (
    <Field label={t('cmd.service')}>
      <select className={cx(INPUT, 'max-w-[24rem]')} value={service?.identifier} onChange={(e) => setServiceId(e.target.value)}>
        {services.map((s) => <option key={s.identifier} value={s.identifier}>{s.name} ({s.identifier}) · {s.callType}</option>)}
      </select>
    </Field>
  );
  return (
    <CommandForm
      key={service?.identifier ?? 'none'}
      title={t('cmd.invokeTitle')}
      kind="service.invoke"
      serviceId={service?.identifier}
      productKey={productKey}
      deviceName={deviceName}
      online={online}
      fields={fields}
      onSent={onSent}
      header={picker}
      description={service?.desc}
      empty={services.length === 0 ? t('cmd.noServices') : undefined}
      noInputs={t('cmd.noInputs')}
    />
  );
}

type Outcome =
  | { state: 'idle' }
  | { state: 'waiting'; since: number; timeoutS: number; what: string }
  | { state: 'replied'; result: CommandResult; status: number; ms: number; queued: boolean; what: string; sent: string[] }
  | { state: 'refused'; error: unknown };

function CommandForm({ title, kind, serviceId, productKey, deviceName, online, fields, current, onSent, header, description, empty, noInputs }: {
  title: string;
  kind: 'property.set' | 'service.invoke';
  serviceId?: string;
  productKey: string;
  deviceName: string;
  online: boolean;
  fields: CommandField[];
  current?: ReadonlyMap<string, { value: unknown }>;
  onSent(): void;
  header?: ReactNode;
  description?: string;
  empty?: string;
  noInputs?: string;
}) {
  // What the form started from (the device's values at mount): Reset goes back to it.
  const [start] = useState<Record<string, RawInput>>(() => Object.fromEntries(fields.map((f) => [f.identifier, initialInput(f, current?.get(f.identifier)?.value)])));
  const [inputs, setInputs] = useState<Record<string, RawInput>>(start);
  const [changed, setChanged] = useState<ReadonlySet<string>>(new Set());
  // Fields whose problems are shown: those the user tried to send (a problem is not shown before that).
  const [attempted, setAttempted] = useState<ReadonlySet<string>>(new Set());
  const [apiErrors, setApiErrors] = useState<Record<string, string>>({});
  const [timeoutS, setTimeoutS] = useState<number>(10);
  const [queue, setQueue] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>({ state: 'idle' });
  const mounted = useRef(true);
  useEffect(() => () => {
    mounted.current = false;
  }, []);

  const problems = useMemo(() => {
    const out: Record<string, string> = {};
    for (const f of fields) {
      const parsed = parseInput(f, inputs[f.identifier] ?? start[f.identifier] ?? initialInput(f));
      if ('error' in parsed && parsed.error) out[f.identifier] = parsed.error;
    }
    return out;
  }, [fields, inputs, start]);

  if (empty) {
    return (
      <Panel title={title}>
        {header}
        <p className="text-sm text-slate-600">{empty}</p>
      </Panel>
    );
  }

  /* eslint-disable react-hooks/purity -- send runs on a click, never during render: the React Compiler takes the
     handler of the Send buttons made inside fields.map below for render code (react/react#34046). */
  const send = async (identifiers: string[], whenOffline: 'fail' | 'queue') => {
    setAttempted((s) => new Set([...s, ...identifiers]));
    setApiErrors({});
    if (identifiers.some((id) => problems[id])) {
      setOutcome({ state: 'idle' });
      return;
    }
    const params: Record<string, unknown> = {};
    for (const f of fields) {
      if (!identifiers.includes(f.identifier)) continue;
      params[f.identifier] = (parseInput(f, inputs[f.identifier] ?? start[f.identifier] ?? initialInput(f)) as { value: unknown }).value;
    }
    const what = commandSummary(fields, identifiers, params, kind === 'service.invoke' ? serviceId : undefined);
    const since = Date.now();
    setOutcome({ state: 'waiting', since, timeoutS, what });
    try {
      const body = { kind, ...(serviceId ? { serviceId } : {}), params, timeoutMs: timeoutS * 1000, whenOffline };
      const res = await fetchCommand(devicePath(productKey, deviceName), body);
      if (!mounted.current) return;
      setOutcome({ state: 'replied', result: res.result, status: res.status, ms: Date.now() - since, queued: res.status === 202, what, sent: identifiers });
      if (kind === 'property.set' && res.result.code >= 200 && res.result.code < 300) {
        setChanged((s) => new Set([...s].filter((id) => !identifiers.includes(id))));
      }
      onSent();
    } catch (err) {
      if (!mounted.current) return;
      setApiErrors(fieldErrorsOf(err));
      setOutcome({ state: 'refused', error: err });
    }
  };
  /* eslint-enable react-hooks/purity */

  const whenOffline = queue && !online ? 'queue' : 'fail';
  const changedIds = fields.map((f) => f.identifier).filter((id) => changed.has(id));
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void send(kind === 'property.set' ? changedIds : fields.map((f) => f.identifier), whenOffline);
  };
  const waiting = outcome.state === 'waiting';
  const shownProblems = Object.keys(problems).filter((id) => attempted.has(id));
  const submitLabel = kind === 'property.set'
    ? (changedIds.length > 1 ? t('cmd.sendChangedCount', { count: changedIds.length }) : t('cmd.sendChanged'))
    : t('cmd.invoke', { service: serviceId });

  return (
    <Panel title={title}>
      <form onSubmit={onSubmit} noValidate aria-label={title} className="space-y-3">
        {header}
        {description && <p className="text-sm text-slate-600">{description}</p>}
        {fields.length === 0 && noInputs && <p className="text-sm text-slate-600">{noInputs}</p>}
        {kind === 'property.set' && (
          <p className="text-xs text-slate-500">
            {t('cmd.startValues')}
          </p>
        )}
        <div className="space-y-2">
          {fields.map((f) => (
            <CommandInput
              key={f.identifier}
              field={f}
              value={inputs[f.identifier] ?? start[f.identifier] ?? initialInput(f)}
              changed={kind === 'property.set' && changed.has(f.identifier)}
              error={apiErrors[f.identifier] ?? (attempted.has(f.identifier) ? problems[f.identifier] : undefined)}
              onChange={(value) => {
                setInputs((s) => ({ ...s, [f.identifier]: value }));
                setChanged((s) => new Set(s).add(f.identifier));
              }}
              actions={kind === 'property.set' && (
                <>
                  <Button size="sm" disabled={waiting} onClick={() => void send([f.identifier], whenOffline)}>
                    {t('cmd.send')}<span className="sr-only"> {f.name}</span>
                  </Button>
                  {changed.has(f.identifier) && (
                    <Button
                      size="sm"
                      variant="ghost"
                      onClick={() => {
                        setInputs((s) => ({ ...s, [f.identifier]: start[f.identifier] ?? initialInput(f) }));
                        setChanged((s) => new Set([...s].filter((id) => id !== f.identifier)));
                        setAttempted((s) => new Set([...s].filter((id) => id !== f.identifier)));
                      }}
                    >
                      {t('cmd.reset')}<span className="sr-only"> {f.name}</span>
                    </Button>
                  )}
                </>
              )}
            />
          ))}
        </div>
        <div className="flex flex-wrap items-end gap-3 border-t border-slate-100 pt-3">
          <Field label={t('cmd.wait')} className="w-36">
            <select className={INPUT} value={timeoutS} onChange={(e) => setTimeoutS(Number(e.target.value))}>
              {TIMEOUTS.map((s) => <option key={s} value={s}>{t('cmd.seconds', { n: s })}</option>)}
            </select>
          </Field>
          {!online && (
            <label className="flex items-center gap-2 pb-1.5 text-sm text-slate-700">
              <input type="checkbox" className="h-4 w-4 accent-sky-700" checked={queue} onChange={(e) => setQueue(e.target.checked)} />
              {t('cmd.queue')}
            </label>
          )}
          <Button type="submit" variant="primary" disabled={waiting || (kind === 'property.set' && changedIds.length === 0)} className="ml-auto">
            <i className={cx('fa', kind === 'property.set' ? 'fa-sliders' : 'fa-play')} aria-hidden /> {submitLabel}
          </Button>
        </div>
        {shownProblems.length > 0 && (
          <p className="text-sm text-red-700" role="alert">{t('cmd.fixFirst', { count: shownProblems.length })}</p>
        )}
        <OutcomeView
          outcome={outcome}
          online={online}
          onQueue={() => outcome.state === 'replied' && void send(outcome.sent, 'queue')}
        />
      </form>
    </Panel>
  );
}

/** The command route answers 200 with the outcome in `code`, or 202 when queued; anything else is a refusal. */
async function fetchCommand(base: string, body: object): Promise<{ status: number; result: CommandResult }> {
  // apiRequest hides the status; the 202 of a queued command matters here, so the call is made directly.
  const res = await fetch(`/api/v1${base}/commands`, {
    method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  if (res.ok) return { status: res.status, result: (await res.json()) as CommandResult };
  const error = (await res.json().catch(() => undefined)) as { error?: { code?: string; message?: string; details?: unknown } } | undefined;
  throw new ApiError(res.status, error?.error?.code ?? 'http_error', error?.error?.message ?? t('cmd.serverAnswered', { status: String(res.status) }), error?.error?.details);
}

/** API details at `/params/{identifier}` belong under that field. */
function fieldErrorsOf(err: unknown): Record<string, string> {
  if (!(err instanceof ApiError) || !Array.isArray(err.details)) return {};
  const out: Record<string, string> = {};
  for (const d of err.details as { path?: string; message?: string }[]) {
    const m = /^\/params\/([^/]+)/.exec(d.path ?? '');
    if (m) out[m[1]!] = d.message ?? t('cmd.invalid');
  }
  return out;
}

function OutcomeView({ outcome, online, onQueue }: { outcome: Outcome; online: boolean; onQueue(): void }) {
  if (outcome.state === 'idle') return null;
  if (outcome.state === 'waiting') return <Waiting since={outcome.since} timeoutS={outcome.timeoutS} what={outcome.what} />;
  if (outcome.state === 'refused') return <ErrorNote error={outcome.error} />;
  const { result, ms, queued, what } = outcome;
  const ok = result.code >= 200 && result.code < 300;
  return (
    <div
      role="status"
      data-testid="command-reply"
      className={cx('rounded-md border px-3 py-2.5 text-sm', ok ? 'border-emerald-200 bg-emerald-50/60' : 'border-amber-200 bg-amber-50/60')}
    >
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-medium text-slate-800">{t(queued ? 'reply.queued' : result.code === 503 || result.code === 504 ? 'reply.none' : 'reply.replied')}</span>
        <CodeBadge code={result.code} />
        <span className="text-slate-600">{codeMeaning(result.code)}</span>
      </div>
      <p className="mt-0.5 text-xs text-slate-500">
        {t('reply.meta', {
          what,
          id: String(result.id),
          when: queued ? t('reply.atOnce') : t('reply.after', { duration: ms < 1000 ? t('reply.ms', { n: ms }) : t('reply.s', { n: (ms / 1000).toFixed(1) }) }),
        })}
      </p>
      {result.message && <p className="mt-1 text-slate-700" data-testid="command-reply-message">{serverText(result.message)}</p>}
      {result.data !== undefined && !(typeof result.data === 'object' && result.data !== null && Object.keys(result.data).length === 0) && (
        <pre className="mt-2 max-h-48 overflow-auto rounded bg-white/70 p-2 font-mono text-xs text-slate-800">{JSON.stringify(result.data, null, 2)}</pre>
      )}
      {result.code === 504 && (
        <p className="mt-1 text-xs text-slate-600">{t('reply.timeout')}</p>
      )}
      {result.code === 503 && (
        <div className="mt-2 flex flex-wrap items-center gap-2">
          <span className="text-xs text-slate-600">{t(online ? 'reply.wentOffline' : 'reply.offline')}</span>
          {!online && <Button size="sm" onClick={onQueue}>{t('reply.queueIt')}</Button>}
        </div>
      )}
      {queued && <Badge tone="blue" className="mt-2">{t('reply.inLog')}</Badge>}
    </div>
  );
}

function Waiting({ since, timeoutS, what }: { since: number; timeoutS: number; what: string }) {
  const now = useNow(250);
  const s = Math.min(timeoutS, (now - since) / 1000);
  return (
    <p role="status" className="flex items-center gap-2 rounded-md border border-sky-200 bg-sky-50 px-3 py-2 text-sm text-sky-900" data-testid="command-waiting">
      <i className="fa fa-circle-o-notch fa-spin" aria-hidden />
      {t('waiting.sent', { what })} <span className="tabular-nums text-sky-700">{t('waiting.count', { elapsed: s.toFixed(0), timeout: timeoutS })}</span>
    </p>
  );
}
