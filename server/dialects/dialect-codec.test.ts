import { describe, expect, it } from 'vitest';
import type { ThingCommand, ThingMessage } from '../../domain/devices/thing-message.ts';
import type { DialectCodec, UplinkResult } from './dialect.ts';
import { codecs } from './index.ts';

// What both dialects do alike, run once per dialect: every topic family decoded and answered, commands encoded and
// their replies decoded, every kind of malformed envelope. Dialect-only details are in alink.test.ts/things.test.ts.

const A = { productKey: 'pk1', deviceName: 'a' };
const NOW = 1_700_000_000_000;

interface DialectCase {
  /** Where A's `thing/…` topics live. */
  base: string;
  otaInform: string;
  otaProgress: string;
  /** A's request envelope in this dialect; `method` is dropped where the dialect has none. */
  request(id: unknown, params: unknown, method: string, ack?: unknown): Record<string, unknown>;
  /** Extra reply fields the dialect adds. */
  replyExtras(method?: string): Record<string, unknown>;
}

const CASES: Record<'alink' | 'things', DialectCase> = {
  alink: {
    base: '/sys/pk1/a',
    otaInform: '/ota/device/inform/pk1/a',
    otaProgress: '/ota/device/progress/pk1/a',
    request: (id, params, method, ack) => ({ id, version: '1.0', ...(ack === undefined ? {} : { sys: { ack } }), params, method }),
    replyExtras: (method) => ({ ...(method ? { method } : {}), version: '1.0' }),
  },
  things: {
    base: 'pk1/a',
    otaInform: 'pk1/a/ota/version',
    otaProgress: 'pk1/a/ota/progress',
    request: (id, params, _method, ack) => ({ id, ...(ack === undefined ? {} : { ack }), params }),
    replyExtras: () => ({}),
  },
};

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const parsed = (payload: Buffer | undefined) => payload && JSON.parse(payload.toString());
const decoded = (result: UplinkResult) => {
  if (!result.ok) throw new Error(`refused: ${result.code} ${result.reason}`);
  return { ...result.message, protocol: 'mqtt' } as ThingMessage;
};

