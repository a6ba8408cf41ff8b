/**
 * The dialog that adds or edits one property, service or event of the draft. It edits a copy: Apply puts it into the
 * draft (not yet saved), Cancel forgets it. Problems are found by checking the whole draft with this copy in place,
 * as the server will, and shown under the field they are about.
 */
import { useMemo, useState, type ReactNode } from 'react';
import { Button } from '../ui/button.tsx';
import { cx } from '../ui/cx.ts';
import { Dialog } from '../ui/dialog.tsx';
import { Field, INPUT } from '../ui/field.tsx';
import { tc } from '../i18n/common.messages.ts';
import { ParamList, DataTypeEditor } from './data-type-editor.tsx';
import { ProblemsProvider, problemsUnder, useProblem, type Problem } from './problems.tsx';
import { featurePath, tslFromForm, type EventForm, type PropertyForm, type ServiceForm, type ThingModelForm } from './tsl-form.ts';
import { shownTslProblems } from './tsl-problems.messages.ts';
import { t } from './thing-model.messages.ts';

export type FeatureList = 'properties' | 'services' | 'events';
export type Feature = PropertyForm | ServiceForm | EventForm;

/** A feature of `list` as a noun in a sentence ("property"), in the language shown now. */
export const singular = (list: FeatureList): string => t(list === 'properties' ? 'noun.properties' : list === 'services' ? 'noun.services' : 'noun.events');

/** The problems of `form` with `item` at `index` of `list` (appended when index is the list's length), under it. */
export function featureProblems(form: ThingModelForm, list: FeatureList, index: number, item: Feature, extra: readonly Problem[] = []): Problem[] {
  const items = [...form[list]] as Feature[];
  items[index] = item;
  const trial = { ...form, [list]: items } as ThingModelForm;
  const problems: Problem[] = [];
  const doc = tslFromForm(trial, problems);
  const path = featurePath(trial, list, index);
  const found = problemsUnder(shownTslProblems(doc, problems, extra), path);
  // The server reports a duplicate at its second use; editing the first one, this is where to say it.
  const id = item.identifier;
  if (id && items.some((other, i) => i !== index && other.identifier === id) && !found.some((p) => p.path === `${path}/identifier`)) {
    found.push({ path: `${path}/identifier`, message: t('dialog.duplicate', { what: singular(list), id }) });
  }
  return found;
}

export function FeatureDialog({ list, form, index, initial, readOnly, serverProblems, onApply, onClose }: {
  list: FeatureList;
  form: ThingModelForm;
  index: number;
  initial: Feature;
  readOnly: boolean;
  /** What the server refused at the last save, shown until the feature is changed. */
  serverProblems: readonly Problem[];
  onApply(item: Feature): void;
  onClose(): void;
}) {
  const [item, setItem] = useState<Feature>(initial);
  const [attempted, setAttempted] = useState(false);
  const isNew = index === form[list].length;
  const problems = useMemo(
    () => featureProblems(form, list, index, item, item === initial ? serverProblems : []),
    [form, list, index, item, initial, serverProblems],
  );
  const path = featurePath(form, list, index);
  const what = singular(list);
  const title = readOnly ? t('dialog.viewTitle', { what, id: initial.identifier }) : isNew ? t('dialog.newTitle', { what }) : t('dialog.editTitle', { what, id: initial.identifier });

  const apply = () => {
    if (problems.length > 0) {
      setAttempted(true);
      return;
    }
    onApply(item);
  };

  return (
    <Dialog
      open wide title={title} onOpenChange={(open) => !open && onClose()}
      description={readOnly ? undefined : t('dialog.description')}
      footer={readOnly ? <Button onClick={onClose}>{tc('close')}</Button> : (
        <>
          {attempted && problems.length > 0 && (
            <p role="alert" className="mr-auto self-center text-sm text-red-700">
              {t('dialog.fixFirst', { count: problems.length })}
            </p>
          )}
          <Button onClick={onClose}>{tc('cancel')}</Button>
          <Button variant="primary" onClick={apply}>{isNew ? t('add', { what }) : tc('apply')}</Button>
        </>
      )}
    >
      <ProblemsProvider problems={problems} revealAll={attempted || readOnly || (item === initial && serverProblems.length > 0)}>
        {/* The form scrolls inside the dialog, so its title and buttons stay in view however deep a struct goes. */}
        <form onSubmit={(e) => { e.preventDefault(); apply(); }} aria-label={title} className="-mx-1 max-h-[62vh] overflow-y-auto px-1 pb-1">
          <fieldset disabled={readOnly} className="min-w-0 space-y-4">
            <CommonFields item={item} onChange={setItem} path={path} what={what} readOnly={readOnly} />
            {list === 'properties' && <PropertyFields item={item as PropertyForm} onChange={setItem} path={path} readOnly={readOnly} />}
            {list === 'services' && <ServiceFields item={item as ServiceForm} onChange={setItem} path={path} readOnly={readOnly} />}
            {list === 'events' && <EventFields item={item as EventForm} onChange={setItem} path={path} readOnly={readOnly} />}
            {/* Enter in a field applies, as in any form. */}
            <button type="submit" hidden />
          </fieldset>
        </form>
      </ProblemsProvider>
    </Dialog>
  );
}

