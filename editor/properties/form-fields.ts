/**
 * The properties form of a node type, read from its definition: which widget edits each config and credentials
 * property, with the bounds, choices and references the widget needs. The kit's `configFields` reads the schema;
 * this adds what only the editor cares about. Pure, no React.
 */
import type { AnyNodeDefinition } from '../../nodes/kit/define-node.ts';
import { choicesOf, configFields, type ConfigField, type FieldChoice, type JsonSchema } from '../../nodes/kit/schema-fields.ts';
import { localizeField } from '../../nodes/i18n/node-text.def.ts';
import { currentLocale } from '../i18n.ts';
import { t } from './properties.messages.ts';

/**
 * How a field is edited:
 * - `text`, `textarea`, `code` (CodeMirror), `number`, `checkbox`, `select` (one of a fixed set);
 * - `multi-select`: an array of choices, as checkboxes;
 * - `key-value`: a record of strings (headers);
 * - `json`: any other object or array, as JSON text;
 * - `product`, `device`: a platform entity (`x-ref`), picked from the API;
 * - `thing-identifier`: a property, service or event identifier of the chosen product's published thing model;
 * - `node-ref`, `node-refs`: config nodes (or other nodes) of the flows (`x-node-ref`);
 * - `secret`: a password credential, never shown;
 * - `secret-json`: a credential that is an object (a notify node's headers), typed as JSON, never shown;
 * - `hidden`: not shown (`ui.fields[name].widget: 'hidden'`).
 */
export type WidgetKind =
  | 'text'
  | 'textarea'
  | 'code'
  | 'number'
  | 'checkbox'
  | 'select'
  | 'multi-select'
  | 'key-value'
  | 'json'
  | 'product'
  | 'device'
  | 'thing-identifier'
  | 'node-ref'
  | 'node-refs'
  | 'secret'
  | 'secret-json'
  | 'hidden';

/** What part of a thing model an identifier field names. */
export type ThingIdentifierKind = 'property' | 'service' | 'event';

/** One field of the properties form. */
export interface FormField extends ConfigField {
  widget: WidgetKind;
  /** Config properties sit on the node; credentials on its `credentials` object (Node-RED keeps them apart). */
  source: 'config' | 'credentials';
  /** `number`: bounds and step from the schema (`minimum`/`maximum`, exclusive ones, `multipleOf`, integer). */
  min?: number;
  max?: number;
  exclusiveMin?: number;
  exclusiveMax?: number;
  step?: number;
  integer?: boolean;
  /** `number`: the schema also admits `''` (Node-RED's "empty: not set"). */
  emptyAllowed?: boolean;
  /** `code`: the language (`javascript`, `json`, …); `template` nodes follow their `format` property. */
  language?: string;
  /** `multi-select`: the choices of each item. */
  itemChoices?: FieldChoice[];
  /** `device`, `thing-identifier`: the field holding the product key. */
  productField?: string;
  /** `thing-identifier`: what it names. */
  identifier?: ThingIdentifierKind;
  /** `node-refs` with a union (catch/status scope): the non-list values allowed, e.g. `null` for "all nodes". */
  refModes?: FieldChoice[];
}

/** Field names that name a thing-model identifier when their node also has a product picker. */
const IDENTIFIER_NAMES: Readonly<Record<string, ThingIdentifierKind>> = {
  property: 'property',
  service: 'service',
  event: 'event',
  clearEvent: 'event',
};

/**
 * The form of a definition: config fields in `ui.order` then schema order, then its credentials; titles, descriptions
 * and choice labels in the UI's language (the schema holds the English).
 */
export function formFields(definition: AnyNodeDefinition): FormField[] {
  const locale = currentLocale();
  const config = configFields(definition.config, definition.ui).map((field) => localizeField(definition.type, field, locale));
  const productField = config.find((field) => field.entityRef === 'product')?.name;
  const fields = config.map((field) => toFormField(field, 'config', productField, definition.type));
  if (definition.credentials) {
    for (const field of configFields(definition.credentials)) {
      fields.push(toFormField(localizeField(definition.type, field, locale), 'credentials', undefined, definition.type));
    }
  }
  return fields;
}

