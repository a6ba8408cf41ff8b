/**
 * Validates a flow node's stored config against its definition: migrate to the current version, fill defaults,
 * coerce the strings Node-RED's editor stores for numbers and booleans, and explain every problem in words a flow
 * author understands. Browser-safe, so our editor and deploy checks give the same answers as the runtime.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { Static, TObject } from '@sinclair/typebox';
import { CONFIG_VERSION_PROPERTY, type NodeDefinition } from './define-node.ts';
import { choicesOf, type JsonSchema } from './schema-fields.ts';
import { problemText, type ProblemParam, type ProblemParams, type ProblemText, type SchemaLabel } from './problem-text.ts';

/**
 * One thing wrong with a config: `path` is a JSON pointer into the node (`/rules/0/t`, `''` for the whole config),
 * `message` a sentence naming the property by its title, in English; `code` and `params` say it for the editor's
 * language (`nodes/kit/problem-text.ts`).
 */
export interface ConfigProblem {
  path: string;
  message: string;
  code?: string;
  params?: ProblemParams;
}

export type ConfigValidation<T> = { ok: true; config: T } | { ok: false; problems: ConfigProblem[] };

/**
 * The one Ajv instance for node schemas. Strict, so a typo in a schema keyword fails the contract tests instead of
 * being ignored; it knows our annotation keywords; it fills defaults and coerces types in place, which is why
 * {@link validateNodeConfig} only ever hands it a copy.
 */
export const nodeSchemaAjv = createNodeSchemaAjv();

/**
 * An Ajv configured for node schemas. `source` also keeps each validator's code, for
 * `precompiledValidatorsModule` to write them out for the browser.
 */
export function createNodeSchemaAjv(options: { source?: boolean } = {}): Ajv {
  const ajv = new Ajv({
    strict: true,
    allErrors: true,
    useDefaults: true,
    coerceTypes: true,
    verbose: true,
    ...(options.source ? { code: { source: true, esm: true } } : {}),
  });
  ajv.addKeyword({ keyword: 'x-node-ref', schemaType: 'string' });
  ajv.addKeyword({ keyword: 'x-ref', schemaType: 'string' });
  ajv.addKeyword({ keyword: 'x-secret', schemaType: 'boolean' });
  return ajv;
}

const compiled = new WeakMap<TObject, ValidateFunction>();
const precompiled = new Map<string, ValidateFunction>();

/** The key a precompiled validator is found by: the schema as JSON (TypeBox's symbol keys drop out). */
export function schemaKey(schema: object): string {
  return JSON.stringify(schema);
}

/**
 * Validators compiled at build time, by {@link schemaKey}. The browser needs them: the UI's Content-Security-Policy
 * forbids `eval`, which compiling a schema at run time uses.
 */
export function registerPrecompiledValidators(validators: Readonly<Record<string, ValidateFunction>>): void {
  for (const [key, validate] of Object.entries(validators)) precompiled.set(key, validate);
}

/** The compiled validator of a schema (precompiled, else compiled on first use), kept for the schema's lifetime. */
export function validatorFor(schema: TObject): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = (precompiled.size > 0 ? precompiled.get(schemaKey(schema)) : undefined) ?? nodeSchemaAjv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

/**
 * Validates the config of one flow node (the raw object from the flow JSON, with Node-RED's own `id`, `type`, `z`,
 * `x`, `y`, `wires`, `name`… which are ignored). Runs the definition's migrations from the node's stored version
 * (`v`, absent = 1) to the current one, then validates only the schema's properties. Never throws.
 */
export function validateNodeConfig<C extends TObject, K extends TObject>(
  definition: NodeDefinition<C, K>,
  rawNode: Readonly<Record<string, unknown>>,
): ConfigValidation<Static<C>> {
  const migrated = migrateToCurrent(definition, rawNode);
  if (!migrated.ok) return migrated;
  return validateObject(definition.config, migrated.config);
}

/** Validates a node's credentials (Node-RED keeps them apart from the flow JSON) against `definition.credentials`. */
export function validateNodeCredentials<C extends TObject, K extends TObject>(
  definition: NodeDefinition<C, K>,
  credentials: Readonly<Record<string, unknown>> | undefined,
): ConfigValidation<Static<K>> {
  if (!definition.credentials) return { ok: true, config: {} as Static<K> };
  const result = validateObject(definition.credentials, credentials ?? {});
  return result.ok
    ? result
    : { ok: false, problems: result.problems.map((p) => ({ ...p, path: `/credentials${p.path}` })) };
}

/** The top-level config property a problem is about; undefined for the config as a whole. */
export function problemProperty(problem: ConfigProblem): string | undefined {
  const [, first] = problem.path.split('/');
  return first === undefined ? undefined : decodePointer(first);
}

/** All problems in one line, for `node.error` and logs. */
export function describeProblems(problems: readonly ConfigProblem[]): string {
  return problems.map((problem) => problem.message).join('; ');
}

/**
 * A flow node brought to its definition's current config version: its migrations run on a copy, which gets the
 * version property; `undefined` when the node is current already or cannot be migrated (its validation says why).
 */
export function upgradeNode<C extends TObject, K extends TObject>(
  definition: NodeDefinition<C, K>,
  node: Readonly<Record<string, unknown>>,
): Record<string, unknown> | undefined {
  if (Number(node[CONFIG_VERSION_PROPERTY] ?? 1) === definition.version || definition.core) return undefined;
  const migrated = migrateToCurrent(definition, node);
  if (!migrated.ok || migrated.config === node) return undefined;
  return { ...migrated.config, [CONFIG_VERSION_PROPERTY]: definition.version };
}

