/**
 * The properties panel: the selected node's (or config node's) form, generated from its type's JSON Schema
 * (`formFields`), with the node's help, and every problem the validator finds shown under the field at fault.
 * Edits go to the store as they are typed (`ongoing`), so one gesture is one undo step.
 */
import { useMemo, useState, type JSX, type ReactNode } from 'react';
import { useStore, type StoreApi } from 'zustand';
import type { AnyNodeDefinition } from '../../nodes/kit/define-node.ts';
import type { EditorApi } from '../editor-api.ts';
import type { NodeRedNode } from '../model/flow-codec.ts';
import { selectNode, selectNodeProblems } from '../model/flow-selectors.ts';
import type { FlowEditorState } from '../model/flow-store.ts';
import { isUnknownType, kindOf, labelOf, nodeTypeLabel } from '../model/node-catalog.ts';
import { labelShown } from '../model/flow-canvas.ts';
import { CodeEditor } from './code-editor.tsx';
import { DevicePicker, ProductPicker, ThingIdentifierPicker } from './entity-pickers.tsx';
import { fieldKey, problemsByField } from './field-problems.ts';
import {
  CheckboxWidget,
  JsonWidget,
  KeyValueWidget,
  MultiSelectWidget,
  NumberWidget,
  SecretJsonWidget,
  SecretWidget,
  SelectWidget,
  TextWidget,
  TextareaWidget,
  type WidgetProps,
} from './field-widgets.tsx';
import { coreForms } from './core-forms/index.ts';
import { CoreFormHost } from './core-forms/form-kit.tsx';
import { codeLanguage, formFields, type FormField } from './form-fields.ts';
import { HelpMarkdown } from './help-markdown.tsx';
import { ConfigNodeRefWidget, NodeListWidget } from './node-ref-fields.tsx';
import { RawConfigEditor } from './raw-config-editor.tsx';
import { t } from './properties.messages.ts';
import { currentLocale, richText } from '../i18n.ts';
import { helpIn } from '../../nodes/i18n/node-text.def.ts';

export interface PropertiesPanelProps {
  store: StoreApi<FlowEditorState>;
  /** The node (or config node) to edit; null when nothing is selected. */
  nodeId: string | null;
  api: EditorApi;
}

/** The properties of one node, as a form generated from its type's config schema. */
export function PropertiesPanel({ store, nodeId, api }: PropertiesPanelProps): JSX.Element {
  return (
    <aside aria-label={t('panel.label')} className="flex h-full min-h-0 flex-col overflow-y-auto bg-white text-sm">
      {nodeId === null ? (
        <p className="p-3 text-xs text-slate-500">{t('panel.empty')}</p>
      ) : (
        // Keyed by node: drafts of one node's fields never show on another.
        <NodeProperties key={nodeId} store={store} nodeId={nodeId} api={api} depth={0} />
      )}
    </aside>
  );
}

function NodeProperties({ store, nodeId, api, depth }: { store: StoreApi<FlowEditorState>; nodeId: string; api: EditorApi; depth: number }) {
  const node = useStore(store, useMemo(() => selectNode(nodeId), [nodeId]));
  const catalog = useStore(store, (s) => s.catalog);
  if (!node) return <p className="p-3 text-xs text-slate-500">{t('panel.gone', { id: nodeId })}</p>;
  const document = store.getState().document;
  const definition = catalog.definition(node.type);
  const name = labelOf(node, document, catalog);
  const typeLabel = definition ? nodeTypeLabel(definition) : node.type;
  const nested = depth > 0;
  const locked = catalog.isCodeLocked(node.type);
  // A user who cannot change flows reads every form as a locked code node's: shown, selectable, not editable.
  const readOnly = locked || store.getState().readOnly;
  return (
    <div className={nested ? 'space-y-3' : 'space-y-3 p-3'} data-node-id={node.id}>
      {!nested && (
        <header className="flex items-center gap-2 border-b border-slate-200 pb-2">
          <span className="h-4 w-4 shrink-0 rounded-sm border border-black/20" style={{ background: definition?.color ?? '#ddd' }} />
          <div className="min-w-0">
            <h2 className="truncate font-semibold text-slate-900">{name}</h2>
            <p className="text-xs text-slate-500">
              {typeLabel}
              {kindOf(node) === 'config' ? t('panel.configNode') : ''}
              <span className="ml-1 font-mono text-slate-400">{node.id}</span>
            </p>
          </div>
        </header>
      )}
      {locked && !store.getState().readOnly && <CodeLockNote type={typeLabel} />}
      {definition && coreForms[node.type] ? (
        <>
          {depth === 0 && <NodeHelp markdown={helpIn(definition, currentLocale())} />}
          <CoreFormHost
            store={store} node={node} api={api} readOnly={readOnly} form={coreForms[node.type]!} depth={depth}
            renderConfigEditor={(id) => (depth < 2 ? <NodeProperties store={store} nodeId={id} api={api} depth={depth + 1} /> : null)}
          />
        </>
      ) : definition ? (
        <NodeForm store={store} node={node} definition={definition} api={api} depth={depth} readOnly={readOnly} />
      ) : (
        <RawNode store={store} node={node} unknown={isUnknownType(node, document, catalog)} readOnly={readOnly} />
      )}
      {!nested && hasLabel(node) && <ShowLabelField store={store} node={node} readOnly={store.getState().readOnly} />}
    </div>
  );
}

