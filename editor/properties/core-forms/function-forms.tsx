/**
 * The forms of Node-RED's "function" core nodes (see `form-kit.tsx`): the same fields, labels, options and show/hide
 * logic as Node-RED 4.1's own (`@node-red/nodes/core/function/*.html`), and what its `oneditsave` writes. Switch
 * and change are in `function-rule-forms.tsx`.
 */
import { t } from './core-forms.messages.ts';
import { EditableList } from './editable-list.tsx';
import { tf } from './function-forms.messages.ts';
import {
  CheckboxField, CodeField, FormTabs, Hint, inputClass, MsgPropertyField, NameRow, NumberField, Row, SelectField, TextField, textOf, TypedField,
  useCoreForm, useFieldId, useProblems, type CoreForm,
} from './form-kit.tsx';
import { functionRuleForms } from './function-rule-forms.tsx';
import { functionNodeErrors } from './function-syntax.ts';
import { ChoiceRow, ChoiceSelect, InlineMsgProperty, InlineText, useRowProblems } from './function-widgets.tsx';
import { TypedInput, type CustomType } from './typed-input.tsx';

interface ModuleImport {
  var?: string;
  module?: string;
}

/** The modules a function node imports: module name, and the variable it is imported as. */
function ModulesList() {
  const { node, update, commit, readOnly } = useCoreForm();
  const libs = (Array.isArray(node['libs']) ? (node['libs'] as unknown[]) : []).map((lib) => (lib && typeof lib === 'object' ? (lib as ModuleImport) : {}));
  const problems = useProblems('/libs');
  const cell = (index: number, key: 'module' | 'var', item: ModuleImport, set: (item: ModuleImport, ongoing?: boolean) => void, placeholder: string) => (
    <input
      type="text" aria-label={key === 'module' ? tf('fn.moduleName', { n: index + 1 }) : tf('fn.moduleVar', { n: index + 1 })} value={item[key] ?? ''} placeholder={placeholder}
      className={inputClass(problems.length > 0 && !item[key], `w-1/2 ${key === 'var' ? 'font-mono text-xs' : ''}`)}
      onChange={(e) => set({ ...item, [key]: e.target.value }, true)}
    />
  );
  return (
    <Row label={tf('fn.modules')} icon="fa-cubes" problems={problems} hint={tf('fn.modulesHint')}>
      <EditableList<ModuleImport>
        label={tf('fn.module')} items={libs} sortable={false} onCommit={commit} disabled={readOnly}
        header={<div className="flex"><span className="w-1/2">{tf('fn.moduleNameHeader')}</span><span className="w-1/2">{tf('fn.importAs')}</span></div>}
        newItem={() => ({ var: '', module: '' })}
        onChange={(items, _order, ongoing) => update({ libs: items }, ongoing)}
        renderItem={(item, index, set) => (
          <div className="flex gap-1">
            {cell(index, 'module', item, set, tf('fn.modulePlaceholder'))}
            {cell(index, 'var', item, set, tf('fn.varPlaceholder'))}
          </div>
        )}
      />
    </Row>
  );
}

const FunctionForm: CoreForm = () => (
  <>
    <NameRow />
    <FormTabs
      initial="body"
      tabs={[
        {
          id: 'setup',
          label: tf('fn.setup'),
          content: (
            <>
              <div className="flex flex-wrap gap-4">
                <NumberField prop="outputs" label={tf('fn.outputs')} icon="fa-random" store="number" min={0} max={500} width="w-16" />
                <NumberField prop="timeout" label={tf('timeout')} icon="fa-clock-o" placeholder={t('unit.seconds')} suffix={t('unit.seconds')} min={0} width="w-16" />
              </div>
              <ModulesList />
            </>
          ),
        },
        { id: 'init', label: tf('fn.onStart'), content: <CodeField prop="initialize" label={tf('fn.onStart')} language="javascript" hint={tf('fn.onStartHint')} /> },
        { id: 'body', label: tf('fn.onMessage'), content: <CodeField prop="func" label={tf('fn.onMessage')} language="javascript" /> },
        { id: 'finalize', label: tf('fn.onStop'), content: <CodeField prop="finalize" label={tf('fn.onStop')} language="javascript" hint={tf('fn.onStopHint')} /> },
      ]}
    />
  </>
);

