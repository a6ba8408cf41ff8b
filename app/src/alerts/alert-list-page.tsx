import { Fragment, useEffect, useState } from 'react';
import { ApiError } from '../api.ts';
import { Link, pathOf } from '../routing.ts';
import { useCan } from '../session.ts';
import { useLiveAlerts } from '../live/device-feed.ts';
import { queryString, useApi } from '../use-api.ts';
import { SeverityBadge } from '../ui/badge.tsx';
import { Button } from '../ui/button.tsx';
import { EmptyState, ErrorNote, Loading } from '../ui/feedback.tsx';
import { Field, INPUT } from '../ui/field.tsx';
import { Page } from '../ui/page.tsx';
import { Pager } from '../ui/pager.tsx';
import { Table, TBody, Td, Th } from '../ui/table.tsx';
import { TimeAgo } from '../ui/time.tsx';
import { LINK_BUTTON, RowActions } from './alert-action-buttons.tsx';
import { useAlertActions } from './alert-actions.ts';
import { AlertStateBadge } from './alert-state-badge.tsx';
import { alertOn, alertTitle, propertyValueText, severities, severityLabel, shortValue, stateFilters, type AlertListAnswer, type StateFilter } from './alert-types.ts';
import { usePublishedModels } from '../thing-model/use-published-models.ts';
import { useSearch } from './use-search.ts';
import { t } from './alerts.messages.ts';
import { tc } from '../i18n/common.messages.ts';
import { DEVICE_NAME_PATTERN } from '../../../domain/products/identity.ts';
import type { Product } from '../../../domain/products/product-schemas.ts';

const PAGE_SIZE = 25;
const DEVICE_NAME = new RegExp(DEVICE_NAME_PATTERN);

type ProductSummary = Pick<Product, 'productKey' | 'name'>;

/**
 * `/alerts`: the alerts the alert nodes raised, newest first, filtered by state (open by default), severity, product,
 * device and rule, all kept in the URL so a link (the dashboard's "critical alerts") opens the same view.
 */
