/** The forms of Node-RED's "function" core nodes (see `form-kit.tsx`). */
import type { CoreForm } from './form-kit.tsx';

export const functionForms: Readonly<Record<string, CoreForm>> = {};
