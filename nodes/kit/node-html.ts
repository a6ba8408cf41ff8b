/**
 * Generates the editor `.html` that stock Node-RED loads beside a node module: per node type the
 * `RED.nodes.registerType` call, the properties form and the help. Browser-safe (a pure string function).
 *
 * Limits of the generated form, by design: arrays and objects are edited as JSON text; `x-ref` entities (products,
 * devices) are typed in as keys, since stock Node-RED cannot list them. Our own editor renders the same definitions
 * with pickers.
 */
import { CONFIG_VERSION_PROPERTY, type AnyNodeDefinition } from './define-node.ts';
import { configFields, credentialTypes, type ConfigField } from './schema-fields.ts';

/** The complete `.html` for a set of node definitions. */
export function nodeHtml(definitions: readonly AnyNodeDefinition[]): string {
  return definitions.map(nodeTypeHtml).join('\n');
}

function nodeTypeHtml(definition: AnyNodeDefinition): string {
  const prefix = definition.isConfigNode ? 'node-config-input' : 'node-input';
  const fields = configFields(definition.config, definition.ui);
  const credentialFields = definition.credentials ? configFields(definition.credentials) : [];
  const hasOwnName = fields.some((field) => field.name === 'name');
  const numberFields = fields.filter((field) => field.kind === 'number' && field.hint.widget !== 'hidden');
  const jsonFields = fields.filter((field) => field.kind === 'json' || field.kind === 'node-refs');

  const defaults = [
    ...fields.map((field) => `${js(field.name)}: ${defaultEntry(field)}`),
    ...(hasOwnName ? [] : [`name: { value: "" }`]),
    ...(definition.core ? [] : [`${CONFIG_VERSION_PROPERTY}: { value: ${js(definition.version)} }`]),
  ];
  const registration = [
    `category: ${js(definition.isConfigNode ? 'config' : definition.category)}`,
    `color: ${js(definition.color)}`,
    `defaults: {\n      ${defaults.join(',\n      ')}\n    }`,
    ...(definition.credentials ? [`credentials: ${js(credentialTypes(definition.credentials))}`] : []),
    ...(definition.isConfigNode ? [] : [`inputs: ${js(definition.inputs)}`, `outputs: ${js(definition.outputs)}`]),
    `icon: ${js(definition.icon)}`,
    `label: function () { return this.name || ${js(definition.label)}; }`,
    ...(definition.paletteLabel ? [`paletteLabel: ${js(definition.paletteLabel)}`] : []),
    ...(definition.outputLabels ? [`outputLabels: ${js(definition.outputLabels)}`] : []),
    `oneditprepare: function () {${editPrepare(prefix, numberFields, jsonFields)}\n    }`,
    `oneditsave: function () {${editSave(prefix, jsonFields, definition)}\n    }`,
  ];

  const rows = [
    ...(hasOwnName ? [] : [nameRow(prefix)]),
    ...fields.map((field) => fieldRow(prefix, field)),
    ...credentialFields.map((field) => credentialRow(prefix, field)),
  ];

  return `<script type="text/javascript">
  RED.nodes.registerType(${jsQuoted(definition.type)}, {
    ${registration.join(',\n    ')}
  });
</script>
<script type="text/html" data-template-name="${html(definition.type)}">
${rows.join('\n')}
</script>
<script type="text/markdown" data-help-name="${html(definition.type)}">
${definition.help.replace(/<\/(script)/gi, '<\\/$1')}
</script>
`;
}

/** Number fields get Node-RED's number input; JSON fields are shown as text. */
function editPrepare(prefix: string, numberFields: ConfigField[], jsonFields: ConfigField[]): string {
  let code = jsonFields.length ? '\n      var node = this;' : '';
  if (numberFields.length) {
    code += `
      ${js(numberFields.map((f) => f.name))}.forEach(function (p) {
        $("#${prefix}-" + p).typedInput({ type: "num", types: ["num"] });
      });`;
  }
  if (jsonFields.length) {
    code += `
      ${js(jsonFields.map((f) => f.name))}.forEach(function (p) {
        $("#${prefix}-json-" + p).val(JSON.stringify(node[p] === undefined ? null : node[p], null, 2));
      });`;
  }
  return code;
}

