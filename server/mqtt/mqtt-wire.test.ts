import { PassThrough } from 'node:stream';
import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { coalesceWrites, encodePublish, filterMatches } from './mqtt-wire.ts';

function parse(buf: Buffer): mqttPacket.Packet[] {
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  const packets: mqttPacket.Packet[] = [];
  parser.on('packet', (p) => packets.push(p));
  parser.on('error', (err) => {
    throw err;
  });
  parser.parse(buf);
  return packets;
}

describe('encodePublish', () => {
  it('encodes a PUBLISH any MQTT parser reads back, at QoS 0 and 1, with payloads past one length byte', () => {
    const long = Buffer.alloc(20_000, 0x61);
    const [p0] = parse(encodePublish('/sys/pk/dn/thing/event/property/post_reply', Buffer.from('{"code":200}'), 0)) as mqttPacket.IPublishPacket[];
    expect(p0).toMatchObject({ cmd: 'publish', qos: 0, topic: '/sys/pk/dn/thing/event/property/post_reply', retain: false, dup: false });
    expect(String(p0!.payload)).toBe('{"code":200}');
    const [p1] = parse(encodePublish('a/ü', long, 1, 513)) as mqttPacket.IPublishPacket[];
    expect(p1).toMatchObject({ qos: 1, topic: 'a/ü', messageId: 513 });
    expect(Buffer.compare(p1!.payload as Buffer, long)).toBe(0);
    const [p2] = parse(encodePublish('t', '{"id":"1"}', 0)) as mqttPacket.IPublishPacket[];
    expect(String(p2!.payload)).toBe('{"id":"1"}');
  });
});

describe('filterMatches', () => {
  it.each([
    ['/sys/pk/dn/thing/event/property/post_reply', '/sys/pk/dn/thing/event/property/post_reply', true],
    ['/sys/pk/dn/#', '/sys/pk/dn/thing/event/property/post_reply', true],
    ['/sys/pk/dn/thing/+/+/post_reply', '/sys/pk/dn/thing/event/property/post_reply', true],
    ['/sys/pk/+/thing/event/property/post_reply', '/sys/pk/other/thing/event/property/post_reply', true],
    ['/sys/pk/dn/#', '/sys/pk/dn', true],
    ['#', 'anything/at/all', true],
    ['/sys/pk/dn/thing/event/property/post', '/sys/pk/dn/thing/event/property/post_reply', false],
    ['/sys/pk/dn/+', '/sys/pk/dn/thing/event', false],
    ['/sys/pk/dn/thing/event/property/post_reply/+', '/sys/pk/dn/thing/event/property/post_reply', false],
    ['/sys/pk/other/#', '/sys/pk/dn/thing/event/property/post_reply', false],
  ])('%s matches %s: %s', (filter, topic, expected) => {
    expect(filterMatches(filter, topic)).toBe(expected);
  });
});

describe('coalesceWrites', () => {
  it('sends what one turn of the event loop wrote to a stream in one write, and the next turn in another', async () => {
    const writes: Buffer[][] = [];
    const stream = new PassThrough({
      write(chunk: Buffer, _enc, cb) {
        writes.push([chunk]);
        cb();
      },
      writev(chunks, cb) {
        writes.push(chunks.map((c) => c.chunk as Buffer));
        cb();
      },
    });
    coalesceWrites(stream);
    stream.write(Buffer.from('puback'));
    stream.write(Buffer.from('reply'));
    expect(writes).toEqual([]); // held until the turn ends
    await new Promise((r) => setImmediate(r));
    expect(writes.map((w) => w.map(String))).toEqual([['puback', 'reply']]);
    stream.write(Buffer.from('next'));
    await new Promise((r) => setImmediate(r));
    expect(writes.map((w) => w.map(String))).toEqual([['puback', 'reply'], ['next']]);
  });
});
