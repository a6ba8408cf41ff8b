/**
 * This browser's remembered choices (language, time zone, theme) in localStorage. Usable in Node too (tests): there
 * is no storage there, and a private window may refuse it; then a choice lasts for the page and reads come back null.
 */
const storage = (globalThis as unknown as {
  localStorage?: { getItem(key: string): string | null; setItem(key: string, value: string): void; removeItem(key: string): void };
}).localStorage;

/** The value remembered under `key`, or null. */
export function readStored(key: string): string | null {
  try {
    return storage?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

/** Remembers `value` under `key` (null forgets it). */
export function writeStored(key: string, value: string | null): void {
  try {
    if (value === null) storage?.removeItem(key);
    else storage?.setItem(key, value);
  } catch {
    // Refused (a private window): the choice lasts for this page.
  }
}
