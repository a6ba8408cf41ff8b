/**
 * Pickers for platform entities a node names: a product (`x-ref: 'product'`), a device of the chosen product
 * (`x-ref: 'device'`), and a property, service or event identifier from the product's published thing model.
 * Each falls back to a text input when there is nothing to pick from (no product chosen, no published model, the
 * API unreachable), so a value can always be entered.
 */
import type { EditorApi } from '../editor-api.ts';
import type { FormField, ThingIdentifierKind } from './form-fields.ts';
import { thingIdentifiers, type ThingIdentifiers } from './thing-model-identifiers.ts';
import { cachedGet, useApiResource } from './use-api-resource.ts';
import { t } from './properties.messages.ts';

interface PickerProps {
  field: FormField;
  id: string;
  value: string;
  api: EditorApi;
  invalid: boolean;
  describedBy?: string;
  onChange(value: string): void;
}

interface ProductItem {
  productKey: string;
  name: string;
}

interface DeviceItem {
  deviceName: string;
  description: string;
  status: string;
}

const selectClass = 'w-full rounded border px-2 py-1 text-sm';
const border = (invalid: boolean) => (invalid ? 'border-red-500' : 'border-slate-300');

export function ProductPicker({ field, id, value, api, invalid, describedBy, onChange }: PickerProps) {
  const products = useApiResource<{ items: ProductItem[] }>(api, '/products');
  if (products.status === 'failed') return <FallbackText {...{ field, id, value, invalid, describedBy, onChange }} note={t('pick.productsFailed', { reason: products.message })} />;
  const ready = products.status === 'ready';
  return (
    <PickerSelect
      {...{ id, value, invalid, describedBy, onChange }}
      empty={field.blankAllowed ? t('pick.anyProduct') : ready ? t('pick.chooseProduct') : t('pick.loadingProducts')}
      unknown={ready ? t('pick.noSuchProduct') : ''}
      options={(ready ? products.data.items : []).map((p) => ({ value: p.productKey, label: `${p.name} (${p.productKey})` }))}
    />
  );
}

export function DevicePicker({ product, ...props }: PickerProps & { product: string }) {
  const { field, id, value, api, invalid, describedBy, onChange } = props;
  const devices = useApiResource<{ items: DeviceItem[]; total: number }>(
    api,
    product === '' ? null : `/devices?productKey=${encodeURIComponent(product)}&limit=500`,
  );
  if (product === '') return <FallbackText {...props} note={t('pick.productFirst')} />;
  if (devices.status === 'failed') return <FallbackText {...props} note={t('pick.devicesFailed', { reason: devices.message })} />;
  const ready = devices.status === 'ready';
  const items = ready ? devices.data.items : [];
  return (
    <>
      <PickerSelect
        {...{ id, value, invalid, describedBy, onChange }}
        empty={field.blankAllowed ? t('pick.anyDevice') : ready ? t('pick.chooseDevice') : t('pick.loadingDevices')}
        unknown={ready ? t('pick.notOfProduct') : ''}
        options={items.map((d) => ({ value: d.deviceName, label: d.description ? `${d.deviceName} — ${d.description}` : d.deviceName }))}
      />
      {ready && devices.data.total > items.length && <p className="mt-0.5 text-xs text-slate-500">{t('pick.firstDevices', { shown: items.length, total: devices.data.total })}</p>}
    </>
  );
}

/** The identifiers of a product's published thing model; null when it has none published. */
async function loadIdentifiers(api: EditorApi, product: string): Promise<ThingIdentifiers | null> {
  const base = `/products/${encodeURIComponent(product)}/thing-model`;
  const summary = await cachedGet<{ published: { version: number } | null }>(api, base);
  if (!summary.published) return null;
  return thingIdentifiers(await api.get<unknown>(`${base}/versions/${summary.published.version}`));
}

const KIND_WORD = { property: 'pick.property', service: 'pick.service', event: 'pick.event' } as const satisfies Record<ThingIdentifierKind, string>;

export function ThingIdentifierPicker({ product, ...props }: PickerProps & { product: string }) {
  const { field, id, value, api, invalid, describedBy, onChange } = props;
  const kind = field.identifier ?? 'property';
  const model = useApiResource<ThingIdentifiers | null>(api, product === '' ? null : `identifiers:${product}`, () => loadIdentifiers(api, product));
  if (product === '') return <FallbackText {...props} note={t('pick.typeIdentifier', { kind: t(KIND_WORD[kind]) })} />;
  if (model.status === 'failed') return <FallbackText {...props} note={t('pick.modelFailed', { reason: model.message })} />;
  if (model.status === 'ready' && model.data === null) {
    return <FallbackText {...props} note={t('pick.noModel', { product })} />;
  }
  const ready = model.status === 'ready';
  return (
    <PickerSelect
      {...{ id, value, invalid, describedBy, onChange }}
      empty={ready ? t('pick.noIdentifier', { kind: t(KIND_WORD[kind]) }) : t('pick.loadingModel')}
      unknown={ready ? t('pick.notInModel') : ''}
      options={(ready && model.data ? model.data[kind] : []).map((item) => ({
        value: item.identifier,
        label: `${item.identifier}${item.name ? ` — ${item.name}` : ''}${item.detail ? ` (${item.detail})` : ''}`,
      }))}
    />
  );
}

/** A select of what the API listed, an empty choice first, and the current value kept visible when not listed. */
function PickerSelect({ id, value, invalid, describedBy, onChange, empty, unknown, options }: {
  id: string;
  value: string;
  invalid: boolean;
  describedBy?: string | undefined;
  onChange(value: string): void;
  empty: string;
  /** Said after a current value the list does not have. */
  unknown: string;
  options: { value: string; label: string }[];
}) {
  const known = options.some((option) => option.value === value);
  return (
    <select id={id} className={`${selectClass} ${border(invalid)}`} value={value} aria-invalid={invalid} aria-describedby={describedBy} onChange={(e) => onChange(e.target.value)}>
      <option value="">{empty}</option>
      {value !== '' && !known && <option value={value}>{value}{unknown}</option>}
      {options.map((option) => (
        <option key={option.value} value={option.value}>
          {option.label}
        </option>
      ))}
    </select>
  );
}

function FallbackText({ id, value, invalid, describedBy, onChange, note }: Omit<PickerProps, 'api'> & { api?: EditorApi; note: string }) {
  return (
    <>
      <input id={id} type="text" className={`${selectClass} ${border(invalid)}`} value={value} aria-invalid={invalid} aria-describedby={describedBy} onChange={(e) => onChange(e.target.value)} />
      <p className="mt-0.5 text-xs text-slate-500">{note}</p>
    </>
  );
}
