/** The forms of Node-RED's "parser" core nodes: csv, html, json, xml, yaml (see `form-kit.tsx`). */
import type { JSX } from 'react';
import {
  CheckboxField, MsgPropertyField, NameRow, NumberField, Row, SelectField, TextField, textOf, useCoreForm, useFieldId, useProblems,
  type CoreForm,
} from './form-kit.tsx';
import { csvSave, parserPropertySave } from './seqparse-saves.ts';
import { Section } from './seqparse-widgets.tsx';

/** CSV's separators as Node-RED's select offers them; a tab is stored as the two characters `\t`. */
const SEPARATORS = [
  { value: ',', label: 'comma' },
  { value: '\\t', label: 'tab' },
  { value: ' ', label: 'space' },
  { value: ';', label: 'semicolon' },
  { value: ':', label: 'colon' },
  { value: '#', label: 'hashtag' },
] as const;

/** CSV's separator: a select of the usual ones, and "other..." with a box for any one or two characters. */
function SeparatorRow(): JSX.Element {
  const { node, update, commit } = useCoreForm();
  const id = useFieldId('sep');
  const problems = useProblems('/sep');
  const sep = textOf(node['sep']);
  const known = SEPARATORS.findIndex((s) => s.value === sep);
  const field = 'min-w-0 rounded border px-2 py-1 text-sm focus:outline-none focus:ring-1 focus:ring-sky-500';
  const border = problems.length > 0 ? 'border-red-500' : 'border-slate-300';
  return (
    <Row label="Separator" icon="fa-text-width" htmlFor={id} problems={problems}>
      <span className="flex items-center gap-2">
        <select
          id={id} value={known === -1 ? 'other' : String(known)} className={`${field} ${border} w-36`}
          onChange={(e) => update({ sep: e.target.value === 'other' ? '' : SEPARATORS[Number(e.target.value)]!.value })}
        >
          {SEPARATORS.map((s, i) => (
            <option key={s.label} value={String(i)}>{s.label}</option>
          ))}
          <option value="other">other...</option>
        </select>
        {known === -1 && (
          <input
            type="text" aria-label="Other separator" value={sep} maxLength={2} aria-invalid={problems.length > 0} className={`${field} ${border} w-14 text-center`}
            onChange={(e) => update({ sep: e.target.value }, true)} onBlur={commit}
          />
        )}
      </span>
    </Row>
  );
}

const CsvForm: CoreForm = () => {
  const { node } = useCoreForm();
  return (
    <>
      <TextField prop="temp" label="Columns" icon="fa-list" placeholder="comma-separated column names" />
      <SeparatorRow />
      <SelectField
        prop="spec" label="Parser" icon="fa-code" options={[{ value: 'rfc', label: 'RFC4180' }, { value: '', label: 'Legacy' }]}
        hint={node['spec'] === 'rfc' ? undefined : 'Legacy mode will be removed in a future release.'}
      />
      <NameRow />
      <Section title="CSV to Object options">
        <NumberField prop="skip" label="Input: skip first" icon="fa-sign-in" suffix="lines" min={0} width="w-16" />
        <CheckboxField prop="hdrin" label="first row contains column names" />
        <CheckboxField prop="strings" label="parse numerical values" />
        <CheckboxField prop="include_empty_strings" label="include empty strings" />
        <CheckboxField prop="include_null_values" label="include null values" />
        <SelectField prop="multi" label="Output" icon="fa-sign-out" options={[{ value: 'one', label: 'a message per row' }, { value: 'mult', label: 'a single message [array]' }]} />
      </Section>
      <Section title="Object to CSV options">
        <SelectField
          prop="hdrout" label="Output" icon="fa-sign-out"
          options={[
            { value: 'none', label: 'never send column headers' },
            { value: 'all', label: 'always send column headers' },
            { value: 'once', label: 'send headers once, until msg.reset' },
          ]}
        />
        <SelectField
          prop="ret" label="Newline"
          options={[{ value: '\\r\\n', label: 'Windows (\\r\\n)' }, { value: '\\n', label: 'Linux (\\n)' }, { value: '\\r', label: 'Mac (\\r)' }]}
        />
      </Section>
    </>
  );
};

CsvForm.save = csvSave;

const HtmlForm: CoreForm = () => {
  const { node } = useCoreForm();
  return (
    <>
      <MsgPropertyField prop="property" label="Property" icon="fa-ellipsis-h" />
      <TextField prop="tag" label="Selector" icon="fa-filter" placeholder="h1" />
      <SelectField
        prop="ret" label="Output" icon="fa-sign-out"
        options={[
          { value: 'html', label: 'the html content of the elements' },
          { value: 'text', label: 'only the text content of the elements' },
          { value: 'attr', label: 'an object of any attributes of the elements' },
          { value: 'compl', label: 'an object of any attributes of the elements and html contents' },
        ]}
      />
      <SelectField
        prop="as" label="Output as"
        options={[{ value: 'single', label: 'as a single message containing an array' }, { value: 'multi', label: 'as multiple messages, one for each element' }]}
      />
      <MsgPropertyField prop="outproperty" label="in" />
      {node['ret'] === 'compl' && <TextField prop="chr" label="Property name for HTML content" icon="fa-tag" placeholder="_" />}
      <NameRow />
    </>
  );
};

const JsonForm: CoreForm = () => {
  const { node } = useCoreForm();
  const toString = node['action'] === '' || node['action'] === 'str' || node['action'] === undefined;
  return (
    <>
      <SelectField
        prop="action" label="Action" icon="fa-dot-circle-o"
        options={[
          { value: '', label: 'Convert between JSON String & Object' },
          { value: 'str', label: 'Always convert to JSON String' },
          { value: 'obj', label: 'Always convert to JavaScript Object' },
        ]}
      />
      <MsgPropertyField prop="property" label="Property" icon="fa-ellipsis-h" />
      <NameRow />
      {toString && (
        <Section title="Object to JSON options">
          <CheckboxField prop="pretty" label="Format JSON string" />
        </Section>
      )}
    </>
  );
};

const XmlForm: CoreForm = () => (
  <>
    <MsgPropertyField prop="property" label="Property" icon="fa-ellipsis-h" />
    <NameRow />
    <Section title="XML to Object options">
      <TextField prop="attr" label="Property name for XML tag attributes" placeholder="$" />
      <TextField prop="chr" label="Property name for tag text content" placeholder="_" />
    </Section>
  </>
);

const YamlForm: CoreForm = () => (
  <>
    <MsgPropertyField prop="property" label="Property" icon="fa-ellipsis-h" />
    <NameRow />
  </>
);

JsonForm.save = parserPropertySave;
XmlForm.save = parserPropertySave;
YamlForm.save = parserPropertySave;

export const parsersForms = { csv: CsvForm, html: HtmlForm, json: JsonForm, xml: XmlForm, yaml: YamlForm } satisfies Readonly<Record<string, CoreForm>>;
