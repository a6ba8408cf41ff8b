/** The forms of Node-RED's "sequence" core nodes: split, join, sort, batch (see `form-kit.tsx`). */
import {
  CheckboxField, Hint, MsgPropertyField, NameRow, NumberField, SelectField, TextField, TypedField, useCoreForm, type CoreForm,
} from './form-kit.tsx';
import { richText } from '../../i18n.ts';
import { t } from './core-forms.messages.ts';
import { batchSave, joinSave } from './seqparse-saves.ts';
import { OptionalMsgProperty, Section, TextListField } from './seqparse-widgets.tsx';

const fixedLength = { value: 'len', label: () => t('split.fixedLength') };
/** Placeholders that are property names and expression words, as Node-RED shows them in every language. */
const TOPIC = 'topic';
const EXP = 'exp';

const SplitForm: CoreForm = () => (
  <>
    <NameRow />
    <MsgPropertyField prop="property" label={t('split.property')} />
    <Section title={t('split.stringBuffer')}>
      <TypedField prop="splt" typeProp="spltType" label={t('split.using')} types={['str', 'bin', fixedLength]} defaultType="str" />
      <CheckboxField prop="stream" label={t('split.stream')} />
    </Section>
    <Section title={t('split.array')}>
      <TypedField prop="arraySplt" typeProp="arraySpltType" label={t('split.using')} types={[fixedLength]} defaultType="len" />
    </Section>
    <Section title={t('split.object')}>
      <Hint>{t('split.objectSend')}</Hint>
      <OptionalMsgProperty prop="addname" label={t('split.addname')} initial="topic" />
    </Section>
  </>
);

const JoinForm: CoreForm = () => {
  const { node } = useCoreForm();
  const mode = node['mode'] ?? 'auto';
  const build = node['build'] ?? 'object';
  const textual = build === 'string' || build === 'buffer';
  return (
    <>
      <NameRow />
      <SelectField
        prop="mode" label={t('mode')}
        options={[{ value: 'auto', label: t('join.auto') }, { value: 'custom', label: t('join.manual') }, { value: 'reduce', label: t('join.reduce') }]}
      />
      {mode === 'custom' && (
        <>
          <TypedField
            prop="property" typeProp="propertyType" label={t('join.combine')} defaultType="msg"
            types={textual ? ['msg'] : ['msg', { value: 'full', label: t('join.completeMessage'), hasValue: false }]}
          />
          <SelectField
            prop="build" label={t('join.create')}
            options={[
              { value: 'string', label: t('join.string') },
              { value: 'buffer', label: t('join.buffer') },
              { value: 'array', label: t('join.array') },
              { value: 'object', label: t('join.object') },
              { value: 'merged', label: t('join.merged') },
            ]}
            onSelect={(value) => ({
              build: value,
              // A string or buffer joins a message property, never the whole message.
              ...((value === 'string' || value === 'buffer') && node['propertyType'] === 'full' ? { propertyType: 'msg', property: 'payload' } : {}),
            })}
          />
          {build === 'object' && <MsgPropertyField prop="key" label={t('join.using')} hint={t('join.asKey')} placeholder={TOPIC} />}
          {textual && <TypedField prop="joiner" typeProp="joinerType" label={t('join.joinedUsing')} types={['str', 'bin']} defaultType="str" />}
          <CheckboxField prop="useparts" label={t('join.useparts')} />
          <Section title={t('join.send')}>
            <NumberField prop="count" label={t('join.afterCount')} placeholder={t('join.count')} />
            {(build === 'object' || build === 'merged') && <CheckboxField prop="accumulate" label={t('join.subsequent')} />}
            <NumberField prop="timeout" label={t('join.afterTimeout')} placeholder={t('unit.seconds')} suffix={t('unit.seconds')} />
            <Hint>{richText(t('join.afterComplete'), { code: (text) => <code>{text}</code> })}</Hint>
          </Section>
        </>
      )}
      {mode === 'reduce' && (
        <>
          <TextField prop="reduceExp" label={t('join.reduceExp')} placeholder={EXP} mono hint={t('join.jsonataHint')} />
          <TypedField
            prop="reduceInit" typeProp="reduceInitType" label={t('join.initial')} defaultType="num"
            types={['flow', 'global', 'str', 'num', 'bool', 'json', 'bin', 'date', 'jsonata', 'env']}
          />
          <TextField prop="reduceFixup" label={t('join.fixup')} placeholder={EXP} mono hint={t('join.jsonataHint')} />
          <CheckboxField prop="reduceRight" label={t('join.reverse')} />
        </>
      )}
      {(mode === 'auto' || mode === 'reduce') && (
        <Hint>{richText(t('join.autoHint'), { i: (text) => <i>{text}</i>, code: (text) => <code>{text}</code> })}</Hint>
      )}
    </>
  );
};

JoinForm.save = joinSave;

const SortForm: CoreForm = () => {
  const { node } = useCoreForm();
  const sequence = node['targetType'] === 'seq';
  return (
    <>
      <TypedField
        prop="target" typeProp="targetType" label={t('sort.target')} icon="fa-dot-circle-o" defaultType="msg"
        types={['msg', { value: 'seq', label: t('sort.seq'), hasValue: false }]}
      />
      {sequence ? (
        <TypedField prop="seqKey" typeProp="seqKeyType" label={t('sort.key')} icon="fa-filter" types={['msg', 'jsonata']} defaultType="msg" />
      ) : (
        <TypedField prop="msgKey" typeProp="msgKeyType" label={t('sort.key')} icon="fa-filter" types={[{ value: 'elem', label: t('sort.elem'), hasValue: false }, 'jsonata']} defaultType="elem" />
      )}
      <SelectField prop="order" label={t('sort.order')} icon="fa-random" options={[{ value: 'ascending', label: t('sort.ascending') }, { value: 'descending', label: t('sort.descending') }]} />
      <CheckboxField prop="as_num" label={t('sort.asNumber')} />
      <NameRow />
    </>
  );
};

const BatchForm: CoreForm = () => {
  const { node } = useCoreForm();
  const mode = node['mode'] ?? 'count';
  return (
    <>
      <SelectField
        prop="mode" label={t('mode')}
        options={[
          { value: 'count', label: t('batch.count') },
          { value: 'interval', label: t('batch.interval') },
          { value: 'concat', label: t('batch.concat') },
        ]}
      />
      {mode === 'count' && (
        <>
          <NumberField prop="count" label={t('batch.number')} min={1} />
          <NumberField prop="overlap" label={t('batch.overlap')} min={0} />
          <CheckboxField prop="honourParts" label={t('batch.honourParts')} />
        </>
      )}
      {mode === 'interval' && (
        <>
          <NumberField prop="interval" label={t('batch.intervalLabel')} min={1} suffix={t('unit.seconds')} />
          <CheckboxField prop="allowEmptySequence" label={t('batch.empty')} />
        </>
      )}
      {mode === 'concat' && <TextListField prop="topics" itemKey="topic" label={t('batch.topics')} placeholder={TOPIC} />}
      <NameRow />
    </>
  );
};

BatchForm.save = batchSave;

export const sequenceForms = { split: SplitForm, join: JoinForm, sort: SortForm, batch: BatchForm } satisfies Readonly<Record<string, CoreForm>>;