/** Node-RED's function editor writes the number of syntax errors in the node's code on every save. */
FunctionForm.save = (node) => {
  const noerr = functionNodeErrors(node);
  return node['noerr'] === noerr ? {} : { noerr };
};

const RangeForm: CoreForm = () => {
  const inputs = useRowProblems('minin', 'maxin');
  const outputs = useRowProblems('minout', 'maxout');
  return (
    <>
      <MsgPropertyField prop="property" label={t('property')} icon="fa-ellipsis-h" />
      <SelectField
        prop="action" label={t('action')} icon="fa-dot-circle-o"
        options={[
          { value: 'scale', label: tf('range.scale') },
          { value: 'clamp', label: tf('range.clamp') },
          { value: 'roll', label: tf('range.roll') },
          { value: 'drop', label: tf('range.drop') },
        ]}
      />
      <Row label={tf('range.input')} icon="fa-sign-in" problems={inputs}>
        <span className="flex items-center gap-1.5 text-xs text-slate-600">
          {tf('range.from')} <InlineText prop="minin" label={tf('range.minin')} placeholder={tf('range.eg', { n: 0 })} />
          {tf('range.to')} <InlineText prop="maxin" label={tf('range.maxin')} placeholder={tf('range.eg', { n: 99 })} />
        </span>
      </Row>
      <Row label={tf('range.target')} icon="fa-sign-out" problems={outputs}>
        <span className="flex items-center gap-1.5 text-xs text-slate-600">
          {tf('range.from')} <InlineText prop="minout" label={tf('range.minout')} placeholder={tf('range.eg', { n: 0 })} />
          {tf('range.to')} <InlineText prop="maxout" label={tf('range.maxout')} placeholder={tf('range.eg', { n: 255 })} />
        </span>
      </Row>
      <CheckboxField prop="round" label={tf('range.round')} />
      <NameRow />
      <Hint>{tf('range.tip')}</Hint>
    </>
  );
};

/** A placeholder that is a property name, as Node-RED shows it in every language. */
const PAYLOAD = 'payload';

/** The template's highlight choices: language names, and "none" (translated when drawn). */
const templateFormats = () => [
  { value: 'handlebars', label: 'mustache' }, { value: 'html', label: 'HTML' }, { value: 'json', label: 'JSON' },
  { value: 'javascript', label: 'JavaScript' }, { value: 'css', label: 'CSS' }, { value: 'markdown', label: 'Markdown' },
  { value: 'php', label: 'PHP' }, { value: 'python', label: 'Python' }, { value: 'sql', label: 'SQL' }, { value: 'yaml', label: 'YAML' },
  { value: 'text', label: tf('template.none') },
];

const TemplateForm: CoreForm = ({ node }) => (
  <>
    <NameRow />
    <TypedField prop="field" typeProp="fieldType" label={t('property')} icon="fa-ellipsis-h" types={['msg', 'flow', 'global']} defaultType="msg" placeholder={PAYLOAD} />
    <SelectField prop="format" label={tf('template.format')} icon="fa-paint-brush" options={templateFormats()} />
    <CodeField prop="template" label={tf('template.template')} icon="fa-file-code-o" language={textOf(node['format'], 'handlebars')} />
    <SelectField prop="syntax" label={tf('template.syntax')} icon="fa-code" options={[{ value: 'mustache', label: tf('template.mustache') }, { value: 'plain', label: tf('template.plain') }]} />
    <SelectField
      prop="output" label={t('outputAs')} icon="fa-long-arrow-right"
      options={[{ value: 'str', label: tf('template.plain') }, { value: 'json', label: tf('template.json') }, { value: 'yaml', label: tf('template.yaml') }]}
    />
  </>
);

const timeUnits = () => [
  { value: 'milliseconds', label: tf('unit.Milliseconds') }, { value: 'seconds', label: tf('unit.Seconds') }, { value: 'minutes', label: tf('unit.Minutes') },
  { value: 'hours', label: tf('unit.Hours') }, { value: 'days', label: tf('unit.Days') },
];

