import { useEffect, useState } from 'react';
import { tc } from '../i18n/common.messages.ts';
import { ago, formatTime } from './time-format.ts';

export { ago, formatTime } from './time-format.ts';

/** A time shown as "how long ago", ticking, with the exact time as its tooltip and machine-readable value. */
export function TimeAgo({ at }: { at: string | number | null | undefined }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 5000);
    return () => clearInterval(timer);
  }, []);
  if (at === null || at === undefined) return <span className="text-slate-400">{tc('never')}</span>;
  return <time dateTime={new Date(at).toISOString()} title={formatTime(at)}>{ago(at, now)}</time>;
}
