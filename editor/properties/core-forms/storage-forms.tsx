/** The forms of Node-RED's "storage" core nodes: write file, read file, watch (see `form-kit.tsx`). */
import { fileEncodings } from '../../../nodes/core/storage.def.ts';
import { CheckboxField, Hint, NameRow, SelectField, TextField, TypedField, useCoreForm, type CoreForm } from './form-kit.tsx';
import { t } from './core-forms.messages.ts';
import { fileNameSave } from './seqparse-saves.ts';
import { GroupedSelectField } from './seqparse-widgets.tsx';

/** The encoding groups' names by their English name (Node-RED's `file.encoding.*`). */
const ENCODING_GROUPS = {
  Native: 'file.enc.native', Unicode: 'file.enc.unicode', Japanese: 'file.enc.japanese', Chinese: 'file.enc.chinese', Korean: 'file.enc.korean',
  'Taiwan/Hong Kong': 'file.enc.taiwan', 'Windows codepages': 'file.enc.windows', 'ISO codepages': 'file.enc.iso', 'IBM codepages': 'file.enc.ibm',
  'Mac codepages': 'file.enc.mac', 'KOI8 codepages': 'file.enc.koi8', Miscellaneous: 'file.enc.misc',
} as const;

const encodingGroup = (group: string) => (group in ENCODING_GROUPS ? t(ENCODING_GROUPS[group as keyof typeof ENCODING_GROUPS]) : group);

const filenameTypes = [{ value: 'str', label: () => t('file.path') }, 'msg', 'jsonata', 'env'] as const;

const FileForm: CoreForm = () => {
  const { node } = useCoreForm();
  const deleting = node['overwriteFile'] === 'delete';
  return (
    <>
      <TypedField prop="filename" typeProp="filenameType" label={t('file.filename')} icon="fa-file" types={filenameTypes} defaultType="str" />
      <SelectField
        prop="overwriteFile" label={t('action')} icon="fa-random"
        options={[{ value: 'false', label: t('file.append') }, { value: 'true', label: t('file.overwrite') }, { value: 'delete', label: t('file.delete') }]}
      />
      {!deleting && (
        <>
          <CheckboxField prop="appendNewline" label={t('file.newline')} />
          <CheckboxField prop="createDir" label={t('file.createDir')} />
          <GroupedSelectField
            prop="encoding" label={t('file.encoding')} icon="fa-flag" groups={fileEncodings} groupLabel={encodingGroup}
            first={[{ value: 'none', label: t('file.encoding.default') }, { value: 'setbymsg', label: t('file.encoding.setbymsg') }]}
          />
        </>
      )}
      <NameRow />
      <Hint>{t('file.tip')}</Hint>
    </>
  );
};

const FileInForm: CoreForm = () => {
  const { node } = useCoreForm();
  const format = node['format'];
  return (
    <>
      <TypedField prop="filename" typeProp="filenameType" label={t('file.filename')} icon="fa-file" types={filenameTypes} defaultType="str" />
      <SelectField
        prop="format" label={t('output')} icon="fa-sign-out"
        options={[
          { value: 'utf8', label: t('file.out.utf8') },
          { value: 'lines', label: t('file.out.lines') },
          { value: '', label: t('file.out.buffer') },
          { value: 'stream', label: t('file.out.stream') },
        ]}
      />
      {(format === 'lines' || format === 'stream') && <CheckboxField prop="allProps" label={t('file.allProps')} />}
      {(format === 'utf8' || format === 'lines') && (
        <GroupedSelectField prop="encoding" label={t('file.encoding')} icon="fa-flag" groups={fileEncodings} groupLabel={encodingGroup} first={[{ value: 'none', label: t('file.encoding.default') }]} />
      )}
      <NameRow />
      <Hint>{t('file.tip')}</Hint>
    </>
  );
};

const WatchForm: CoreForm = () => (
  <>
    <TextField prop="files" label={t('watch.files')} icon="fa-file" placeholder={t('watch.filesPlaceholder')} />
    <CheckboxField prop="recursive" label={t('watch.recursive')} />
    <NameRow />
    <Hint>{t('watch.hint')}</Hint>
  </>
);

FileForm.save = fileNameSave;
FileInForm.save = fileNameSave;

export const storageForms = { file: FileForm, 'file in': FileInForm, watch: WatchForm } satisfies Readonly<Record<string, CoreForm>>;
