import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodecSandbox } from './codec-sandbox.ts';

const doc = fs.readFileSync(new URL('../../docs/codecs.md', import.meta.url), 'utf8');

/** The fenced block right after `<!-- codec example: <name> … -->` in docs/codecs.md. */
function block(name: string): string {
  const match = doc.match(new RegExp(`<!-- codec example: ${name}\\b[^>]*-->\\s*\`\`\`[a-z]*\\n([\\s\\S]*?)\`\`\``));
  if (!match) throw new Error(`docs/codecs.md has no "${name}" example`);
  return match[1] ?? '';
}
const hex = (text: string) => Uint8Array.from(text.trim().split(/\s+/), (b) => parseInt(b, 16));

describe('docs/codecs.md worked example', () => {
  let sandbox: CodecSandbox;
  beforeAll(async () => {
    sandbox = await CodecSandbox.create();
  });
  afterAll(() => sandbox.dispose());

  it('runs as printed: the frame decodes to the messages shown and the command encodes to the bytes shown', async () => {
    const source = block("checked");
    expect(await sandbox.load('a1meter', source, ['decode', 'encode'])).toEqual({ ok: true, functions: ['decode', 'encode', 'frame'] });
    const context = { productKey: 'a1meter', deviceName: 'meter-1' };
    const frame = hex(block('uplink'));

    expect(sandbox.decode('a1meter', frame, context)).toEqual({ ok: true, value: JSON.parse(block('decoded')) });
    const encoded = sandbox.encode('a1meter', { kind: 'property.set', id: '8', params: { relay: true, powerLimit: 3000 } }, context);
    expect(encoded).toEqual({ ok: true, value: hex(block('encoded')) });
    const answer = doc.match(/meter's answer `([0-9a-f ]+)` decodes to `([^`]+)`/)!;
    expect(sandbox.decode('a1meter', hex(answer[1]!), context)).toEqual({ ok: true, value: [{ params: {}, ...JSON.parse(answer[2]!)[0] }] });
    expect(sandbox.frame('a1meter', hex(answer[1]!), context)).toEqual({ ok: true, value: 8 });
    expect(sandbox.frame('a1meter', Uint8Array.of(...frame, ...frame.subarray(0, 5)), context)).toEqual({ ok: true, value: 20 });
    expect(sandbox.frame('a1meter', frame.subarray(0, 19), context)).toEqual({ ok: true, value: 0 });
  });

  it('a corrupted frame fails with the message the docs show', async () => {
    await sandbox.load('a1meter', block("checked"));
    const frame = hex(block('uplink'));
    frame[19] = 0;
    const result = sandbox.decode('a1meter', frame, { productKey: 'a1meter' });
    expect(result.ok).toBe(false);
    const shown = doc.match(/`threw` \| the codec threw \| `([^`]+)`/)?.[1];
    expect(result).toEqual({ ok: false, error: { kind: 'threw', message: shown } });
  });
});