describe.each(['alink', 'things'] as const)('%s codec', (dialect) => {
  const codec: DialectCodec = codecs[dialect];
  const c = CASES[dialect];
  const decode = (topic: string, payload: Buffer | string) =>
    codec.decodeUplink(A, topic, typeof payload === 'string' ? Buffer.from(payload) : payload, NOW);

  describe('uplinks and their replies', () => {
    it('decodes a property post (values bare or {value,time}, left as sent) and answers on post_reply', () => {
      const topic = `${c.base}/thing/event/property/post`;
      const params = { temperature: 23.6, power: { value: 'on', time: 1524448722000 } };
      const message = decoded(decode(topic, json(c.request('123', params, 'thing.event.property.post', 1))));
      expect(message).toEqual({
        id: '123', productKey: 'pk1', deviceName: 'a', kind: 'property.post', params, receivedAt: NOW, dialect,
        ack: true, topic, protocol: 'mqtt',
      });
      const reply = codec.encodeReply(message, 200);
      expect(reply?.topic).toBe(`${topic}_reply`);
      expect(parsed(reply?.payload)).toEqual({ id: '123', code: 200, data: {}, message: 'success', ...c.replyExtras('thing.event.property.post') });
    });

    it('decodes an event post with its identifier and device time, and answers on its post_reply', () => {
      const topic = `${c.base}/thing/event/overheat/post`;
      const params = { value: { temp: 91.2 }, time: 1524448722000 };
      const message = decoded(decode(topic, json(c.request('124', params, 'thing.event.overheat.post'))));
      expect(message).toMatchObject({ id: '124', kind: 'event.post', eventId: 'overheat', params, deviceTime: 1524448722000, ack: true });
      const reply = codec.encodeReply(message, 422, { temp: 'above max' }, 'temp out of range');
      expect(reply?.topic).toBe(`${topic}_reply`);
      expect(parsed(reply?.payload)).toEqual({
        id: '124', code: 422, data: { temp: 'above max' }, message: 'temp out of range', ...c.replyExtras('thing.event.overheat.post'),
      });
    });

    it('takes the device time of other messages from the envelope', () => {
      const body = { ...c.request('5', { t: 1 }, 'thing.event.property.post'), time: 1524448722000 };
      expect(decoded(decode(`${c.base}/thing/event/property/post`, json(body))).deviceTime).toBe(1524448722000);
      expect(decoded(decode(`${c.base}/thing/event/property/post`, json(c.request('5', { t: 1 }, 'thing.event.property.post')))))
        .not.toHaveProperty('deviceTime');
    });

    it('decodes the OTA firmware pull, params optional, and answers on get_reply', () => {
      const topic = `${c.base}/thing/ota/firmware/get`;
      const message = decoded(decode(topic, json(c.request('7', { module: 'mcu' }, 'thing.ota.firmware.get'))));
      expect(message).toMatchObject({ id: '7', kind: 'ota.get', params: { module: 'mcu' }, ack: true });
      expect(codec.encodeReply(message, 200, { version: '2.0.0' })?.topic).toBe(`${topic}_reply`);
      const { params: _, ...noParams } = c.request('8', {}, 'thing.ota.firmware.get');
      expect(decoded(decode(topic, json(noParams))).params).toEqual({});
    });

    it('decodes OTA inform and progress, which are never answered', () => {
      const inform = decoded(decode(c.otaInform, json({ id: '1', params: { version: '1.0.1', module: 'mcu' } })));
      expect(inform).toMatchObject({ id: '1', kind: 'ota.inform', params: { version: '1.0.1', module: 'mcu' }, ack: false });
      expect(codec.encodeReply(inform, 200)).toBeUndefined();
      const progress = decoded(decode(c.otaProgress, json({ id: '2', params: { step: '95', desc: 'burning', module: 'mcu' } })));
      expect(progress).toMatchObject({ id: '2', kind: 'ota.progress', params: { step: '95', desc: 'burning' }, ack: false });
      expect(codec.encodeReply(progress, 200)).toBeUndefined();
      expect(decode(c.otaInform, json({ id: '3', params: 'x' }))).toMatchObject({ ok: false, code: 400, ack: false });
      expect(decode(c.otaInform, json({ id: '3', params: 'x' }))).not.toHaveProperty('reply');
    });

    it('keeps a raw uplink as bytes with a generated id and answers on up_raw_reply', () => {
      const topic = `${c.base}/thing/model/up_raw`;
      const bytes = Buffer.from([0x00, 0x00, 0x22, 0x33, 0x44, 0x12, 0x32, 0x01, 0x3f, 0xa0, 0x00, 0x00]);
      const first = decoded(decode(topic, bytes));
      const second = decoded(decode(topic, bytes));
      expect(first).toMatchObject({ kind: 'raw.up', ack: true, topic });
      expect(Buffer.isBuffer(first.params) && (first.params as Buffer).equals(bytes)).toBe(true);
      expect(first.params).not.toBe(bytes);
      expect(first.id).toMatch(/^\d+$/);
      expect(second.id).not.toBe(first.id);
      const reply = codec.encodeReply(first, 200);
      expect(reply?.topic).toBe(`${topic}_reply`);
      expect(parsed(reply?.payload)).toMatchObject({ id: first.id, code: 200 });
      expect(parsed(reply?.payload)).not.toHaveProperty('method');
    });

    it('sends no reply when the device asked for none (ack 0)', () => {
      const message = decoded(decode(`${c.base}/thing/event/property/post`, json(c.request('9', { t: 1 }, 'thing.event.property.post', 0))));
      expect(message.ack).toBe(false);
      expect(codec.encodeReply(message, 200)).toBeUndefined();
    });

    it('accepts a numeric id and normalises it to a string', () => {
      expect(decoded(decode(`${c.base}/thing/event/property/post`, json(c.request(4294967295, {}, 'thing.event.property.post')))).id)
        .toBe('4294967295');
    });

    it('answers messages that carry no topic (other transports) on the topic their kind replies on', () => {
      const message = decoded(decode(`${c.base}/thing/event/overheat/post`, json(c.request('3', {}, 'thing.event.overheat.post'))));
      delete message.topic;
      expect(codec.encodeReply(message, 200)?.topic).toBe(`${c.base}/thing/event/overheat/post_reply`);
      expect(codec.encodeReply({ ...message, kind: 'service.reply' }, 200)).toBeUndefined();
    });

    it('answers on the topic a message came on, but never outside its device', () => {
      const message = decoded(decode(`${c.base}/thing/event/overheat/post`, json(c.request('3', {}, 'thing.event.overheat.post'))));
      // A listener answering a message it refused before decoding (rate limit) may stand in any kind.
      expect(codec.encodeReply({ ...message, kind: 'property.post' }, 429)?.topic).toBe(`${c.base}/thing/event/overheat/post_reply`);
      const other = message.topic!.replace('pk1/a', 'pk1/b');
      expect(codec.encodeReply({ ...message, topic: other }, 200)).toBeUndefined();
      expect(codec.encodeReply({ ...message, topic: `${c.base}/thing/service/reboot_reply` }, 200)).toBeUndefined();
    });
  });

  describe('commands and the device replies to them', () => {
    it('sets properties on property/set and decodes the set_reply with its code and data', () => {
      const command: ThingCommand = { productKey: 'pk1', deviceName: 'a', kind: 'property.set', params: { LightSwitch: 1 } };
      const out = codec.encodeCommand(A, command, '42');
      expect(out.topic).toBe(`${c.base}/thing/service/property/set`);
      expect(parsed(out.payload)).toEqual(dialect === 'alink'
        ? { id: '42', version: '1.0', params: { LightSwitch: 1 }, method: 'thing.service.property.set' }
        : { id: '42', params: { LightSwitch: 1 } });
      const reply = decoded(decode(`${out.topic}_reply`, json({ id: '42', code: 200, data: {} })));
      expect(reply).toMatchObject({ id: '42', kind: 'property.set.reply', code: 200, params: {}, ack: false });
      expect(codec.encodeReply(reply, 200)).toBeUndefined();
    });

    it('invokes a service on its topic and decodes the service reply with the output data', () => {
      const command: ThingCommand = { productKey: 'pk1', deviceName: 'a', kind: 'service.invoke', serviceId: 'reboot', params: { delay: 5 } };
      const out = codec.encodeCommand(A, command, '43');
      expect(out.topic).toBe(`${c.base}/thing/service/reboot`);
      expect(parsed(out.payload)).toMatchObject({ id: '43', params: { delay: 5 } });
      if (dialect === 'alink') expect(parsed(out.payload)).toMatchObject({ version: '1.0', method: 'thing.service.reboot' });
      const reply = decoded(decode(`${out.topic}_reply`, json({ id: '43', code: 460, data: { reason: 'busy' } })));
      expect(reply).toMatchObject({ id: '43', kind: 'service.reply', serviceId: 'reboot', code: 460, params: { reason: 'busy' }, ack: false });
      expect(codec.encodeCommand(A, { ...command, params: undefined }, '44').payload.toString()).toContain('"params":{}');
    });

    it('sends raw bytes on down_raw', () => {
      const bytes = Buffer.from([1, 2, 3]);
      const out = codec.encodeCommand(A, { productKey: 'pk1', deviceName: 'a', kind: 'raw.down', params: bytes }, '45');
      expect(out).toEqual({ topic: `${c.base}/thing/model/down_raw`, payload: bytes });
      const view = codec.encodeCommand(A, { productKey: 'pk1', deviceName: 'a', kind: 'raw.down', params: new Uint8Array([9, 8]) }, '46');
      expect([...view.payload]).toEqual([9, 8]);
    });

    it.each([
      ['another device', { productKey: 'pk1', deviceName: 'b', kind: 'property.set', params: {} }, /cannot be sent/],
      ['a service id that would reach into other topics', { ...A, kind: 'service.invoke', serviceId: 'a/b', params: {} }, /service identifier/],
      ['a wildcard service id', { ...A, kind: 'service.invoke', serviceId: '+', params: {} }, /service identifier/],
      ['no service id', { ...A, kind: 'service.invoke', params: {} }, /service identifier/],
      ['non-object property params', { ...A, kind: 'property.set', params: [1] }, /object/],
      ['raw bytes that are not bytes', { ...A, kind: 'raw.down', params: 'AQID' }, /Buffer/],
    ] as [string, ThingCommand, RegExp][])('refuses to encode a command for %s', (_, command, message) => {
      expect(() => codec.encodeCommand(A, command, '1')).toThrow(message);
    });
  });

  describe('malformed uplinks', () => {
    const topic = `${c.base}/thing/event/property/post`;
    const replyTopic = `${topic}_reply`;

    it('answers broken JSON with 400 and no id, ack assumed so the device learns', () => {
      const result = decode(topic, '{"id":"1","params":');
      expect(result).toMatchObject({ ok: false, code: 400, reason: 'malformed: payload is not JSON', ack: true, replyTopic });
      expect(result).not.toHaveProperty('id');
      expect(!result.ok && result.reply?.topic).toBe(replyTopic);
      expect(parsed(!result.ok ? result.reply?.payload : undefined)).toEqual({
        code: 400, data: {}, message: 'malformed: payload is not JSON', ...c.replyExtras('thing.event.property.post'),
      });
    });

    it.each([
      ['an array', '[1,2]', /not a JSON object/],
      ['null', 'null', /not a JSON object/],
      ['a number', '12', /not a JSON object/],
      ['an empty payload', '', /not JSON/],
      ['no id', { params: {} }, /id must be/],
      ['an id that is not digits', { id: 'abc', params: {} }, /id must be/],
      ['id 0', { id: '0', params: {} }, /id must be/],
      ['an id above 4294967295', { id: '4294967296', params: {} }, /id must be/],
      ['a negative numeric id', { id: -1, params: {} }, /id must be/],
      ['a fractional numeric id', { id: 1.5, params: {} }, /id must be/],
      ['no params', { id: '1' }, /params must be an object/],
      ['array params', { id: '1', params: [1] }, /params must be an object/],
      ['string params', { id: '1', params: 'temperature=1' }, /params must be an object/],
    ])('answers %s with 400', (_, body, reason) => {
      const envelope = typeof body === 'string' ? body : JSON.stringify(dialect === 'alink' && 'id' in body
        ? { ...body, method: 'thing.event.property.post' } : body);
      const result = decode(topic, envelope);
      expect(result).toMatchObject({ ok: false, code: 400, ack: true, replyTopic });
      expect(!result.ok && result.reason).toMatch(reason);
    });

    it('keeps the id in the refusal when it could be read', () => {
      const result = decode(topic, json(c.request('77', 'x', 'thing.event.property.post')));
      expect(result).toMatchObject({ ok: false, code: 400, id: '77', ack: true });
      expect(parsed(!result.ok ? result.reply?.payload : undefined)).toMatchObject({ id: '77', code: 400 });
    });

    it('does not answer a malformed request that asked for no reply', () => {
      const result = decode(topic, json(c.request('77', 'x', 'thing.event.property.post', 0)));
      expect(result).toMatchObject({ ok: false, code: 400, ack: false });
      expect(result).not.toHaveProperty('reply');
    });

    it('refuses an ack flag that is neither 0 nor 1, answering it', () => {
      expect(decode(topic, json(c.request('1', {}, 'thing.event.property.post', 2)))).toMatchObject({ ok: false, code: 400, ack: true });
      expect(decode(topic, json(c.request('1', {}, 'thing.event.property.post', '0')))).toMatchObject({ ok: false, code: 400 });
    });

    it('refuses a device reply without an integer code, without answering it', () => {
      for (const body of [{ id: '1', data: {} }, { id: '1', code: '200' }, { id: '1', code: 200.5 }]) {
        const result = decode(`${c.base}/thing/service/property/set_reply`, json(body));
        expect(result).toMatchObject({ ok: false, code: 400, ack: false });
        expect(result).not.toHaveProperty('replyTopic');
      }
    });

    it('answers an unknown topic of its namespace with 404, the id recovered', () => {
      const unknown = `${c.base}/thing/event/property/pack/post`;
      const result = decode(unknown, json(c.request('11', {}, 'thing.event.property.pack.post')));
      expect(result).toMatchObject({ ok: false, code: 404, id: '11', ack: true, replyTopic: `${unknown}_reply` });
      expect(parsed(!result.ok ? result.reply?.payload : undefined)).toMatchObject({ id: '11', code: 404 });
      expect(decode(`${c.base}/custom/topic`, 'not json')).toMatchObject({ ok: false, code: 404, ack: true, replyTopic: `${c.base}/custom/topic_reply` });
      expect(decode(unknown, json(c.request('12', {}, 'x', 0)))).toMatchObject({ ok: false, code: 404, ack: false });
    });

    it('answers unknown event and service identifiers with 404', () => {
      expect(decode(`${c.base}/thing/event/9bad/post`, json(c.request('1', {}, 'thing.event.9bad.post')))).toMatchObject({ ok: false, code: 404, ack: true });
      expect(decode(`${c.base}/thing/service/bad-id_reply`, json({ id: '1', code: 200 }))).toMatchObject({ ok: false, code: 404, ack: false });
    });

    it('never answers a reply topic it does not know', () => {
      expect(decode(`${c.base}/thing/service/property/get_reply`, json({ id: '1', code: 200 })))
        .toMatchObject({ ok: false, code: 404, ack: false });
    });

    it("refuses another device's topic with 404 and never answers it", () => {
      for (const topic of [`${c.base.replace('/a', '/b')}/thing/event/property/post`, `${c.base.replace('pk1', 'pk2')}/thing/event/property/post`]) {
        const result = decode(topic, json(c.request('1', {}, 'thing.event.property.post')));
        expect(result).toEqual({ ok: false, code: 404, reason: 'topic outside the device namespace', ack: false });
      }
      expect(decode(c.base, json({ id: '1' }))).toMatchObject({ ok: false, code: 404, ack: false });
    });
  });

  describe('payloads that are not valid UTF-8', () => {
    const topic = `${c.base}/thing/event/property/post`;
    /** A valid envelope whose label holds `bytes` where a character should be. */
    const withBytes = (bytes: number[], ack?: number) => {
      const [head, tail] = JSON.stringify(c.request('31', { label: '@' }, 'thing.event.property.post', ack)).split('@') as [string, string];
      return Buffer.concat([Buffer.from(head), Buffer.from(bytes), Buffer.from(tail)]);
    };

    it.each([
      ['a lone continuation byte', [0x80]],
      ['a truncated sequence', [0xe2, 0x82]],
      ['an overlong encoding', [0xc0, 0xaf]],
      ['an encoded surrogate', [0xed, 0xa0, 0x80]],
      ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
      ['a byte UTF-8 never uses', [0xff]],
    ])('answers %s with 400, the id recovered, and decodes nothing', (_, bytes) => {
      const result = decode(topic, withBytes(bytes));
      expect(result).toMatchObject({ ok: false, code: 400, reason: 'malformed: payload is not valid UTF-8', id: '31', ack: true, replyTopic: `${topic}_reply` });
      expect(parsed(!result.ok ? result.reply?.payload : undefined)).toMatchObject({ id: '31', code: 400, message: 'malformed: payload is not valid UTF-8' });
    });

    it('does not answer when the envelope asked for no reply, and takes valid multi-byte text as sent', () => {
      expect(decode(topic, withBytes([0xff], 0))).toMatchObject({ ok: false, code: 400, ack: false });
      expect(decode(topic, withBytes([0xff], 0))).not.toHaveProperty('reply');
      expect(decoded(decode(topic, withBytes([...Buffer.from('Süd – 😀')]))).params).toEqual({ label: 'Süd – 😀' });
      // Not a JSON payload in any encoding: still "not valid UTF-8", answered without an id.
      expect(decode(topic, Buffer.from([0xff, 0xfe]))).toMatchObject({ ok: false, code: 400, reason: 'malformed: payload is not valid UTF-8', ack: true });
    });
  });

  describe('device clocks', () => {
    const postTopic = `${c.base}/thing/event/property/post`;
    const eventTopic = `${c.base}/thing/event/overheat/post`;
    const YEAR_3000 = Date.UTC(3000, 0, 1);
    const SKEW = 300_000;
    const refuse = { maxAheadMs: SKEW, future: 'refuse' } as const;
    const clamp = { maxAheadMs: SKEW, future: 'clamp' } as const;
    const decodeWith = (rule: typeof refuse | typeof clamp | undefined, topic: string, body: object) =>
      codec.decodeUplink(A, topic, json(body), NOW, rule);
    const post = (params: object, extra: object = {}) => ({ ...c.request('41', params, 'thing.event.property.post'), ...extra });
    const event = (params: object) => c.request('42', params, 'thing.event.overheat.post');

    it('refuses a post dated ahead of the receive time by more than the skew with 400, saying by how much', () => {
      for (const rule of [refuse, undefined]) {
        const result = decodeWith(rule, postTopic, post({ t: 1 }, { time: YEAR_3000 }));
        expect(result).toMatchObject({ ok: false, code: 400, id: '41', ack: true });
        const reason = !result.ok ? result.reason : '';
        expect(reason).toMatch(/^device clock is ahead: time is 9\d\d years \(\d+ ms\) after the time it was received; at most 5 min is allowed$/);
        expect(reason).toContain(`(${YEAR_3000 - NOW} ms)`);
        expect(parsed(!result.ok ? result.reply?.payload : undefined)).toMatchObject({ id: '41', code: 400, message: reason });
      }
    });

    it("refuses a property's own time and an event's time the same way, naming the one furthest ahead", () => {
      const result = decodeWith(refuse, postTopic, post({ a: { value: 1, time: NOW + SKEW + 60_000 }, b: { value: 2, time: NOW + 3 * 3_600_000 }, c: 3 }));
      expect(!result.ok && result.reason).toMatch(/^device clock is ahead: params\.b\.time is 3 h \(10800000 ms\) after/);
      const ev = decodeWith(refuse, eventTopic, event({ value: { temp: 1 }, time: NOW + 10 * 86_400_000 }));
      expect(!ev.ok && ev.reason).toMatch(/^device clock is ahead: params\.time is 10 days/);
      // An event without its own time is dated by the envelope.
      expect(decodeWith(refuse, eventTopic, { ...event({ value: { temp: 1 } }), time: YEAR_3000 })).toMatchObject({ ok: false, code: 400 });
    });

    it('takes times up to the skew ahead as sent, and times in the past however old', () => {
      const edge = decoded(decodeWith(refuse, postTopic, post({ a: { value: 1, time: NOW + SKEW } }, { time: NOW + SKEW })));
      expect(edge).toMatchObject({ deviceTime: NOW + SKEW, params: { a: { value: 1, time: NOW + SKEW } } });
      for (const old of [0, Date.UTC(1999, 0, 1), NOW - 1]) {
        expect(decoded(decodeWith(refuse, postTopic, post({ a: { value: 1, time: old } }, { time: old }))))
          .toMatchObject({ deviceTime: old, params: { a: { value: 1, time: old } } });
        expect(decoded(decodeWith(refuse, eventTopic, event({ value: { temp: 1 }, time: old }))).deviceTime).toBe(old);
      }
    });

    it('refuses a negative time on posts as malformed', () => {
      expect(decodeWith(refuse, postTopic, post({ t: 1 }, { time: -1 }))).toMatchObject({ ok: false, code: 400, reason: 'malformed: time must be ms since 1970, not negative' });
      expect(decodeWith(clamp, eventTopic, event({ value: { temp: 1 }, time: -5 }))).toMatchObject({ ok: false, code: 400, reason: 'malformed: params.time must be ms since 1970, not negative' });
    });

    it('with clamp, replaces every time too far ahead by the receive time and decodes the message', () => {
      const message = decoded(decodeWith(clamp, postTopic, post(
        { a: { value: 1, time: YEAR_3000 }, b: { value: 2, time: NOW - 1000 }, c: 3, d: { value: 4, time: NOW + SKEW } }, { time: YEAR_3000 },
      )));
      expect(message.deviceTime).toBe(NOW);
      expect(message.params).toEqual({ a: { value: 1, time: NOW }, b: { value: 2, time: NOW - 1000 }, c: 3, d: { value: 4, time: NOW + SKEW } });
      const ev = decoded(decodeWith(clamp, eventTopic, event({ value: { temp: 1 }, time: YEAR_3000 })));
      expect(ev).toMatchObject({ deviceTime: NOW, params: { value: { temp: 1 }, time: NOW } });
    });

    it('never refuses a device reply for its time (the command would lose its outcome): the time is clamped', () => {
      const reply = decoded(decodeWith(refuse, `${c.base}/thing/service/property/set_reply`, { id: '9', code: 200, data: {}, time: YEAR_3000 }));
      expect(reply).toMatchObject({ kind: 'property.set.reply', deviceTime: NOW });
      const negative = decoded(decodeWith(refuse, `${c.base}/thing/service/property/set_reply`, { id: '9', code: 200, data: {}, time: -1 }));
      expect(negative).not.toHaveProperty('deviceTime');
    });
  });

  describe('downlink topics', () => {
    it('are all subscribable by the device itself and by no other device', () => {
      const topics = codec.downlinkTopics(A);
      expect(topics).toHaveLength(7);
      for (const filter of topics) {
        expect(codec.canSubscribe(A, filter)).toBe(true);
        expect(codec.canSubscribe({ productKey: 'pk1', deviceName: 'b' }, filter)).toBe(false);
        expect(codec.canSubscribe({ productKey: 'pk2', deviceName: 'a' }, filter)).toBe(false);
      }
    });
  });
});
