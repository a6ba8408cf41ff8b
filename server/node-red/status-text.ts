/**
 * Node-RED's core nodes set their status text as message catalog keys (`common.status.connected`,
 * `node-red:common.status.disconnected`), which Node-RED's own editor translates as it shows them. Our editor gets
 * statuses over the live socket, so the server translates them once, with Node-RED's English catalogs: the nodes'
 * (namespace `node-red`) and the runtime's (`runtime`). Text that is not a known key is shown as it is.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';

type Catalog = Readonly<Record<string, unknown>>;

const require = createRequire(import.meta.url);
let catalogs: { 'node-red': Catalog; runtime: Catalog } | undefined;

function loadCatalogs(): { 'node-red': Catalog; runtime: Catalog } {
  const read = (id: string): Catalog => {
    try {
      return JSON.parse(fs.readFileSync(require.resolve(id), 'utf8')) as Catalog;
    } catch {
      // Without a catalog every status text is shown as the node set it, as before.
      return {};
    }
  };
  catalogs ??= {
    'node-red': read('@node-red/nodes/locales/en-US/messages.json'),
    runtime: read('@node-red/runtime/locales/en-US/runtime.json'),
  };
  return catalogs;
}

/** A dotted key with an optional `namespace:` in front, as Node-RED's i18n takes them. */
const KEY = /^(?:([a-zA-Z][\w-]*):)?([a-zA-Z][\w-]*(?:\.[\w-]+)+)$/;

/** The English text of a status text that is a catalog key; anything else unchanged. */
export function translateStatusText(text: string): string {
  const match = KEY.exec(text);
  if (!match) return text;
  const [, namespace, key] = match;
  const all = loadCatalogs();
  const order: Catalog[] = namespace === undefined ? [all['node-red'], all.runtime] : namespace === 'node-red' || namespace === 'runtime' ? [all[namespace]] : [];
  for (const catalog of order) {
    const found = lookup(catalog, key!);
    if (found !== undefined) return found;
  }
  return text;
}

/** A status as Node-RED emits it, with its text translated (the same object when there is nothing to translate). */
export function translateStatus(status: unknown): unknown {
  if (typeof status !== 'object' || status === null) return status;
  const text = (status as { text?: unknown }).text;
  if (typeof text !== 'string') return status;
  const translated = translateStatusText(text);
  return translated === text ? status : { ...status, text: translated };
}

function lookup(catalog: Catalog, key: string): string | undefined {
  let current: unknown = catalog;
  for (const part of key.split('.')) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, part)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return typeof current === 'string' ? current : undefined;
}
