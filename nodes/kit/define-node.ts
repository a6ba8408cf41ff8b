/**
 * How a flow node is declared: one browser-safe definition per node type drives the Node-RED registration, config
 * validation, the generated Node-RED `.html` and our editor's palette and properties panel.
 *
 * Browser-safe: this file and every `*.def.ts` import nothing from Node.
 */
import type { SchemaOptions, Static, TObject, TProperties, TUnsafe } from '@sinclair/typebox';
import { Type } from '@sinclair/typebox';
import type { ProblemParams } from './problem-text.ts';

/**
 * The flow-JSON property that holds the version of a node's config. Node-RED stores every config property flat on
 * the node object, so the version sits beside them as `v`; a node without `v` was saved at version 1. The kit
 * migrates older configs up to {@link NodeDefinition.version} before validating them, and the generated Node-RED
 * editor form writes the current version on save. Core Node-RED nodes carry no `v`.
 */
export const CONFIG_VERSION_PROPERTY = 'v';

/** Upgrades a node's stored config from version `from` to `from + 1`. Receives and returns the whole flow node. */
export interface ConfigMigration {
  from: number;
  migrate(config: Record<string, unknown>): Record<string, unknown>;
}

/** How a property is edited when its JSON Schema alone does not say (a string can be a line, a text or code). */
export interface FieldHint {
  widget?: 'code' | 'textarea' | 'hidden';
  /** Language of a `code` widget: `javascript`, `json`, `html`, … */
  language?: string;
}

/** Presentation hints for the properties form; the schema stays the source of truth for values. */
export interface UiHints<P extends TProperties = TProperties> {
  /** Properties listed first, in this order; the rest follow in schema order. */
  order?: readonly (keyof P & string)[];
  fields?: { readonly [K in keyof P]?: FieldHint };
}

/**
 * A flow node type.
 *
 * Config schema conventions (all plain JSON Schema, built with TypeBox):
 * - every property has a `title`, and a `default` unless the user must supply it;
 * - `x-node-ref: '<type>'` on a string: the id of a config node of that type (Node-RED's `defaults.type`); on an
 *   array (or a union containing one): ids of nodes of that type, `'*'` for any (Node-RED's `'<type>[]'`);
 * - `x-ref: '<entity>'`: the id or key of a platform entity (`product`, `device`, …), picked in our editor;
 * - `x-secret: true` on a credentials property: a password-type credential.
 *
 * A config property named `outputs` (or `inputs`) makes the port count dynamic, as in Node-RED: the node's own
 * value wins over {@link NodeDefinition.outputs}.
 */
export interface NodeDefinition<C extends TObject = TObject, K extends TObject = TObject> {
  /** Node-RED type name; unique across every definition. */
  readonly type: string;
  /** Current config version (integer ≥ 1); see {@link CONFIG_VERSION_PROPERTY}. */
  readonly version: number;
  /** Default label on the canvas (a node's `name` wins). */
  readonly label: string;
  /** Label in the palette when it differs from {@link label}. */
  readonly paletteLabel?: string;
  /**
   * The label of a node without a name, from its config, as Node-RED's own label function makes it (an endpoint's
   * path); undefined falls back to {@link label}. `lookup` finds another node of the flows by id (the config node
   * whose label Node-RED shows, as websocket in/out do).
   */
  readonly labelOf?: (node: Readonly<Record<string, unknown>>, lookup?: (id: string) => Readonly<Record<string, unknown>> | undefined) => string | undefined;
  /** What follows a node's name in its label, as Node-RED marks a named inject that fires once (¹) or repeats (↻). */
  readonly nameSuffixOf?: (node: Readonly<Record<string, unknown>>) => string;
  readonly category: string;
  /** CSS colour of the node body. */
  readonly color: string;
  /** A Node-RED icon file (`inject.svg`) or a Font Awesome 4 icon (`font-awesome/fa-check`). */
  readonly icon: string;
  /** The icon of a node when it depends on its config (a link out in return mode); undefined falls back to {@link icon}. */
  readonly iconOf?: (node: Readonly<Record<string, unknown>>) => string | undefined;
  readonly inputs: 0 | 1;
  readonly outputs: number;
  readonly outputLabels?: readonly string[];
  /**
   * The output labels of one node, from its config (a switch output is labelled by its rule), as Node-RED's
   * `outputLabels` function makes them; wins over {@link outputLabels}.
   */
  readonly outputLabelsOf?: (node: Readonly<Record<string, unknown>>) => readonly string[] | undefined;
  /** JSON Schema of the node's config properties as they appear on the flow node. */
  readonly config: C;
  /** JSON Schema of the node's credentials (kept by Node-RED outside the flow JSON). */
  readonly credentials?: K;
  readonly ui?: UiHints<C['properties']>;
  /** Upgrades from every earlier version, one step each: `from` 1 … `version - 1`. */
  readonly migrations?: readonly ConfigMigration[];
  /** Markdown shown in the editor's help panel. */
  readonly help: string;
  /** A config node (broker connection, …): no ports, shown in the config sidebar, referenced by `x-node-ref`. */
  readonly isConfigNode?: boolean;
  /**
   * Checks beyond the schema (a typed value that does not parse, a rule list that does not match the outputs), as
   * Node-RED's editor validators make them; each problem names the property at fault. The editor marks the node,
   * and a deploy lists them as warnings. `message` is English; `code` and `params` (`problemText`, in
   * `problem-text.ts`) let the editor say it in its language.
   */
  readonly check?: (node: Readonly<Record<string, unknown>>) => readonly { path: string; message: string; code?: string; params?: ProblemParams }[];
  /** A Node-RED core node: Node-RED ships its runtime and editor form; the definition serves our editor only. */
  readonly core?: boolean;
}

/** Any definition, whatever its schemas. */
export type AnyNodeDefinition = NodeDefinition<TObject, TObject>;

/** The validated, defaulted and coerced config a node's runtime receives. */
export type NodeConfig<D extends AnyNodeDefinition> = Static<D['config']>;

/** Declares a node type; typed identity, so `Static<typeof def.config>` flows into the runtime. */
export function defineNode<C extends TObject, K extends TObject = TObject>(
  definition: NodeDefinition<C, K>,
): NodeDefinition<C, K> {
  return definition;
}

/**
 * A property with a fixed set of values, as a JSON Schema `enum` (with `type` when all values share one, so ajv
 * coerces `"2"` to `2`). Use it where a stored value may be a number or a boolean; `Type.Union` of `Type.Literal`s
 * is fine for string choices and renders the same.
 */
export function choice<const V extends readonly (string | number | boolean)[]>(
  values: V,
  options: SchemaOptions = {},
): TUnsafe<V[number]> {
  const types = new Set(values.map((value) => typeof value));
  const [only] = types;
  return Type.Unsafe<V[number]>({ ...(types.size === 1 ? { type: only } : {}), enum: [...values], ...options });
}
