/**
 * What one codec call costs: µs per `decode` of the 20-byte meter frame of docs/codecs.md with a warm sandbox
 * (issue 17's target: under 50 µs on a 2-core machine), beside the sandbox's fixed cost (a codec that returns `[]`)
 * and the same bytes sent as a JSON array of numbers instead of a `Uint8Array`.
 *
 *   node --import tsx bench/codec-bench.ts [calls]
 */
import fs from 'node:fs';
import { CodecSandbox } from '../server/codecs/codec-sandbox.ts';

const calls = Number(process.argv[2] ?? 20_000);
const doc = fs.readFileSync(new URL('../docs/codecs.md', import.meta.url), 'utf8');
const example = (name: string) => doc.match(new RegExp(`<!-- codec example: ${name}\\b[^>]*-->\\s*\`\`\`[a-z]*\\n([\\s\\S]*?)\`\`\``))?.[1] ?? '';
const frame = Uint8Array.from(example('uplink').trim().split(/\s+/), (b) => parseInt(b, 16));
const context = { productKey: 'a1meter', deviceName: 'meter-1' };

const sandbox = await CodecSandbox.create();
await sandbox.load('meter', example('checked'));
await sandbox.load('empty', 'function decode(bytes) { return []; }\nfunction encode(command) { return []; }');

function measure(label: string, call: () => { ok: boolean }): void {
  for (let i = 0; i < 2_000; i++) call(); // warm-up: V8's WebAssembly tiers and QuickJS's shapes
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) {
    if (!call().ok) throw new Error(`${label}: the call failed`);
  }
  const us = Number(process.hrtime.bigint() - t0) / 1000 / calls;
  console.log(`${label.padEnd(58)} ${us.toFixed(1).padStart(6)} µs/call`);
}

console.log(`${calls} calls each, Node ${process.version}`);
measure('decode, meter frame of docs/codecs.md (20 bytes)', () => sandbox.decode('meter', frame, context));
measure('decode returning [] (the sandbox\'s fixed cost), Uint8Array', () => sandbox.decode('empty', frame, context));
measure('encode returning [], 20 bytes as a JSON array in', () => sandbox.encode('empty', [...frame], context));
const stats = sandbox.stats('meter');
if (stats) console.log(`meter codec: ${stats.calls} calls, ${stats.busyMs.toFixed(0)} ms busy`);
sandbox.dispose();
