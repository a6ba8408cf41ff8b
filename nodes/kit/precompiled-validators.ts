/**
 * Writes the config validators of node definitions as an ES module of plain functions (Ajv's standalone code), for
 * the browser bundle: the UI runs under a Content-Security-Policy without `unsafe-eval`, so it cannot compile
 * schemas itself. The module's default export maps {@link schemaKey} → validator, for
 * `registerPrecompiledValidators`. Node-only (runs in the Vite build).
 */
import standaloneCodeModule from 'ajv/dist/standalone/index.js';
import type { AnyNodeDefinition } from './define-node.ts';
import { createNodeSchemaAjv, schemaKey } from './config-validator.ts';

type StandaloneCode = typeof standaloneCodeModule.default;
// A CommonJS module: its function is `default` under Node's ESM loader, the module itself under some bundlers.
const standaloneCode: StandaloneCode =
  (standaloneCodeModule as unknown as { default?: StandaloneCode }).default ?? (standaloneCodeModule as unknown as StandaloneCode);

/** The module source validating every config and credentials schema of `definitions`. */
export function precompiledValidatorsModule(definitions: readonly AnyNodeDefinition[]): string {
  const ajv = createNodeSchemaAjv({ source: true });
  const names = new Map<string, string>();
  for (const definition of definitions) {
    for (const schema of [definition.config, definition.credentials]) {
      if (!schema) continue;
      const key = schemaKey(schema);
      if (names.has(key)) continue;
      const name = `v${names.size}`;
      ajv.addSchema(schema, name);
      names.set(key, name);
    }
  }
  let code = standaloneCode(ajv, Object.fromEntries([...names.values()].map((name) => [name, name])));
  // Ajv's ESM output still `require`s its runtime helpers (CommonJS); import them instead, for the bundler.
  const helpers = new Map<string, string>();
  code = code.replace(/require\("(ajv\/dist\/runtime\/[a-z0-9]+)"\)/gi, (_match: string, path: string) => {
    const local = helpers.get(path) ?? `ajvRuntime${helpers.size}`;
    helpers.set(path, local);
    return local;
  });
  const imports = [...helpers].map(([path, local]) => `import * as ${local} from ${JSON.stringify(`${path}.js`)};`).join('\n');
  const table = [...names].map(([key, name]) => `  ${JSON.stringify(key)}: ${name},`).join('\n');
  return `${imports}\n${code.replace(/^"use strict";/, '')}\nexport default {\n${table}\n};\n`;
}
