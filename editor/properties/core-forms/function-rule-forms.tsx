/**
 * The switch and change forms: their rules as editable lists, each row drawn as Node-RED's (an operator or action,
 * then the typed values it takes). A switch has one output per rule: adding, removing and reordering rules changes
 * the outputs, and each wire follows its rule.
 */
import { useRef, type JSX } from 'react';
import {
  exportChangeRule, exportSwitchRule, switchOperators, VALUELESS_SWITCH_OPERATORS, type ChangeRule, type SwitchRule,
} from '../../../nodes/core/function.def.ts';
import { t } from './core-forms.messages.ts';
import { EditableList } from './editable-list.tsx';
import { tf } from './function-forms.messages.ts';
import { CheckboxField, NameRow, Row, SelectField, TypedField, useCoreForm, useFieldId, useProblems, type CoreForm } from './form-kit.tsx';
import { ChoiceSelect, ListTypedInput } from './function-widgets.tsx';
import { rulesRestructured, wiresFollowingRules } from './rule-outputs.ts';
import type { CustomType } from './typed-input.tsx';

const previousValue: CustomType = { value: 'prev', label: () => tf('switch.previous'), hasValue: false };
const valueTypes = ['msg', 'flow', 'global', 'str', 'num', 'jsonata', 'env', previousValue];
const numberTypes = ['flow', 'global', 'num', 'jsonata', 'env'];
const isTypeTypes: CustomType[] = [
  { value: 'string', label: () => tf('istype.string') }, { value: 'number', label: () => tf('istype.number') }, { value: 'boolean', label: () => tf('istype.boolean') },
  { value: 'array', label: () => tf('istype.array') }, { value: 'buffer', label: () => tf('istype.buffer') }, { value: 'object', label: () => tf('istype.object') },
  { value: 'json', label: () => tf('istype.json') }, { value: 'undefined', label: 'undefined' }, { value: 'null', label: 'null' },
].map((type) => ({ ...type, hasValue: false }));

/** The operators as the rule select offers them, in the current language (symbols stay as they are). */
/** The switch operators that are words (the others are symbols), by operator. */
const OPERATOR_LABELS = {
  hask: 'op.hask', btwn: 'op.btwn', cont: 'op.cont', regex: 'op.regex', true: 'op.true', false: 'op.false', null: 'op.null', nnull: 'op.nnull',
  istype: 'op.istype', empty: 'op.empty', nempty: 'op.nempty', head: 'op.head', index: 'op.index', tail: 'op.tail', jsonata_exp: 'op.jsonata_exp',
  else: 'op.else',
} as const;

const operatorOptions = () => switchOperators.map((o) => ({
  value: o.v, label: o.v in OPERATOR_LABELS ? tf(OPERATOR_LABELS[o.v as keyof typeof OPERATOR_LABELS]) : o.t,
  ...(o.kind === 'V' ? { group: tf('switch.valueRules') } : o.kind === 'S' ? { group: tf('switch.sequenceRules') } : {}),
}));

const arrayOf = <T,>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);

/** The rules of a node as rows: an entry that is not an object (a hand-written flow) shows as an empty rule. */
const rulesOf = <T extends { t: string },>(value: unknown): T[] =>
  arrayOf<unknown>(value).map((rule) => (rule && typeof rule === 'object' && !Array.isArray(rule) ? { ...(rule as T), t: String((rule as T).t ?? '') } : ({ t: '' } as T)));

/** Which of Node-RED's value fields an operator uses. */
const valueKind = (t: string) =>
  t === 'btwn' || t === 'index' ? 'range' : t === 'head' || t === 'tail' ? 'count' : t === 'istype' || t === 'jsonata_exp' ? t : VALUELESS_SWITCH_OPERATORS.includes(t) ? 'none' : 'value';

