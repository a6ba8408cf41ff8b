/**
 * The form of one TSL data type with its specs, and of parameter lists (struct fields, service and event
 * parameters), which hold data types of their own: the two render each other, so a struct's fields, an array's
 * elements and the struct fields of an array's elements are edited in place, as deep as Alibaba allows.
 */
import { useId } from 'react';
import { Button } from '../ui/button.tsx';
import { cx } from '../ui/cx.ts';
import { Field, INPUT } from '../ui/field.tsx';
import { tc } from '../i18n/common.messages.ts';
import { useProblem } from './problems.tsx';
import { t } from './thing-model.messages.ts';
import {
  ARRAY_ITEM_TYPES, emptyDataType, newKey, newParam, NUMERIC_TYPES, pointerSegment, TYPE_NAMES, withType, type DataTypeForm, type ParamForm,
} from './tsl-form.ts';

/** Each TSL type's option text, by message key. */
const TYPE_LABELS: Record<string, Parameters<typeof t>[0]> = {
  int: 'type.int',
  float: 'type.float',
  double: 'type.double',
  text: 'type.text',
  bool: 'type.bool',
  enum: 'type.enum',
  date: 'type.date',
  struct: 'type.struct',
  array: 'type.array',
};

export function DataTypeEditor({ value, onChange, path, inStruct = false, arrayItem = false, readOnly = false }: {
  value: DataTypeForm;
  onChange(value: DataTypeForm): void;
  /** The JSON pointer of this dataType in the document (`/properties/0/dataType`). */
  path: string;
  /** Inside a struct: no struct here, and no array of structs (Alibaba forbids nesting structs). */
  inStruct?: boolean;
  /** The element type of an array: only the types an array may hold. */
  arrayItem?: boolean;
  readOnly?: boolean;
}) {
  const typeProblem = useProblem(`${path}/type`, path);
  const specsProblem = useProblem(`${path}/specs`);
  const allowed = (arrayItem ? [...ARRAY_ITEM_TYPES] : [...TYPE_NAMES]).filter((name) => !(inStruct && name === 'struct')) as string[];
  if (!allowed.includes(value.type)) allowed.push(value.type);
  const set = (patch: Partial<DataTypeForm>) => onChange({ ...value, ...patch });
  const specs = `${path}/specs`;

  return (
    <div className="space-y-3">
      <Field label={arrayItem ? t('spec.elementType') : t('spec.dataType')} error={typeProblem.error} className="max-w-sm">
        <select
          className={INPUT} value={value.type} onBlur={typeProblem.onBlur}
          onChange={(e) => onChange(withType(value, e.target.value, { inStruct }))}
        >
          {allowed.map((name) => {
            const label = TYPE_LABELS[name];
            return <option key={name} value={name}>{label ? t(label) : t('type.unknown', { type: name || t('none') })}</option>;
          })}
        </select>
      </Field>

      {NUMERIC_TYPES.includes(value.type) && (
        <div className="grid grid-cols-[repeat(auto-fill,minmax(7.5rem,1fr))] gap-3">
          <SpecInput label={t('spec.min')} path={`${specs}/min`} value={value.min} onChange={(min) => set({ min })} numeric />
          <SpecInput label={t('spec.max')} path={`${specs}/max`} value={value.max} onChange={(max) => set({ max })} numeric />
          <SpecInput label={t('spec.step')} path={`${specs}/step`} value={value.step} onChange={(step) => set({ step })} numeric />
          <SpecInput label={t('spec.unit')} path={`${specs}/unit`} value={value.unit} onChange={(unit) => set({ unit })} placeholder={readOnly ? undefined : t('spec.unitPlaceholder')} />
          <SpecInput label={t('spec.unitName')} path={`${specs}/unitName`} value={value.unitName} onChange={(unitName) => set({ unitName })} placeholder={readOnly ? undefined : t('spec.unitNamePlaceholder')} />
        </div>
      )}

      {value.type === 'text' && (
        <div className="max-w-[12rem]">
          <SpecInput label={t('spec.maxLength')} hint={t('spec.maxLengthHint')} path={`${specs}/length`} value={value.length} onChange={(length) => set({ length })} numeric />
        </div>
      )}

      {value.type === 'date' && <p className="text-xs text-slate-500">{t('spec.date')}</p>}

      {value.type === 'bool' && (
        <div className="grid grid-cols-[repeat(auto-fill,minmax(10rem,1fr))] gap-3">
          <SpecInput label={t('spec.label0')} path={`${specs}/0`} value={value.falseLabel} onChange={(falseLabel) => set({ falseLabel })} />
          <SpecInput label={t('spec.label1')} path={`${specs}/1`} value={value.trueLabel} onChange={(trueLabel) => set({ trueLabel })} />
        </div>
      )}

      {value.type === 'enum' && <EnumEditor value={value} onChange={onChange} specsPath={specs} readOnly={readOnly} />}

      {value.type === 'struct' && (
        <ParamList
          kind="field" items={value.fields} onChange={(fields) => set({ fields })} listPath={specs} inStruct readOnly={readOnly}
        />
      )}

      {value.type === 'array' && (
        <div className="space-y-3">
          <div className="max-w-[12rem]">
            <SpecInput label={t('spec.maxElements')} hint={t('spec.maxElementsHint')} path={`${specs}/size`} value={value.size} onChange={(size) => set({ size })} numeric />
          </div>
          <div className="rounded-md border border-slate-200 bg-slate-50/60 p-3">
            <p className="mb-2 text-xs font-semibold uppercase tracking-wide text-slate-500">{t('spec.eachElement')}</p>
            <DataTypeEditor
              value={value.item ?? emptyDataType('int')} onChange={(item) => set({ item })} path={`${specs}/item`}
              inStruct={inStruct} arrayItem readOnly={readOnly}
            />
          </div>
        </div>
      )}

      {specsProblem.error && <p role="alert" className="text-xs text-red-700">{specsProblem.error}</p>}
    </div>
  );
}

