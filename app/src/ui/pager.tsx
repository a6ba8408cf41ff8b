import { tc } from '../i18n/common.messages.ts';
import { Button } from './button.tsx';
import { t } from './ui.messages.ts';

/** "41–60 of 1,234" with previous/next; hidden when everything fits on one page. */
export function Pager({ total, limit, offset, onOffset }: { total: number; limit: number; offset: number; onOffset(offset: number): void }) {
  if (total <= limit && offset === 0) return null;
  const first = total === 0 ? 0 : offset + 1;
  const last = Math.min(offset + limit, total);
  return (
    <nav aria-label={t('pager.nav')} className="flex items-center justify-between gap-3 text-sm text-slate-600">
      <span>{t('pager.range', { first, last, total })}</span>
      <span className="flex gap-2">
        <Button size="sm" disabled={offset === 0} onClick={() => onOffset(Math.max(0, offset - limit))}>{tc('previous')}</Button>
        <Button size="sm" disabled={last >= total} onClick={() => onOffset(offset + limit)}>{tc('next')}</Button>
      </span>
    </nav>
  );
}