const DelayForm: CoreForm = ({ node }) => {
  const { update } = useCoreForm();
  const pauseType = textOf(node['pauseType'], 'delay');
  const delaying = pauseType === 'delay' || pauseType === 'delayv' || pauseType === 'random';
  const perTopic = pauseType === 'queue' || pauseType === 'timed';
  const dropChoice = node['outputs'] === 2 || node['outputs'] === '2' ? 'emit' : node['drop'] === true ? 'drop' : 'queue';
  /** What Node-RED's `oneditsave` writes for a rate-limit mode and intermediate-message choice. */
  const rateMode = (next: string, drop: string) => ({ pauseType: next, drop: drop !== 'queue', outputs: drop === 'emit' ? 2 : 1 });
  const forProblems = useRowProblems('timeout');
  const randomProblems = useRowProblems('randomFirst', 'randomLast');
  const rateProblems = useRowProblems('rate', 'nbRateUnits');
  const plural = Number(node['nbRateUnits']) > 1;
  const timeoutId = useFieldId('timeout');
  return (
    <>
      <ChoiceRow
        name="delay-action" label={t('action')} icon="fa-tasks" value={delaying ? 'delay' : 'rate'}
        options={[{ value: 'delay', label: tf('delay.delay') }, { value: 'rate', label: tf('delay.rateLimit') }]}
        onChoose={(action) => update(action === 'delay' ? { pauseType: 'delay', outputs: 1 } : rateMode('rate', dropChoice))}
      />
      {delaying ? (
        <>
          <ChoiceSelect
            label={tf('delay.type')} value={pauseType}
            options={[{ value: 'delay', label: tf('delay.fixed') }, { value: 'random', label: tf('delay.random') }, { value: 'delayv', label: tf('delay.variable') }]}
            onChoose={(next) => update({ pauseType: next, outputs: 1 })}
          />
          {pauseType === 'random' ? (
            <Row label={tf('delay.between')} icon="fa-clock-o" problems={randomProblems}>
              <span className="flex flex-wrap items-center gap-1.5 text-xs text-slate-600">
                <InlineText prop="randomFirst" label={tf('delay.randomFirst')} width="w-14" />&amp;
                <InlineText prop="randomLast" label={tf('delay.randomLast')} width="w-14" />
                <SelectUnits prop="randomUnits" label={tf('delay.randomUnits')} options={timeUnits()} />
              </span>
            </Row>
          ) : (
            <Row label={tf('delay.for')} icon="fa-clock-o" problems={forProblems} htmlFor={timeoutId}>
              <span className="flex items-center gap-1.5">
                <InlineText prop="timeout" label={tf('delay.for')} width="w-16" />
                <SelectUnits prop="timeoutUnits" label={tf('delay.units')} options={timeUnits()} />
              </span>
            </Row>
          )}
        </>
      ) : (
        <>
          <ChoiceSelect
            label={tf('delay.rateLimitLabel')} value={perTopic ? 'topic' : 'all'}
            options={[{ value: 'all', label: tf('delay.all') }, { value: 'topic', label: tf('delay.perTopic') }]}
            onChoose={(next) => {
              // Per topic, intermediate messages cannot be queued: Node-RED switches such a node to dropping them.
              update(next === 'all' ? rateMode('rate', dropChoice) : rateMode('queue', dropChoice === 'queue' ? 'drop' : dropChoice));
            }}
          />
          <Row label={tf('delay.rate')} icon="fa-clock-o" problems={rateProblems}>
            <span className="flex flex-wrap items-center gap-1.5 text-xs text-slate-600">
              <InlineText prop="rate" label={tf('delay.rate')} placeholder="1" width="w-12" />
              {tf('delay.msgPer')}
              <InlineText prop="nbRateUnits" label={tf('delay.ratePer')} placeholder="1" width="w-12" />
              <SelectUnits
                prop="rateUnits" label={tf('delay.rateUnits')}
                options={(['second', 'minute', 'hour', 'day'] as const).map((u) => ({ value: u, label: tf(`delay.per.${u}`, { count: plural ? 2 : 1 }) }))}
              />
            </span>
          </Row>
          <CheckboxField prop="allowrate" label={tf('delay.allowrate')} />
          <ChoiceSelect
            label={tf('delay.intermediate')} value={dropChoice}
            options={[
              { value: 'queue', label: tf('delay.queue'), disabled: perTopic },
              { value: 'drop', label: tf('delay.drop') },
              { value: 'emit', label: tf('delay.emit') },
            ]}
            onChoose={(drop) => update(rateMode(perTopic ? pauseType : 'rate', drop))}
          />
          {perTopic && (
            <ChoiceSelect
              label={tf('delay.topics')} value={pauseType}
              options={[{ value: 'queue', label: tf('delay.fairQueue') }, { value: 'timed', label: tf('delay.timedQueue') }]}
              onChoose={(next) => update(rateMode(next, dropChoice))}
            />
          )}
        </>
      )}
      <NameRow />
    </>
  );
};