export function AlertListPage() {
  const [search, setSearch] = useSearch();
  const state = readState(search.get('state'));
  const severity = search.get('severity') ?? '';
  const productKey = search.get('productKey') ?? '';
  const deviceName = search.get('deviceName') ?? '';
  const ruleId = search.get('ruleId') ?? '';
  const offset = Math.max(0, Number.parseInt(search.get('offset') ?? '0', 10) || 0);
  const filtered = state !== 'open' || !!severity || !!productKey || !!deviceName || !!ruleId;

  const canAck = useCan('alerts:ack');
  const list = useApi<AlertListAnswer>(
    `/alerts${queryString({ limit: PAGE_SIZE, offset, state: state === 'all' ? undefined : state, severity, productKey, deviceName, ruleId })}`,
  );
  // New alerts and changes appear as they happen: the live feed says when (and after a reconnect), the list reads again.
  useLiveAlerts(() => void list.reload());
  const products = useApi<{ items: ProductSummary[] }>('/products');
  const actions = useAlertActions(list.reload);

  // A filter change starts at the first page again.
  const setFilter = (changes: Record<string, string | undefined>) => setSearch({ ...changes, offset: undefined }, { replace: true });

  const deviceError = fieldError(list.error, '/deviceName');
  const productError = fieldError(list.error, '/productKey');
  const otherError = list.error && !deviceError && !productError ? list.error : undefined;
  const items = list.data?.items ?? [];
  // Values in their thing model's words (units, enum and bool labels).
  const models = usePublishedModels(items.map((a) => a.productKey));
  const ruleLabel = ruleId ? (items.find((a) => a.ruleId === ruleId)?.ruleName || ruleId) : '';

  return (
    <Page
      title={t('list.title')}
      subtitle={t('list.subtitle')}
      actions={(
        <>
          <Link to="/alerts/rules" className={LINK_BUTTON}><i aria-hidden className="fa fa-list" /> {t('list.rules')}</Link>
          <Button variant="ghost" onClick={() => void list.reload()}><i aria-hidden className="fa fa-refresh" /> {tc('refresh')}</Button>
        </>
      )}
    >
      <form
        role="search"
        aria-label={t('list.filterLabel')}
        onSubmit={(e) => e.preventDefault()}
        className="grid grid-cols-2 gap-3 rounded-lg border border-slate-200 bg-white p-3 shadow-sm md:grid-cols-4"
      >
        <Field label={t('list.state')}>
          <select className={INPUT} value={state} onChange={(e) => setFilter({ state: e.target.value === 'open' ? undefined : e.target.value })}>
            {stateFilters.map((s) => <option key={s.value} value={s.value}>{t(s.labelKey)}</option>)}
          </select>
        </Field>
        <Field label={t('list.severity')}>
          <select className={INPUT} value={severity} onChange={(e) => setFilter({ severity: e.target.value })}>
            <option value="">{t('list.anySeverity')}</option>
            {severities.map((s) => <option key={s} value={s}>{severityLabel(s)}</option>)}
          </select>
        </Field>
        <Field label={t('list.product')} error={productError}>
          <select className={INPUT} value={productKey} onChange={(e) => setFilter({ productKey: e.target.value })}>
            <option value="">{t('list.anyProduct')}</option>
            {withCurrent(products.data?.items ?? [], productKey).map((p) => (
              <option key={p.productKey} value={p.productKey}>{p.name && p.name !== p.productKey ? t('list.productOption', { name: p.name, productKey: p.productKey }) : p.productKey}</option>
            ))}
          </select>
        </Field>
        <DeviceFilter value={deviceName} apiError={deviceError} onChange={(v) => setFilter({ deviceName: v })} />
        {(ruleId || filtered) && (
          <div className="col-span-full flex flex-wrap items-center gap-2 text-sm">
            {ruleId && (
              <span className="inline-flex items-center gap-1 rounded-full bg-sky-50 px-2.5 py-0.5 text-sky-900 ring-1 ring-inset ring-sky-200">
                {t('list.ruleFilter', { rule: ruleLabel })}
                <button type="button" aria-label={t('list.removeRule')} className="ml-1 text-sky-700 hover:text-sky-950" onClick={() => setFilter({ ruleId: undefined })}>
                  <i aria-hidden className="fa fa-times" />
                </button>
              </span>
            )}
            {filtered && (
              <Button size="sm" variant="ghost" onClick={() => setSearch({ state: undefined, severity: undefined, productKey: undefined, deviceName: undefined, ruleId: undefined, offset: undefined }, { replace: true })}>
                {t('list.reset')}
              </Button>
            )}
          </div>
        )}
      </form>

      {otherError && <ErrorNote error={otherError} />}

      {list.loading ? (
        <Loading what={t('list.loading')} />
      ) : !list.data ? null : list.data.total === 0 ? (
        filtered ? (
          <EmptyState
            title={t('list.noMatch')}
            action={<Button onClick={() => setSearch({ state: undefined, severity: undefined, productKey: undefined, deviceName: undefined, ruleId: undefined, offset: undefined }, { replace: true })}>{t('list.reset')}</Button>}
          >
            {t('list.noMatchHint')}
          </EmptyState>
        ) : (
          <EmptyState
            title={t('list.noOpen')}
            action={
              <>
                <Link to="/flows" className={LINK_BUTTON}><i aria-hidden className="fa fa-sitemap" /> {t('list.openFlows')}</Link>
                <Button variant="ghost" onClick={() => setFilter({ state: 'cleared' })}>{t('list.showCleared')}</Button>
              </>
            }
          >
            {t('list.noOpenHint')}
          </EmptyState>
        )
      ) : (
        <>
          <p className="text-sm text-slate-600" aria-live="polite">
            {t('list.count', { count: list.data.total })}
          </p>
          <Table label={t('list.title')}>
            <thead>
              <tr>
                <Th className="hidden 2xl:table-cell">{t('col.severity')}</Th>
                <Th className="hidden 2xl:table-cell">{t('col.state')}</Th>
                <Th>{t('col.alert')}</Th>
                <Th>{t('col.device')}</Th>
                <Th className="hidden 2xl:table-cell">{t('col.product')}</Th>
                <Th>{t('col.value')}</Th>
                <Th>{t('col.raised')}</Th>
                <Th>{t('col.acknowledged')}</Th>
                {canAck && <Th><span className="sr-only">{t('col.actions')}</span></Th>}
              </tr>
            </thead>
            <TBody>
              {list.data.items.map((raw) => {
                const alert = actions.view(raw);
                const error = actions.error(alert.id);
                const columns = canAck ? 9 : 8;
                return (
                  <Fragment key={alert.id}>
                    <tr aria-label={alertOn(alert)}>
                      <Td className="hidden 2xl:table-cell"><SeverityBadge severity={alert.severity} /></Td>
                      <Td className="hidden 2xl:table-cell"><AlertStateBadge state={alert.state} /></Td>
                      <Td className="max-w-[16rem] 2xl:max-w-[20rem]">
                        {/* Narrower screens: the two badges sit over the title instead of in columns of their own. */}
                        <div className="mb-1 flex flex-wrap gap-1 2xl:hidden">
                          <SeverityBadge severity={alert.severity} />
                          <AlertStateBadge state={alert.state} />
                        </div>
                        <Link to={`/alerts/${alert.id}`} className="font-medium text-sky-800 hover:underline">{alertTitle(alert)}</Link>
                        <div className="truncate text-xs text-slate-500" title={alert.message}>{alert.message}</div>
                      </Td>
                      <Td>
                        <Link to={pathOf('devices', alert.productKey, alert.deviceName)} className="text-sky-800 hover:underline">{alert.deviceName}</Link>
                        <div className="text-xs text-slate-500 2xl:hidden">{alert.productKey}</div>
                      </Td>
                      <Td className="hidden 2xl:table-cell">
                        <Link to={pathOf('products', alert.productKey)} className="text-sky-800 hover:underline">{alert.productKey}</Link>
                      </Td>
                      <Td className="whitespace-nowrap font-mono" title={typeof alert.value === 'object' ? JSON.stringify(alert.value) : undefined}>
                        {propertyValueText(alert, models.get(alert.productKey), 24) ?? shortValue(alert.value, 24)}
                      </Td>
                      <Td className="whitespace-nowrap"><TimeAgo at={alert.raisedAt} /></Td>
                      <Td className="whitespace-nowrap">
                        {alert.acknowledgedBy ? (
                          <>
                            {alert.acknowledgedBy}
                            <div className="text-xs text-slate-500"><TimeAgo at={alert.acknowledgedAt} /></div>
                          </>
                        ) : <span className="text-slate-400">—</span>}
                      </Td>
                      {canAck && (
                        <Td className="whitespace-nowrap text-right">
                          <RowActions alert={alert} busy={actions.busy(alert.id)} onAct={(a) => void actions.act(alert, a)} />
                        </Td>
                      )}
                    </tr>
                    {error !== undefined && (
                      <tr>
                        <td colSpan={columns} className="bg-red-50/40 px-3 pb-2">
                          <div className="flex items-start gap-2">
                            <ErrorNote error={error} className="flex-1" />
                            <Button size="sm" variant="ghost" onClick={() => actions.dismiss(alert.id)}>{t('dismiss')}</Button>
                          </div>
                        </td>
                      </tr>
                    )}
                  </Fragment>
                );
              })}
            </TBody>
          </Table>
          <Pager total={list.data.total} limit={PAGE_SIZE} offset={offset} onOffset={(o) => setSearch({ offset: o ? String(o) : undefined })} />
        </>
      )}
    </Page>
  );
}

