/** The forms of Node-RED's "parser" core nodes (see `form-kit.tsx`). */
import { CheckboxField, MsgPropertyField, NameRow, SelectField, useCoreForm, type CoreForm } from './form-kit.tsx';

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
      {toString && <CheckboxField prop="pretty" label="Format JSON string" hint="Object to JSON options: indent the string it writes." />}
    </>
  );
};

export const parsersForms = { json: JsonForm } satisfies Readonly<Record<string, CoreForm>>;
