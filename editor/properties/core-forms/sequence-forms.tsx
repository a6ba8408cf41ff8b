/** The forms of Node-RED's "sequence" core nodes (see `form-kit.tsx`). */
import type { CoreForm } from './form-kit.tsx';

export const sequenceForms: Readonly<Record<string, CoreForm>> = {};