/** The device filter: typed, applied after a pause in typing (or Enter), checked like the API checks it. */
function DeviceFilter({ value, apiError, onChange }: { value: string; apiError?: string; onChange(value: string): void }) {
  const [draft, setDraft] = useState(value);
  // A new value from outside (the URL, or this box's own applied text) replaces what is typed.
  const [draftOf, setDraftOf] = useState(value);
  if (draftOf !== value) {
    setDraftOf(value);
    setDraft(value);
  }
  const trimmed = draft.trim();
  const invalid = trimmed !== '' && !DEVICE_NAME.test(trimmed);
  useEffect(() => {
    if (trimmed === value || invalid) return;
    const timer = setTimeout(() => onChange(trimmed), 400);
    return () => clearTimeout(timer);
  }, [trimmed, value, invalid, onChange]);
  return (
    <Field
      label={t('list.deviceName')}
      error={invalid ? t('list.deviceNameInvalid') : apiError}
    >
      <input
        className={INPUT}
        type="search"
        value={draft}
        placeholder={t('list.anyDevice')}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !invalid) onChange(trimmed);
        }}
      />
    </Field>
  );
}

function readState(value: string | null): StateFilter {
  return stateFilters.some((s) => s.value === value) ? (value as StateFilter) : 'open';
}

/** The message of an API field problem at `path` (the query's `details`), if the error has one. */
function fieldError(error: unknown, path: string): string | undefined {
  if (!(error instanceof ApiError) || !Array.isArray(error.details)) return undefined;
  const found = (error.details as { path?: string; message?: string }[]).find((d) => d.path === path);
  if (!found) return undefined;
  return found.message ? t('field.problem', { field: path.slice(1), message: found.message }) : t('field.invalid', { field: path.slice(1) });
}

/** The products to offer, with the one in the URL kept even when it is not (or no longer) in the list. */
function withCurrent(products: readonly ProductSummary[], current: string): readonly ProductSummary[] {
  if (!current || products.some((p) => p.productKey === current)) return products;
  return [...products, { productKey: current, name: current }];
}
