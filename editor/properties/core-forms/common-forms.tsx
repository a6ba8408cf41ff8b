/**
 * The forms of Node-RED's "common" core nodes (see `form-kit.tsx`): inject, debug, complete, catch, status, link in,
 * link call, link out and comment, with Node-RED 4.1's fields, texts and show/hide logic, writing what its
 * `oneditsave` writes.
 */
import { useState, type JSX } from 'react';
import { EditableList } from './editable-list.tsx';
import {
  CheckboxField, CodeField, NameRow, NodeListField, NumberField, Row, SelectField, TypedField, textOf, useCoreForm, useFieldId, useProblems,
  type CoreForm,
} from './form-kit.tsx';
import { LinkTargetsField, ScopeRows, switchToReturn } from './common-widgets.tsx';
import {
  debugOutput, endHours, hourLabel, injectPropsPatch, injectRows, MINUTE_STEPS, readSchedule, WEEK_DAYS, writeSchedule,
  type InjectProp, type RepeatMode, type Schedule,
} from './common-form-model.ts';
import { t } from './core-forms.messages.ts';
import { TypedInput, type TypeSpec } from './typed-input.tsx';

/** The value types of an inject property, in Node-RED's order. */
const INJECT_VALUE_TYPES: readonly TypeSpec[] = ['flow', 'global', 'str', 'num', 'bool', 'json', 'bin', 'date', 'jsonata', 'env', 'msg'];

const control = 'min-w-0 rounded border border-slate-300 px-2 py-1 text-sm focus:outline-none focus:ring-1 focus:ring-sky-500 disabled:bg-slate-50 disabled:text-slate-500';

function InjectPropsList(): JSX.Element {
  const { node, update, commit, readOnly } = useCoreForm();
  const problems = useProblems('/props');
  const payloadProblems = useProblems('/payload');
  const rows = injectRows(node);
  return (
    <Row label={t('inject.properties')} problems={[...problems, ...payloadProblems]}>
      <EditableList<InjectProp>
        label={t('inject.property')} items={rows} disabled={readOnly} onCommit={commit}
        newItem={() => ({ p: '', v: '', vt: 'str' })}
        onChange={(items, _order, ongoing) => update(injectPropsPatch(items), ongoing)}
        renderItem={(row, index, set) => (
          <div className="flex min-w-0 flex-col gap-1">
            <TypedInput
              label={t('inject.propertyName', { n: index + 1 })} value={row.p} type="msg" types={['msg']} placeholder=""
              problem={row.p.trim() === '' ? t('inject.propertyNeedsName') : undefined}
              onChange={(value, _type, ongoing) => set({ ...row, p: value }, ongoing)} onCommit={commit}
            />
            <div className="flex min-w-0 items-center gap-1">
              <span className="text-xs text-slate-500">=</span>
              <TypedInput
                className="flex-1" label={t('inject.propertyValue', { n: index + 1 })} value={row.v} type={row.vt} types={INJECT_VALUE_TYPES}
                onChange={(value, type, ongoing) => set({ ...row, v: value, vt: type }, ongoing)} onCommit={commit}
              />
            </div>
          </div>
        )}
      />
    </Row>
  );
}

function InjectOnce(): JSX.Element {
  const { node, update, commit } = useCoreForm();
  const onceId = useFieldId('once');
  const delayId = useFieldId('onceDelay');
  const problems = useProblems('/onceDelay');
  const once = node['once'] === true || node['once'] === 'true';
  return (
    <div className="space-y-0.5" data-invalid={problems.length > 0 || undefined}>
      <div className="flex flex-wrap items-center gap-1 text-sm text-slate-800">
        <input id={onceId} type="checkbox" className="h-4 w-4" checked={once} onChange={(e) => update({ once: e.target.checked })} />
        <label htmlFor={onceId}>{t('inject.onceAfter')}</label>
        <input
          id={delayId} type="text" inputMode="decimal" aria-label={t('inject.onceDelay')} placeholder="0.1" disabled={!once}
          value={textOf(node['onceDelay'])} aria-invalid={problems.length > 0}
          className={`${control} w-12 px-1 ${problems.length > 0 ? 'border-red-500' : ''}`}
          onChange={(e) => update({ onceDelay: e.target.value }, true)} onBlur={commit}
        />
        <span>{t('inject.secondsThen')}</span>
      </div>
      {problems.map((message) => (
        <p key={message} className="text-xs text-red-700">{message}</p>
      ))}
    </div>
  );
}

function DayBoxes({ days, onChange, label }: { days: readonly string[]; onChange(days: string[]): void; label: string }): JSX.Element {
  return (
    <fieldset className="grid grid-cols-2 gap-x-2 text-sm">
      <legend className="text-xs text-slate-600">{label}</legend>
      {WEEK_DAYS.map((day) => (
        <label key={day.value} className="flex items-center gap-1">
          <input
            type="checkbox" checked={days.includes(day.value)}
            onChange={(e) => onChange(e.target.checked ? [...days, day.value] : days.filter((d) => d !== day.value))}
          />
          {t(`day.${day.day}`)}
        </label>
      ))}
    </fieldset>
  );
}

