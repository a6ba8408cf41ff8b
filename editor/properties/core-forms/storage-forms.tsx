/** The forms of Node-RED's "storage" core nodes: write file, read file, watch (see `form-kit.tsx`). */
import { fileEncodings } from '../../../nodes/core/storage.def.ts';
import { CheckboxField, Hint, NameRow, SelectField, TextField, TypedField, useCoreForm, type CoreForm } from './form-kit.tsx';
import { fileNameSave } from './seqparse-saves.ts';
import { GroupedSelectField } from './seqparse-widgets.tsx';

const filenameTypes = [{ value: 'str', label: 'path' }, 'msg', 'jsonata', 'env'] as const;
const tip = 'Tip: The filename should be an absolute path, otherwise it will be relative to the working directory of the Node-RED process.';

const FileForm: CoreForm = () => {
  const { node } = useCoreForm();
  const deleting = node['overwriteFile'] === 'delete';
  return (
    <>
      <TypedField prop="filename" typeProp="filenameType" label="Filename" icon="fa-file" types={filenameTypes} defaultType="str" />
      <SelectField
        prop="overwriteFile" label="Action" icon="fa-random"
        options={[{ value: 'false', label: 'append to file' }, { value: 'true', label: 'overwrite file' }, { value: 'delete', label: 'delete file' }]}
      />
      {!deleting && (
        <>
          <CheckboxField prop="appendNewline" label="Add newline (\n) to each payload?" />
          <CheckboxField prop="createDir" label="Create directory if it doesn't exist?" />
          <GroupedSelectField
            prop="encoding" label="Encoding" icon="fa-flag" groups={fileEncodings}
            first={[{ value: 'none', label: 'default' }, { value: 'setbymsg', label: 'set by msg.encoding' }]}
          />
        </>
      )}
      <NameRow />
      <Hint>{tip}</Hint>
    </>
  );
};

const FileInForm: CoreForm = () => {
  const { node } = useCoreForm();
  const format = node['format'];
  return (
    <>
      <TypedField prop="filename" typeProp="filenameType" label="Filename" icon="fa-file" types={filenameTypes} defaultType="str" />
      <SelectField
        prop="format" label="Output" icon="fa-sign-out"
        options={[
          { value: 'utf8', label: 'a single utf8 string' },
          { value: 'lines', label: 'a msg per line' },
          { value: '', label: 'a single Buffer object' },
          { value: 'stream', label: 'a stream of Buffers' },
        ]}
      />
      {(format === 'lines' || format === 'stream') && <CheckboxField prop="allProps" label="include all existing properties in each msg" />}
      {(format === 'utf8' || format === 'lines') && (
        <GroupedSelectField prop="encoding" label="Encoding" icon="fa-flag" groups={fileEncodings} first={[{ value: 'none', label: 'default' }]} />
      )}
      <NameRow />
      <Hint>{tip}</Hint>
    </>
  );
};

const WatchForm: CoreForm = () => (
  <>
    <TextField prop="files" label="File(s)" icon="fa-file" placeholder="Comma-separated list of files and/or directories" />
    <CheckboxField prop="recursive" label="Watch sub-directories recursively" />
    <NameRow />
    <Hint>On Windows you must use double back-slashes \\ in any directory names.</Hint>
  </>
);

FileForm.save = fileNameSave;
FileInForm.save = fileNameSave;

export const storageForms = { file: FileForm, 'file in': FileInForm, watch: WatchForm } satisfies Readonly<Record<string, CoreForm>>;
