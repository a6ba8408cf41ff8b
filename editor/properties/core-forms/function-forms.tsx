/**
 * The forms of Node-RED's "function" core nodes (see `form-kit.tsx`): the same fields, labels, options and show/hide
 * logic as Node-RED 4.1's own (`@node-red/nodes/core/function/*.html`), and what its `oneditsave` writes. Switch
 * and change are in `function-rule-forms.tsx`.
 */
import { EditableList } from './editable-list.tsx';
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
      type="text" aria-label={`Module ${index + 1} ${key === 'module' ? 'name' : 'variable'}`} value={item[key] ?? ''} placeholder={placeholder}
      className={inputClass(problems.length > 0 && !item[key], `w-1/2 ${key === 'var' ? 'font-mono text-xs' : ''}`)}
      onChange={(e) => set({ ...item, [key]: e.target.value }, true)}
    />
  );
  return (
    <Row label="Modules" icon="fa-cubes" problems={problems} hint="This server runs function nodes without external modules: a node that imports one does not start.">
      <EditableList<ModuleImport>
        label="Module" items={libs} sortable={false} onCommit={commit} disabled={readOnly}
        header={<div className="flex"><span className="w-1/2">Module name</span><span className="w-1/2">Import as</span></div>}
        newItem={() => ({ var: '', module: '' })}
        onChange={(items, _order, ongoing) => update({ libs: items }, ongoing)}
        renderItem={(item, index, set) => (
          <div className="flex gap-1">
            {cell(index, 'module', item, set, 'module')}
            {cell(index, 'var', item, set, 'variable')}
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
          label: 'Setup',
          content: (
            <>
              <div className="flex flex-wrap gap-4">
                <NumberField prop="outputs" label="Outputs" icon="fa-random" store="number" min={0} max={500} width="w-16" />
                <NumberField prop="timeout" label="Timeout" icon="fa-clock-o" placeholder="seconds" suffix="seconds" min={0} width="w-16" />
              </div>
              <ModulesList />
            </>
          ),
        },
        { id: 'init', label: 'On Start', content: <CodeField prop="initialize" label="On Start" language="javascript" hint="Runs once whenever the node is started." /> },
        { id: 'body', label: 'On Message', content: <CodeField prop="func" label="On Message" language="javascript" /> },
        { id: 'finalize', label: 'On Stop', content: <CodeField prop="finalize" label="On Stop" language="javascript" hint="Runs when the node is stopped or re-deployed." /> },
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
      <MsgPropertyField prop="property" label="Property" icon="fa-ellipsis-h" />
      <SelectField
        prop="action" label="Action" icon="fa-dot-circle-o"
        options={[
          { value: 'scale', label: 'Scale the message property' },
          { value: 'clamp', label: 'Scale and limit to the target range' },
          { value: 'roll', label: 'Scale and wrap within the target range' },
          { value: 'drop', label: "Scale, but drop msg if outside input range" },
        ]}
      />
      <Row label="Map the input range:" icon="fa-sign-in" problems={inputs}>
        <span className="flex items-center gap-1.5 text-xs text-slate-600">
          from: <InlineText prop="minin" label="input from" placeholder="e.g. 0" />
          to: <InlineText prop="maxin" label="input to" placeholder="e.g. 99" />
        </span>
      </Row>
      <Row label="to the target range:" icon="fa-sign-out" problems={outputs}>
        <span className="flex items-center gap-1.5 text-xs text-slate-600">
          from: <InlineText prop="minout" label="target from" placeholder="e.g. 0" />
          to: <InlineText prop="maxout" label="target to" placeholder="e.g. 255" />
        </span>
      </Row>
      <CheckboxField prop="round" label="Round result to the nearest integer?" />
      <NameRow />
      <Hint>Tip: This node ONLY works with numbers.</Hint>
    </>
  );
};

const TEMPLATE_FORMATS = [
  { value: 'handlebars', label: 'mustache' }, { value: 'html', label: 'HTML' }, { value: 'json', label: 'JSON' },
  { value: 'javascript', label: 'JavaScript' }, { value: 'css', label: 'CSS' }, { value: 'markdown', label: 'Markdown' },
  { value: 'php', label: 'PHP' }, { value: 'python', label: 'Python' }, { value: 'sql', label: 'SQL' }, { value: 'yaml', label: 'YAML' },
  { value: 'text', label: 'none' },
];

const TemplateForm: CoreForm = ({ node }) => (
  <>
    <NameRow />
    <TypedField prop="field" typeProp="fieldType" label="Property" icon="fa-ellipsis-h" types={['msg', 'flow', 'global']} defaultType="msg" placeholder="payload" />
    <SelectField prop="format" label="Syntax Highlight" icon="fa-paint-brush" options={TEMPLATE_FORMATS} />
    <CodeField prop="template" label="Template" icon="fa-file-code-o" language={textOf(node['format'], 'handlebars')} />
    <SelectField prop="syntax" label="Format" icon="fa-code" options={[{ value: 'mustache', label: 'Mustache template' }, { value: 'plain', label: 'Plain text' }]} />
    <SelectField
      prop="output" label="Output as" icon="fa-long-arrow-right"
      options={[{ value: 'str', label: 'Plain text' }, { value: 'json', label: 'Parsed JSON' }, { value: 'yaml', label: 'Parsed YAML' }]}
    />
  </>
);

