import { Button } from './button.tsx';

/** "41–60 of 1,234" with previous/next; hidden when everything fits on one page. */
export function Pager({ total, limit, offset, onOffset }: { total: number; limit: number; offset: number; onOffset(offset: number): void }) {
  if (total <= limit && offset === 0) return null;
  const first = total === 0 ? 0 : offset + 1;
  const last = Math.min(offset + limit, total);
  return (
    <nav aria-label="Pages" className="flex items-center justify-between gap-3 text-sm text-slate-600">
      <span>
        {first.toLocaleString()}–{last.toLocaleString()} of {total.toLocaleString()}
      </span>
      <span className="flex gap-2">
        <Button size="sm" disabled={offset === 0} onClick={() => onOffset(Math.max(0, offset - limit))}>Previous</Button>
        <Button size="sm" disabled={last >= total} onClick={() => onOffset(offset + limit)}>Next</Button>
      </span>
    </nav>
  );
}
