import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodecSandbox } from './codec-sandbox.ts';

const ctx = { productKey: 'p', deviceName: 'd' };
const frame = Uint8Array.of(1, 2, 3);
const echo = `function decode(bytes, context) {
  return [{ kind: 'property.post', params: { n: bytes.length, first: bytes[0], device: context.deviceName } }];
}`;
const echoed = { ok: true, value: [{ kind: 'property.post', params: { n: 3, first: 1, device: 'd' } }] };

describe('CodecSandbox', () => {
  let sandbox: CodecSandbox;
  /**
   * For the memory and stack tests: allocating 32 MB or recursing thousands deep takes a few ms here, but can take over
   * the 50 ms call limit on a busy machine, which would stop it as a timeout before it ran out of what it is about.
   */
  let roomy: CodecSandbox;
  beforeAll(async () => {
    [sandbox, roomy] = await Promise.all([CodecSandbox.create(), CodecSandbox.create({ timeoutMs: 30_000, compileTimeoutMs: 30_000 })]);
  });
  afterAll(() => {
    sandbox.dispose();
    roomy.dispose();
  });

  it('decodes with the bytes and context given, keeping the compiled codec between calls', async () => {
    expect(await sandbox.load('p', echo)).toEqual({ ok: true, functions: ['decode'] });
    expect(sandbox.decode('p', frame, ctx)).toEqual(echoed);
    expect(sandbox.decode('p', Uint8Array.of(9), ctx)).toMatchObject({ ok: true, value: [{ params: { n: 1, first: 9 } }] });
    expect(sandbox.stats('p')).toMatchObject({ calls: 2, restarts: 0, errors: { threw: 0 } });
  });

  it('hands a codec just the bytes of a Node Buffer (listeners get Buffers that share a pool)', async () => {
    await sandbox.load('p', echo);
    const pooled = Buffer.from('0102', 'hex');
    expect(pooled.buffer.byteLength).toBeGreaterThan(2);
    expect(sandbox.decode('p', pooled, ctx)).toMatchObject({ ok: true, value: [{ params: { n: 2, first: 1 } }] });
  });

  it('recompiles when the source changes, and only then', async () => {
    await sandbox.load('p2', 'let calls = 0; function decode() { calls++; return [{ kind: "property.post", params: { calls } }]; }');
    sandbox.decode('p2', frame, ctx);
    await sandbox.load('p2', 'let calls = 0; function decode() { calls++; return [{ kind: "property.post", params: { calls } }]; }');
    expect(sandbox.decode('p2', frame, ctx)).toMatchObject({ value: [{ params: { calls: 2 } }] });
    await sandbox.load('p2', 'function decode() { return [{ kind: "property.post", params: { v: 2 } }]; }');
    expect(sandbox.decode('p2', frame, ctx)).toMatchObject({ value: [{ params: { v: 2 } }] });
  });

  it('stops a codec that never returns, and the next call and other products still work', async () => {
    await sandbox.load('p', echo);
    await sandbox.load('spin', 'function decode(bytes) { if (bytes[0] === 0xff) while (true) {} return []; }');
    const stopped = sandbox.decode('spin', Uint8Array.of(0xff), ctx);
    expect(stopped).toEqual({ ok: false, error: { kind: 'timeout', message: 'ran longer than 50 ms and was stopped' } });
    expect(sandbox.decode('spin', Uint8Array.of(1), ctx)).toEqual({ ok: true, value: [] });
    expect(sandbox.decode('p', frame, ctx)).toEqual(echoed);
    expect(sandbox.stats('spin')).toMatchObject({ calls: 2, restarts: 1, errors: { timeout: 1 } });
  });

  it('a catch in the codec does not keep it from being stopped', async () => {
    await sandbox.load('catch', 'function decode() { for (;;) { try { while (true) {} } catch (e) {} } }');
    expect(sandbox.decode('catch', frame, ctx)).toMatchObject({ ok: false, error: { kind: 'timeout' } });
  });

  it('stops a codec that allocates without end, and the next call works', async () => {
    await roomy.load('p', echo);
    await roomy.load('hog', `function decode(bytes) {
      if (bytes[0] === 0xff) { const a = []; for (;;) a.push(new Array(1e5).fill(1)); }
      return [{ kind: 'property.post', params: { ok: true } }];
    }`);
    await roomy.settled(); // the spare instance loading the codecs took is ready, as it is in service after a moment
    expect(roomy.decode('hog', Uint8Array.of(0xff), ctx)).toEqual({ ok: false, error: { kind: 'memory', message: 'ran out of memory (limit 16 MB)' } });
    expect(roomy.decode('hog', frame, ctx)).toMatchObject({ ok: true, value: [{ params: { ok: true } }] });
    expect(roomy.decode('p', frame, ctx)).toEqual(echoed);
  });

  it('stops a codec keeping typed arrays, which the QuickJS memory limit alone does not add up', async () => {
    await roomy.load('buffers', 'const kept = []; function decode() { for (;;) kept.push(new Uint8Array(1e6)); }');
    await roomy.settled();
    expect(roomy.decode('buffers', frame, ctx)).toMatchObject({ ok: false, error: { kind: 'memory' } });
    expect(roomy.decode('buffers', frame, ctx)).toMatchObject({ ok: false, error: { kind: 'memory' } });
    expect(roomy.stats('buffers')).toMatchObject({ restarts: 1, errors: { memory: 2 } });
  });

  it('stops runaway recursion as running out of stack, and the next call works', async () => {
    await roomy.load('deep', 'function r(n) { return r(n + 1) + 1; } function decode(b) { if (b[0] === 0xff) r(0); return []; }');
    await roomy.settled();
    expect(roomy.decode('deep', Uint8Array.of(0xff), ctx)).toMatchObject({ ok: false, error: { kind: 'memory', message: expect.stringMatching(/stack/) } });
    expect(roomy.decode('deep', frame, ctx)).toEqual({ ok: true, value: [] });
  });

  it('survives Node running out of stack inside the sandbox (called from deep in the host), and the next call works', async () => {
    // The parser recurses with large WebAssembly frames: from deep in the host's stack, Node's stack runs out before
    // QuickJS's own limit is reached, and the instance is replaced.
    await roomy.load('p', echo);
    await roomy.load('nest', 'function decode(b) { if (b[0] === 0xff) eval("(".repeat(20000) + ")".repeat(20000)); return []; }');
    await roomy.settled();
    const deep = (n: number): unknown => (n === 0 ? roomy.decode('nest', Uint8Array.of(0xff), ctx) : deep(n - 1));
    expect(deep(3000)).toMatchObject({ ok: false, error: { kind: 'memory', message: expect.stringMatching(/stack/) } });
    expect(roomy.decode('nest', frame, ctx)).toEqual({ ok: true, value: [] });
    expect(roomy.decode('p', frame, ctx)).toEqual(echoed);
    await roomy.settled();
  });

  it('answers a throw with its message and line, and keeps the codec warm', async () => {
    await sandbox.load('thrower', 'function decode(bytes) {\n  if (bytes[0] === 1) throw new RangeError("frame too short");\n  return [];\n}');
    expect(sandbox.decode('thrower', frame, ctx)).toEqual({ ok: false, error: { kind: 'threw', message: 'RangeError: frame too short (line 2, column 43)' } });
    expect(sandbox.decode('thrower', Uint8Array.of(2), ctx)).toEqual({ ok: true, value: [] });
    expect(sandbox.stats('thrower')).toMatchObject({ restarts: 0, errors: { threw: 1 } });
  });

  it.each([
    ['undefined', 'undefined', 'decode must return an array of messages, got undefined'],
    ['one message, not an array', '({ kind: "property.post", params: {} })', 'decode must return an array of messages, got an object'],
    ['an unknown kind', '[{ kind: "property.get", params: {} }]', '[0].kind: must be one of property.post, event.post, service.reply, property.set.reply, login, got string "property.get"'],
    ['a misspelt field', '[{ kind: "property.post", param: {} }]', '[0].param: unknown field (a message has kind, params, id, eventId, serviceId, code, time, ack)'],
    ['ack on a reply', '[{ kind: "service.reply", serviceId: "reboot", id: 1, ack: true }]', '[0].ack: only posts are answered'],
    ['params not an object', '[{ kind: "property.post", params: [1] }]', '[0].params: property.post needs an object, got an array'],
    ['an event without eventId', '[{ kind: "property.post", params: {} }, { kind: "event.post", params: {} }]', '[1].eventId: event.post needs an identifier (letters, digits, _), got nothing'],
    ['an id that is not digits', '[{ kind: "property.post", params: {}, id: "a7" }]', '[0].id: must be digits (a string or a non-negative integer), got string "a7"'],
    ['a code on a post', '[{ kind: "property.post", params: {}, code: 200 }]', '[0].code: only replies carry a code'],
    ['a result over the size limit', '[{ kind: "property.post", params: { s: "x".repeat(70000) } }]', 'decode returned 70044 characters of JSON, over the 65536 limit'],
  ])('refuses %s as invalid-result naming the place', async (_name, result, message) => {
    await sandbox.load('shape', `function decode() { return ${result}; }`);
    expect(sandbox.decode('shape', frame, ctx)).toEqual({ ok: false, error: { kind: 'invalid-result', message } });
  });

  it('takes replies with their code and identifiers', async () => {
    await sandbox.load('replies', `function decode() { return [
      { kind: 'service.reply', serviceId: 'reboot', code: 200, id: 12, params: { after: 3 } },
      { kind: 'property.set.reply', id: '13', code: 400 },
      { kind: 'event.post', eventId: 'overload', params: { power: 1 }, time: 1700000000000 },
    ]; }`);
    expect(sandbox.decode('replies', frame, ctx)).toEqual({
      ok: true,
      value: [
        { kind: 'service.reply', serviceId: 'reboot', code: 200, id: '12', params: { after: 3 } },
        { kind: 'property.set.reply', id: '13', code: 400, params: {} },
        { kind: 'event.post', eventId: 'overload', params: { power: 1 }, time: 1700000000000 },
      ],
    });
  });

  it('encode returns bytes from a Uint8Array or an array, and refuses anything else', async () => {
    await sandbox.load('enc', `function decode() { return []; }
      function encode(command) {
        if (command.params.as === 'array') return [1, 2, 255];
        if (command.params.as === 'view') return new Uint8Array([9, 1, 2, 3]).subarray(1, 3);
        if (command.params.as === 'bad') return [1, 256];
        return 'a5';
      }`, ['decode', 'encode']);
    const enc = (as: string) => sandbox.encode('enc', { kind: 'property.set', params: { as } }, ctx);
    expect(enc('array')).toEqual({ ok: true, value: Uint8Array.of(1, 2, 255) });
    expect(enc('view')).toEqual({ ok: true, value: Uint8Array.of(1, 2) });
    expect(enc('bad')).toEqual({ ok: false, error: { kind: 'invalid-result', message: '[1]: a byte must be an integer 0–255, got number 256' } });
    expect(enc('hex')).toMatchObject({ ok: false, error: { kind: 'invalid-result', message: expect.stringMatching(/^encode must return bytes/) } });
  });

  it('reports a syntax error with its line and column, and a missing function', async () => {
    expect(await sandbox.load('bad', 'function decode(bytes) {\n  return [;\n}')).toEqual({
      ok: false,
      error: { kind: 'syntax', message: "SyntaxError: unexpected token in expression: ';' (line 2, column 11)", line: 2, column: 11 },
    });
    expect(sandbox.decode('bad', frame, ctx)).toMatchObject({ ok: false, error: { kind: 'threw', message: expect.stringMatching(/^The codec does not compile/) } });
    expect(await sandbox.load('noenc', 'function decode() { return []; }', ['decode', 'encode'])).toEqual({
      ok: false,
      error: { kind: 'missing-function', message: 'The codec must define function encode(…).' },
    });
    expect(await sandbox.load('none', 'const decode = 1;')).toMatchObject({ ok: false, error: { kind: 'missing-function' } });
    expect(await sandbox.load('toplevel', 'while (true) {}')).toMatchObject({ ok: false, error: { kind: 'timeout' } });
  });

  it('gives the codec nothing of the host: no require, process, fetch, timers or console', async () => {
    await sandbox.load('probe', `function decode() {
      const names = ['require', 'process', 'fetch', 'setTimeout', 'setInterval', 'queueMicrotask', 'console', 'Buffer', 'WebAssembly', 'std', 'os', 'module', 'import'];
      const seen = {};
      for (const name of names) seen[name] = typeof globalThis[name];
      return [{ kind: 'property.post', params: seen }];
    }`);
    const result = sandbox.decode('probe', frame, ctx);
    expect(result.ok).toBe(true);
    const seen = (result as { value: Array<{ params: Record<string, string> }> }).value[0]?.params ?? {};
    expect(Object.values(seen).every((t) => t === 'undefined')).toBe(true);
  });

  it('answers a product without a codec without throwing', () => {
    expect(sandbox.decode('nobody', frame, ctx)).toEqual({ ok: false, error: { kind: 'threw', message: 'Product "nobody" has no codec.' } });
  });
});
