import { describe, expect, it } from 'vitest';
import { codecs as dialects } from '../dialects/index.ts';
import { commandForCodec, hexOf, replyForCodec, uplinkOf } from './codec-frames.ts';

const id = { productKey: 'a1meter', deviceName: 'm1' };
const at = 1_780_000_000_000;

describe('a codec\'s messages as dialect uplinks', () => {
  it.each(['alink', 'things'] as const)('a property post decodes in %s as the device would have published it', (dialect) => {
    const up = uplinkOf(id, dialect, { kind: 'property.post', id: '7', params: { voltage: 230.5 }, time: at - 1000 });
    const decoded = dialects[dialect].decodeUplink(id, up.topic, up.payload, at);
    expect(decoded).toMatchObject({
      ok: true,
      message: { kind: 'property.post', id: '7', params: { voltage: 230.5 }, deviceTime: at - 1000, ack: false, dialect },
    });
  });

  it('an event with ack asks for a reply; a message without an id is numbered', () => {
    const up = uplinkOf(id, 'alink', { kind: 'event.post', eventId: 'overload', params: { power: 3100 }, ack: true });
    expect(up.topic).toBe('/sys/a1meter/m1/thing/event/overload/post');
    const decoded = dialects.alink.decodeUplink(id, up.topic, up.payload, at);
    expect(decoded).toMatchObject({ ok: true, message: { kind: 'event.post', eventId: 'overload', ack: true } });
    expect(decoded.ok && decoded.message.id).toMatch(/^\d+$/);
  });

  it('replies land on the command\'s reply topic with the device\'s code', () => {
    const up = uplinkOf(id, 'things', { kind: 'service.reply', serviceId: 'reboot', id: '42', code: 460, params: { why: 'busy' } });
    expect(up.topic).toBe('a1meter/m1/thing/service/reboot_reply');
    expect(dialects.things.decodeUplink(id, up.topic, up.payload, at)).toMatchObject({
      ok: true, message: { kind: 'service.reply', serviceId: 'reboot', id: '42', code: 460, params: { why: 'busy' } },
    });
  });

  it('a device time too far ahead is refused as it would be over MQTT', () => {
    const up = uplinkOf(id, 'alink', { kind: 'property.post', params: { voltage: 1 }, time: at + 3_600_000 });
    expect(dialects.alink.decodeUplink(id, up.topic, up.payload, at)).toMatchObject({ ok: false, code: 400 });
  });
});

describe('what encode is given', () => {
  it('a command carries the message id the reply must echo', () => {
    expect(commandForCodec({ productKey: 'a1meter', deviceName: 'm1', kind: 'service.invoke', serviceId: 'reboot', params: { delay: 1 } }, '99'))
      .toEqual({ kind: 'service.invoke', id: '99', params: { delay: 1 }, serviceId: 'reboot' });
  });

  it('a verdict names the request it answers', () => {
    const message = { id: '7', kind: 'event.post', eventId: 'overload' } as Parameters<typeof replyForCodec>[0];
    expect(replyForCodec(message, 422, undefined, 'failed the thing model'))
      .toEqual({ kind: 'reply', id: '7', code: 422, request: 'event.post', eventId: 'overload', data: {}, message: 'failed the thing model' });
  });
});

it('frames show in the message log as spaced hex, long ones cut', () => {
  expect(hexOf(Uint8Array.from([0xa5, 1, 0xff]))).toBe('a5 01 ff');
  expect(hexOf(new Uint8Array(70), 4)).toBe('00 00 00 00 … (+66 bytes)');
});
