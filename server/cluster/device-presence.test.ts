/**
 * Device presence on a real Redis: what routes a command to the node holding the device. A device moving between
 * nodes keeps the newer node's entry whichever of the two writes comes first, a lost node's entries go in one step,
 * and a node writes its devices again into an emptied Redis.
 */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger.ts';
import { testRedis } from '../testing/test-redis.ts';
import { DevicePresence } from './device-presence.ts';

const logger = createLogger('silent');
const redis = testRedis();

const node = (id: string) => new DevicePresence(redis.connection(), id, logger);

describe('device presence', () => {
  it('routes to the node that took a device over, whichever of the two nodes writes first', async () => {
    const a = node('a');
    const b = node('b');
    await a.online('pk', 'moved-late');
    await b.online('pk', 'moved-late');
    await a.offline('pk', 'moved-late'); // the old node's offline comes after the new node's online
    expect(await b.holderOf('pk', 'moved-late')).toBe('b');

    await a.online('pk', 'moved-early');
    await a.offline('pk', 'moved-early');
    await b.online('pk', 'moved-early');
    expect(await a.holderOf('pk', 'moved-early')).toBe('b');

    await b.offline('pk', 'moved-early');
    expect(await a.holderOf('pk', 'moved-early')).toBeUndefined();
    expect((await a.heldBy()).get('a') ?? 0).toBe(0);
  });

  it('forgets a lost node\'s devices and only those, and writes a node\'s devices again after Redis lost them', async () => {
    const c = node('c');
    const d = node('d');
    for (let i = 0; i < 50; i++) await c.online('pk', `c-${i}`);
    await d.online('pk', 'd-0');
    await d.online('pk', 'c-7'); // taken over by d: c's loss must not take it
    expect((await d.heldBy()).get('c')).toBe(49);

    expect(await d.forgetNode('c')).toBe(49);
    expect(await d.holderOf('pk', 'c-3')).toBeUndefined();
    expect(await d.holderOf('pk', 'c-7')).toBe('d');
    expect((await d.heldBy()).has('c')).toBe(false);

    await redis.connection().flushall(); // Redis restarted empty
    expect(await d.holderOf('pk', 'd-0')).toBeUndefined();
    expect(await d.reassert([{ productKey: 'pk', deviceName: 'd-0' }, { productKey: 'pk', deviceName: 'c-7' }])).toBe(2);
    expect(await c.holderOf('pk', 'c-7')).toBe('d');
    expect((await c.heldBy()).get('d')).toBe(2);
  });

  it('writes nothing once the node has left, and has removed its devices on leaving', async () => {
    const e = node('e');
    await e.online('pk', 'e-0');
    await e.close();
    expect(await e.holderOf('pk', 'e-0')).toBeUndefined();
    await e.online('pk', 'e-1'); // a session the stopping node closes late
    expect(await e.holderOf('pk', 'e-1')).toBeUndefined();
  });
});
