/**
 * Node-RED's editable list: rows a user adds, removes and reorders (switch and change rules, inject properties, http
 * headers). Each row is drawn by the form; the list owns adding, removing and moving. Moving and removing pass the
 * old index of every row that stays (`order`), so a form can carry along what belongs to a row (a switch rule's
 * wires).
 */
import type { JSX, ReactNode } from 'react';
import { tc } from '../../i18n.ts';
import { t } from './core-forms.messages.ts';

export interface EditableListProps<T> {
  /** Accessible name of the list; rows are "`label` `n`". */
  label: string;
  items: readonly T[];
  /**
   * A new list. `order[i]` is the old index of new row `i` (`-1` for an added row); `ongoing` while typing in a row,
   * so keystrokes join into one undo step.
   */
  onChange(items: T[], order: readonly number[], ongoing: boolean): void;
  /** The row a click on "add" appends. */
  newItem(): T;
  /** Draws row `index`; `update` replaces the row (`ongoing` while typing). */
  renderItem(item: T, index: number, update: (item: T, ongoing?: boolean) => void): ReactNode;
  /** Text of the add button (default "add"). */
  addLabel?: string;
  /** Rows move up and down (default true). */
  sortable?: boolean;
  /** Fewest rows the list keeps (the last ones cannot be removed). */
  minItems?: number;
  /** A header row above the rows (column titles). */
  header?: ReactNode;
  /** Ends an ongoing typing gesture (leaving a row's input). */
  onCommit?(): void;
  disabled?: boolean;
  /** Text of an empty list. */
  emptyText?: string;
}

const iconButton =
  'flex h-6 w-6 shrink-0 items-center justify-center rounded text-slate-500 hover:bg-slate-200 hover:text-slate-800 disabled:opacity-30 disabled:hover:bg-transparent';

/** A list of rows with add, remove and move up/down. */
export function EditableList<T>({
  label, items, onChange, newItem, renderItem, addLabel, sortable = true, minItems = 0, header, onCommit, disabled = false, emptyText,
}: EditableListProps<T>): JSX.Element {
  const identity = items.map((_, i) => i);
  const move = (from: number, to: number) => {
    const order = [...identity];
    const [moved] = order.splice(from, 1);
    order.splice(to, 0, moved!);
    onChange(order.map((i) => items[i]!), order, false);
  };
  const remove = (index: number) => {
    const order = identity.filter((i) => i !== index);
    onChange(order.map((i) => items[i]!), order, false);
  };
  return (
    <div role="group" aria-label={label} className="rounded border border-slate-300 bg-white" data-editable-list>
      {header && <div className="border-b border-slate-200 bg-slate-50 px-2 py-1 text-xs font-medium text-slate-600">{header}</div>}
      <ol className="max-h-96 divide-y divide-slate-100 overflow-y-auto" onBlur={onCommit}>
        {items.length === 0 && <li className="px-2 py-2 text-xs text-slate-500">{emptyText ?? t('list.empty')}</li>}
        {items.map((item, index) => (
          <li key={index} aria-label={`${label} ${index + 1}`} className="flex items-start gap-1 px-1 py-1.5" data-list-row={index}>
            {sortable && (
              <span className="flex shrink-0 flex-col">
                <button type="button" aria-label={t('list.moveUpRow', { label, n: index + 1 })} title={t('list.moveUp')} disabled={disabled || index === 0} className={`${iconButton} h-3`} onClick={() => move(index, index - 1)}>
                  <i aria-hidden className="fa fa-caret-up" />
                </button>
                <button type="button" aria-label={t('list.moveDownRow', { label, n: index + 1 })} title={t('list.moveDown')} disabled={disabled || index === items.length - 1} className={`${iconButton} h-3`} onClick={() => move(index, index + 1)}>
                  <i aria-hidden className="fa fa-caret-down" />
                </button>
              </span>
            )}
            <div className="min-w-0 flex-1 space-y-1">
              {renderItem(item, index, (next, ongoing = false) => onChange(items.map((old, i) => (i === index ? next : old)), identity, ongoing))}
            </div>
            <button type="button" aria-label={t('list.removeRow', { label, n: index + 1 })} title={tc('remove')} disabled={disabled || items.length <= minItems} className={iconButton} onClick={() => remove(index)}>
              <i aria-hidden className="fa fa-times" />
            </button>
          </li>
        ))}
      </ol>
      {!disabled && (
        <div className="border-t border-slate-200 px-1 py-1">
          <button
            type="button" className="rounded px-2 py-0.5 text-xs font-medium text-sky-700 hover:bg-sky-50"
            onClick={() => onChange([...items, newItem()], [...identity, -1], false)}
          >
            <i aria-hidden className="fa fa-plus mr-1" />
            {addLabel ?? t('list.add')}
          </button>
        </div>
      )}
    </div>
  );
}