/** One switch rule: operator, its value(s) and the output it sends to. */
function SwitchRuleRow({ rule, index, onChange }: { rule: SwitchRule; index: number; onChange(rule: SwitchRule, ongoing?: boolean): void }) {
  const label = tf('rule.n', { n: index + 1 });
  const { idPrefix } = useCoreForm();
  const t = rule.t;
  const set = (patch: Partial<SwitchRule>, ongoing = false) => onChange(exportSwitchRule({ ...rule, ...patch }), ongoing);
  const value = (key: 'v' | 'v2', types: typeof valueTypes, fallback: string) => (
    <ListTypedInput
      path={`/rules/${index}/${key}`} label={key === 'v' ? tf('rule.value', { label }) : tf('rule.secondValue', { label })} value={rule[key]}
      type={rule[key === 'v' ? 'vt' : 'v2t'] ?? fallback} types={types}
      onChange={(v, type, ongoing) => set(key === 'v' ? { v, vt: type } : { v2: v, v2t: type }, ongoing)}
    />
  );
  const caseId = `${idPrefix}-rule-case-${index}`;
  return (
    <div className="space-y-1">
      <div className="flex min-w-0 items-start gap-1">
        <ChoiceSelect
          label={tf('rule.operator', { label })} value={t} options={operatorOptions()} width="min-w-0 flex-1"
          onChoose={(next) => {
            // Node-RED has one value field per kind of operator: the value stays within a kind, else starts afresh.
            const keep = valueKind(next) === valueKind(t);
            set({ t: next, ...(keep ? {} : { v: '', vt: undefined, v2: '', v2t: undefined }) });
          }}
        />
        <span className="shrink-0 self-center text-xs text-slate-500" title={tf('rule.output', { n: index + 1 })}>→ {index + 1}</span>
      </div>
      {t === 'istype' ? (
        <ListTypedInput path={`/rules/${index}/v`} label={tf('rule.type', { label })} value="" type={rule.vt ?? 'string'} types={isTypeTypes} onChange={(_v, type) => set({ v: type, vt: type })} />
      ) : t === 'jsonata_exp' ? (
        value('v', ['jsonata'], 'jsonata')
      ) : t === 'head' || t === 'tail' ? (
        value('v', numberTypes, 'num')
      ) : t === 'btwn' || t === 'index' ? (
        <>
          {value('v', valueTypes, 'num')}
          <div className="flex items-center gap-1">
            <span className="shrink-0 text-xs text-slate-600">{tf('switch.and')}</span>
            {value('v2', valueTypes, 'num')}
          </div>
        </>
      ) : VALUELESS_SWITCH_OPERATORS.includes(t) ? null : (
        value('v', valueTypes, 'str')
      )}
      {t === 'regex' && (
        <label htmlFor={caseId} className="flex items-center gap-1.5 text-xs text-slate-700">
          <input id={caseId} type="checkbox" className="h-3.5 w-3.5" checked={rule.case === true} onChange={(e) => set({ case: e.target.checked })} />
          {tf('switch.ignoreCase')}
        </label>
      )}
    </div>
  );
}

const SwitchForm: CoreForm = ({ node }) => {
  const { update, commit, readOnly } = useCoreForm();
  const rules = rulesOf<SwitchRule>(node['rules']);
  const problems = useProblems('/rules');
  return (
    <>
      <NameRow />
      <TypedField prop="property" typeProp="propertyType" label={t('property')} icon="fa-ellipsis-h" types={['msg', 'flow', 'global', 'jsonata', 'env']} defaultType="msg" />
      <Row label={tf('rules')} icon="fa-list" problems={problems}>
        <EditableList<SwitchRule>
          label={tf('rule')} items={rules} onCommit={commit} disabled={readOnly}
          newItem={() => {
            // Node-RED starts a new rule on the previous rule's value type.
            const last = rules[rules.length - 1];
            const vt = !last ? 'str' : last.t === 'istype' ? (last.vt === 'number' ? 'num' : 'str') : (last.vt ?? 'str');
            return { t: 'eq', v: '', vt };
          }}
          onChange={(items, order, ongoing) => {
            const next = items.map(exportSwitchRule);
            if (rulesRestructured(rules.length, order)) update({ rules: next, outputs: next.length, wires: wiresFollowingRules(node['wires'], order) });
            else update({ rules: next }, ongoing);
          }}
          renderItem={(rule, index, set) => <SwitchRuleRow rule={rule} index={index} onChange={set} />}
        />
      </Row>
      <SelectField
        prop="checkall" label={tf('switch.checked')} icon="fa-check-square-o"
        options={[{ value: 'true', label: tf('switch.checkall') }, { value: 'false', label: tf('switch.stopfirst') }]}
      />
      <CheckboxField prop="repair" label={tf('switch.repair')} />
    </>
  );
};
SwitchForm.save = (node) => {
  const count = arrayOf(node['rules']).length;
  return node['outputs'] === count ? {} : { outputs: count };
};

const setTypes = ['msg', 'flow', 'global', 'str', 'num', 'bool', 'json', 'bin', 'date', 'jsonata', 'env'];
const fromTypes = ['msg', 'flow', 'global', 'str', 're', 'num', 'bool', 'env'];
const replaceTypes = ['msg', 'flow', 'global', 'str', 'num', 'bool', 'json', 'bin', 'env'];
const contextTypes = ['msg', 'flow', 'global'];

const actionOptions = () => [
  { value: 'set', label: tf('change.set') }, { value: 'change', label: tf('change.change') }, { value: 'delete', label: tf('change.delete') }, { value: 'move', label: tf('change.move') },
];

/**
 * A rule whose action changes to `t`: its property stays, and its values are those it had under `t` earlier in this
 * edit (`remembered`, which keeps the rule as it was under its old action), else Node-RED's fresh inputs for `t`.
 */
export function switchChangeAction(rule: ChangeRule, t: string, remembered: Map<string, ChangeRule>): ChangeRule {
  remembered.set(rule.t, rule);
  const earlier = remembered.get(t);
  return exportChangeRule({ ...(earlier ?? (t === 'move' ? { tot: 'msg' } : {})), t, p: rule.p, pt: rule.pt });
}