/** Whether a node is drawn with a label it can hide: a node of a flow, not a tab, config node, comment, group or junction. */
function hasLabel(node: NodeRedNode): boolean {
  return kindOf(node) === 'node' && !['comment', 'group', 'junction'].includes(node.type);
}

/** Node-RED's "Show label": whether the canvas draws the node's label or its icon alone (link nodes default to the icon). */
function ShowLabelField({ store, node, readOnly }: { store: StoreApi<FlowEditorState>; node: NodeRedNode; readOnly: boolean }) {
  return (
    <label className="flex items-center gap-2 border-t border-slate-200 pt-2 text-xs text-slate-700">
      <input
        type="checkbox" checked={labelShown(node)} disabled={readOnly}
        onChange={(event) => store.getState().updateNodeConfig(node.id, { l: event.target.checked })}
      />
      {t('panel.showLabel')}
    </label>
  );
}

/** Why a code node cannot be edited by this user, and what they can still do with it. */
function CodeLockNote({ type }: { type: string }) {
  return (
    <p role="note" data-testid="code-lock" className="rounded border border-amber-300 bg-amber-50 px-2 py-1.5 text-xs text-amber-900">
      <i aria-hidden className="fa fa-lock mr-1" />
      {richText(t('panel.locked', { type }), { b: (text) => <strong>{text}</strong>, code: (text) => <code>{text}</code> })}
    </p>
  );
}

/**
 * A node whose type has no form here. An installed type's properties are edited as JSON; an unknown type's are shown
 * as they are (they are kept and exported unchanged, and nothing here could check an edit).
 */
function RawNode({ store, node, unknown, readOnly }: { store: StoreApi<FlowEditorState>; node: NodeRedNode; unknown: boolean; readOnly: boolean }) {
  const kind = kindOf(node);
  const editable = !unknown && !readOnly && (kind === 'node' || kind === 'config');
  const note = unknown
    ? t('panel.notInstalled', { type: node.type })
    : readOnly
      ? t('panel.asDeployed')
      : editable
      ? t('panel.noForm', { type: node.type })
      : t('panel.onCanvas', { kind: t(`kind.${kind}`) });
  return (
    <>
      <p role={unknown ? 'alert' : undefined} className={`rounded px-2 py-1.5 text-xs ${unknown ? 'bg-red-50 text-red-800' : 'bg-slate-50 text-slate-700'}`}>
        {note}
      </p>
      {editable ? (
        <RawConfigEditor store={store} node={node} />
      ) : (
        <pre aria-label={t('panel.nodeJson')} className="max-h-96 overflow-auto rounded border border-slate-200 bg-slate-50 p-2 font-mono text-xs text-slate-800">
          {JSON.stringify(node, null, 2)}
        </pre>
      )}
    </>
  );
}

