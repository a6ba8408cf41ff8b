/**
 * An expandable JSON tree for debug values: objects and arrays open and close, long strings end in "more", big
 * collections show a page at a time (rules in `json-tree-model.ts`).
 */
import { useState } from 'react';
import { isEncodedValue } from './debug-message.ts';
import { CHILD_PAGE, TEXT_PREVIEW_LIMIT, childrenOf, encodedLabel, isExpandable, jsonKindOf, previewOf, truncateText } from './json-tree-model.ts';
import { t } from '../editor.messages.ts';

/** A value as a tree; the top level starts open when `open` is set. */
export function JsonTree({ value, open = false }: { value: unknown; open?: boolean }) {
  return (
    <div role="tree" className="font-mono text-xs leading-5 text-slate-800">
      <JsonNode value={value} depth={0} initiallyOpen={open} />
    </div>
  );
}

function JsonNode({ name, value, depth, initiallyOpen }: { name?: string; value: unknown; depth: number; initiallyOpen: boolean }) {
  const [open, setOpen] = useState(initiallyOpen);
  const [limit, setLimit] = useState(CHILD_PAGE);
  const label = name === undefined ? null : <span className="text-purple-800">{name}: </span>;
  if (!isExpandable(value)) {
    return (
      <div role="treeitem" aria-selected={false} className="break-all" style={{ paddingLeft: depth ? 14 : 0 }}>
        {label}
        <Leaf value={value} />
      </div>
    );
  }
  const { entries, hidden } = open ? childrenOf(value, limit) : { entries: [], hidden: 0 };
  return (
    <div role="treeitem" aria-expanded={open} aria-selected={false} style={{ paddingLeft: depth ? 14 : 0 }}>
      <button type="button" className="text-left hover:bg-slate-100" onClick={() => setOpen(!open)} aria-label={t(open ? 'json.collapse' : 'json.expand', { name: name ?? t('json.value') })}>
        <span className="inline-block w-3 text-slate-500">{open ? '▾' : '▸'}</span>
        {label}
        <span className="text-slate-500">{previewOf(value)}</span>
      </button>
      {open && (
        <div role="group">
          {entries.map(([key, child]) => (
            <JsonNode key={key} name={key} value={child} depth={depth + 1} initiallyOpen={false} />
          ))}
          {hidden > 0 && (
            <button type="button" className="pl-4 text-blue-700 hover:underline" onClick={() => setLimit(limit + CHILD_PAGE)}>
              {t('json.more', { count: Math.min(hidden, CHILD_PAGE), total: hidden })}
            </button>
          )}
        </div>
      )}
    </div>
  );
}

function Leaf({ value }: { value: unknown }) {
  const [full, setFull] = useState(false);
  if (isEncodedValue(value)) return <span className="text-slate-600 italic">{encodedLabel(value)}</span>;
  switch (jsonKindOf(value)) {
    case 'string': {
      const text = String(value);
      const cut = truncateText(text, TEXT_PREVIEW_LIMIT);
      return (
        <span className="whitespace-pre-wrap text-red-800">
          "{full ? text : cut.shown}
          {!full && cut.hidden > 0 ? '…' : ''}"
          {cut.hidden > 0 && (
            <button type="button" className="ml-1 font-sans text-blue-700 hover:underline" onClick={() => setFull(!full)}>
              {full ? t('json.less') : t('json.moreChars', { count: cut.hidden })}
            </button>
          )}
        </span>
      );
    }
    case 'number':
      return <span className="text-blue-800">{String(value)}</span>;
    case 'boolean':
      return <span className="text-teal-800">{String(value)}</span>;
    case 'null':
    case 'undefined':
      return <span className="text-slate-500">{String(value)}</span>;
    default:
      return <span>{previewOf(value)}</span>;
  }
}