/** One change rule: action, property, then the value(s) the action takes. */
function ChangeRuleRow({ rule, index, onChange }: { rule: ChangeRule; index: number; onChange(rule: ChangeRule, ongoing?: boolean): void }) {
  const label = tf('rule.n', { n: index + 1 });
  const { idPrefix } = useCoreForm();
  const remembered = useRef(new Map<string, ChangeRule>());
  const set = (patch: Partial<ChangeRule>, ongoing = false) => onChange(exportChangeRule({ ...rule, ...patch }), ongoing);
  // The caption sits above its value: beside it, a ~320 px sidebar leaves the value too little room.
  const labelled = (text: string, input: JSX.Element) => (
    <div className="min-w-0 space-y-0.5">
      <div className="text-xs text-slate-600">{text}</div>
      <div className="flex min-w-0">{input}</div>
    </div>
  );
  const dcId = `${idPrefix}-rule-dc-${index}`;
  return (
    <div className="space-y-1">
      {/* The action above its property: side by side, a ~300 px sidebar left the property a few characters. */}
      <ChoiceSelect label={tf('rule.action', { label })} value={rule.t} options={actionOptions()} width="w-28" onChoose={(t) => onChange(switchChangeAction(rule, t, remembered.current))} />
      <div className="flex min-w-0">
        <ListTypedInput path={`/rules/${index}/p`} label={tf('rule.property', { label })} value={rule.p} type={rule.pt ?? 'msg'} types={contextTypes} onChange={(p, pt, ongoing) => set({ p, pt }, ongoing)} />
      </div>
      {rule.t === 'set' && (
        <>
          {labelled(tf('change.toValue'), (
            <ListTypedInput path={`/rules/${index}/to`} label={tf('rule.value', { label })} value={rule.to} type={rule.tot ?? 'str'} types={setTypes} onChange={(to, tot, ongoing) => set({ to, tot }, ongoing)} />
          ))}
          {['msg', 'flow', 'global', 'env'].includes(rule.tot ?? '') && (
            <label htmlFor={dcId} className="flex items-center gap-1.5 text-xs text-slate-700">
              <input id={dcId} type="checkbox" className="h-3.5 w-3.5" checked={rule.dc === true} onChange={(e) => set({ dc: e.target.checked })} />
              {tf('change.deepCopy')}
            </label>
          )}
        </>
      )}
      {rule.t === 'change' && (
        <>
          {labelled(tf('change.search'), (
            <ListTypedInput path={`/rules/${index}/from`} label={tf('rule.searchFor', { label })} value={rule.from} type={rule.fromt ?? 'str'} types={fromTypes} onChange={(from, fromt, ongoing) => set({ from, fromt }, ongoing)} />
          ))}
          {labelled(tf('change.replace'), (
            <ListTypedInput path={`/rules/${index}/to`} label={tf('rule.replaceWith', { label })} value={rule.to} type={rule.tot ?? 'str'} types={replaceTypes} onChange={(to, tot, ongoing) => set({ to, tot }, ongoing)} />
          ))}
        </>
      )}
      {rule.t === 'move' && labelled(tf('change.to'), (
        <ListTypedInput path={`/rules/${index}/to`} label={tf('rule.to', { label })} value={rule.to} type={rule.tot ?? 'msg'} types={contextTypes} onChange={(to, tot, ongoing) => set({ to, tot }, ongoing)} />
      ))}
    </div>
  );
}

const ChangeForm: CoreForm = ({ node }) => {
  const { update, commit, readOnly } = useCoreForm();
  const rules = Array.isArray(node['rules']) ? rulesOf<ChangeRule>(node['rules']) : legacyRules(node);
  const problems = useProblems('/rules');
  const id = useFieldId('rules');
  return (
    <>
      <NameRow />
      <Row label={tf('rules')} icon="fa-list" problems={problems} htmlFor={id}>
        <EditableList<ChangeRule>
          label={tf('rule')} items={rules} onCommit={commit} disabled={readOnly}
          newItem={() => ({ t: 'set', p: 'payload', pt: 'msg', to: '', tot: 'str' })}
          onChange={(items, _order, ongoing) => update({ rules: items.map(exportChangeRule) }, ongoing)}
          renderItem={(rule, index, set) => <ChangeRuleRow rule={rule} index={index} onChange={set} />}
        />
      </Row>
    </>
  );
};

/** The rule of a Node-RED 0.x change node, which kept one action in `action`, `property`, `from`, `to`, `reg`. */
function legacyRules(node: Readonly<Record<string, unknown>>): ChangeRule[] {
  const action = node['action'] === 'replace' || !node['action'] ? 'set' : String(node['action']);
  return [exportChangeRule({ t: action, p: String(node['property'] ?? ''), pt: 'msg', to: String(node['to'] ?? ''), from: String(node['from'] ?? ''), ...(node['reg'] === true ? { fromt: 're' } : {}) })];
}

/** Node-RED's editor turns a 0.x change node into one with rules (and drops the old fields) when it saves it. */
ChangeForm.save = (node) =>
  Array.isArray(node['rules']) ? {} : { rules: legacyRules(node), action: undefined, property: undefined, from: undefined, to: undefined, reg: undefined };

export const functionRuleForms = { switch: SwitchForm, change: ChangeForm } satisfies Readonly<Record<string, CoreForm>>;