function NodeForm({ store, node, definition, api, depth, readOnly = false }: {
  store: StoreApi<FlowEditorState>; node: NodeRedNode; definition: AnyNodeDefinition; api: EditorApi; depth: number; readOnly?: boolean;
}) {
  const nodeId = node.id;
  const fields = useMemo(() => formFields(definition).filter((f) => f.widget !== 'hidden'), [definition]);
  const problems = useStore(store, useMemo(() => selectNodeProblems(nodeId), [nodeId]));
  const [localErrors, setLocalErrors] = useState<Readonly<Record<string, string>>>({});
  const storedCredentials = node['credentials'];
  const credentials = useMemo(
    () => (typeof storedCredentials === 'object' && storedCredentials !== null ? storedCredentials : {}) as Record<string, unknown>,
    [storedCredentials],
  );

  // The node's problems include those of the credentials typed (checkFlowNodeConfig), so the canvas and Deploy see them too.
  const sorted = useMemo(() => problemsByField(problems, {
    config: fields.filter((f) => f.source === 'config').map((f) => f.name),
    credentials: fields.filter((f) => f.source === 'credentials').map((f) => f.name),
  }), [problems, fields]);

  const current = () => selectNode(nodeId)(store.getState());
  const change = (field: FormField, value: unknown, ongoing: boolean) => {
    const state = store.getState();
    if (field.source === 'config') {
      state.updateNodeConfig(nodeId, { [field.name]: value }, { ongoing });
      return;
    }
    const stored = current()?.['credentials'];
    const next: Record<string, unknown> = { ...(typeof stored === 'object' && stored !== null ? stored : {}) };
    if (value === undefined) delete next[field.name];
    else next[field.name] = value;
    state.updateNodeConfig(nodeId, { credentials: Object.keys(next).length > 0 ? next : undefined }, { ongoing });
  };
  // Leaving a field ends its gesture: the same value again, not ongoing, closes the undo step.
  const commit = (field: FormField) => {
    const key = field.source === 'config' ? field.name : 'credentials';
    store.getState().updateNodeConfig(nodeId, { [key]: current()?.[key] });
  };

  const nodeZ = typeof node['z'] === 'string' ? node['z'] : undefined;
  const valueOf = (field: FormField) => (field.source === 'config' ? node[field.name] : credentials[field.name]);
  const productOf = (field: FormField) => {
    const product = field.productField === undefined ? undefined : node[field.productField];
    return typeof product === 'string' ? product : '';
  };

  return (
    <>
      {depth === 0 && <NodeHelp markdown={helpIn(definition, currentLocale())} />}
      {sorted.general.length > 0 && (
        <ul role="alert" aria-label={t('panel.problems')} className="list-disc rounded bg-red-50 py-1.5 pr-2 pl-6 text-xs text-red-800">
          {sorted.general.map((message) => (
            <li key={message}>{message}</li>
          ))}
        </ul>
      )}
      <form className="space-y-3" onSubmit={(e) => e.preventDefault()} aria-label={t('panel.form', { type: definition.label })}>
        <fieldset
          disabled={readOnly}
          className={`m-0 min-w-0 space-y-3 border-0 p-0 ${readOnly ? '[&_input]:bg-slate-50 [&_input]:text-slate-600 [&_select]:bg-slate-50 [&_textarea]:bg-slate-50' : ''}`}
        >
        {fields.map((field) => {
          const key = fieldKey(field.source, field.name);
          const id = `prop-${depth}-${nodeId}-${key}`;
          // What the widget found in the text as typed says it best; the validator's findings otherwise.
          const messages = localErrors[key] ? [localErrors[key]] : (sorted.byField.get(key) ?? []);
          const invalid = messages.length > 0;
          const describedBy = [field.description || field.secret ? `${id}-help` : '', invalid ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
          const props: WidgetProps = {
            field, id, value: valueOf(field), invalid, ...(describedBy ? { describedBy } : {}),
            onChange: (value, ongoing) => change(field, value, ongoing),
            onCommit: () => commit(field),
            onLocalError: (message) =>
              setLocalErrors((errors) => {
                if ((errors[key] ?? null) === message) return errors;
                const next = { ...errors };
                if (message === null) delete next[key];
                else next[key] = message;
                return next;
              }),
          };
          return (
            <FieldRow key={key} field={field} id={id} invalid={invalid} messages={messages}>
              {renderWidget(field, props, { store, api, node, nodeZ, product: productOf(field), depth, readOnly })}
            </FieldRow>
          );
        })}
        </fieldset>
      </form>
    </>
  );
}

/** The node type's help, folded. */
function NodeHelp({ markdown }: { markdown: string }) {
  if (!markdown) return null;
  return (
    <details className="rounded border border-slate-200">
      <summary className="cursor-pointer px-2 py-1 text-xs font-medium text-slate-700">{t('panel.help')}</summary>
      <div className="border-t border-slate-200 px-2 py-2">
        <HelpMarkdown markdown={markdown} />
      </div>
    </details>
  );
}

function renderWidget(
  field: FormField,
  props: WidgetProps,
  context: { store: StoreApi<FlowEditorState>; api: EditorApi; node: NodeRedNode; nodeZ: string | undefined; product: string; depth: number; readOnly: boolean },
): ReactNode {
  const text = typeof props.value === 'string' ? props.value : props.value === undefined && typeof field.default === 'string' ? field.default : '';
  const picker = { field, id: props.id, value: text, api: context.api, invalid: props.invalid, onChange: (v: string) => props.onChange(v, false), ...(props.describedBy ? { describedBy: props.describedBy } : {}) };
  switch (field.widget) {
    case 'number':
      return <NumberWidget {...props} />;
    case 'checkbox':
      return <CheckboxWidget {...props} />;
    case 'select':
      return <SelectWidget {...props} />;
    case 'multi-select':
      return <MultiSelectWidget {...props} />;
    case 'key-value':
      return <KeyValueWidget {...props} />;
    case 'json':
      return <JsonWidget {...props} readOnly={context.readOnly} />;
    case 'textarea':
      return <TextareaWidget {...props} />;
    case 'secret':
      return <SecretWidget {...props} />;
    case 'secret-json':
      return <SecretJsonWidget {...props} />;
    case 'code':
      return (
        <CodeEditor
          id={props.id} label={field.title} language={codeLanguage(field, context.node)} value={text} invalid={props.invalid} readOnly={context.readOnly}
          {...(props.describedBy ? { describedBy: props.describedBy } : {})}
          onChange={(value) => props.onChange(value, true)} onBlur={props.onCommit}
        />
      );
    case 'product':
      return <ProductPicker {...picker} />;
    case 'device':
      return <DevicePicker {...picker} product={context.product} />;
    case 'thing-identifier':
      return <ThingIdentifierPicker {...picker} product={context.product} />;
    case 'node-ref':
      return (
        <ConfigNodeRefWidget
          {...props} store={context.store} nodeZ={context.nodeZ}
          renderEditor={(id) => (context.depth < 2 ? <NodeProperties store={context.store} nodeId={id} api={context.api} depth={context.depth + 1} /> : null)}
        />
      );
    case 'node-refs':
      return <NodeListWidget {...props} store={context.store} nodeId={context.node.id} nodeZ={context.nodeZ} />;
    default:
      return <TextWidget {...props} />;
  }
}

/** A field's label, its widget, what it is for, and what is wrong with it. */
function FieldRow({ field, id, invalid, messages, children }: { field: FormField; id: string; invalid: boolean; messages: readonly string[]; children: ReactNode }) {
  const grouped = field.widget === 'multi-select' || field.widget === 'node-refs' || field.widget === 'key-value';
  const label = (
    <span className="text-xs font-medium text-slate-700">
      {field.title}
      {field.required && !field.hasDefault && !field.blankAllowed && <span className="text-red-600" aria-hidden> *</span>}
    </span>
  );
  return (
    <div data-field={field.name} data-invalid={invalid || undefined}>
      {field.widget === 'checkbox' ? (
        <label htmlFor={id} className="flex items-center gap-2">
          {children}
          {label}
        </label>
      ) : (
        <>
          {grouped ? <div id={`${id}-label`}>{label}</div> : <label htmlFor={id} className="block pb-0.5">{label}</label>}
          {children}
        </>
      )}
      {(field.description || field.secret) && (
        <p id={`${id}-help`} className="mt-0.5 text-xs text-slate-500">
          {field.description}
          {field.secret && `${field.description ? ' · ' : ''}${field.widget === 'secret-json' ? t('field.secretJson') : t('field.secret')}`}
        </p>
      )}
      {invalid && (
        <div id={`${id}-error`} className="mt-0.5 space-y-0.5 text-xs text-red-700">
          {messages.map((message) => (
            <p key={message}>{message}</p>
          ))}
        </div>
      )}
    </div>
  );
}