/** Repeat: none, an interval, an interval between times, or a time of day (on days of the week). */
function InjectRepeat(): JSX.Element {
  const { node, update, commit } = useCoreForm();
  const id = useFieldId('repeat-mode');
  const problems = [...useProblems('/repeat'), ...useProblems('/crontab')];
  // The rows as last chosen here, while they still write what the node has; else (undo, import) the node's own.
  const [draft, setDraft] = useState<Schedule | null>(null);
  const written = draft ? writeSchedule(draft) : null;
  const schedule = draft && written && written.repeat === textOf(node['repeat']) && written.crontab === textOf(node['crontab'])
    ? draft
    : readSchedule(node['repeat'], node['crontab']);
  const change = (next: Partial<Schedule>, ongoing = false) => {
    const merged = { ...schedule, ...next };
    setDraft(merged);
    update(writeSchedule(merged), ongoing);
  };
  const choose = (mode: RepeatMode) => change({ mode });
  return (
    <>
      <Row label={t('inject.repeat')} icon="fa-repeat" htmlFor={id} problems={problems}>
        <select id={id} value={schedule.mode} className={`${control} w-full`} onChange={(e) => choose(e.target.value as RepeatMode)}>
          <option value="none">{t('inject.repeat.none')}</option>
          <option value="interval">{t('inject.repeat.interval')}</option>
          <option value="interval-time">{t('inject.repeat.intervalTime')}</option>
          <option value="time">{t('inject.repeat.time')}</option>
        </select>
      </Row>
      {schedule.mode === 'interval' && (
        <div className="flex items-center gap-1.5 pl-5 text-sm">
          <span>{t('inject.every')}</span>
          <input
            type="text" inputMode="numeric" aria-label={t('inject.interval')} value={schedule.count} className={`${control} w-20`}
            onChange={(e) => change({ count: e.target.value }, true)} onBlur={commit}
          />
          <select aria-label={t('inject.intervalUnits')} value={schedule.units} className={control} onChange={(e) => change({ units: e.target.value as Schedule['units'] })}>
            <option value="s">{t('unit.seconds')}</option>
            <option value="m">{t('unit.minutes')}</option>
            <option value="h">{t('unit.hours')}</option>
          </select>
        </div>
      )}
      {schedule.mode === 'interval-time' && (
        <div className="space-y-1.5 pl-5 text-sm">
          <div className="flex items-center gap-1.5">
            <span>{t('inject.every')}</span>
            <select aria-label={t('inject.minutesBetween')} value={schedule.step} className={control} onChange={(e) => change({ step: e.target.value })}>
              {MINUTE_STEPS.map((s) => (
                <option key={s.value} value={s.value}>{s.label}</option>
              ))}
            </select>
            <span>{t('unit.minutes')}</span>
          </div>
          <div className="flex flex-wrap items-center gap-1.5">
            <span>{t('inject.between')}</span>
            <select
              aria-label={t('inject.from')} value={schedule.start} className={control}
              onChange={(e) => {
                const start = Number(e.target.value);
                change({ start, end: schedule.end > start ? schedule.end : start + 1 });
              }}
            >
              {Array.from({ length: 24 }, (_, h) => (
                <option key={h} value={h}>{hourLabel(h)}</option>
              ))}
            </select>
            <span>{t('inject.and')}</span>
            <select aria-label={t('inject.until')} value={schedule.end} className={control} onChange={(e) => change({ end: Number(e.target.value) })}>
              {endHours(schedule.start).map((h) => (
                <option key={h} value={h}>{hourLabel(h)}</option>
              ))}
            </select>
          </div>
          <DayBoxes label={t('inject.on')} days={schedule.days} onChange={(days) => change({ days })} />
        </div>
      )}
      {schedule.mode === 'time' && (
        <div className="space-y-1.5 pl-5 text-sm">
          <label className="flex items-center gap-1.5">
            <span>{t('inject.at')}</span>
            <input type="time" aria-label={t('inject.time')} value={schedule.time} className={control} onChange={(e) => change({ time: e.target.value })} />
          </label>
          <DayBoxes label={t('inject.on')} days={schedule.days} onChange={(days) => change({ days })} />
        </div>
      )}
    </>
  );
}

const InjectForm: CoreForm = () => (
  <>
    <NameRow />
    <InjectPropsList />
    <InjectOnce />
    <InjectRepeat />
  </>
);

const FULL: TypeSpec = { value: 'full', label: () => t('debug.full'), hasValue: false };
const AUTO: TypeSpec = { value: 'auto', label: () => t('debug.auto'), hasValue: false };
const COUNTER: TypeSpec = { value: 'counter', label: () => t('debug.counter'), hasValue: false };

