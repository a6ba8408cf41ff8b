/** The forms of Node-RED's "sequence" core nodes: split, join, sort, batch (see `form-kit.tsx`). */
import {
  CheckboxField, Hint, MsgPropertyField, NameRow, NumberField, SelectField, TextField, TypedField, useCoreForm, type CoreForm,
} from './form-kit.tsx';
import { batchSave, joinSave } from './seqparse-saves.ts';
import { OptionalMsgProperty, Section, TextListField } from './seqparse-widgets.tsx';

const fixedLength = { value: 'len', label: 'Fixed length of' };

const SplitForm: CoreForm = () => (
  <>
    <NameRow />
    <MsgPropertyField prop="property" label="Split property" />
    <Section title="String / Buffer">
      <TypedField prop="splt" typeProp="spltType" label="Split using" types={['str', 'bin', fixedLength]} defaultType="str" />
      <CheckboxField prop="stream" label="Handle as a stream of messages" />
    </Section>
    <Section title="Array">
      <TypedField prop="arraySplt" typeProp="arraySpltType" label="Split using" types={[fixedLength]} defaultType="len" />
    </Section>
    <Section title="Object">
      <Hint>Send a message for each key/value pair</Hint>
      <OptionalMsgProperty prop="addname" label="Copy key to" initial="topic" />
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
        prop="mode" label="Mode"
        options={[{ value: 'auto', label: 'automatic' }, { value: 'custom', label: 'manual' }, { value: 'reduce', label: 'reduce sequence' }]}
      />
      {mode === 'custom' && (
        <>
          <TypedField
            prop="property" typeProp="propertyType" label="Combine each" defaultType="msg"
            types={textual ? ['msg'] : ['msg', { value: 'full', label: 'complete message', hasValue: false }]}
          />
          <SelectField
            prop="build" label="to create"
            options={[
              { value: 'string', label: 'a String' },
              { value: 'buffer', label: 'a Buffer' },
              { value: 'array', label: 'an Array' },
              { value: 'object', label: 'a key/value Object' },
              { value: 'merged', label: 'a merged Object' },
            ]}
            onSelect={(value) => ({
              build: value,
              // A string or buffer joins a message property, never the whole message.
              ...((value === 'string' || value === 'buffer') && node['propertyType'] === 'full' ? { propertyType: 'msg', property: 'payload' } : {}),
            })}
          />
          {build === 'object' && <MsgPropertyField prop="key" label="using the value of" hint="as the key" placeholder="topic" />}
          {textual && <TypedField prop="joiner" typeProp="joinerType" label="joined using" types={['str', 'bin']} defaultType="str" />}
          <CheckboxField prop="useparts" label="Use existing msg.parts property" />
          <Section title="Send the message:">
            <NumberField prop="count" label="After a number of message parts" placeholder="count" />
            {(build === 'object' || build === 'merged') && <CheckboxField prop="accumulate" label="and every subsequent message." />}
            <NumberField prop="timeout" label="After a timeout following the first message" placeholder="seconds" suffix="seconds" />
            <Hint>
              After a message with the <code>msg.complete</code> property set
            </Hint>
          </Section>
        </>
      )}
      {mode === 'reduce' && (
        <>
          <TextField prop="reduceExp" label="Reduce exp" placeholder="exp" mono hint="A JSONata expression" />
          <TypedField
            prop="reduceInit" typeProp="reduceInitType" label="Initial value" defaultType="num"
            types={['flow', 'global', 'str', 'num', 'bool', 'json', 'bin', 'date', 'jsonata', 'env']}
          />
          <TextField prop="reduceFixup" label="Fix-up exp" placeholder="exp" mono hint="A JSONata expression" />
          <CheckboxField prop="reduceRight" label="Evaluate in reverse order (last to first)" />
        </>
      )}
      {(mode === 'auto' || mode === 'reduce') && (
        <Hint>
          This mode assumes this node is either paired with a <i>split</i> node or the received messages will have a properly configured{' '}
          <code>msg.parts</code> property.
        </Hint>
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
        prop="target" typeProp="targetType" label="Sort" icon="fa-dot-circle-o" defaultType="msg"
        types={['msg', { value: 'seq', label: 'message sequence', hasValue: false }]}
      />
      {sequence ? (
        <TypedField prop="seqKey" typeProp="seqKeyType" label="Key" icon="fa-filter" types={['msg', 'jsonata']} defaultType="msg" />
      ) : (
        <TypedField prop="msgKey" typeProp="msgKeyType" label="Key" icon="fa-filter" types={[{ value: 'elem', label: 'element value', hasValue: false }, 'jsonata']} defaultType="elem" />
      )}
      <SelectField prop="order" label="Order" icon="fa-random" options={[{ value: 'ascending', label: 'ascending' }, { value: 'descending', label: 'descending' }]} />
      <CheckboxField prop="as_num" label="as number" />
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
        prop="mode" label="Mode"
        options={[
          { value: 'count', label: 'Group by number of messages' },
          { value: 'interval', label: 'Group by time interval' },
          { value: 'concat', label: 'Concatenate sequences' },
        ]}
      />
      {mode === 'count' && (
        <>
          <NumberField prop="count" label="Number of messages" min={1} />
          <NumberField prop="overlap" label="Overlap" min={0} />
          <CheckboxField prop="honourParts" label="Allow msg.parts to also complete batch operation." />
        </>
      )}
      {mode === 'interval' && (
        <>
          <NumberField prop="interval" label="Interval" min={1} suffix="seconds" />
          <CheckboxField prop="allowEmptySequence" label="send empty message when no message arrives" />
        </>
      )}
      {mode === 'concat' && <TextListField prop="topics" itemKey="topic" label="Topics" placeholder="topic" />}
      <NameRow />
    </>
  );
};

BatchForm.save = batchSave;

export const sequenceForms = { split: SplitForm, join: JoinForm, sort: SortForm, batch: BatchForm } satisfies Readonly<Record<string, CoreForm>>;
