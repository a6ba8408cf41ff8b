/** The forms of Node-RED's "parser" core nodes: csv, html, json, xml, yaml (see `form-kit.tsx`). */
import type { JSX } from 'react';
import {
  CheckboxField, MsgPropertyField, NameRow, NumberField, Row, SelectField, TextField, textOf, useCoreForm, useFieldId, useProblems,
  type CoreForm,
} from './form-kit.tsx';
import { t } from './core-forms.messages.ts';
import { csvSave, parserPropertySave } from './seqparse-saves.ts';
import { Section } from './seqparse-widgets.tsx';

/** CSV's separators as Node-RED's select offers them; a tab is stored as the two characters `\t`. */
const SEPARATORS = [
  { value: ',', label: 'csv.sep.comma' },
  { value: '\\t', label: 'csv.sep.tab' },
  { value: ' ', label: 'csv.sep.space' },
  { value: ';', label: 'csv.sep.semicolon' },
  { value: ':', label: 'csv.sep.colon' },
  { value: '#', label: 'csv.sep.hashtag' },
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
    <Row label={t('csv.separator')} icon="fa-text-width" htmlFor={id} problems={problems}>
      <span className="flex items-center gap-2">
        <select
          id={id} value={known === -1 ? 'other' : String(known)} className={`${field} ${border} w-36`}
          onChange={(e) => update({ sep: e.target.value === 'other' ? '' : SEPARATORS[Number(e.target.value)]!.value })}
        >
          {SEPARATORS.map((s, i) => (
            <option key={s.label} value={String(i)}>{t(s.label)}</option>
          ))}
          <option value="other">{t('csv.sep.other')}</option>
        </select>
        {known === -1 && (
          <input
            type="text" aria-label={t('csv.otherSeparator')} value={sep} maxLength={2} aria-invalid={problems.length > 0} className={`${field} ${border} w-14 text-center`}
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
      <TextField prop="temp" label={t('csv.columns')} icon="fa-list" placeholder={t('csv.columnsPlaceholder')} />
      <SeparatorRow />
      <SelectField
        prop="spec" label={t('csv.parser')} icon="fa-code" options={[{ value: 'rfc', label: 'RFC4180' }, { value: '', label: t('csv.legacy') }]}
        hint={node['spec'] === 'rfc' ? undefined : t('csv.legacyHint')}
      />
      <NameRow />
      <Section title={t('csv.c2o')}>
        <NumberField prop="skip" label={t('csv.skip')} icon="fa-sign-in" suffix={t('csv.lines')} min={0} width="w-16" />
        <CheckboxField prop="hdrin" label={t('csv.firstRow')} />
        <CheckboxField prop="strings" label={t('csv.parseNumbers')} />
        <CheckboxField prop="include_empty_strings" label={t('csv.emptyStrings')} />
        <CheckboxField prop="include_null_values" label={t('csv.nullValues')} />
        <SelectField prop="multi" label={t('output')} icon="fa-sign-out" options={[{ value: 'one', label: t('csv.perRow') }, { value: 'mult', label: t('csv.singleArray') }]} />
      </Section>
      <Section title={t('csv.o2c')}>
        <SelectField
          prop="hdrout" label={t('output')} icon="fa-sign-out"
          options={[
            { value: 'none', label: t('csv.hdrout.none') },
            { value: 'all', label: t('csv.hdrout.all') },
            { value: 'once', label: t('csv.hdrout.once') },
          ]}
        />
        <SelectField
          prop="ret" label={t('csv.newline')}
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
      <MsgPropertyField prop="property" label={t('property')} icon="fa-ellipsis-h" />
      <TextField prop="tag" label={t('html.selector')} icon="fa-filter" placeholder="h1" />
      <SelectField
        prop="ret" label={t('output')} icon="fa-sign-out"
        options={[
          { value: 'html', label: t('html.ret.html') },
          { value: 'text', label: t('html.ret.text') },
          { value: 'attr', label: t('html.ret.attr') },
          { value: 'compl', label: t('html.ret.compl') },
        ]}
      />
      <SelectField
        prop="as" label={t('outputAs')}
        options={[{ value: 'single', label: t('html.as.single') }, { value: 'multi', label: t('html.as.multi') }]}
      />
      <MsgPropertyField prop="outproperty" label={t('html.in')} />
      {node['ret'] === 'compl' && <TextField prop="chr" label={t('html.chr')} icon="fa-tag" placeholder="_" />}
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
        prop="action" label={t('action')} icon="fa-dot-circle-o"
        options={[
          { value: '', label: t('json.toggle') },
          { value: 'str', label: t('json.str') },
          { value: 'obj', label: t('json.obj') },
        ]}
      />
      <MsgPropertyField prop="property" label={t('property')} icon="fa-ellipsis-h" />
      <NameRow />
      {toString && (
        <Section title={t('json.o2j')}>
          <CheckboxField prop="pretty" label={t('json.pretty')} />
        </Section>
      )}
    </>
  );
};

const XmlForm: CoreForm = () => (
  <>
    <MsgPropertyField prop="property" label={t('property')} icon="fa-ellipsis-h" />
    <NameRow />
    <Section title={t('xml.x2o')}>
      <TextField prop="attr" label={t('xml.attr')} placeholder="$" />
      <TextField prop="chr" label={t('xml.chr')} placeholder="_" />
    </Section>
  </>
);

const YamlForm: CoreForm = () => (
  <>
    <MsgPropertyField prop="property" label={t('property')} icon="fa-ellipsis-h" />
    <NameRow />
  </>
);

JsonForm.save = parserPropertySave;
XmlForm.save = parserPropertySave;
YamlForm.save = parserPropertySave;

export const parsersForms = { csv: CsvForm, html: HtmlForm, json: JsonForm, xml: XmlForm, yaml: YamlForm } satisfies Readonly<Record<string, CoreForm>>;
