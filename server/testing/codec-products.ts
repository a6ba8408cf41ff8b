import fs from 'node:fs';
import type { TestServer } from './test-server.ts';

const doc = fs.readFileSync(new URL('../../docs/codecs.md', import.meta.url), 'utf8');

/** The fenced block right after `<!-- codec example: <name> … -->` in docs/codecs.md (`checked`: the meter's codec). */
export function codecDocExample(name: string): string {
  const match = doc.match(new RegExp(`<!-- codec example: ${name}\\b[^>]*-->\\s*\`\`\`[a-z]*\\n([\\s\\S]*?)\`\`\``));
  if (!match) throw new Error(`docs/codecs.md has no "${name}" example`);
  return match[1] ?? '';
}

/** The energy meter's codec, as docs/codecs.md prints it. */
export const meterCodec = codecDocExample('checked');

/** The energy meter's thing model: what its codec's messages are checked against. */
export const meterTsl = {
  properties: [
    { identifier: 'voltage', name: 'Voltage', accessMode: 'r', required: false, dataType: { type: 'float', specs: { min: '0', max: '500', unit: 'V' } } },
    { identifier: 'current', name: 'Current', accessMode: 'r', required: false, dataType: { type: 'float', specs: { min: '0', max: '100' } } },
    { identifier: 'power', name: 'Power', accessMode: 'r', required: false, dataType: { type: 'float', specs: { min: '0', max: '100000' } } },
    { identifier: 'relay', name: 'Relay', accessMode: 'rw', required: false, dataType: { type: 'bool', specs: { 0: 'off', 1: 'on' } } },
    { identifier: 'powerLimit', name: 'Power limit', accessMode: 'rw', required: false, dataType: { type: 'int', specs: { min: '0', max: '10000' } } },
  ],
  events: [{ identifier: 'overload', name: 'Overload', type: 'alert', outputData: [{ identifier: 'power', name: 'Power', dataType: { type: 'float', specs: { min: '0', max: '100000' } } }] }],
  services: [],
};

/** Saves `source` as the product's codec draft and publishes it, through the API as an engineer would. */
export async function publishCodec(tw: TestServer, productKey: string, source: string): Promise<void> {
  const token = tw.adminToken;
  const saved = await tw.request('PUT', `/api/v1/products/${productKey}/codec/draft`, { token, body: { source } });
  if (saved.status !== 200) throw new Error(`codec draft: ${JSON.stringify(saved.body)}`);
  const published = await tw.request('POST', `/api/v1/products/${productKey}/codec/publish`, { token });
  if (published.status !== 201) throw new Error(`codec publish: ${JSON.stringify(published.body)}`);
}

/** The meter's checksum: the low 8 bits of the sum of the bytes before `end`. */
export const meterChecksum = (bytes: Uint8Array, end: number) => bytes.subarray(0, end).reduce((a, b) => a + b, 0) & 0xff;

/** A meter measurement frame (docs/codecs.md layout) with these values. */
export function meterFrame(id: number, voltage: number, current = 1.25, power = 288.125, status = 1): Buffer {
  const out = Buffer.alloc(20);
  out[0] = 0xa5;
  out[1] = 0x01;
  out.writeUInt32BE(id, 2);
  out.writeFloatBE(voltage, 6);
  out.writeFloatBE(current, 10);
  out.writeFloatBE(power, 14);
  out[18] = status;
  out[19] = meterChecksum(out, 19);
  return out;
}

/** The meter's set-reply frame answering command `id` (result 0: done). */
export function meterSetReply(id: number): Buffer {
  const out = Buffer.from([0xa5, 0x03, 0, 0, 0, 0, 0, 0]);
  out.writeUInt32BE(id, 2);
  out[7] = meterChecksum(out, 7);
  return out;
}