function DebugOutputRow(): JSX.Element {
  const { node, update, commit } = useCoreForm();
  const id = useFieldId('complete');
  const problems = useProblems('/complete');
  const output = debugOutput(node);
  const write = (value: string, type: string, ongoing: boolean) => {
    if (type === 'full') update({ complete: 'true', targetType: 'full' });
    // An emptied message property goes back to "payload", as Node-RED's form does on change.
    else update({ complete: type === 'msg' && value === '' && !ongoing ? 'payload' : value, targetType: type }, ongoing);
  };
  return (
    <Row label={t('debug.output')} icon="fa-list" htmlFor={id} problems={problems}>
      <TypedInput
        id={id} label={t('debug.output')} value={output.value} type={output.type} types={['msg', FULL, 'jsonata']}
        problem={problems[0]} onChange={write}
        onCommit={() => {
          commit();
          if (output.type === 'msg' && output.value === '') update({ complete: 'payload', targetType: 'msg' });
        }}
      />
    </Row>
  );
}

function DebugToStatus(): JSX.Element {
  const { node, update } = useCoreForm();
  const id = useFieldId('tostatus');
  return (
    <label htmlFor={id} className="flex items-center gap-2 text-sm text-slate-800">
      <input
        id={id} type="checkbox" className="h-4 w-4" checked={node['tostatus'] === true}
        onChange={(e) => {
          if (!e.target.checked) {
            update({ tostatus: false, statusType: 'auto', statusVal: '' });
          } else if (node['statusType'] === 'counter') {
            update({ tostatus: true, statusVal: '' });
          } else if (node['statusVal'] === undefined || node['statusVal'] === '') {
            const output = debugOutput(node);
            update({ tostatus: true, statusType: 'auto', statusVal: output.type === 'full' ? 'payload' : output.value });
          } else {
            update({ tostatus: true });
          }
        }}
      />
      {t('debug.toStatus')}
    </label>
  );
}

const DebugForm: CoreForm = ({ node }) => (
  <>
    <DebugOutputRow />
    <Row label={t('debug.to')} icon="fa-random">
      <div className="space-y-1">
        <CheckboxField prop="tosidebar" label={t('debug.toSidebar')} />
        <CheckboxField prop="console" label={t('debug.toConsole')} />
        <DebugToStatus />
      </div>
    </Row>
    {node['tostatus'] === true && (
      <TypedField prop="statusVal" typeProp="statusType" label={t('debug.status')} types={[AUTO, 'msg', 'jsonata', COUNTER]} defaultType="auto" />
    )}
    <NameRow />
  </>
);

const CompleteForm: CoreForm = () => (
  <>
    <NodeListField prop="scope" label={t('complete.scope')} hint={t('complete.scopeHint')} />
    <NameRow />
  </>
);

const CatchForm: CoreForm = ({ node }) => (
  <>
    <ScopeRows label={t('catch.scope')} onTarget={{ uncaught: false }} />
    {!Array.isArray(node['scope']) && <CheckboxField prop="uncaught" label={t('catch.uncaught')} />}
    <NameRow />
  </>
);

const StatusForm: CoreForm = () => (
  <>
    <ScopeRows label={t('status.scope')} />
    <NameRow />
  </>
);

const LinkInForm: CoreForm = () => (
  <>
    <NameRow />
    <LinkTargetsField target="link out" />
  </>
);

const LinkOutForm: CoreForm = ({ node }) => {
  const { store, update } = useCoreForm();
  const links = Array.isArray(node['links']) ? (node['links'] as string[]) : [];
  const id = useFieldId('mode');
  return (
    <>
      <NameRow />
      <Row label={t('link.mode')} htmlFor={id}>
        <select
          id={id} value={node['mode'] === 'return' ? 'return' : 'link'} className={`${control} w-full`}
          onChange={(e) => (e.target.value === 'return' ? switchToReturn(store, node.id, links) : update({ mode: 'link' }))}
        >
          <option value="link">{t('link.sendToAll')}</option>
          <option value="return">{t('link.returnToCaller')}</option>
        </select>
      </Row>
      {node['mode'] !== 'return' && <LinkTargetsField target="link in" />}
    </>
  );
};

const LinkCallForm: CoreForm = ({ node }) => (
  <>
    <NameRow />
    <NumberField prop="timeout" label={t('link.timeout')} icon="fa-clock-o" placeholder="30" suffix={t('unit.seconds')} />
    <SelectField
      prop="linkType" label={t('link.type')}
      options={[
        { value: 'static', label: t('link.static') },
        { value: 'dynamic', label: t('link.dynamic') },
      ]}
    />
    {node['linkType'] !== 'dynamic' && <LinkTargetsField target="link in" single />}
  </>
);

const CommentForm: CoreForm = () => (
  <>
    <NameRow />
    <CodeField prop="info" label={t('comment.text')} icon="fa-file-text-o" language="markdown" hint={t('comment.hint')} />
  </>
);

export const commonForms = {
  inject: InjectForm,
  debug: DebugForm,
  complete: CompleteForm,
  catch: CatchForm,
  status: StatusForm,
  'link in': LinkInForm,
  'link call': LinkCallForm,
  'link out': LinkOutForm,
  comment: CommentForm,
} satisfies Readonly<Record<string, CoreForm>>;
