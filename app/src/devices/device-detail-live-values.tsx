/** The latest value of every thing model property, updating as the device reports (poll + live feed). */
import type { TslDocument } from '../../../domain/thing-model/tsl-types.ts';
import { EmptyState, ErrorNote, Loading } from '../ui/feedback.tsx';
import { Table, TBody, Td, Th } from '../ui/table.tsx';
import { TimeAgo } from '../ui/time.tsx';
import type { LatestValue, PropertyItem } from './device-detail-api.ts';
import { formatValue } from './device-detail-format.ts';
import { t } from './device-detail.messages.ts';

export function LiveValues({ tsl, values, items, loading, error }: {
  tsl: TslDocument | null | undefined;
  values: ReadonlyMap<string, LatestValue>;
  /** The shadow as the API answered it (names and units of properties the model no longer has). */
  items: readonly PropertyItem[];
  loading: boolean;
  error?: unknown;
}) {
  if (loading || tsl === undefined) return <Loading what={t('values.loading')} />;
  const properties = tsl?.properties ?? [];
  const known = new Set(properties.map((p) => p.identifier));
  const others = items.filter((i) => !known.has(i.identifier));
  if (properties.length === 0 && others.length === 0) {
    return (
      <EmptyState title={t(tsl === null ? 'values.noModel' : 'values.noProperties')}>
        {t('values.emptyBody')}
      </EmptyState>
    );
  }
  return (
    <div className="space-y-2">
      <ErrorNote error={error} />
      <Table label={t('overview.latest')}>
        <thead>
          <tr><Th>{t('col.property')}</Th><Th>{t('col.value')}</Th><Th className="text-right">{t('col.updated')}</Th></tr>
        </thead>
        <TBody>
          {properties.map((p) => {
            const latest = values.get(p.identifier);
            return (
              <tr key={p.identifier} data-testid={`live-value-${p.identifier}`}>
                <Td>
                  <div className="font-medium text-slate-900">{p.name}</div>
                  <code className="font-mono text-xs text-slate-500">{p.identifier}</code>
                  {p.accessMode === 'rw' && <span className="ml-1.5 text-xs text-slate-400">{t('values.writable')}</span>}
                </Td>
                <Td className="max-w-[22rem] break-words font-mono text-[13px] tabular-nums" data-testid={`live-value-${p.identifier}-value`}>
                  {latest ? formatValue(latest.value, p.dataType) : <span className="text-slate-400">—</span>}
                </Td>
                <Td className="whitespace-nowrap text-right text-xs text-slate-500">
                  {latest ? <TimeAgo at={latest.time} /> : t('values.neverReported')}
                </Td>
              </tr>
            );
          })}
          {others.map((i) => {
            const latest = values.get(i.identifier);
            return (
              <tr key={i.identifier}>
                <Td>
                  <div className="font-medium text-slate-700">{i.name ?? i.identifier}</div>
                  <code className="font-mono text-xs text-slate-500">{i.identifier}</code>
                  <span className="ml-1.5 text-xs text-amber-700">{t('values.notInModel')}</span>
                </Td>
                <Td className="max-w-[22rem] break-words font-mono text-[13px]">{formatValue(latest?.value, undefined, i.unit)}</Td>
                <Td className="whitespace-nowrap text-right text-xs text-slate-500">{latest && <TimeAgo at={latest.time} />}</Td>
              </tr>
            );
          })}
        </TBody>
      </Table>
    </div>
  );
}
