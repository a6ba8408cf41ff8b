/** The products API as the screens use it (`domain/products/product-schemas.ts` is the source of these shapes). */
import type { Dialect, FutureTimes, NodeType, SignMethod } from '../../../domain/products/product-schemas.ts';
import { PRODUCT_KEY_PATTERN as PRODUCT_KEY } from '../../../domain/products/identity.ts';
import { ApiError } from '../api.ts';
import { t } from './products.messages.ts';

export type { Dialect, FutureTimes, NodeType, Product, SignMethod } from '../../../domain/products/product-schemas.ts';

/** The choices of each setting; `label()` is called in render, so it speaks the language shown now. */
export const DIALECTS: { value: Dialect; label(): string }[] = [
  { value: 'alink', label: () => t('dialect.alink') },
  { value: 'things', label: () => t('dialect.things') },
];

export const NODE_TYPES: { value: NodeType; label(): string }[] = [
  { value: 'direct', label: () => t('nodeType.direct') },
  { value: 'gateway', label: () => t('nodeType.gateway') },
  { value: 'sub-device', label: () => t('nodeType.subDevice') },
];

/** How a node type reads in facts and badges. */
export const nodeTypeLabel = (type: NodeType): string =>
  t(type === 'sub-device' ? 'nodeTypeShort.subDevice' : type === 'gateway' ? 'nodeTypeShort.gateway' : 'nodeTypeShort.direct');

const HMAC_SHA256 = 'HMAC-SHA256';
const HMAC_SHA1 = 'HMAC-SHA1';

export const SIGN_METHODS: { value: SignMethod; label(): string }[] = [
  { value: 'hmacsha256', label: () => HMAC_SHA256 },
  { value: 'hmacsha1', label: () => HMAC_SHA1 },
  { value: 'hmacmd5', label: () => t('signMethod.md5') },
];

export const FUTURE_TIMES: { value: FutureTimes; label(): string }[] = [
  { value: 'refuse', label: () => t('futureTimes.refuse') },
  { value: 'clamp', label: () => t('futureTimes.clamp') },
];

/** docs/protocol.md "Identity". */
export const PRODUCT_KEY_PATTERN = new RegExp(PRODUCT_KEY);

export const productPath = (productKey: string): string => `/products/${encodeURIComponent(productKey)}`;

/**
 * The API's problem with one request field (`details: [{path: '/name', message}]` of a 422), in words for under
 * that field; `fields` maps each field to the paths that belong to it.
 */
export function fieldErrors(err: unknown, fields: Record<string, readonly string[]>): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(err instanceof ApiError) || !Array.isArray(err.details)) return out;
  for (const d of err.details as { path?: string; message?: string }[]) {
    for (const [field, paths] of Object.entries(fields)) {
      if (d.path !== undefined && paths.some((p) => d.path === p || d.path!.startsWith(`${p}/`))) {
        out[field] = out[field] ? `${out[field]}; ${d.message}` : `${capitalise(d.message ?? t('field.invalid'))}`;
      }
    }
  }
  return out;
}

/** Whether every field problem of `err` was placed under a field (so the general error need not list them again). */
export function allPlaced(err: unknown, fields: Record<string, readonly string[]>): boolean {
  if (!(err instanceof ApiError) || !Array.isArray(err.details)) return false;
  const paths = Object.values(fields).flat();
  return (err.details as { path?: string }[]).every((d) => d.path !== undefined && paths.some((p) => d.path === p || d.path!.startsWith(`${p}/`)));
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
