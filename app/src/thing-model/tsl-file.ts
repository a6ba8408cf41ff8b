/** TSL JSON files in and out of the browser. */
import { parseJsonText, type JsonTextError } from './json-text.ts';
import { downloadText } from '../../../editor/import-export/flow-files.ts';
import { t } from './thing-model.messages.ts';

export type TslFile = { ok: true; doc: Record<string, unknown> } | { ok: false; message: string; error?: JsonTextError };

/** Reads a file the user chose as a TSL document (an object), or says why it is not one. */
export async function readTslFile(file: File): Promise<TslFile> {
  let text: string;
  try {
    text = await file.text();
  } catch (err) {
    return { ok: false, message: t('file.unreadable', { file: file.name, error: (err as Error).message }) };
  }
  const parsed = parseJsonText(text);
  if (!parsed.ok) {
    const { line, column, message } = parsed.error;
    return { ok: false, message: t('file.notJson', { file: file.name, line, column, message }), error: parsed.error };
  }
  const doc = parsed.value;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    return { ok: false, message: t('file.notTsl', { file: file.name }) };
  }
  return { ok: true, doc: doc as Record<string, unknown> };
}

/** The file name thing models are exported as. */
export const exportFileName = (productKey: string): string => `${productKey}-thing-model.json`;

/** Offers `value` as a JSON file download. */
export function downloadJson(fileName: string, value: unknown): void {
  downloadText(`${JSON.stringify(value, null, 2)}\n`, fileName);
}

/** "10 properties, 2 services and 2 events" of a document, leaving out Alibaba's generated post/set/get. */
export function featureCounts(doc: Record<string, unknown>): string {
  const generated = new Set(['thing.event.property.post', 'thing.service.property.set', 'thing.service.property.get']);
  const count = (key: string) =>
    Array.isArray(doc[key]) ? (doc[key] as { method?: unknown }[]).filter((f) => !generated.has(String(f?.method))).length : 0;
  return t('file.counts', { properties: count('properties'), services: count('services'), events: count('events') });
}