const TIME_UNITS = [
  { value: 'milliseconds', label: 'Milliseconds' }, { value: 'seconds', label: 'Seconds' }, { value: 'minutes', label: 'Minutes' },
  { value: 'hours', label: 'Hours' }, { value: 'days', label: 'Days' },
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
        name="delay-action" label="Action" icon="fa-tasks" value={delaying ? 'delay' : 'rate'}
        options={[{ value: 'delay', label: 'Delay each message' }, { value: 'rate', label: 'Rate Limit' }]}
        onChoose={(action) => update(action === 'delay' ? { pauseType: 'delay', outputs: 1 } : rateMode('rate', dropChoice))}
      />
      {delaying ? (
        <>
          <ChoiceSelect
            label="Delay type" value={pauseType}
            options={[{ value: 'delay', label: 'Fixed delay' }, { value: 'random', label: 'Random delay' }, { value: 'delayv', label: 'Override delay with msg.delay' }]}
            onChoose={(next) => update({ pauseType: next, outputs: 1 })}
          />
          {pauseType === 'random' ? (
            <Row label="Between" icon="fa-clock-o" problems={randomProblems}>
              <span className="flex flex-wrap items-center gap-1.5 text-xs text-slate-600">
                <InlineText prop="randomFirst" label="first random value" width="w-14" />&amp;
                <InlineText prop="randomLast" label="last random value" width="w-14" />
                <SelectUnits prop="randomUnits" label="Random units" options={TIME_UNITS} />
              </span>
            </Row>
          ) : (
            <Row label="For" icon="fa-clock-o" problems={forProblems} htmlFor={timeoutId}>
              <span className="flex items-center gap-1.5">
                <InlineText prop="timeout" label="For" width="w-16" />
                <SelectUnits prop="timeoutUnits" label="Delay units" options={TIME_UNITS} />
              </span>
            </Row>
          )}
        </>
      ) : (
        <>
          <ChoiceSelect
            label="Rate limit" value={perTopic ? 'topic' : 'all'}
            options={[{ value: 'all', label: 'All messages' }, { value: 'topic', label: 'For each msg.topic' }]}
            onChoose={(next) => {
              // Per topic, intermediate messages cannot be queued: Node-RED switches such a node to dropping them.
              update(next === 'all' ? rateMode('rate', dropChoice) : rateMode('queue', dropChoice === 'queue' ? 'drop' : dropChoice));
            }}
          />
          <Row label="Rate" icon="fa-clock-o" problems={rateProblems}>
            <span className="flex flex-wrap items-center gap-1.5 text-xs text-slate-600">
              <InlineText prop="rate" label="Rate" placeholder="1" width="w-12" />
              msg(s) per
              <InlineText prop="nbRateUnits" label="Rate per" placeholder="1" width="w-12" />
              <SelectUnits
                prop="rateUnits" label="Rate units"
                options={['second', 'minute', 'hour', 'day'].map((u) => ({ value: u, label: `${u.charAt(0).toUpperCase()}${u.slice(1)}${plural ? 's' : ''}` }))}
              />
            </span>
          </Row>
          <CheckboxField prop="allowrate" label="allow msg.rate (in ms) to override rate" />
          <ChoiceSelect
            label="Intermediate messages" value={dropChoice}
            options={[
              { value: 'queue', label: 'Queue intermediate messages', disabled: perTopic },
              { value: 'drop', label: 'Drop intermediate messages' },
              { value: 'emit', label: 'Send intermediate messages on 2nd output' },
            ]}
            onChoose={(drop) => update(rateMode(perTopic ? pauseType : 'rate', drop))}
          />
          {perTopic && (
            <ChoiceSelect
              label="Topics" value={pauseType}
              options={[{ value: 'queue', label: 'Send each topic in turn' }, { value: 'timed', label: 'Send all topics' }]}
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
    ? [{ value: 'pay', label: 'the existing msg object', hasValue: false }]
    : [{ value: 'pay', label: 'the original msg object', hasValue: false }, { value: 'payl', label: 'the latest msg object', hasValue: false }]),
  { value: 'nul', label: 'nothing', hasValue: false },
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
      <TriggerValue prop="op1" label="Send" kind="send" placeholder="1" />
      <ChoiceRow
        name="then" label="then" value={then}
        options={[
          { value: 'block', label: 'wait to be reset' },
          { value: 'wait', label: 'wait for' },
          ...(shownType(node['op1type']) === 'nul' ? [] : [{ value: 'loop', label: 'resend it every' }]),
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
              prop="duration" label="duration" width="w-20"
              fromStored={(v) => (then === 'loop' ? textOf(v).replace(/^\s*-/, '') : textOf(v))}
              toStored={(t) => (then === 'loop' && /^\s*\d*\.?\d+\s*$/.test(t) && Number(t) !== 0 ? String(-Number(t)) : t)}
            />
            <SelectUnits
              prop="units" label="Units"
              options={[{ value: 'ms', label: 'Milliseconds' }, { value: 's', label: 'Seconds' }, { value: 'min', label: 'Minutes' }, { value: 'hr', label: 'Hours' }]}
            />
          </span>
        </Row>
      )}
      {then === 'wait' && <CheckboxField prop="extend" label="extend delay if new message arrives" />}
      {then !== 'block' && <CheckboxField prop="overrideDelay" label="override delay with msg.delay" />}
      {then === 'wait' && (
        <>
          <TriggerValue prop="op2" label="then send" kind="then" placeholder="0" />
          <SecondOutput />
        </>
      )}
      <Row label="Reset the trigger if:" htmlFor={resetId}>
        <ul className="list-disc space-y-1 pl-5 text-xs text-slate-700">
          <li>msg.reset is set</li>
          <li className="flex items-center gap-1.5">
            msg.payload equals <InlineText prop="reset" label="Reset if msg.payload equals" placeholder="optional" width="w-28" />
          </li>
        </ul>
      </Row>
      <Row label="Handling" htmlFor={bytopicId} problems={topicProblems}>
        <span className="flex min-w-0 items-center gap-1.5">
          <ChoiceSelect
            id={bytopicId} value={textOf(node['bytopic'], 'all')} width="w-32 shrink-0"
            options={[{ value: 'all', label: 'all messages' }, { value: 'topic', label: 'each' }]} onChoose={(bytopic) => update({ bytopic })}
          />
          {node['bytopic'] === 'topic' && <InlineMsgProperty prop="topic" label="Topic property" />}
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
      send second message to separate output
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
      <TextField prop="command" label="Command" icon="fa-file" placeholder="Command" mono />
      <Row label="Append" icon="fa-plus" problems={problems}>
        <span className="flex min-w-0 items-center gap-1.5">
          <input
            id={`${id}-cb`} type="checkbox" aria-label="Append msg property" className="h-4 w-4 shrink-0" checked={appending}
            onChange={(e) => update({ addpay: e.target.checked ? shown : '' })}
          />
          <TypedInput
            id={id} label="Appended msg property" value={shown} type="msg" types={['msg']} disabled={!appending} className="min-w-0 flex-1"
            problem={problems[0] ?? null} onChange={(value, _t, ongoing) => update({ addpay: value }, ongoing)} onCommit={commit}
          />
        </span>
      </Row>
      <TextField prop="append" label={<span className="sr-only">extra input parameters</span>} placeholder="extra input parameters" mono />
      <SelectField
        prop="useSpawn" label="Output" icon="fa-sign-out"
        options={[{ value: 'false', label: 'when the command is complete - exec mode' }, { value: 'true', label: 'while the command is running - spawn mode' }]}
      />
      <NumberField prop="timer" label="Timeout" icon="fa-clock-o" placeholder="optional" suffix="seconds" width="w-20" />
      <CheckboxField prop="winHide" label="Hide console" hint="Windows only." />
      <NameRow />
      <Hint>Runs the command on the server, as the server&apos;s user: only users who may deploy code (admins, by default) add or change exec nodes.</Hint>
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
        prop="func" label="Mode" icon="fa-wrench"
        options={[
          { value: 'rbe', label: 'block unless value changes' },
          { value: 'rbei', label: 'block unless value changes (ignore initial value)' },
          { value: 'deadbandEq', label: 'block unless value change is greater or equal to' },
          { value: 'deadband', label: 'block unless value change is greater than' },
          { value: 'narrowbandEq', label: 'block if value change is greater or equal to' },
          { value: 'narrowband', label: 'block if value change is greater than' },
        ]}
      />
      {banded && (
        <Row label="value change" problems={gapProblems}>
          <span className="flex min-w-0 flex-wrap items-center gap-1.5">
            <InlineText prop="gap" label="value change" placeholder="e.g. 10 or 5%" width="w-24" />
            <SelectUnits prop="inout" label="Compared to" options={[{ value: 'out', label: 'compared to last valid output value' }, { value: 'in', label: 'compared to last input value' }]} />
          </span>
        </Row>
      )}
      {narrow && <TextField prop="start" label="Start value" icon="fa-thumb-tack" placeholder="leave blank to use first data received" />}
      <MsgPropertyField prop="property" label="Property" icon="fa-ellipsis-h" />
      <CheckboxField prop="septopics" label="Apply mode separately for each topic" />
      <Row label="topic" htmlFor={topiId} problems={topiProblems}>
        <InlineMsgProperty prop="topi" label="Topic property" disabled={!septopics} />
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
