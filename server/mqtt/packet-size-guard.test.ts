import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { PacketSizeGuard } from './packet-size-guard.ts';

const publish = (bytes: number) => mqttPacket.generate({ cmd: 'publish', topic: 't', payload: Buffer.alloc(bytes), qos: 0, dup: false, retain: false });

describe('PacketSizeGuard', () => {
  it('follows packet boundaries across any chunking and refuses the first packet over the limit by its header', () => {
    const stream = Buffer.concat([publish(10), publish(200), mqttPacket.generate({ cmd: 'pingreq' }), publish(1000), publish(5)]);
    for (const size of [1, 2, 3, 7, 64, stream.length]) {
      const guard = new PacketSizeGuard(() => 500);
      let refused = 0;
      for (let at = 0; at < stream.length && refused === 0; at += size) refused = guard.check(stream.subarray(at, at + size));
      // The 1000-byte payload's packet: topic (3) and payload.
      expect(refused, `chunks of ${size}`).toBe(1003);
    }
  });

  it('passes what fits, and asks the limit again for each packet (64 KB before sign-in, more after)', () => {
    let limit = 100;
    const guard = new PacketSizeGuard(() => limit);
    expect(guard.check(publish(50))).toBe(0);
    limit = 10_000;
    expect(guard.check(publish(5000))).toBe(0);
  });

  it('refuses a header announcing 256 MB from its length bytes alone', () => {
    expect(new PacketSizeGuard(() => 65_536).check(Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f]))).toBe(268_435_455);
  });
});
