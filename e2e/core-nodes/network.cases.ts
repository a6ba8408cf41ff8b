/** The browser test cases of Node-RED's "network" core nodes (see `../core-node-check.ts`). */
import type { CoreNodeCase } from '../core-node-check.ts';

export const cases: CoreNodeCase[] = [];
