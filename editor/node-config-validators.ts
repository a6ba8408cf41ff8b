/**
 * Installs the node config validators compiled at build time (see `nodeConfigValidators` in vite.config.ts), so
 * config checks in the browser never compile a schema: the UI's Content-Security-Policy forbids `eval`. Imported
 * for its effect, before anything validates.
 */
import validators from 'virtual:node-config-validators';
import { registerPrecompiledValidators } from '../nodes/kit/config-validator.ts';

registerPrecompiledValidators(validators);
