/**
 * What one codec call costs: µs per `decode` of the 20-byte meter frame of docs/codecs.md with a warm sandbox
 * (issue 17's target: under 50 µs on a 2-core machine), beside the sandbox's fixed cost (a codec that returns `[]`)
 * and the same bytes sent as a JSON array of numbers instead of a `Uint8Array`. `npm run bench` prints the first as
 * a row of its table; on its own:
 *
 *   node --import tsx bench/codec-bench.ts [calls]
 */
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { CodecSandbox } from '../server/codecs/codec-sandbox.ts';

export interface CodecCosts {
  /** µs per decode of the meter frame. */
  meterDecodeUs: number;
  /** µs per decode of a codec that returns `[]`: what crossing into the sandbox costs. */
  emptyDecodeUs: number;
  /** µs per encode returning `[]` with the frame as a JSON array in. */
  emptyEncodeUs: number;
  calls: number;
}

/** Measures the three calls, `calls` times each after a warm-up, in this process. */
export async function measureCodecCosts(calls = 20_000): Promise<CodecCosts> {
  const doc = fs.readFileSync(new URL('../docs/codecs.md', import.meta.url), 'utf8');
  const example = (name: string) => doc.match(new RegExp(`<!-- codec example: ${name}\\b[^>]*-->\\s*\`\`\`[a-z]*\\n([\\s\\S]*?)\`\`\``))?.[1] ?? '';
  const frame = Uint8Array.from(example('uplink').trim().split(/\s+/), (b) => parseInt(b, 16));
  const context = { productKey: 'a1meter', deviceName: 'meter-1' };
  const sandbox = await CodecSandbox.create();
  try {
    await sandbox.load('meter', example('checked'));
    await sandbox.load('empty', 'function decode(bytes) { return []; }\nfunction encode(command) { return []; }');
    const measure = (label: string, call: () => { ok: boolean }): number => {
      for (let i = 0; i < 2_000; i++) call(); // warm-up: V8's WebAssembly tiers and QuickJS's shapes
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < calls; i++) {
        if (!call().ok) throw new Error(`${label}: the call failed`);
      }
      return Number(process.hrtime.bigint() - t0) / 1000 / calls;
    };
    return {
      meterDecodeUs: measure('meter decode', () => sandbox.decode('meter', frame, context)),
      emptyDecodeUs: measure('empty decode', () => sandbox.decode('empty', frame, context)),
      emptyEncodeUs: measure('empty encode', () => sandbox.encode('empty', [...frame], context)),
      calls,
    };
  } finally {
    sandbox.dispose();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const costs = await measureCodecCosts(Number(process.argv[2] ?? 20_000));
  const row = (label: string, us: number) => console.log(`${label.padEnd(58)} ${us.toFixed(1).padStart(6)} µs/call`);
  console.log(`${costs.calls} calls each, Node ${process.version}`);
  row('decode, meter frame of docs/codecs.md (20 bytes)', costs.meterDecodeUs);
  row('decode returning [] (the sandbox\'s fixed cost), Uint8Array', costs.emptyDecodeUs);
  row('encode returning [], 20 bytes as a JSON array in', costs.emptyEncodeUs);
}
