import { ApiError } from '../api.ts';
import { t } from './users.messages.ts';

/**
 * An API refusal split over a form: each problem under the field it is about (by the `details` path, `/username`,
 * or by error code, `user_exists` → username), and what belongs to no field left for a note above the buttons.
 */
export function formErrors<F extends string>(
  err: unknown,
  byCode: Partial<Record<string, F>> = {},
  friendly: Partial<Record<F, string>> = {},
): { fields: Partial<Record<F, string>>; rest: unknown } {
  const fields: Partial<Record<F, string>> = {};
  if (!(err instanceof ApiError)) return { fields, rest: err };
  const field = byCode[err.code];
  if (field) {
    fields[field] = err.message;
    return { fields, rest: undefined };
  }
  let unplaced = false;
  if (Array.isArray(err.details)) {
    for (const d of err.details as { path?: string; message?: string }[]) {
      const name = d.path?.replace(/^\//, '').split('/')[0] as F | undefined;
      if (!name) {
        unplaced = true;
        continue;
      }
      // ajv's "must match pattern …" shows a regular expression; the form knows how to say it.
      fields[name] ??= d.message?.startsWith('must match pattern') && friendly[name]
        ? friendly[name]
        : d.message ? t('field.problem', { field: capitalise(name), message: d.message }) : t('field.invalid', { field: capitalise(name) });
    }
  }
  return { fields, rest: Object.keys(fields).length === 0 || unplaced ? err : undefined };
}

function capitalise(name: string): string {
  const words = name.replace(/([A-Z])/g, ' $1').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A password of `length` characters from an alphabet without look-alikes (no 0/O, 1/l/I), from the browser's CSPRNG. */
export function generatePassword(length = 16): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const out: string[] = [];
  // Rejection sampling: 256 is not a multiple of the alphabet's size, and a plain modulo would favour some letters.
  const limit = 256 - (256 % alphabet.length);
  while (out.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (byte < limit && out.length < length) out.push(alphabet[byte % alphabet.length]!);
    }
  }
  return out.join('');
}