function toFormField(field: ConfigField, source: FormField['source'], productField: string | undefined, type: string): FormField {
  const form: FormField = { ...field, source, widget: widgetOf(field, productField) };
  const schema = field.schema;
  switch (form.widget) {
    case 'number':
      Object.assign(form, numberBounds(schema));
      break;
    case 'code':
      form.language = field.hint.language ?? (type === 'template' ? 'handlebars' : 'javascript');
      break;
    case 'multi-select':
      form.itemChoices = choicesOf(schema['items'] as JsonSchema) ?? [];
      break;
    case 'device':
      if (productField) form.productField = productField;
      break;
    case 'thing-identifier':
      form.productField = productField!;
      form.identifier = identifierKind(field)!;
      break;
    case 'node-refs': {
      const modes = branches(schema).filter((branch) => 'const' in branch || branch['type'] === 'null');
      if (modes.length > 0) {
        form.refModes = modes.map((branch) => {
          const value = branch['type'] === 'null' ? null : (branch['const'] as FieldChoice['value']);
          const fallback = value === null ? t('ref.allNodes') : value === 'group' ? t('ref.group') : String(value);
          return { value, label: typeof branch['title'] === 'string' ? branch['title'] : fallback };
        });
      }
      break;
    }
  }
  return form;
}

function widgetOf(field: ConfigField, productField: string | undefined): WidgetKind {
  const hinted = field.hint.widget;
  if (hinted === 'hidden') return 'hidden';
  if (field.secret) return field.kind === 'json' ? 'secret-json' : 'secret';
  if (field.kind === 'node-ref') return 'node-ref';
  if (field.kind === 'node-refs') return 'node-refs';
  if (field.entityRef === 'product') return 'product';
  if (field.entityRef === 'device') return 'device';
  if (identifierKind(field) && (field.entityRef !== undefined || productField !== undefined)) return 'thing-identifier';
  if (field.kind === 'choice') return 'select';
  if (field.kind === 'boolean') return 'checkbox';
  if (field.kind === 'number') return 'number';
  if (field.kind === 'json') {
    const schema = field.schema;
    if (schema['type'] === 'array' && choicesOf((schema['items'] ?? {}) as JsonSchema)) return 'multi-select';
    if (isStringRecord(schema)) return 'key-value';
    return 'json';
  }
  if (hinted === 'code') return 'code';
  if (hinted === 'textarea') return 'textarea';
  return 'text';
}

/** `x-ref: 'property' | 'service' | 'event'`, or a field of that name beside a product picker. */
function identifierKind(field: ConfigField): ThingIdentifierKind | undefined {
  const ref = field.entityRef;
  if (ref === 'property' || ref === 'service' || ref === 'event') return ref;
  if (ref !== undefined || field.kind !== 'string') return undefined;
  return IDENTIFIER_NAMES[field.name];
}

/** An object whose values are all strings (TypeBox `Record(String, String)`: `patternProperties`/`additionalProperties`). */
function isStringRecord(schema: JsonSchema): boolean {
  if (schema['type'] !== 'object') return false;
  const properties = schema['properties'] as Record<string, unknown> | undefined;
  if (properties && Object.keys(properties).length > 0) return false;
  const values = [
    ...Object.values((schema['patternProperties'] ?? {}) as Record<string, JsonSchema>),
    ...(typeof schema['additionalProperties'] === 'object' ? [schema['additionalProperties'] as JsonSchema] : []),
  ];
  return values.length > 0 && values.every((value) => value['type'] === 'string');
}

function branches(schema: JsonSchema): JsonSchema[] {
  const anyOf = schema['anyOf'] ?? schema['oneOf'];
  return Array.isArray(anyOf) ? (anyOf as JsonSchema[]) : [schema];
}

/** Bounds of a number schema (or of the number branch of a union with `''`). */
function numberBounds(schema: JsonSchema): Partial<FormField> {
  const list = branches(schema);
  const number = list.find((branch) => branch['type'] === 'number' || branch['type'] === 'integer') ?? schema;
  const bounds: Partial<FormField> = {};
  const num = (key: string) => (typeof number[key] === 'number' ? (number[key] as number) : undefined);
  const min = num('minimum');
  const max = num('maximum');
  const exclusiveMin = num('exclusiveMinimum');
  const exclusiveMax = num('exclusiveMaximum');
  if (min !== undefined) bounds.min = min;
  if (max !== undefined) bounds.max = max;
  if (exclusiveMin !== undefined) bounds.exclusiveMin = exclusiveMin;
  if (exclusiveMax !== undefined) bounds.exclusiveMax = exclusiveMax;
  bounds.integer = number['type'] === 'integer';
  const multipleOf = num('multipleOf');
  if (multipleOf !== undefined) bounds.step = multipleOf;
  else if (bounds.integer) bounds.step = 1;
  bounds.emptyAllowed = list.some((branch) => branch['const'] === '');
  return bounds;
}

