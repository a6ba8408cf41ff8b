/**
 * The codec screen's pure parts: the starter codec a product without one begins from, the hex a user pastes into the
 * test bench, the example command it offers, and where in the source a codec's error is. No React, no I/O.
 */
import type { CodeErrorPlace } from '../../../editor/properties/code-error-mark.ts';
import type { TslDocument } from '../../../domain/thing-model/tsl-types.ts';
import { sampleValue } from '../devices/command-fields.ts';
import { t } from './codecs.messages.ts';

/** Most bytes the test bench sends in one frame: what the server's test route takes (8192 hex digits). */
export const MAX_BENCH_BYTES = 4096;

/** An error the codec routes answer: a load's (`syntax`, `missing-function`, …) or a call's (`threw`, `timeout`, …). */
export interface CodecProblem {
  kind: string;
  message: string;
  line?: number;
  column?: number;
}

/** The fenced block right after `<!-- codec example: <name> … -->` in docs/codecs.md, or undefined. */
export function docExample(markdown: string, name: string): string | undefined {
  return markdown.match(new RegExp(`<!-- codec example: ${name}\\b[^>]*-->\\s*\`\`\`[a-z]*\\n([\\s\\S]*?)\`\`\``))?.[1];
}

/**
 * The codec a product without one starts from: the worked example of docs/codecs.md (the energy meter), which that
 * page's test runs, so it always loads and its frame always decodes.
 */
export function starterSource(markdown: string): string {
  const source = docExample(markdown, 'checked');
  const frame = docExample(markdown, 'uplink')?.trim();
  const header = [
    '// A starter codec: the energy meter of docs/codecs.md.',
    '// Replace it with your device\'s format: decode(bytes, context) turns',
    '// a frame into messages, encode(command, context) a command into bytes.',
    ...(frame ? ['// Try it in the test bench with this frame:', `// ${frame}`] : []),
    '',
    '',
  ].join('\n');
  return `${header}${source ?? 'function decode(bytes, context) {\n  return [];\n}\n'}`;
}

export type HexParse = { ok: true; bytes: number; hex: string } | { ok: false; message: string };

/**
 * Bytes as a user pastes them: hex pairs, with or without spaces, line breaks, commas, colons or `0x` prefixes
 * (`a5 01`, `A501`, `0xa5, 0x01`, `a5:01`). Answers the hex without separators, as the test route takes it.
 */
export function parseHex(text: string): HexParse {
  const cleaned = text.replace(/0x/gi, ' ').replace(/[\s,:;-]+/g, ' ').trim();
  if (cleaned === '') return { ok: false, message: t('hex.empty') };
  const bad = cleaned.match(/[^0-9a-fA-F ]/);
  if (bad) return { ok: false, message: t('hex.badDigit', { char: bad[0] }) };
  let hex = '';
  for (const group of cleaned.split(' ')) {
    if (group.length % 2 !== 0) {
      return { ok: false, message: t('hex.odd', { group, digit: group.slice(-1) }) };
    }
    hex += group;
  }
  const bytes = hex.length / 2;
  if (bytes > MAX_BENCH_BYTES) return { ok: false, message: t('hex.tooLong', { bytes, max: MAX_BENCH_BYTES }) };
  return { ok: true, bytes, hex: hex.toLowerCase() };
}

/** Hex as people read it: two digits per byte, a space between bytes. */
export function spacedHex(hex: string): string {
  return hex.match(/../g)?.join(' ') ?? '';
}

/**
 * Where a codec's error is in its source: a load error's own line and column, or the "(line 3, column 9)" a throw's
 * message ends with. The message is kept without that ending, since the mark says where.
 */
export function errorPlace(error: CodecProblem): CodeErrorPlace | null {
  const at = error.message.match(/\s*\(line (\d+)(?:, column (\d+))?\)\s*$/);
  const message = at ? error.message.slice(0, at.index) : error.message;
  const line = error.line ?? (at ? Number(at[1]) : undefined);
  const column = error.line !== undefined ? error.column : at?.[2] ? Number(at[2]) : undefined;
  if (line === undefined) return null;
  return { line, ...(column !== undefined ? { column } : {}), message };
}

/**
 * The command the test bench starts with: a property set of the product's first writable property with a plausible
 * value, or of the docs' meter when the published thing model has none.
 */
export function exampleCommand(tsl: TslDocument | null | undefined): string {
  const writable = tsl?.properties?.find((p) => p.accessMode === 'rw');
  const params = writable ? { [writable.identifier]: sampleValue(writable.dataType) } : { relay: true, powerLimit: 3000 };
  return JSON.stringify({ kind: 'property.set', id: '1', params }, null, 2);
}
