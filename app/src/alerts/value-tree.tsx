import type { ReactNode } from 'react';
import { t } from './alerts.messages.ts';

const MAX_DEPTH = 5;
const MAX_ENTRIES = 100;
/** JSON's own word for no value: shown as it is, in every language. */
const JSON_NULL = 'null';

/**
 * A JSON value as a person reads it: a scalar as itself, an object or array as a key/value table, nested ones
 * indented inside. Very deep or very wide values end in their JSON text rather than an endless table.
 */
export function ValueTree({ value, depth = 0 }: { value: unknown; depth?: number }): ReactNode {
  if (value === null || value === undefined || typeof value !== 'object') return <Scalar value={value} />;
  const entries: [string, unknown][] = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return <span className="font-mono text-slate-500">{Array.isArray(value) ? '[]' : '{}'}</span>;
  if (depth >= MAX_DEPTH) return <code className="break-all font-mono text-xs text-slate-800">{JSON.stringify(value)}</code>;
  const shown = entries.slice(0, MAX_ENTRIES);
  return (
    <table className="w-full text-sm">
      <tbody className="divide-y divide-slate-100">
        {shown.map(([key, v]) => (
          <tr key={key}>
            <th scope="row" className="w-px whitespace-nowrap py-1 pr-4 text-left align-top font-mono text-xs font-medium text-slate-500">{key}</th>
            <td className="min-w-0 py-1 align-top"><ValueTree value={v} depth={depth + 1} /></td>
          </tr>
        ))}
        {entries.length > shown.length && (
          <tr><td colSpan={2} className="py-1 text-xs text-slate-500">{t('tree.more', { count: entries.length - shown.length })}</td></tr>
        )}
      </tbody>
    </table>
  );
}

function Scalar({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <span className="font-mono text-slate-400">{JSON_NULL}</span>;
  if (typeof value === 'string') return <span className="break-all font-mono text-emerald-800">{value}</span>;
  if (typeof value === 'boolean') return <span className="font-mono text-violet-800">{String(value)}</span>;
  return <span className="font-mono text-sky-900">{String(value)}</span>;
}