/** Parses the JSON fields back; our nodes are saved at the current config version. */
function editSave(prefix: string, jsonFields: ConfigField[], definition: AnyNodeDefinition): string {
  let code = jsonFields.length || !definition.core ? '\n      var node = this;' : '';
  if (jsonFields.length) {
    code += `
      ${js(jsonFields.map((f) => f.name))}.forEach(function (p) {
        try { node[p] = JSON.parse($("#${prefix}-json-" + p).val()); }
        catch (e) { RED.notify(p + ": not valid JSON, kept the previous value", "warning"); }
      });`;
  }
  if (!definition.core) {
    code += `
      // The form edits the current config shape, so the node is now at the current version.
      node.${CONFIG_VERSION_PROPERTY} = ${js(definition.version)};`;
  }
  return code;
}

/** Node-RED's `defaults` entry for a field: its default, and the checks its editor can run itself. */
function defaultEntry(field: ConfigField): string {
  // Node-RED's own config-node references carry no value until one is picked.
  const parts = field.hasDefault || !field.nodeRef ? [`value: ${js(field.default)}`] : [];
  // `required` means "not blank" to Node-RED: it matters only where a blank can be typed or left selected.
  const canBeBlank = field.kind === 'string' || field.kind === 'number' || field.kind === 'node-ref';
  if (canBeBlank && !field.blankAllowed) parts.push('required: true');
  if (field.nodeRef) parts.push(`type: ${js(field.kind === 'node-refs' ? `${field.nodeRef}[]` : field.nodeRef)}`);
  if (field.kind === 'number') parts.push(`validate: RED.validators.number(${js(field.blankAllowed)})`);
  const pattern = field.schema['pattern'];
  if (field.kind === 'string' && typeof pattern === 'string') {
    parts.push(`validate: RED.validators.regex(new RegExp(${js(pattern)}))`);
  }
  parts.push(`label: ${js(field.title)}`);
  return `{ ${parts.join(', ')} }`;
}

function nameRow(prefix: string): string {
  return row(
    `<label for="${prefix}-name"><i class="fa fa-tag"></i> Name</label>`,
    `<input type="text" id="${prefix}-name" placeholder="Name">`,
  );
}

function fieldRow(prefix: string, field: ConfigField): string {
  const id = `${prefix}-${field.name}`;
  if (field.hint.widget === 'hidden') return `<input type="hidden" id="${html(id)}">`;
  const label = `<label for="${html(id)}"${field.description ? ` title="${html(field.description)}"` : ''}>${html(field.title)}</label>`;
  switch (field.kind) {
    case 'boolean':
      return row(label, `<input type="checkbox" id="${html(id)}" style="display:inline-block; width:auto; vertical-align:top;">`);
    case 'choice': {
      const options = (field.choices ?? [])
        .map((choice) => `<option value="${html(String(choice.value ?? ''))}">${html(choice.label)}</option>`)
        .join('');
      return row(label, `<select id="${html(id)}" style="width:70%;">${options}</select>`);
    }
    case 'json':
    case 'node-refs':
      return row(
        `<label for="${html(`${prefix}-json-${field.name}`)}">${html(field.title)}</label>`,
        `<textarea id="${html(`${prefix}-json-${field.name}`)}" rows="4" style="width:70%; font-family:monospace;"></textarea>`,
      );
    case 'string':
      if (field.hint.widget === 'code' || field.hint.widget === 'textarea') {
        const rows = field.hint.widget === 'code' ? 10 : 4;
        const font = field.hint.widget === 'code' ? ' font-family:monospace;' : '';
        return row(label, `<textarea id="${html(id)}" rows="${rows}" style="width:70%;${font}"></textarea>`);
      }
      return row(label, textInput(id, field));
    default:
      // Numbers become typed inputs in oneditprepare; config node references become selects in Node-RED itself.
      return row(label, textInput(id, field));
  }
}

function credentialRow(prefix: string, field: ConfigField): string {
  const id = `${prefix}-${field.name}`;
  return row(
    `<label for="${html(id)}">${html(field.title)}</label>`,
    `<input type="${field.secret ? 'password' : 'text'}" id="${html(id)}">`,
  );
}

function textInput(id: string, field: ConfigField): string {
  const placeholder = field.entityRef ? `${field.entityRef} key` : '';
  return `<input type="text" id="${html(id)}" style="width:70%;"${placeholder ? ` placeholder="${html(placeholder)}"` : ''}>`;
}

function row(label: string, control: string): string {
  return `<div class="form-row">\n  ${label}\n  ${control}\n</div>`;
}

/** A JavaScript literal safe inside a `<script>` element (no `</script>`, no line separators). */
function js(value: unknown): string {
  if (value === undefined) return 'undefined';
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** A single-quoted JavaScript string, the house style of Node-RED's own `.html` files (and what people grep for). */
function jsQuoted(text: string): string {
  return `'${js(text).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`;
}

function html(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
