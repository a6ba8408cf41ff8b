import { describe, expect, it } from 'vitest';
import { alink } from './alink.ts';

// What only alink does: `method` in envelopes and replies, `sys.ack`, the /ota and /ext topics.
const A = { productKey: 'pk1', deviceName: 'a' };
/** When the messages arrive: after the device times in them (the examples' 2018), as a device clock should be. */
const NOW = 1_700_000_000_000;
const P = '/sys/pk1/a';
const decode = (topic: string, body: unknown) =>
  alink.decodeUplink(A, topic, Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), NOW);
const replyOf = (result: ReturnType<typeof decode>) => (result.ok ? undefined : result.reply && JSON.parse(result.reply.payload.toString()));

describe('alink envelopes', () => {
  it("decodes the protocol's request and event examples unchanged", () => {
    expect(decode(`${P}/thing/event/property/post`, '{"id":"123","version":"1.0","sys":{"ack":1},"method":"thing.event.property.post",'
      + '"params":{"temperature":23.6,"power":{"value":"on","time":1524448722000}}}')).toMatchObject({
      ok: true, message: { id: '123', kind: 'property.post', ack: true, params: { temperature: 23.6, power: { value: 'on', time: 1524448722000 } } },
    });
    expect(decode(`${P}/thing/event/overheat/post`,
      '{"id":"124","version":"1.0","method":"thing.event.overheat.post","params":{"value":{"temp":91.2},"time":1524448722000}}'))
      .toMatchObject({ ok: true, message: { kind: 'event.post', eventId: 'overheat', deviceTime: 1524448722000 } });
  });

  it('reads ack from sys.ack only', () => {
    const body = { id: '1', version: '1.0', method: 'thing.event.property.post', params: {} };
    expect(decode(`${P}/thing/event/property/post`, { ...body, sys: { ack: 0 } })).toMatchObject({ ok: true, message: { ack: false } });
    expect(decode(`${P}/thing/event/property/post`, { ...body, sys: {} })).toMatchObject({ ok: true, message: { ack: true } });
    expect(decode(`${P}/thing/event/property/post`, { ...body, ack: 0 })).toMatchObject({ ok: true, message: { ack: true } });
    expect(decode(`${P}/thing/event/property/post`, { ...body, sys: 0 })).toMatchObject({ ok: false, code: 400, reason: 'malformed: sys.ack must be 0 or 1' });
  });

  it('requires the method of the topic on requests, exactly', () => {
    for (const method of [undefined, 'thing.event.post', 'thing.event.overheat.post', 'Thing.Event.Property.Post']) {
      const result = decode(`${P}/thing/event/property/post`, { id: '5', version: '1.0', params: {}, method });
      expect(result).toMatchObject({ ok: false, code: 400, id: '5', reason: 'malformed: method must be "thing.event.property.post" on this topic' });
      // The answer still names the topic's method, as Alibaba's does.
      expect(replyOf(result)).toEqual({ id: '5', code: 400, data: {}, message: 'malformed: method must be "thing.event.property.post" on this topic', method: 'thing.event.property.post', version: '1.0' });
    }
    expect(decode(`${P}/thing/ota/firmware/get`, { id: '6', params: {}, method: 'thing.ota.firmware.get' })).toMatchObject({ ok: true });
    expect(decode(`${P}/thing/ota/firmware/get`, { id: '6', params: {} })).toMatchObject({ ok: false, code: 400 });
  });

  it("checks a device reply's method only when it sends one", () => {
    expect(decode(`${P}/thing/service/property/set_reply`, { id: '9', code: 200, data: {} })).toMatchObject({ ok: true });
    expect(decode(`${P}/thing/service/property/set_reply`, { id: '9', code: 200, data: {}, method: 'thing.service.property.set' })).toMatchObject({ ok: true });
    expect(decode(`${P}/thing/service/reboot_reply`, { id: '9', code: 200, method: 'thing.service.reset' }))
      .toMatchObject({ ok: false, code: 400, ack: false });
  });

  it('takes OTA inform and progress without a method', () => {
    expect(decode('/ota/device/inform/pk1/a', { id: '1', params: { version: '1.0.1' } })).toMatchObject({ ok: true, message: { kind: 'ota.inform' } });
    expect(decode('/ota/device/progress/pk1/a', { id: '2', params: { step: '-2', desc: 'download failed' } }))
      .toMatchObject({ ok: true, message: { kind: 'ota.progress' } });
  });
});

describe('alink topics without a ThingMessage', () => {
  it.each([
    ['NTP requests (served by the listener, if at all)', '/ext/ntp/pk1/a/request'],
    ['sub-device sessions', '/ext/session/pk1/a/combine/login'],
    ['a device publishing on its own upgrade topic', '/ota/device/upgrade/pk1/a'],
    ['an OTA operation that is a prototype property', '/ota/device/__proto__/pk1/a'],
    ['an OTA operation that is an object method', '/ota/device/toString/pk1/a'],
  ])('answers %s 404 without a reply', (_, topic) => {
    const result = decode(topic, { id: '1', params: {} });
    expect(result).toMatchObject({ ok: false, code: 404, ack: false });
    expect(result).not.toHaveProperty('replyTopic');
  });

  it('answers Link SDK topics the platform does not serve yet with 404 on their reply topic', () => {
    const result = decode(`${P}/thing/deviceinfo/update`, { id: '3', params: [], method: 'thing.deviceinfo.update' });
    expect(result).toMatchObject({ ok: false, code: 404, id: '3', ack: true, replyTopic: `${P}/thing/deviceinfo/update_reply` });
    expect(replyOf(result)).toEqual({ id: '3', code: 404, data: {}, message: `unknown topic ${P}/thing/deviceinfo/update`, version: '1.0' });
  });
});