function CommonFields({ item, onChange, path, what, readOnly }: { item: Feature; onChange(item: Feature): void; path: string; what: string; readOnly: boolean }) {
  const id = useProblem(`${path}/identifier`, `${path}/method`, path);
  const name = useProblem(`${path}/name`);
  return (
    <div className="grid gap-3 sm:grid-cols-2">
      <Field label={t('field.identifier')} error={id.error} hint={readOnly ? undefined : t('field.identifierHint', { what })}>
        <input
          className={cx(INPUT, 'font-mono')} value={item.identifier} onBlur={() => item.identifier && id.onBlur()} autoComplete="off" spellCheck={false} autoFocus
          onChange={(e) => onChange({ ...item, identifier: e.target.value })}
        />
      </Field>
      <Field label={t('field.name')} error={name.error} hint={readOnly ? undefined : t('field.nameHint')}>
        <input className={INPUT} value={item.name} onBlur={() => item.name && name.onBlur()} onChange={(e) => onChange({ ...item, name: e.target.value })} />
      </Field>
    </div>
  );
}

function Description({ item, onChange, readOnly }: { item: Feature; onChange(item: Feature): void; readOnly: boolean }) {
  if (readOnly && !item.desc) return null;
  return (
    <Field label={t('field.description')} hint={readOnly ? undefined : t('field.optional')}>
      <textarea className={INPUT} rows={2} value={item.desc} onChange={(e) => onChange({ ...item, desc: e.target.value })} />
    </Field>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section aria-label={title} className="rounded-lg border border-slate-200 bg-slate-50 p-3">
      <h3 className="mb-2 text-sm font-semibold text-slate-800">{title}</h3>
      {children}
    </section>
  );
}

function PropertyFields({ item, onChange, path, readOnly }: { item: PropertyForm; onChange(item: Feature): void; path: string; readOnly: boolean }) {
  const access = useProblem(`${path}/accessMode`);
  return (
    <>
      <Field label={t('field.access')} error={access.error} className="max-w-md">
        <select className={INPUT} value={item.accessMode} onBlur={access.onBlur} onChange={(e) => onChange({ ...item, accessMode: e.target.value })}>
          <option value="r">{t('access.r')}</option>
          <option value="rw">{t('access.rw')}</option>
          {!['r', 'rw'].includes(item.accessMode) && <option value={item.accessMode}>{item.accessMode || t('none')}</option>}
        </select>
      </Field>
      <Description item={item} onChange={onChange} readOnly={readOnly} />
      <Section title={t('section.value')}>
        <DataTypeEditor value={item.dataType} onChange={(dataType) => onChange({ ...item, dataType })} path={`${path}/dataType`} readOnly={readOnly} />
      </Section>
    </>
  );
}

function ServiceFields({ item, onChange, path, readOnly }: { item: ServiceForm; onChange(item: Feature): void; path: string; readOnly: boolean }) {
  const callType = useProblem(`${path}/callType`);
  const input = useProblem(`${path}/inputData`);
  const output = useProblem(`${path}/outputData`);
  return (
    <>
      <Field label={t('field.callType')} error={callType.error} className="max-w-md">
        <select className={INPUT} value={item.callType} onBlur={callType.onBlur} onChange={(e) => onChange({ ...item, callType: e.target.value })}>
          <option value="async">{t('callType.async')}</option>
          <option value="sync">{t('callType.sync')}</option>
          {!['sync', 'async'].includes(item.callType) && <option value={item.callType}>{item.callType || t('none')}</option>}
        </select>
      </Field>
      <Description item={item} onChange={onChange} readOnly={readOnly} />
      <Section title={t('section.input')}>
        <ParamList kind="input" items={item.inputData} onChange={(inputData) => onChange({ ...item, inputData })} listPath={`${path}/inputData`} readOnly={readOnly} />
        {input.error && <p className="mt-1 text-xs text-red-700">{input.error}</p>}
      </Section>
      <Section title={t('section.output')}>
        <ParamList kind="output" items={item.outputData} onChange={(outputData) => onChange({ ...item, outputData })} listPath={`${path}/outputData`} readOnly={readOnly} />
        {output.error && <p className="mt-1 text-xs text-red-700">{output.error}</p>}
      </Section>
    </>
  );
}

function EventFields({ item, onChange, path, readOnly }: { item: EventForm; onChange(item: Feature): void; path: string; readOnly: boolean }) {
  const type = useProblem(`${path}/type`);
  const output = useProblem(`${path}/outputData`);
  return (
    <>
      <Field label={t('field.eventType')} error={type.error} className="max-w-md">
        <select className={INPUT} value={item.type} onBlur={type.onBlur} onChange={(e) => onChange({ ...item, type: e.target.value })}>
          <option value="info">{t('eventType.info')}</option>
          <option value="alert">{t('eventType.alert')}</option>
          <option value="error">{t('eventType.error')}</option>
          {!['info', 'alert', 'error'].includes(item.type) && <option value={item.type}>{item.type || t('none')}</option>}
        </select>
      </Field>
      <Description item={item} onChange={onChange} readOnly={readOnly} />
      <Section title={t('section.output')}>
        <ParamList kind="output" items={item.outputData} onChange={(outputData) => onChange({ ...item, outputData })} listPath={`${path}/outputData`} readOnly={readOnly} />
        {output.error && <p className="mt-1 text-xs text-red-700">{output.error}</p>}
      </Section>
    </>
  );
}
