/** The three lists of a thing model (properties, services, events) as tables, with add/edit/remove for writers. */
import type { ReactNode } from 'react';
import { Badge, type Tone } from '../ui/badge.tsx';
import { Button } from '../ui/button.tsx';
import { Panel } from '../ui/page.tsx';
import { Table, TBody, Td, Th } from '../ui/table.tsx';
import { SINGULAR, type Feature, type FeatureList } from './feature-dialog.tsx';
import type { Problem } from './problems.tsx';
import { describeDataType, type EventForm, type ParamForm, type PropertyForm, type ServiceForm } from './tsl-form.ts';

const TITLES: Record<FeatureList, string> = { properties: 'Properties', services: 'Services', events: 'Events' };

const EMPTY: Record<FeatureList, string> = {
  properties: 'What a device reports (a temperature, a battery level) and what the platform can set on it (a switch).',
  services: 'Commands the platform can call on a device (reboot, calibrate), with input and output parameters.',
  events: 'What a device reports when something happens (a fault, a threshold crossed), with its data.',
};

const EVENT_TONES: Record<string, Tone> = { info: 'blue', alert: 'amber', error: 'red' };

const paramList = (params: ParamForm[]) =>
  params.length === 0 ? <span className="text-slate-400">none</span> : (
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
  const what = SINGULAR[list];
  const title = TITLES[list];
  const add = canWrite && (
    <Button size="sm" onClick={onAdd}>
      <i className="fa fa-plus" aria-hidden /> Add {what}
    </Button>
  );
  const columns: { head: string; cell(item: Feature): ReactNode }[] =
    list === 'properties'
      ? [
          { head: 'Data type', cell: (p) => <span className="text-slate-700">{describeDataType((p as PropertyForm).dataType)}</span> },
          { head: 'Access', cell: (p) => <Badge tone={(p as PropertyForm).accessMode === 'rw' ? 'violet' : 'neutral'}>{(p as PropertyForm).accessMode || '?'}</Badge> },
        ]
      : list === 'services'
        ? [
            { head: 'Call type', cell: (s) => (s as ServiceForm).callType },
            { head: 'Input', cell: (s) => paramList((s as ServiceForm).inputData) },
            { head: 'Output', cell: (s) => paramList((s as ServiceForm).outputData) },
          ]
        : [
            { head: 'Type', cell: (e) => <Badge tone={EVENT_TONES[(e as EventForm).type] ?? 'neutral'}>{(e as EventForm).type || '?'}</Badge> },
            { head: 'Output', cell: (e) => paramList((e as EventForm).outputData) },
          ];

  return (
    <Panel title={`${title} (${items.length})`} actions={items.length > 0 ? add : undefined} bodyClassName={items.length > 0 ? '!p-0' : undefined}>
      {items.length === 0 ? (
        <div className="flex flex-wrap items-center justify-between gap-3 text-sm text-slate-600">
          <p className="max-w-xl">No {title.toLowerCase()} yet. {EMPTY[list]}</p>
          {add}
        </div>
      ) : (
        <Table flush label={title}>
          <thead>
            <tr>
              <Th>Identifier</Th>
              <Th>Name</Th>
              {columns.map((c) => <Th key={c.head}>{c.head}</Th>)}
              <Th><span className="sr-only">Actions</span></Th>
            </tr>
          </thead>
          <TBody>
            {items.map((item, i) => {
              const problems = problemsOf(i);
              const label = `${what} ${item.identifier || `#${i + 1}`}`;
              return (
                <tr key={item.key}>
                  <Td className="align-top">
                    <button type="button" className="font-mono text-sky-800 hover:underline" onClick={() => onOpen(i)}>
                      {item.identifier || <span className="italic text-slate-400">no identifier</span>}
                    </button>
                    {problems.length > 0 && (
                      <p className="mt-0.5 max-w-xs text-xs text-red-700" title={problems.map((p) => `${p.path}: ${p.message}`).join('\n')}>
                        <i className="fa fa-exclamation-circle" aria-hidden /> {problems[0]!.message}
                        {problems.length > 1 && ` (+${problems.length - 1} more)`}
                      </p>
                    )}
                  </Td>
                  <Td className="align-top">{item.name}</Td>
                  {columns.map((c) => <Td key={c.head} className="align-top">{c.cell(item)}</Td>)}
                  <Td className="whitespace-nowrap text-right align-top">
                    {canWrite ? (
                      <span className="inline-flex gap-1">
                        <Button size="sm" aria-label={`Edit ${label}`} onClick={() => onOpen(i)}>Edit</Button>
                        <Button size="sm" variant="ghost" aria-label={`Remove ${label}`} onClick={() => onRemove(i)}>
                          <i className="fa fa-trash-o" aria-hidden /> Remove
                        </Button>
                      </span>
                    ) : (
                      <Button size="sm" aria-label={`View ${label}`} onClick={() => onOpen(i)}>View</Button>
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
