import { describe, expect, it } from 'vitest';
import { things } from './things.ts';

// What only the things dialect does: a top-level `ack`, no `method`/`version`, OTA under `{pk}/{dn}/ota/…`.
const A = { productKey: 'pk1', deviceName: 'a' };
/** When the messages arrive: after the device times in them (the examples' 2018), as a device clock should be. */
const NOW = 1_700_000_000_000;
const decode = (topic: string, body: unknown) =>
  things.decodeUplink(A, topic, Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), NOW);

describe('things envelopes', () => {
  it("decodes the protocol's request example and answers without method or version", () => {
    const result = decode('pk1/a/thing/event/property/post', '{"id":"123","ack":1,"params":{"temperature":23.6}}');
    expect(result).toMatchObject({ ok: true, message: { id: '123', kind: 'property.post', ack: true, dialect: 'things', params: { temperature: 23.6 } } });
    const reply = result.ok ? things.encodeReply({ ...result.message, protocol: 'mqtt' }, 200) : undefined;
    expect(reply?.topic).toBe('pk1/a/thing/event/property/post_reply');
    expect(JSON.parse(reply!.payload.toString())).toEqual({ id: '123', code: 200, data: {}, message: 'success' });
  });

  it('reads ack at the top level and ignores method and sys', () => {
    expect(decode('pk1/a/thing/event/property/post', { id: '1', ack: 0, params: {} })).toMatchObject({ ok: true, message: { ack: false } });
    expect(decode('pk1/a/thing/event/property/post', { id: '1', sys: { ack: 0 }, params: {} })).toMatchObject({ ok: true, message: { ack: true } });
    expect(decode('pk1/a/thing/event/property/post', { id: '1', method: 'anything', params: {} })).toMatchObject({ ok: true });
    expect(decode('pk1/a/thing/event/property/post', { id: '1', ack: 'yes', params: {} }))
      .toMatchObject({ ok: false, code: 400, reason: 'malformed: ack must be 0 or 1' });
  });

  it('encodes commands as {id, params}', () => {
    const out = things.encodeCommand(A, { ...A, kind: 'property.set', params: { on: true } }, '8');
    expect(JSON.parse(out.payload.toString())).toEqual({ id: '8', params: { on: true } });
  });
});

describe('things topics', () => {
  it('takes OTA version reports and progress under {pk}/{dn}/ota', () => {
    expect(decode('pk1/a/ota/version', { id: '1', params: { version: '1.0.1' } })).toMatchObject({ ok: true, message: { kind: 'ota.inform', ack: false } });
    expect(decode('pk1/a/ota/progress', { id: '2', params: { step: '50' } })).toMatchObject({ ok: true, message: { kind: 'ota.progress' } });
  });

  it('answers OTA topics it does not take with 404 and no reply', () => {
    for (const topic of ['pk1/a/ota/upgrade', 'pk1/a/ota/__proto__', 'pk1/a/ota/version/extra']) {
      expect(decode(topic, { id: '1', params: {} }), topic).toMatchObject({ ok: false, code: 404, ack: false });
    }
  });

  it('answers other unknown topics of its namespace on {topic}_reply', () => {
    expect(decode('pk1/a/custom', { id: '4' })).toMatchObject({ ok: false, code: 404, id: '4', ack: true, replyTopic: 'pk1/a/custom_reply' });
  });

  it('pushes OTA upgrades to {pk}/{dn}/ota/upgrade', () => {
    expect(things.downlinkTopics(A)).toContain('pk1/a/ota/upgrade');
  });
});
