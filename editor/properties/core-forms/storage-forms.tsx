/** The forms of Node-RED's "storage" core nodes (see `form-kit.tsx`). */
import type { CoreForm } from './form-kit.tsx';

export const storageForms: Readonly<Record<string, CoreForm>> = {};
