import { useId, useState, type FormEvent } from 'react';
import { TAG_KEY, TAG_VALUE } from '../../../domain/devices/device-schemas.ts';
import { Button } from '../ui/button.tsx';
import { INPUT } from '../ui/field.tsx';
import { t } from './devices.messages.ts';
import { richText } from '../i18n/rich.tsx';

const KEY = new RegExp(`^${TAG_KEY}$`);
const VALUE = new RegExp(`^${TAG_VALUE}$`);

/** One row of the tag editor; a row with neither key nor value is ignored. */
export interface TagRow {
  key: string;
  value: string;
}

/**
 * The rows as the API's `tags` object, or what is wrong with them (said here because an object cannot hold a key
 * twice: the API would never see the duplicate).
 */
export function tagsFromRows(rows: readonly TagRow[]): { tags: Record<string, string> } | { problem: string } {
  const tags = new Map<string, string>();
  for (const row of rows) {
    const key = row.key.trim();
    const value = row.value.trim();
    if (key === '' && value === '') continue;
    if (key === '') return { problem: t('tags.needsKey', { value }) };
    if (!KEY.test(key)) return { problem: t('tags.badKey', { key }) };
    if (!VALUE.test(value)) return { problem: t('tags.badValue', { key }) };
    if (tags.has(key)) return { problem: t('tags.twice', { key }) };
    tags.set(key, value);
  }
  return { tags: Object.fromEntries(tags) };
}

/**
 * A device form with tags (add, edit): its tag rows, and a submit that checks them first (the problem shown under the
 * tags), then runs `send` with the tags object, busy meanwhile, keeping what it throws as `error` for the form to place.
 */
export function useTaggedForm(initial: () => TagRow[], send: (tags: Record<string, string>) => Promise<void>) {
  const [tags, setTags] = useState<TagRow[]>(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [tagProblem, setTagProblem] = useState<string>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const parsed = tagsFromRows(tags);
    setTagProblem('problem' in parsed ? parsed.problem : undefined);
    if ('problem' in parsed) return;
    setBusy(true);
    setError(undefined);
    try {
      await send(parsed.tags);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  /** Back to `initial`'s rows, with no error or problem shown. */
  const reset = () => {
    setTags(initial());
    setError(undefined);
    setTagProblem(undefined);
  };
  return { tags, setTags, busy, error, tagProblem, submit, reset };
}

/**
 * Free-form `key = value` labels: a row per tag, with labelled inputs (screen readers and tests find "Tag 1 key").
 * `error` is the API's verdict on the tags, shown under them.
 */
export function TagEditor({ rows, onChange, error }: { rows: readonly TagRow[]; onChange(rows: TagRow[]): void; error?: string }) {
  const id = useId();
  const set = (i: number, patch: Partial<TagRow>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <fieldset className="text-sm" aria-describedby={error ? `${id}-error` : `${id}-hint`}>
      <legend className="mb-1 block font-medium text-slate-700">{t('field.tags')}</legend>
      {rows.length > 0 && (
        <ul className="mb-2 space-y-2">
          {rows.map((row, i) => (
            <li key={i} className="flex items-center gap-2">
              <input
                className={`${INPUT} min-w-0 flex-1`}
                aria-label={t('tags.keyLabel', { n: i + 1 })}
                aria-invalid={error ? true : undefined}
                placeholder={t('tags.keyPlaceholder')}
                value={row.key}
                onChange={(e) => set(i, { key: e.target.value })}
              />
              <span aria-hidden className="text-slate-400">=</span>
              <input
                className={`${INPUT} min-w-0 flex-1`}
                aria-label={t('tags.valueLabel', { n: i + 1 })}
                aria-invalid={error ? true : undefined}
                placeholder={t('tags.valuePlaceholder')}
                value={row.value}
                onChange={(e) => set(i, { value: e.target.value })}
              />
              <Button variant="ghost" size="sm" aria-label={t('tags.remove', { n: i + 1 })} onClick={() => onChange(rows.filter((_, j) => j !== i))}>
                <i className="fa fa-times" aria-hidden />
              </Button>
            </li>
          ))}
        </ul>
      )}
      <Button size="sm" onClick={() => onChange([...rows, { key: '', value: '' }])}>
        <i className="fa fa-plus" aria-hidden /> {t('tags.add')}
      </Button>
      {error ? (
        <p id={`${id}-error`} className="mt-1 text-xs text-red-700">{error}</p>
      ) : (
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-500">{richText(t('tags.hint'), { code: (text) => <code className="font-mono">{text}</code> })}</p>
      )}
    </fieldset>
  );
}
