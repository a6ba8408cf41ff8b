/** Modules the Vite build generates (vite.config.ts). */
declare module 'virtual:node-config-validators' {
  import type { ValidateFunction } from 'ajv';
  /** Config validators by `schemaKey(schema)`. */
  const validators: Record<string, ValidateFunction>;
  export default validators;
}
