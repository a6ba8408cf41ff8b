/**
 * Fields the network forms need beyond the form kit: credentials (kept on the node's `credentials`, never in the
 * flow JSON), a checkbox that only shows or hides rows (Node-RED's "Use TLS", "Use proxy"), a typed value whose
 * "none" type is an empty value (the MQTT 5 properties), header lists as Node-RED's http request, websocket-client
 * and http response store them, a list of host names, and a folding section.
 */
import { useState, type JSX, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { NodeRedNode } from '../../model/flow-codec.ts';
import { EditableList } from './editable-list.tsx';
import { Row, textOf, useCoreForm, useFieldId, useProblems } from './form-kit.tsx';
import { tn } from './network-forms.messages.ts';
import { TypedInput, typeOf, type CustomType, type TypeSpec } from './typed-input.tsx';

const inputClass = (invalid = false, extra = '') =>
  `min-w-0 rounded border px-2 py-1 text-sm focus:outline-none focus:ring-1 focus:ring-sky-500 disabled:bg-slate-50 disabled:text-slate-600 ${invalid ? 'border-red-500' : 'border-slate-300'} ${extra}`;

/** The node's stored credentials (what was typed in this editor session; the server never sends secrets back). */
function credentialsOf(node: NodeRedNode): Record<string, unknown> {
  const stored = node['credentials'];
  return typeof stored === 'object' && stored !== null ? (stored as Record<string, unknown>) : {};
}

/** A credential: text (a user name) or a secret (password, token), never shown once stored; empty keeps it. */
export function CredentialField({ cred, label, icon, secret = false }: { cred: string; label: ReactNode; icon?: string; secret?: boolean }): JSX.Element {
  const { node, update, commit } = useCoreForm();
  const id = useFieldId(`credentials-${cred}`);
  const stored = credentialsOf(node);
  const [typed, setTyped] = useState('');
  const value = secret ? typed : textOf(stored[cred]);
  return (
    <Row label={label} icon={icon} htmlFor={id}>
      <input
        id={id} type={secret ? 'password' : 'text'} autoComplete={secret ? 'new-password' : 'off'} value={value}
        placeholder={secret && (stored[cred] !== undefined || node['credentials'] === undefined) ? '' : undefined}
        className={inputClass(false, 'w-full')}
        onChange={(e) => {
          if (secret) setTyped(e.target.value);
          const next = { ...credentialsOf(node) };
          if (e.target.value === '' && secret) delete next[cred];
          else next[cred] = e.target.value;
          update({ credentials: Object.keys(next).length > 0 ? next : undefined }, true);
        }}
        onBlur={commit}
      />
    </Row>
  );
}

/** Clears credentials (unticking "Use authentication" empties user and password, as Node-RED does). */
export function clearedCredentials(node: NodeRedNode, names: readonly string[]): Readonly<Record<string, unknown>> {
  const next = { ...credentialsOf(node) };
  for (const n of names) delete next[n];
  return { credentials: Object.keys(next).length > 0 ? next : undefined };
}

/** A checkbox that shows or hides rows and stores nothing itself (Node-RED's "Use TLS", "Use proxy"). */
export function ToggleRow({ id, label, checked, onChange, children }: {
  id: string; label: ReactNode; checked: boolean; onChange(checked: boolean): void; children?: ReactNode;
}): JSX.Element {
  return (
    <div className="space-y-2">
      <label htmlFor={id} className="flex items-center gap-2 text-sm text-slate-800">
        <input id={id} type="checkbox" className="h-4 w-4" checked={checked} onChange={(e) => onChange(e.target.checked)} />
        {label}
      </label>
      {checked && children && <div className="space-y-3 border-l-2 border-slate-100 pl-3">{children}</div>}
    </div>
  );
}

/** Another node of the flows, kept up to date (the broker an mqtt node uses, to show its MQTT 5 rows). */
export function useFlowNode(id: unknown): NodeRedNode | undefined {
  const { store } = useCoreForm();
  return useStore(store, (s) => (typeof id === 'string' && id !== '' ? s.document.nodes.find((n) => n.id === id) : undefined));
}

const isValueless = (types: readonly TypeSpec[], type: string) => types.some((t) => typeof t === 'object' && t.value === type && t.hasValue === false);

export const NONE_TYPE: CustomType = { value: 'none', label: () => tn('none'), hasValue: false };

/**
 * A value that may be absent: Node-RED's typedInput with a "none" type, which stores an empty value. The type shown
 * follows the value (`typeOfValue`), or the user's pick while the value is still empty.
 */
export function OptionalValue({ id, label, value, types, typeOfValue, onChange, onCommit }: {
  id: string; label: string; value: string; types: readonly TypeSpec[]; typeOfValue(value: string): string;
  onChange(value: string, ongoing: boolean): void; onCommit?(): void;
}): JSX.Element {
  const [picked, setPicked] = useState<string | null>(null);
  const type = value === '' && picked !== null ? picked : typeOfValue(value);
  return (
    <TypedInput
      id={id} label={label} value={value} type={type} types={types}
      onChange={(next, nextType, ongoing) => {
        setPicked(nextType);
        // A type without a value stands for itself (a content type), "none" for nothing; leaving one starts empty.
        if (typeOf(nextType).hasValue === false || isValueless(types, nextType)) onChange(nextType === 'none' ? '' : nextType, false);
        else onChange(isValueless(types, type) ? '' : next, ongoing);
      }}
      onCommit={onCommit}
    />
  );
}

/** A node property edited as an {@link OptionalValue}. */
export function OptionalValueField({ prop, label, icon, valueType }: { prop: string; label: string; icon?: string; valueType: 'str' | 'json' | 'num' }): JSX.Element {
  const { node, update, commit } = useCoreForm();
  const id = useFieldId(prop);
  const problems = useProblems(`/${prop}`);
  return (
    <Row label={label} icon={icon} htmlFor={id} problems={problems}>
      <OptionalValue
        id={id} label={label} value={textOf(node[prop])} types={[NONE_TYPE, valueType]} typeOfValue={(v) => (v === '' ? 'none' : valueType)}
        onChange={(value, ongoing) => update({ [prop]: value }, ongoing)} onCommit={commit}
      />
    </Row>
  );
}

const valueless = (values: readonly string[]): CustomType[] => values.map((v) => ({ value: v, label: v, hasValue: false }));

/** Node-RED's MQTT 5 content types: none, the common ones, or other (typed). */
export const MQTT_CONTENT_TYPES: readonly TypeSpec[] = [
  NONE_TYPE, ...valueless(['application/json', 'application/octet-stream', 'text/csv', 'text/html', 'text/plain']), { value: 'other', label: () => tn('other') },
];
export const contentTypeOf = (value: string) =>
  value === '' ? 'none' : MQTT_CONTENT_TYPES.some((t) => typeof t === 'object' && t.value === value && t.hasValue === false) ? value : 'other';

/** An MQTT 5 content type field (Node-RED stores the chosen type's name, or the typed text for "other"). */
export function ContentTypeInput({ id, label, value, onChange, onCommit }: { id: string; label: string; value: string; onChange(value: string, ongoing: boolean): void; onCommit?(): void }): JSX.Element {
  return <OptionalValue id={id} label={label} value={value} types={MQTT_CONTENT_TYPES} typeOfValue={contentTypeOf} onChange={onChange} onCommit={onCommit} />;
}

/** One header of http request and websocket-client: a preset name or other/msg, and a preset value or other/msg/env. */
export interface HeaderRow {
  keyType: string;
  keyValue: string;
  valueType: string;
  valueValue: string;
}

export interface HeaderPresets {
  /** Preset header names (types without a value), then "other" (and "msg" where offered). */
  keyTypes: readonly TypeSpec[];
  /** The value types for a header name (lower case), else `defaultValues`. */
  valueTypes: Readonly<Record<string, readonly TypeSpec[]>>;
  defaultValues: readonly TypeSpec[];
}

const OTHER: CustomType = { value: 'other', label: () => tn('other') };

/** Node-RED's http request header presets. */
export const HTTP_REQUEST_HEADERS: HeaderPresets = (() => {
  const defaults: TypeSpec[] = [OTHER, 'msg'];
  return {
    keyTypes: [...valueless(['Accept', 'Accept-Encoding', 'Accept-Language', 'Authorization', 'Content-Type', 'Cache-Control', 'User-Agent', 'Location']), OTHER, 'msg'],
    defaultValues: defaults,
    valueTypes: {
      accept: [...valueless(['text/plain', 'text/html', 'application/json', 'application/xml']), ...defaults],
      'accept-encoding': [...valueless(['gzip', 'deflate', 'compress', 'br', 'gzip, deflate', 'gzip, deflate, br']), ...defaults],
      'accept-language': [
        ...valueless(['*', 'en-GB, en-US, en;q=0.9', 'de-AT, de-DE;q=0.9, en;q=0.5', 'es-mx,es,en;q=0.5', 'fr-CH, fr;q=0.9, en;q=0.8', 'zh-CN, zh-TW; q = 0.9, zh-HK; q = 0.8, zh; q = 0.7, en; q = 0.6', 'ja-JP, jp']),
        ...defaults,
      ],
      'content-type': [
        ...valueless([
          'text/css', 'text/plain', 'text/html', 'application/json', 'application/octet-stream', 'application/pdf', 'application/xml', 'application/zip',
          'multipart/form-data', 'audio/aac', 'audio/ac3', 'audio/basic', 'audio/mp4', 'audio/ogg', 'image/bmp', 'image/gif', 'image/jpeg', 'image/png', 'image/tiff',
        ]),
        ...defaults,
      ],
      'cache-control': [...valueless(['max-age=0', 'max-age=86400', 'no-cache']), ...defaults],
      'user-agent': [...valueless(['Mozilla/5.0']), ...defaults],
    },
  };
})();

/** Node-RED's websocket-client header presets. */
export const WEBSOCKET_HEADERS: HeaderPresets = {
  keyTypes: [...valueless(['Authorization', 'User-Agent']), OTHER],
  defaultValues: [OTHER, 'env'],
  valueTypes: { 'user-agent': [...valueless(['Mozilla/5.0']), OTHER, 'env'] },
};

/** A header list stored as `[{keyType, keyValue, valueType, valueValue}]` (http request, websocket-client). */
export function HeaderListField({ prop, presets }: { prop: string; presets: HeaderPresets }): JSX.Element {
  const { node, update, commit } = useCoreForm();
  const problems = useProblems(`/${prop}`);
  const stored = node[prop];
  const rows = (Array.isArray(stored) ? stored : []) as HeaderRow[];
  const valueTypesOf = (keyType: string) => presets.valueTypes[keyType.toLowerCase()] ?? presets.defaultValues;
  return (
    <Row label={tn('headers')} icon="fa-list" problems={problems}>
      <EditableList<HeaderRow>
        label={tn('headers')} items={rows} emptyText={tn('noHeaders')}
        newItem={() => ({ keyType: 'other', keyValue: '', valueType: 'other', valueValue: '' })}
        onChange={(items, _order, ongoing) => update({ [prop]: items }, ongoing)} onCommit={commit}
        renderItem={(row, index, set) => (
          <div className="flex flex-col gap-1">
            <TypedInput
              label={tn('headerName', { n: index + 1 })} value={row.keyValue ?? ''} type={row.keyType || 'other'} types={presets.keyTypes}
              onChange={(value, type, ongoing) => {
                const valueTypes = valueTypesOf(type);
                const keepValue = valueTypes.some((t) => (typeof t === 'string' ? t : t.value) === row.valueType);
                set({ ...row, keyType: type, keyValue: value, ...(keepValue ? {} : { valueType: 'other', valueValue: '' }) }, ongoing);
              }}
            />
            <TypedInput
              label={tn('headerValue', { n: index + 1 })} value={row.valueValue ?? ''} type={row.valueType || 'other'} types={valueTypesOf(row.keyType || 'other')}
              onChange={(value, type, ongoing) => set({ ...row, valueType: type, valueValue: value }, ongoing)}
            />
          </div>
        )}
      />
    </Row>
  );
}

/** Node-RED's http response header presets: name Content-Type, Location or other; Content-Type's common values. */
const RESPONSE_HEADER_NAMES: readonly TypeSpec[] = [{ value: 'content-type', label: 'Content-Type', hasValue: false }, { value: 'location', label: 'Location', hasValue: false }, OTHER];
const RESPONSE_CONTENT_TYPES: readonly TypeSpec[] = [
  ...valueless(['application/json', 'application/xml', 'text/css', 'text/html', 'text/plain', 'image/gif', 'image/png']), OTHER,
];

interface ResponseHeader {
  h: string;
  v: string;
}

const presetOf = (specs: readonly TypeSpec[], value: string) =>
  specs.some((t) => typeof t === 'object' && t.hasValue === false && t.value === value) ? value : 'other';

/**
 * The headers of http response, stored as an object `{name: value}`. Rows are kept here while edited (an empty or
 * repeated name has no place in the object); the object holds each named row, as Node-RED's save writes it.
 */
export function ResponseHeadersField({ prop }: { prop: string }): JSX.Element {
  const { node, update, commit } = useCoreForm();
  const problems = useProblems(`/${prop}`);
  const [rows, setRows] = useState<ResponseHeader[]>(() => {
    const stored = node[prop];
    return typeof stored === 'object' && stored !== null && !Array.isArray(stored)
      ? Object.entries(stored as Record<string, unknown>).map(([h, v]) => ({ h, v: textOf(v) }))
      : [];
  });
  const save = (next: ResponseHeader[], ongoing: boolean) => {
    setRows(next);
    const headers: Record<string, string> = {};
    for (const row of next) if (row.h !== '') headers[row.h] = row.v;
    update({ [prop]: headers }, ongoing);
  };
  return (
    <Row label={tn('headers')} icon="fa-list" problems={problems}>
      <EditableList<ResponseHeader>
        label={tn('headers')} items={rows} emptyText={tn('noHeaders')} newItem={() => ({ h: '', v: '' })}
        onChange={(items, _order, ongoing) => save(items, ongoing)} onCommit={commit}
        renderItem={(row, index, set) => {
          const nameType = presetOf(RESPONSE_HEADER_NAMES, row.h);
          const valueTypes = row.h === 'content-type' ? RESPONSE_CONTENT_TYPES : [OTHER];
          const valueType = presetOf(valueTypes, row.v);
          return (
            <div className="flex flex-col gap-1">
              <TypedInput
                label={tn('headerName', { n: index + 1 })} value={nameType === 'other' ? row.h : ''} type={nameType} types={RESPONSE_HEADER_NAMES}
                onChange={(value, type, ongoing) => set({ h: type === 'other' ? value : type, v: row.v }, ongoing)}
              />
              <TypedInput
                label={tn('headerValue', { n: index + 1 })} value={valueType === 'other' ? row.v : ''} type={valueType} types={valueTypes}
                onChange={(value, type, ongoing) => set({ h: row.h, v: type === 'other' ? value : type }, ongoing)}
              />
            </div>
          );
        }}
      />
    </Row>
  );
}

/** A list of host names (http proxy's "Ignore hosts"): empty rows are kept while edited and not stored. */
export function HostListField({ prop, label, icon }: { prop: string; label: string; icon?: string }): JSX.Element {
  const { node, update, commit } = useCoreForm();
  const [rows, setRows] = useState<string[]>(() => {
    const stored = node[prop];
    const hosts = Array.isArray(stored) ? stored.map((h) => textOf(h)) : [];
    return hosts.length > 0 ? hosts : [''];
  });
  return (
    <Row label={label} icon={icon}>
      <EditableList<string>
        label={label} items={rows} newItem={() => ''}
        onChange={(items, _order, ongoing) => {
          setRows(items);
          update({ [prop]: items.map((h) => h.trim()).filter((h) => h !== '') }, ongoing);
        }}
        onCommit={commit}
        renderItem={(host, index, set) => (
          <input
            type="text" aria-label={`${label} ${index + 1}`} value={host} placeholder={tn('hostname')} className={inputClass(false, 'w-full')}
            onChange={(e) => set(e.target.value, true)}
          />
        )}
      />
    </Row>
  );
}

/** A folding section of a form (Node-RED's birth, close and will message sections). */
export function Section({ title, open, children }: { title: string; open: boolean; children: ReactNode }): JSX.Element {
  return (
    <details open={open} className="rounded border border-slate-200">
      <summary className="cursor-pointer bg-slate-50 px-2 py-1 text-xs font-medium text-slate-700">{title}</summary>
      <div className="space-y-3 p-2">{children}</div>
    </details>
  );
}

/** Fields side by side (server and port), each taking its share of the width. */
export function Columns({ children }: { children: ReactNode }): JSX.Element {
  return <div className="flex items-start gap-2 [&>*]:min-w-0 [&>*]:flex-1">{children}</div>;
}
