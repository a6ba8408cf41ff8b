/** The inputs of the command form, one per TSL type (see command-fields.ts for what each accepts). */
import { Switch } from 'radix-ui';
import type { ReactNode } from 'react';
import { cx } from '../ui/cx.ts';
import { Field, INPUT } from '../ui/field.tsx';
import { tc } from '../i18n/common.messages.ts';
import { fieldHint, sampleValue, type CommandField, type RawInput } from './command-fields.ts';
import { t } from './device-commands.messages.ts';

/**
 * One field of the form, with what belongs to its row on the right (a property's own Send and Reset buttons).
 * `changed` marks a property the user edited: those are what "send the changed ones" sends.
 */
export function CommandInput({ field, value, changed = false, error, onChange, actions }: {
  field: CommandField;
  value: RawInput;
  changed?: boolean;
  error?: string;
  onChange(value: RawInput): void;
  actions?: ReactNode;
}) {
  const label = (
    <span className="flex flex-wrap items-baseline gap-x-2">
      <span>{field.name}</span> <code className="font-mono text-xs font-normal text-slate-500">{field.identifier}</code>
      {changed && <span className="text-xs font-normal text-sky-700">{t('input.changed')}</span>}
    </span>
  );
  return (
    <div className={cx('flex flex-wrap items-start gap-x-3 gap-y-2 rounded-md border px-3 py-2.5', changed ? 'border-sky-200 bg-sky-50/40' : 'border-slate-200 bg-white')}>
      <Field label={label} hint={fieldHint(field)} error={error} className="min-w-[12rem] flex-1">
        {control(field, value, onChange)}
      </Field>
      {actions && <div className="flex shrink-0 gap-2 pt-6">{actions}</div>}
    </div>
  );
}

function control(field: CommandField, value: RawInput, onChange: (value: RawInput) => void) {
  switch (field.control) {
    case 'number':
      return (
        <input
          type="number"
          inputMode="decimal"
          className={cx(INPUT, 'max-w-[16rem]')}
          min={field.min}
          max={field.max}
          step={field.step ?? 'any'}
          value={String(value)}
          onChange={(e) => onChange(e.target.value)}
        />
      );
    case 'switch': {
      const [off, on] = field.options ?? [['0', tc('off')], ['1', tc('on')]];
      return (
        <SwitchControl checked={value === true} onChange={onChange} labels={[`${off![1]} (${off![0]})`, `${on![1]} (${on![0]})`]} />
      );
    }
    case 'select':
      return (
        <select className={cx(INPUT, 'max-w-[20rem]')} value={String(value)} onChange={(e) => onChange(e.target.value)}>
          {(field.options ?? []).map(([v, l]) => <option key={v} value={v}>{l} ({v})</option>)}
        </select>
      );
    case 'text':
      return <input type="text" className={INPUT} value={String(value)} onChange={(e) => onChange(e.target.value)} />;
    case 'datetime':
      return (
        <input type="datetime-local" step={1} className={cx(INPUT, 'max-w-[16rem]')} value={String(value)} onChange={(e) => onChange(e.target.value)} />
      );
    case 'json':
      return (
        <textarea
          rows={3}
          spellCheck={false}
          className={cx(INPUT, 'font-mono text-xs')}
          placeholder={JSON.stringify(sampleValue(field.dataType))}
          value={String(value)}
          onChange={(e) => onChange(e.target.value)}
        />
      );
  }
}

/** Radix's switch with the bool's labels beside it; `id` and aria props come from Field. */
function SwitchControl({ checked, onChange, labels, ...aria }: {
  checked: boolean;
  onChange(value: boolean): void;
  labels: [string, string];
  id?: string;
}) {
  return (
    <span className="flex items-center gap-2">
      <Switch.Root
        {...aria}
        checked={checked}
        onCheckedChange={onChange}
        className="relative inline-flex h-5 w-9 shrink-0 items-center rounded-full bg-slate-300 transition-colors data-[state=checked]:bg-sky-700 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600"
      >
        <Switch.Thumb className="block h-4 w-4 translate-x-0.5 rounded-full bg-white shadow transition-transform data-[state=checked]:translate-x-[1.125rem]" />
      </Switch.Root>
      <span className="text-sm text-slate-700" aria-hidden>{checked ? labels[1] : labels[0]}</span>
    </span>
  );
}
