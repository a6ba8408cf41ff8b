/** The three lists of a thing model (properties, services, events) as tables, with add/edit/remove for writers. */
import type { ReactNode } from 'react';
import { Badge, type Tone } from '../ui/badge.tsx';
import { Button } from '../ui/button.tsx';
import { Panel } from '../ui/page.tsx';
import { Table, TBody, Td, Th } from '../ui/table.tsx';
import { tc } from '../i18n/common.messages.ts';
import { singular, type Feature, type FeatureList } from './feature-dialog.tsx';
import { t } from './thing-model.messages.ts';
import type { Problem } from './problems.tsx';
import { describeDataType, type EventForm, type ParamForm, type PropertyForm, type ServiceForm } from './tsl-form.ts';

const TITLES = { properties: 'title.properties', services: 'title.services', events: 'title.events' } as const satisfies Record<FeatureList, string>;

/** What an empty list says: that it is empty, and what its features are. */
const EMPTY = {
  properties: 'list.empty.properties', services: 'list.empty.services', events: 'list.empty.events',
} as const satisfies Record<FeatureList, string>;

const EVENT_TONES: Record<string, Tone> = { info: 'blue', alert: 'amber', error: 'red' };

const paramList = (params: ParamForm[]) =>
  params.length === 0 ? <span className="text-slate-400">{tc('none')}</span> : (
    <span className="font-mono text-xs">{params.map((p) => p.identifier || '?').join(', ')}</span>
  );

/** One of the three lists with its "Add" button (writers only) and a row per feature. */
export function FeatureSection({ list, items, problemsOf, canWrite, onAdd, onOpen, onRemove }: {
  list: FeatureList;
  items: readonly Feature[];
  /** The problems of the item at an index (browser check and the server's last refusal). */
  problemsOf(index: number): Problem[];
  canWrite: boolean;
  onAdd(): void;
  onOpen(index: number): void;
  onRemove(index: number): void;
}) {
  const what = singular(list);
  const title = t(TITLES[list]);
  const add = canWrite && (
    <Button size="sm" onClick={onAdd}>
      <i className="fa fa-plus" aria-hidden /> {t('add', { what })}
    </Button>
  );
  const columns: { head: string; cell(item: Feature): ReactNode }[] =
    list === 'properties'
      ? [
          { head: t('col.dataType'), cell: (p) => <span className="text-slate-700">{describeDataType((p as PropertyForm).dataType)}</span> },
          { head: t('col.access'), cell: (p) => <Badge tone={(p as PropertyForm).accessMode === 'rw' ? 'violet' : 'neutral'}>{(p as PropertyForm).accessMode || '?'}</Badge> },
        ]
      : list === 'services'
        ? [
            { head: t('col.callType'), cell: (s) => (s as ServiceForm).callType },
            { head: t('col.input'), cell: (s) => paramList((s as ServiceForm).inputData) },
            { head: t('col.output'), cell: (s) => paramList((s as ServiceForm).outputData) },
          ]
        : [
            { head: t('col.type'), cell: (e) => <Badge tone={EVENT_TONES[(e as EventForm).type] ?? 'neutral'}>{(e as EventForm).type || '?'}</Badge> },
            { head: t('col.output'), cell: (e) => paramList((e as EventForm).outputData) },
          ];

  return (
    <Panel title={t('list.title', { title, count: items.length })} actions={items.length > 0 ? add : undefined} bodyClassName={items.length > 0 ? '!p-0' : undefined}>
      {items.length === 0 ? (
        <div className="flex flex-wrap items-center justify-between gap-3 text-sm text-slate-600">
          <p className="max-w-xl">{t(EMPTY[list])}</p>
          {add}
        </div>
      ) : (
        <Table flush label={title}>
          <thead>
            <tr>
              <Th>{t('field.identifier')}</Th>
              <Th>{t('field.name')}</Th>
              {columns.map((c) => <Th key={c.head}>{c.head}</Th>)}
              <Th><span className="sr-only">{t('col.actions')}</span></Th>
            </tr>
          </thead>
          <TBody>
            {items.map((item, i) => {
              const problems = problemsOf(i);
              const label = t('row.label', { what, id: item.identifier || `#${i + 1}` });
              return (
                <tr key={item.key}>
                  <Td className="align-top">
                    <button type="button" className="font-mono text-sky-800 hover:underline" onClick={() => onOpen(i)}>
                      {item.identifier || <span className="italic text-slate-400">{t('row.noIdentifier')}</span>}
                    </button>
                    {problems.length > 0 && (
                      <p className="mt-0.5 max-w-xs text-xs text-red-700" title={problems.map((p) => `${p.path}: ${p.message}`).join('\n')}>
                        <i className="fa fa-exclamation-circle" aria-hidden /> {problems[0]!.message}
                        {problems.length > 1 && t('row.more', { count: problems.length - 1 })}
                      </p>
                    )}
                  </Td>
                  <Td className="align-top">{item.name}</Td>
                  {columns.map((c) => <Td key={c.head} className="align-top">{c.cell(item)}</Td>)}
                  <Td className="whitespace-nowrap text-right align-top">
                    {canWrite ? (
                      <span className="inline-flex gap-1">
                        <Button size="sm" aria-label={t('row.edit', { label })} onClick={() => onOpen(i)}>{tc('edit')}</Button>
                        <Button size="sm" variant="ghost" aria-label={t('row.remove', { label })} onClick={() => onRemove(i)}>
                          <i className="fa fa-trash-o" aria-hidden /> {tc('remove')}
                        </Button>
                      </span>
                    ) : (
                      <Button size="sm" aria-label={t('row.view', { label })} onClick={() => onOpen(i)}>{t('row.viewButton')}</Button>
                    )}
                  </Td>
                </tr>
              );
            })}
          </TBody>
        </Table>
      )}
    </Panel>
  );
}