function SpecInput({ label, hint, path, value, onChange, numeric = false, placeholder }: {
  label: string;
  hint?: string;
  path: string;
  value: string;
  onChange(value: string): void;
  numeric?: boolean;
  placeholder?: string;
}) {
  const problem = useProblem(path);
  return (
    <Field label={label} hint={hint} error={problem.error}>
      <input
        className={cx(INPUT, numeric && 'font-mono')} value={value} placeholder={placeholder} onBlur={problem.onBlur}
        inputMode={numeric ? 'decimal' : undefined} onChange={(e) => onChange(e.target.value)}
      />
    </Field>
  );
}

function EnumEditor({ value, onChange, specsPath, readOnly }: {
  value: DataTypeForm;
  onChange(value: DataTypeForm): void;
  specsPath: string;
  readOnly: boolean;
}) {
  const set = (entries: DataTypeForm['entries']) => onChange({ ...value, entries });
  const nextValue = () => {
    const numbers = value.entries.map((e) => Number(e.value)).filter(Number.isInteger);
    return String(numbers.length ? Math.max(...numbers) + 1 : 0);
  };
  return (
    <div role="group" aria-label={t('enum.group')} className="space-y-2">
      <div className="grid grid-cols-[6rem_1fr_auto] gap-x-2 text-xs font-medium text-slate-600">
        <span>{t('enum.value')}</span>
        <span>{t('enum.label')}</span>
      </div>
      {value.entries.map((entry, i) => (
        <EnumRow
          key={entry.key} index={i} entry={entry} specsPath={specsPath} readOnly={readOnly}
          onChange={(next) => set(value.entries.map((e) => (e.key === entry.key ? next : e)))}
          onRemove={() => set(value.entries.filter((e) => e.key !== entry.key))}
        />
      ))}
      {!readOnly && (
        <Button size="sm" onClick={() => set([...value.entries, { key: newKey(), value: nextValue(), label: '' }])}>
          <i className="fa fa-plus" aria-hidden /> {t('enum.add')}
        </Button>
      )}
    </div>
  );
}

function EnumRow({ index, entry, specsPath, readOnly, onChange, onRemove }: {
  index: number;
  entry: DataTypeForm['entries'][number];
  specsPath: string;
  readOnly: boolean;
  onChange(entry: DataTypeForm['entries'][number]): void;
  onRemove(): void;
}) {
  const problem = useProblem(`${specsPath}/${pointerSegment(entry.value.trim())}`);
  const errorId = useId();
  const described = problem.error ? errorId : undefined;
  return (
    <div>
      <div className="grid grid-cols-[6rem_1fr_auto] items-center gap-x-2">
        <input
          aria-label={t('enum.valueN', { n: index + 1 })} className={cx(INPUT, 'font-mono')} value={entry.value} inputMode="numeric"
          aria-invalid={problem.error ? true : undefined} aria-describedby={described} onBlur={problem.onBlur}
          onChange={(e) => onChange({ ...entry, value: e.target.value })}
        />
        <input
          aria-label={t('enum.labelN', { n: index + 1 })} className={INPUT} value={entry.label} onBlur={problem.onBlur}
          onChange={(e) => onChange({ ...entry, label: e.target.value })}
        />
        {readOnly ? <span /> : (
          <Button size="sm" variant="ghost" aria-label={t('enum.removeN', { n: index + 1 })} onClick={onRemove}>
            <i className="fa fa-times" aria-hidden />
          </Button>
        )}
      </div>
      {problem.error && <p id={errorId} className="mt-1 text-xs text-red-700">{problem.error}</p>}
    </div>
  );
}

