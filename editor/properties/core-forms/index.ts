/**
 * The hand-made form of each Node-RED core node type, by type: what the properties panel shows instead of the form
 * generated from the type's schema. One file per Node-RED palette category.
 */
import { commonForms } from './common-forms.tsx';
import type { CoreForm } from './form-kit.tsx';
import { functionForms } from './function-forms.tsx';
import { networkForms } from './network-forms.tsx';
import { parsersForms } from './parsers-forms.tsx';
import { sequenceForms } from './sequence-forms.tsx';
import { storageForms } from './storage-forms.tsx';

export const coreForms: Readonly<Record<string, CoreForm>> = {
  ...commonForms,
  ...functionForms,
  ...networkForms,
  ...sequenceForms,
  ...parsersForms,
  ...storageForms,
};