/** A units select inside a row (delay's "Seconds", "Minutes"…). */
function SelectUnits({ prop, label, options }: { prop: string; label: string; options: readonly { value: string; label: string }[] }) {
  const { node, update } = useCoreForm();
  return <ChoiceSelect label={label} value={textOf(node[prop])} options={options} width="w-32" onChoose={(value) => update({ [prop]: value })} />;
}

const triggerTypes = (kind: 'send' | 'then'): (string | CustomType)[] => [
  'flow', 'global', 'str', 'num', 'bool', 'json', 'bin', 'date', 'env',
  ...(kind === 'send'
    ? [{ value: 'pay', label: tf('trigger.existing'), hasValue: false }]
    : [{ value: 'pay', label: tf('trigger.original'), hasValue: false }, { value: 'payl', label: tf('trigger.latest'), hasValue: false }]),
  { value: 'nul', label: tf('trigger.nothing'), hasValue: false },
];

/** A trigger's stored type: Node-RED's editor shows (and saves) its old default `val` as a string. */
const shownType = (type: unknown) => (type === 'val' || type === undefined ? 'str' : textOf(type));

/** A trigger's value and type as Node-RED's typedInput edits them (op1/op1type, op2/op2type). */
function TriggerValue({ prop, label, kind, placeholder }: { prop: 'op1' | 'op2'; label: string; kind: 'send' | 'then'; placeholder: string }) {
  const { node, update, commit } = useCoreForm();
  const id = useFieldId(prop);
  const problems = useRowProblems(prop, `${prop}type`);
  return (
    <Row label={label} htmlFor={id} problems={problems}>
      <TypedInput
        id={id} label={label} value={textOf(node[prop])} type={shownType(node[`${prop}type`])} types={triggerTypes(kind)} placeholder={placeholder}
        problem={problems[0] ?? null} onChange={(value, type, ongoing) => update({ [prop]: value, [`${prop}type`]: type }, ongoing)} onCommit={commit}
      />
    </Row>
  );
}

