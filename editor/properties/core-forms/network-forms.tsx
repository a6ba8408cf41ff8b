/** The forms of Node-RED's "network" core nodes (see `form-kit.tsx`). */
import type { CoreForm } from './form-kit.tsx';

export const networkForms: Readonly<Record<string, CoreForm>> = {};