/** What a number input's text means: a value to store, or why it is not one. */
export type NumberInput = { ok: true; value: number | '' } | { ok: false; message: string };

/**
 * Reads a number field's text. Empty text is `''` where the schema allows it; text that is not a number, or a number
 * out of bounds, is refused with the reason (the bound it breaks); {@link numberFieldValue} says what the node keeps.
 */
export function parseNumberInput(field: FormField, text: string): NumberInput {
  const trimmed = text.trim();
  // The title leads the sentence; in Chinese a Latin one (`QoS`) is set off by a space.
  const name = currentLocale() === 'zh-CN' && /[\w)\]]$/.test(field.title) ? `${field.title} ` : field.title;
  const refuse = (message: string): NumberInput => ({ ok: false, message });
  if (trimmed === '') {
    return field.emptyAllowed ? { ok: true, value: '' } : refuse(t('number.needed', { field: name }));
  }
  const value = Number(trimmed);
  if (!Number.isFinite(value)) return refuse(t('number.notNumber', { field: name }));
  if (field.integer && !Number.isInteger(value)) return refuse(t('number.whole', { field: name }));
  if (field.min !== undefined && value < field.min) return refuse(t('number.atLeast', { field: name, min: String(field.min) }));
  if (field.max !== undefined && value > field.max) return refuse(t('number.atMost', { field: name, max: String(field.max) }));
  if (field.exclusiveMin !== undefined && value <= field.exclusiveMin) {
    return refuse(t('number.moreThan', { field: name, min: String(field.exclusiveMin) }));
  }
  if (field.exclusiveMax !== undefined && value >= field.exclusiveMax) {
    return refuse(t('number.lessThan', { field: name, max: String(field.exclusiveMax) }));
  }
  if (field.step !== undefined && !field.integer && Math.abs(value / field.step - Math.round(value / field.step)) > 1e-9) {
    return refuse(t('number.multipleOf', { field: name, step: String(field.step) }));
  }
  return { ok: true, value };
}

/**
 * What a number field's text puts in the node, and what is wrong with it: a number (out of bounds or not, the
 * validator judges), `''` where allowed, else the text as typed, so nothing typed is lost on leaving the node.
 */
export function numberFieldValue(field: FormField, text: string): { value: unknown; message: string | null } {
  const parsed = parseNumberInput(field, text);
  if (parsed.ok) return { value: parsed.value, message: null };
  const number = Number(text.trim());
  return { value: text.trim() !== '' && Number.isFinite(number) ? number : text, message: parsed.message };
}

/** The text a JSON field shows: the stored value as JSON, or the text kept as typed when it did not parse. */
export function jsonFieldText(stored: unknown): string {
  if (typeof stored === 'string') {
    try {
      JSON.parse(stored);
    } catch {
      return stored;
    }
  }
  return JSON.stringify(stored ?? null, null, 2);
}

/** What the text typed into a `secret-json` field means: the value to store (`undefined`: keep the stored one). */
export type SecretJsonInput = { ok: true; value: Record<string, unknown> | undefined } | { ok: false; message: string };

/**
 * Reads a `secret-json` field's text. Empty text keeps the stored value, as an empty password does; otherwise it must
 * be a JSON object (the schema judges its entries, as for any credential typed in).
 */
export function parseSecretJsonInput(field: FormField, text: string): SecretJsonInput {
  if (text.trim() === '') return { ok: true, value: undefined };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { ok: false, message: t('widget.invalidJson', { reason: err instanceof Error ? err.message : String(err) }) };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, message: t('widget.jsonObject', { field: field.title, example: '{"Authorization": "Bearer …"}' }) };
  }
  return { ok: true, value: parsed as Record<string, unknown> };
}

/** The language of a `code` field for this node: a template's `format` decides its highlighting. */
export function codeLanguage(field: FormField, node: Readonly<Record<string, unknown>>): string {
  if (field.language === 'handlebars' && typeof node['format'] === 'string') return node['format'];
  return field.language ?? 'javascript';
}
