import { useEffect, useState } from 'react';
import { queryString, useApi } from '../use-api.ts';
import { Button } from '../ui/button.tsx';
import { EmptyState, ErrorNote, Loading } from '../ui/feedback.tsx';
import { Panel } from '../ui/page.tsx';
import { Table, TBody, Td, Th } from '../ui/table.tsx';
import { formatTime } from '../ui/time.tsx';
import type { AuditEntry } from './user-types.ts';
import { t } from './users.messages.ts';
import { tc } from '../i18n/common.messages.ts';

const PAGE_SIZE = 25;

/**
 * The audit log, newest first, a page at a time. The API pages by "entries before id N" and gives no total, so the
 * pager walks with a stack of cursors, and asks for one entry more than it shows to know whether an older page exists.
 */
export function AuditLogPanel({ refreshKey = 0 }: { refreshKey?: number }) {
  const [cursors, setCursors] = useState<number[]>([]);
  const before = cursors.at(-1);
  const read = useApi<{ items: AuditEntry[] }>(`/audit${queryString({ limit: PAGE_SIZE + 1, before })}`);
  const { reload } = read;
  // The page's own changes (a user created, a role changed) show up in the log at once.
  useEffect(() => {
    if (refreshKey > 0) void reload();
  }, [refreshKey, reload]);

  const items = read.data?.items ?? [];
  const shown = items.slice(0, PAGE_SIZE);
  const hasOlder = items.length > PAGE_SIZE;
  return (
    <Panel
      title={t('audit.title')}
      actions={<Button size="sm" variant="ghost" onClick={() => void reload()}><i aria-hidden className="fa fa-refresh" /> {tc('refresh')}</Button>}
      bodyClassName="space-y-3"
    >
      <p className="text-sm text-slate-600">
        {t('audit.intro')}
      </p>
      {read.error && <ErrorNote error={read.error} />}
      {read.loading ? (
        <Loading what={t('audit.loading')} />
      ) : shown.length === 0 ? (
        read.data && <EmptyState title={t('audit.empty')} />
      ) : (
        <>
          <Table label={t('audit.title')}>
            <thead>
              <tr>
                <Th>{t('audit.col.time')}</Th>
                <Th>{t('audit.col.who')}</Th>
                <Th>{t('audit.col.action')}</Th>
                <Th>{t('audit.col.target')}</Th>
                <Th>{t('audit.col.details')}</Th>
              </tr>
            </thead>
            <TBody>
              {shown.map((e) => (
                <tr key={e.id}>
                  <Td className="whitespace-nowrap text-slate-600">{formatTime(e.at)}</Td>
                  <Td className="whitespace-nowrap">{e.actor}</Td>
                  <Td className="whitespace-nowrap"><code className="font-mono text-xs">{e.action}</code></Td>
                  <Td className="max-w-[14rem] truncate" title={e.target ?? undefined}>{e.target ?? <span className="text-slate-400">—</span>}</Td>
                  <Td className="max-w-[22rem] truncate font-mono text-xs text-slate-600" title={describe(e.details)} translate="no">{describe(e.details) || <span className="text-slate-400">—</span>}</Td>
                </tr>
              ))}
            </TBody>
          </Table>
          {(cursors.length > 0 || hasOlder) && (
            <nav aria-label={t('audit.pages')} className="flex items-center justify-between gap-3 text-sm text-slate-600">
              <span>{t('audit.page', { page: cursors.length + 1 })}</span>
              <span className="flex gap-2">
                <Button size="sm" disabled={cursors.length === 0} onClick={() => setCursors((c) => c.slice(0, -1))}>{t('audit.newer')}</Button>
                <Button size="sm" disabled={!hasOlder} onClick={() => setCursors((c) => [...c, shown.at(-1)!.id])}>{t('audit.older')}</Button>
              </span>
            </nav>
          )}
        </>
      )}
    </Panel>
  );
}

/** `role=engineer, from=127.0.0.1`: an entry's details on one line. */
function describe(details: unknown): string {
  if (details === null || details === undefined) return '';
  if (typeof details !== 'object') return String(details);
  return Object.entries(details as Record<string, unknown>)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(', ');
}
