/** The forms of Node-RED's "common" core nodes (see `form-kit.tsx`). */
import type { CoreForm } from './form-kit.tsx';

export const commonForms: Readonly<Record<string, CoreForm>> = {};