const TriggerForm: CoreForm = ({ node }) => {
  const { update } = useCoreForm();
  const durationText = textOf(node['duration']);
  const duration = Number(durationText);
  const then = duration === 0 && durationText.trim() !== '' ? 'block' : duration < 0 ? 'loop' : 'wait';
  const durationProblems = useRowProblems('duration', 'units');
  const bytopicId = useFieldId('bytopic');
  const resetId = useFieldId('reset');
  const topicProblems = useProblems('/topic');
  return (
    <>
      <TriggerValue prop="op1" label={tf('trigger.send')} kind="send" placeholder="1" />
      <ChoiceRow
        name="then" label={tf('trigger.then')} value={then}
        options={[
          { value: 'block', label: tf('trigger.waitReset') },
          { value: 'wait', label: tf('trigger.waitFor') },
          ...(shownType(node['op1type']) === 'nul' ? [] : [{ value: 'loop', label: tf('trigger.loop') }]),
        ]}
        onChoose={(next) => {
          const magnitude = duration === 0 || !Number.isFinite(duration) ? '250' : String(Math.abs(duration));
          if (next === 'block') update({ duration: '0', outputs: 1 });
          else if (next === 'loop') update({ duration: String(-Number(magnitude)), outputs: 1 });
          else update({ duration: magnitude });
        }}
      />
      {then !== 'block' && (
        <Row label="" problems={durationProblems}>
          <span className="flex items-center gap-1.5">
            <InlineText
              prop="duration" label={tf('trigger.duration')} width="w-20"
              fromStored={(v) => (then === 'loop' ? textOf(v).replace(/^\s*-/, '') : textOf(v))}
              toStored={(t) => (then === 'loop' && /^\s*\d*\.?\d+\s*$/.test(t) && Number(t) !== 0 ? String(-Number(t)) : t)}
            />
            <SelectUnits
              prop="units" label={tf('trigger.units')}
              options={[{ value: 'ms', label: tf('unit.Milliseconds') }, { value: 's', label: tf('unit.Seconds') }, { value: 'min', label: tf('unit.Minutes') }, { value: 'hr', label: tf('unit.Hours') }]}
            />
          </span>
        </Row>
      )}
      {then === 'wait' && <CheckboxField prop="extend" label={tf('trigger.extend')} />}
      {then !== 'block' && <CheckboxField prop="overrideDelay" label={tf('trigger.override')} />}
      {then === 'wait' && (
        <>
          <TriggerValue prop="op2" label={tf('trigger.thenSend')} kind="then" placeholder="0" />
          <SecondOutput />
        </>
      )}
      <Row label={tf('trigger.reset')} htmlFor={resetId}>
        <ul className="list-disc space-y-1 pl-5 text-xs text-slate-700">
          <li>{tf('trigger.resetMessage')}</li>
          <li className="flex items-center gap-1.5">
            {tf('trigger.resetPayload')} <InlineText prop="reset" label={tf('trigger.resetPayloadLabel')} placeholder={tf('optional')} width="w-28" />
          </li>
        </ul>
      </Row>
      <Row label={tf('trigger.handling')} htmlFor={bytopicId} problems={topicProblems}>
        <span className="flex min-w-0 items-center gap-1.5">
          <ChoiceSelect
            id={bytopicId} value={textOf(node['bytopic'], 'all')} width="w-32 shrink-0"
            options={[{ value: 'all', label: tf('trigger.all') }, { value: 'topic', label: tf('trigger.each') }]} onChoose={(bytopic) => update({ bytopic })}
          />
          {node['bytopic'] === 'topic' && <InlineMsgProperty prop="topic" label={tf('topicProperty')} />}
        </span>
      </Row>
      <NameRow />
    </>
  );
};

/** "send second message to separate output": two outputs. */
function SecondOutput() {
  const { node, update } = useCoreForm();
  const id = useFieldId('second');
  return (
    <label htmlFor={id} className="flex items-center gap-2 text-sm text-slate-800">
      <input id={id} type="checkbox" className="h-4 w-4" checked={Number(node['outputs']) === 2} onChange={(e) => update({ outputs: e.target.checked ? 2 : 1 })} />
      {tf('trigger.second')}
    </label>
  );
}

/** What Node-RED's editor rewrites on every trigger it saves: the old `val` type as `str`, flags as booleans. */
TriggerForm.save = (node) => {
  const patch: Record<string, unknown> = {};
  for (const type of ['op1type', 'op2type']) if (node[type] === 'val') patch[type] = 'str';
  for (const flag of ['extend', 'overrideDelay']) if (typeof node[flag] === 'string') patch[flag] = node[flag] === 'true';
  if (typeof node['outputs'] === 'string') patch['outputs'] = Number(node['outputs']) === 2 ? 2 : 1;
  return patch;
};