/** Each kind of entry's name, capitalised as a heading and lower case inside a sentence, by message key. */
const KIND_LABELS = {
  field: ['kind.field', 'kindLower.field'], input: ['kind.input', 'kindLower.input'], output: ['kind.output', 'kindLower.output'],
} as const;

/**
 * A list of named, typed entries: the fields of a struct, or the input or output parameters of a service or event.
 * Each is a group named "Field 2", "Input parameter 1", … with its own identifier, name and data type.
 */
export function ParamList({ kind, items, onChange, listPath, inStruct = false, readOnly = false }: {
  kind: keyof typeof KIND_LABELS;
  items: ParamForm[];
  onChange(items: ParamForm[]): void;
  /** The JSON pointer of the list (`/services/2/inputData`, `/properties/0/dataType/specs`). */
  listPath: string;
  inStruct?: boolean;
  readOnly?: boolean;
}) {
  const [labelKey, lowerKey] = KIND_LABELS[kind];
  const update = (key: string, next: ParamForm) => onChange(items.map((p) => (p.key === key ? next : p)));
  const move = (index: number, by: number) => {
    const next = [...items];
    const [moved] = next.splice(index, 1);
    next.splice(index + by, 0, moved!);
    onChange(next);
  };
  return (
    <div className="space-y-2">
      {items.length === 0 && <p className="text-xs text-slate-500">{t('param.none')}</p>}
      {items.map((param, i) => (
        <ParamCard
          key={param.key} label={t('param.numbered', { label: t(labelKey), n: i + 1 })} lower={t('param.numbered', { label: t(lowerKey), n: i + 1 })} param={param} path={`${listPath}/${i}`} inStruct={inStruct} readOnly={readOnly}
          onChange={(next) => update(param.key, next)}
          onRemove={() => onChange(items.filter((p) => p.key !== param.key))}
          onMoveUp={i > 0 ? () => move(i, -1) : undefined}
          onMoveDown={i < items.length - 1 ? () => move(i, 1) : undefined}
        />
      ))}
      {!readOnly && (
        <Button size="sm" onClick={() => onChange([...items, newParam()])}>
          <i className="fa fa-plus" aria-hidden /> {t('add', { what: t(lowerKey) })}
        </Button>
      )}
    </div>
  );
}

function ParamCard({ label, lower, param, path, inStruct, readOnly, onChange, onRemove, onMoveUp, onMoveDown }: {
  label: string;
  /** The label inside a sentence ("field 2"). */
  lower: string;
  param: ParamForm;
  path: string;
  inStruct: boolean;
  readOnly: boolean;
  onChange(param: ParamForm): void;
  onRemove(): void;
  onMoveUp?: () => void;
  onMoveDown?: () => void;
}) {
  const idProblem = useProblem(`${path}/identifier`, path);
  const nameProblem = useProblem(`${path}/name`);
  return (
    <div role="group" aria-label={label} className="rounded-md border border-slate-200 bg-white p-3 shadow-sm">
      <div className="mb-2 flex items-center justify-between gap-2">
        <p className="text-xs font-semibold text-slate-600">
          {label}
          {param.identifier && <span className="ml-1 font-mono font-normal text-slate-500">· {param.identifier}</span>}
        </p>
        {!readOnly && (
          <div className="flex gap-1">
            {onMoveUp && <Button size="sm" variant="ghost" aria-label={t('param.moveUp', { label: lower })} onClick={onMoveUp}><i className="fa fa-arrow-up" aria-hidden /></Button>}
            {onMoveDown && <Button size="sm" variant="ghost" aria-label={t('param.moveDown', { label: lower })} onClick={onMoveDown}><i className="fa fa-arrow-down" aria-hidden /></Button>}
            <Button size="sm" variant="ghost" aria-label={t('param.remove', { label: lower })} onClick={onRemove}>
              <i className="fa fa-trash-o" aria-hidden /> {tc('remove')}
            </Button>
          </div>
        )}
      </div>
      <div className="grid gap-3 sm:grid-cols-2">
        <Field label={t('field.identifier')} error={idProblem.error}>
          <input
            className={cx(INPUT, 'font-mono')} value={param.identifier} onBlur={() => param.identifier && idProblem.onBlur()} autoComplete="off" spellCheck={false}
            onChange={(e) => onChange({ ...param, identifier: e.target.value })}
          />
        </Field>
        <Field label={t('field.name')} error={nameProblem.error}>
          <input className={INPUT} value={param.name} onBlur={() => param.name && nameProblem.onBlur()} onChange={(e) => onChange({ ...param, name: e.target.value })} />
        </Field>
      </div>
      <div className="mt-3 border-l-2 border-sky-100 pl-3">
        <DataTypeEditor
          value={param.dataType} onChange={(dataType) => onChange({ ...param, dataType })} path={`${path}/dataType`}
          inStruct={inStruct} readOnly={readOnly}
        />
      </div>
    </div>
  );
}
