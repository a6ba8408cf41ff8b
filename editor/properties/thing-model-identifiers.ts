/**
 * The identifiers a flow node can name from a product's thing model (Alibaba TSL JSON): its properties, services
 * and events, for the property/service/event pickers. Pure, no React.
 */
import type { ThingIdentifierKind } from './form-fields.ts';

/** One identifier with what to show beside it. */
export interface ThingIdentifier {
  identifier: string;
  /** The TSL `name` (a person's label), when it has one. */
  name?: string;
  /** Properties: the data type (`float`, `int`, …); events: the event type (`info`, `alert`, `error`). */
  detail?: string;
}

export type ThingIdentifiers = Readonly<Record<ThingIdentifierKind, readonly ThingIdentifier[]>>;

/** The identifiers of a TSL document; anything not shaped like TSL gives empty lists. */
export function thingIdentifiers(tsl: unknown): ThingIdentifiers {
  const doc = (typeof tsl === 'object' && tsl !== null ? tsl : {}) as Record<string, unknown>;
  const list = (key: string, detail: (item: Record<string, unknown>) => unknown, skipImplicit = false): ThingIdentifier[] => {
    const items = Array.isArray(doc[key]) ? (doc[key] as unknown[]) : [];
    const seen = new Set<string>();
    const out: ThingIdentifier[] = [];
    for (const raw of items) {
      if (typeof raw !== 'object' || raw === null) continue;
      const item = raw as Record<string, unknown>;
      const identifier = item['identifier'];
      if (typeof identifier !== 'string' || identifier === '' || seen.has(identifier)) continue;
      if (skipImplicit && isImplicit(item)) continue;
      seen.add(identifier);
      const entry: ThingIdentifier = { identifier };
      if (typeof item['name'] === 'string' && item['name'] !== '') entry.name = item['name'];
      const d = detail(item);
      if (typeof d === 'string' && d !== '') entry.detail = d;
      out.push(entry);
    }
    return out;
  };
  return {
    property: list('properties', (item) => (item['dataType'] as { type?: unknown } | undefined)?.type),
    service: list('services', (item) => item['callType'], true),
    event: list('events', (item) => item['type'], true),
  };
}

/**
 * Alibaba's TSL lists the implicit property services (`set`, `get`) and the property post event (`post`) beside the
 * real ones; a flow never names them.
 */
function isImplicit(item: Record<string, unknown>): boolean {
  const method = item['method'];
  return typeof method === 'string' && /^thing\.(service\.property\.(set|get)|event\.property\.post)$/.test(method);
}