const ExecForm: CoreForm = ({ node }) => {
  const { update, commit } = useCoreForm();
  const addpay = node['addpay'];
  const appending = addpay === true || (addpay !== false && addpay !== '' && addpay !== undefined);
  const shown = typeof addpay === 'string' && addpay !== '' ? addpay : 'payload';
  const id = useFieldId('addpay');
  const problems = useProblems('/addpay');
  return (
    <>
      <TextField prop="command" label={tf('exec.command')} icon="fa-file" placeholder={tf('exec.command')} mono />
      <Row label={tf('exec.append')} icon="fa-plus" problems={problems}>
        <span className="flex min-w-0 items-center gap-1.5">
          <input
            id={`${id}-cb`} type="checkbox" aria-label={tf('exec.appendMsg')} className="h-4 w-4 shrink-0" checked={appending}
            onChange={(e) => update({ addpay: e.target.checked ? shown : '' })}
          />
          <TypedInput
            id={id} label={tf('exec.appended')} value={shown} type="msg" types={['msg']} disabled={!appending} className="min-w-0 flex-1"
            problem={problems[0] ?? null} onChange={(value, _t, ongoing) => update({ addpay: value }, ongoing)} onCommit={commit}
          />
        </span>
      </Row>
      <TextField prop="append" label={<span className="sr-only">{tf('exec.extra')}</span>} placeholder={tf('exec.extra')} mono />
      <SelectField
        prop="useSpawn" label={t('output')} icon="fa-sign-out"
        options={[{ value: 'false', label: tf('exec.exec') }, { value: 'true', label: tf('exec.spawn') }]}
      />
      <NumberField prop="timer" label={tf('timeout')} icon="fa-clock-o" placeholder={tf('optional')} suffix={t('unit.seconds')} width="w-20" />
      <CheckboxField prop="winHide" label={tf('exec.winHide')} hint={tf('exec.windowsOnly')} />
      <NameRow />
      <Hint>{tf('exec.hint')}</Hint>
    </>
  );
};

const RbeForm: CoreForm = ({ node }) => {
  const func = textOf(node['func'], 'rbe');
  const banded = func !== 'rbe' && func !== 'rbei';
  const narrow = func === 'narrowband' || func === 'narrowbandEq';
  const septopics = node['septopics'] !== false && node['septopics'] !== 'false';
  const gapProblems = useRowProblems('gap', 'inout');
  const topiId = useFieldId('topi');
  const topiProblems = useProblems('/topi');
  return (
    <>
      <SelectField
        prop="func" label={t('mode')} icon="fa-wrench"
        options={[
          { value: 'rbe', label: tf('rbe.rbe') },
          { value: 'rbei', label: tf('rbe.rbei') },
          { value: 'deadbandEq', label: tf('rbe.deadbandEq') },
          { value: 'deadband', label: tf('rbe.deadband') },
          { value: 'narrowbandEq', label: tf('rbe.narrowbandEq') },
          { value: 'narrowband', label: tf('rbe.narrowband') },
        ]}
      />
      {banded && (
        <Row label={tf('rbe.gap')} problems={gapProblems}>
          <span className="flex min-w-0 flex-wrap items-center gap-1.5">
            <InlineText prop="gap" label={tf('rbe.gap')} placeholder={tf('rbe.gapPlaceholder')} width="w-24" />
            <SelectUnits prop="inout" label={tf('rbe.comparedTo')} options={[{ value: 'out', label: tf('rbe.out') }, { value: 'in', label: tf('rbe.in') }]} />
          </span>
        </Row>
      )}
      {narrow && <TextField prop="start" label={tf('rbe.start')} icon="fa-thumb-tack" placeholder={tf('rbe.startPlaceholder')} />}
      <MsgPropertyField prop="property" label={t('property')} icon="fa-ellipsis-h" />
      <CheckboxField prop="septopics" label={tf('rbe.septopics')} />
      <Row label={tf('rbe.topic')} htmlFor={topiId} problems={topiProblems}>
        <InlineMsgProperty prop="topi" label={tf('topicProperty')} disabled={!septopics} />
      </Row>
      <NameRow />
    </>
  );
};

export const functionForms = {
  function: FunctionForm,
  ...functionRuleForms,
  range: RangeForm,
  template: TemplateForm,
  delay: DelayForm,
  trigger: TriggerForm,
  exec: ExecForm,
  rbe: RbeForm,
} satisfies Readonly<Record<string, CoreForm>>;
