/**
 * Reads a node definition's config and credentials schemas as a list of form fields. One reading serves every
 * consumer: the generated Node-RED `.html`, the Node-RED credentials registration, our editor's properties panel and
 * the validator's error messages. Browser-safe.
 */
import type { TObject } from '@sinclair/typebox';
import type { FieldHint, UiHints } from './define-node.ts';

/** A JSON Schema object as stored (TypeBox schemas are plain JSON Schema plus symbol keys). */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** How a field is edited. */
export type FieldKind = 'string' | 'number' | 'boolean' | 'choice' | 'node-ref' | 'node-refs' | 'json';

/** One allowed value of a `choice` field. */
export interface FieldChoice {
  value: string | number | boolean | null;
  label: string;
}

/** One config (or credentials) property, ready to render. */
export interface ConfigField {
  name: string;
  schema: JsonSchema;
  title: string;
  description?: string;
  /** The schema default; `undefined` when there is none (see {@link hasDefault}). */
  default: unknown;
  hasDefault: boolean;
  /** Listed in the schema's `required`; with a default, the kit fills it in when absent. */
  required: boolean;
  /** May be left empty: no default needed and an empty string is allowed (or the field is optional). */
  blankAllowed: boolean;
  kind: FieldKind;
  choices?: FieldChoice[];
  /** Node type referenced by `x-node-ref` (`*` for any). */
  nodeRef?: string;
  /** Platform entity referenced by `x-ref`. */
  entityRef?: string;
  secret: boolean;
  hint: FieldHint;
}

function jsonTypeOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

function branches(schema: JsonSchema): JsonSchema[] {
  const anyOf = schema['anyOf'] ?? schema['oneOf'];
  return Array.isArray(anyOf) ? (anyOf as JsonSchema[]) : [schema];
}

/** The JSON types a schema admits, looking through one level of `anyOf`/`oneOf`, `const` and `enum`. */
export function schemaTypes(schema: JsonSchema): Set<string> {
  const types = new Set<string>();
  for (const branch of branches(schema)) {
    const type = branch['type'];
    if (typeof type === 'string') types.add(type === 'integer' ? 'number' : type);
    else if (Array.isArray(type)) for (const t of type) types.add(t === 'integer' ? 'number' : String(t));
    else if ('const' in branch) types.add(jsonTypeOf(branch['const']));
    else if (Array.isArray(branch['enum'])) for (const v of branch['enum']) types.add(jsonTypeOf(v));
  }
  return types;
}

/** The allowed values of an `enum` or a union of `const`s (TypeBox literals); undefined for any other schema. */
export function choicesOf(schema: JsonSchema): FieldChoice[] | undefined {
  const label = (value: unknown, title: unknown) => (typeof title === 'string' ? title : String(value));
  if (Array.isArray(schema['enum'])) {
    return (schema['enum'] as FieldChoice['value'][]).map((value) => ({ value, label: label(value, undefined) }));
  }
  const list = branches(schema);
  if (list.length < 2 || !list.every((branch) => 'const' in branch)) return undefined;
  return list.map((branch) => ({ value: branch['const'] as FieldChoice['value'], label: label(branch['const'], branch['title']) }));
}

function admitsEmptyString(schema: JsonSchema): boolean {
  return branches(schema).some(
    (branch) => branch['const'] === '' || (Array.isArray(branch['enum']) && branch['enum'].includes('')),
  );
}

function kindOf(schema: JsonSchema, choices: FieldChoice[] | undefined, types: Set<string>): FieldKind {
  if (typeof schema['x-node-ref'] === 'string') return types.has('array') ? 'node-refs' : 'node-ref';
  if (choices) return 'choice';
  if (types.has('array') || types.has('object')) return 'json';
  if (types.has('number')) return 'number';
  if (types.size === 1 && types.has('boolean')) return 'boolean';
  return 'string';
}

/** The properties of an object schema as fields, in `ui.order` first and then schema order. */
export function configFields(schema: TObject, ui?: UiHints): ConfigField[] {
  const properties = schema.properties as Record<string, JsonSchema>;
  const required = new Set<string>(schema.required ?? []);
  const order = [...(ui?.order ?? []), ...Object.keys(properties).filter((name) => !ui?.order?.includes(name))];
  return order.map((name) => {
    const property = properties[name];
    if (!property) throw new Error(`ui.order names "${name}", which is not a config property`);
    const choices = choicesOf(property);
    const types = schemaTypes(property);
    const hasDefault = 'default' in property;
    const isRequired = required.has(name);
    const minLength = typeof property['minLength'] === 'number' ? property['minLength'] : 0;
    return {
      name,
      schema: property,
      title: typeof property['title'] === 'string' ? property['title'] : name,
      ...(typeof property['description'] === 'string' ? { description: property['description'] } : {}),
      default: property['default'],
      hasDefault,
      required: isRequired,
      blankAllowed: minLength === 0 && (!isRequired || property['default'] === '' || admitsEmptyString(property)),
      kind: kindOf(property, choices, types),
      ...(choices ? { choices } : {}),
      ...(typeof property['x-node-ref'] === 'string' ? { nodeRef: property['x-node-ref'] } : {}),
      ...(typeof property['x-ref'] === 'string' ? { entityRef: property['x-ref'] } : {}),
      secret: property['x-secret'] === true,
      hint: ui?.fields?.[name] ?? {},
    };
  });
}

/** Node-RED's credentials declaration (`{user: {type: 'text'}, password: {type: 'password'}}`) for a schema. */
export function credentialTypes(credentials: TObject): Record<string, { type: 'text' | 'password' }> {
  return Object.fromEntries(
    configFields(credentials).map((field) => [field.name, { type: field.secret ? 'password' : 'text' }] as const),
  );
}