function migrateToCurrent(
  definition: NodeDefinition<TObject, TObject>,
  rawNode: Readonly<Record<string, unknown>>,
): ConfigValidation<Record<string, unknown>> {
  const stored = rawNode[CONFIG_VERSION_PROPERTY] ?? 1;
  const version = typeof stored === 'string' && stored.trim() !== '' ? Number(stored) : stored;
  const problem = (text: ProblemText) => ({ ok: false as const, problems: [{ path: `/${CONFIG_VERSION_PROPERTY}`, ...text }] });
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    return problem(problemText('config.versionInvalid', { got: preview(stored) }));
  }
  if (version > definition.version) {
    return problem(problemText('config.versionNewer', { version, max: definition.version }));
  }
  // Migrations may rewrite nested values; they work on a copy so the flow Node-RED holds stays as deployed.
  let config: Record<string, unknown> = version < definition.version ? structuredClone({ ...rawNode }) : rawNode;
  for (let from = version; from < definition.version; from++) {
    const migration = definition.migrations?.find((m) => m.from === from);
    if (!migration) return problem(problemText('config.noMigration', { from, to: from + 1 }));
    try {
      config = migration.migrate(config);
    } catch (err) {
      return problem(problemText('config.migrationFailed', { from, error: err instanceof Error ? err.message : String(err) }));
    }
  }
  return { ok: true, config };
}

function validateObject<S extends TObject>(schema: S, source: Readonly<Record<string, unknown>>): ConfigValidation<Static<S>> {
  // Only the schema's own properties are validated, on a copy: Node-RED's bookkeeping properties are not ours to
  // judge, and ajv writes defaults and coerced values into what it validates.
  const candidate: Record<string, unknown> = {};
  for (const name of Object.keys(schema.properties)) {
    if (source[name] !== undefined) candidate[name] = structuredClone(source[name]);
  }
  const validate = validatorFor(schema);
  if (validate(candidate)) return { ok: true, config: candidate as Static<S> };
  return { ok: false, problems: problemsFrom(validate.errors ?? [], schema) };
}

/** Turns ajv's errors into one problem per failing value, named by the property's title. */
function problemsFrom(errors: readonly ErrorObject[], schema: TObject): ConfigProblem[] {
  // A union reports every failed branch and then itself; the union's own error says it all.
  const unions = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => `${e.schemaPath}/`);
  // An if/then reports the failing `then` and then `if` itself ("must match then schema"), which says nothing more.
  const relevant = errors.filter((e) => e.keyword !== 'if' && !unions.some((prefix) => e.schemaPath.startsWith(prefix)));
  const problems: ConfigProblem[] = [];
  for (const error of relevant) {
    const missing = error.keyword === 'required' ? String(error.params['missingProperty']) : undefined;
    const path = missing === undefined ? error.instancePath : `${error.instancePath}/${encodePointer(missing)}`;
    const segments = path.split('/').slice(1).map(decodePointer);
    const text = describe(error, labelOf(schema, segments));
    if (!problems.some((p) => p.path === path && p.message === text.message)) problems.push({ path, ...text });
  }
  return problems;
}

function describe(error: ErrorObject, label: SchemaLabel): ProblemText {
  const got = error.keyword === 'required' ? {} : { got: preview(error.data) };
  switch (error.keyword) {
    case 'required':
      return problemText('schema.required', label);
    case 'minLength':
      if (error.params['limit'] === 1 && error.data === '') return problemText('schema.required', label);
      return keywordProblem(error, label, got);
    case 'type':
      return problemText('schema.type', { ...label, types: String(error.params['type']), ...got });
    case 'enum':
    case 'anyOf':
    case 'oneOf': {
      const choices = choicesOf(error.parentSchema as JsonSchema);
      if (choices) return problemText('schema.choice', { ...label, choices: choices.map((c) => JSON.stringify(c.value)).join(', '), ...got });
      return problemText('schema.noForm', { ...label, ...got });
    }
    case 'const':
      return problemText('schema.const', { ...label, value: JSON.stringify(error.params['allowedValue']), ...got });
    default:
      return keywordProblem(error, label, got);
  }
}

/** Any other keyword: Ajv's English, with Ajv's parameters (`limit`, `comparison`, `pattern`…) for other languages. */
function keywordProblem(error: ErrorObject, label: SchemaLabel, got: { got?: string }): ProblemText {
  const params: Record<string, ProblemParam> = {};
  for (const [key, value] of Object.entries(error.params as Record<string, unknown>)) {
    if (typeof value === 'string' || typeof value === 'number') params[key] = value;
  }
  return problemText('schema.keyword', { ...params, ...label, keyword: error.keyword, ajv: error.message ?? 'is invalid', ...got });
}

/** The property a problem names: its title (`Rules`), the rest of the path (`[0].t`); no title for the whole config. */
function labelOf(schema: TObject, segments: readonly string[]): SchemaLabel {
  const [first] = segments;
  const property = first === undefined ? undefined : (schema.properties[first] as JsonSchema | undefined);
  const title = typeof property?.['title'] === 'string' ? property['title'] : first;
  if (title === undefined) return {};
  // `Rules[0].t` reads better in a sentence than a pointer.
  const suffix = segments
    .slice(1)
    .map((s) => (/^\d+$/.test(s) ? `[${s}]` : `.${s}`))
    .join('');
  return { property: first, title, ...(suffix === '' ? {} : { suffix }) };
}

function encodePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function decodePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

function preview(value: unknown): string {
  const text = value === undefined ? 'nothing' : JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
