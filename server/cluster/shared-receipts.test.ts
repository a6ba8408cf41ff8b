/**
 * The uplinks' receipts shared by the nodes of a cluster, on a real Redis: what one node answered is what another reads
 * for the device (its reason intact), only within the window and only the newest per device, and a deleted device's
 * go. (That a resend through another node is answered from them: server/cluster/cluster.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger.ts';
import { testRedis } from '../testing/test-redis.ts';
import { until } from '../testing/until.ts';
import { SHARED_RECEIPTS_PER_DEVICE, SharedReceipts } from './shared-receipts.ts';

const logger = createLogger('silent');
const WINDOW = 600_000;
const redis = testRedis();

const node = () => new SharedReceipts(redis.connection(), WINDOW, logger);

const receipt = (deviceName: string, msgId: string, at: number, code = 200, reason: string | null = null) =>
  ({ productKey: 'pk', deviceName, msgId, fingerprint: 0xdeadbeef, code, reason, at });

describe('shared receipts', () => {
  it('gives another node what one node answered, reasons with spaces and none alike', async () => {
    const a = node();
    const b = node();
    const now = Date.now();
    await a.remember(receipt('d1', '1', now - 2));
    await a.remember(receipt('d1', '2', now - 1, 422, 'temperature: must be a number, got "hot"'));
    // Written once remember resolves: the node then answers the device.
    const read = await b.of('pk', 'd1', now);
    expect(read.sort((x, y) => x.at - y.at)).toEqual([receipt('d1', '1', now - 2), receipt('d1', '2', now - 1, 422, 'temperature: must be a number, got "hot"')]);
    expect(await b.of('pk', 'nobody', now)).toEqual([]);
  });

  it('keeps only the window and the newest of a device, and forgets a deleted device', async () => {
    const a = node();
    const now = Date.now();
    await a.remember(receipt('d2', 'old', now - WINDOW - 1_000));
    for (let i = 0; i < SHARED_RECEIPTS_PER_DEVICE + 5; i++) await a.remember(receipt('d2', `m${i}`, now - 100 + i));
    const read = await a.of('pk', 'd2', now);
    expect(read.map((r) => r.msgId).sort()).toEqual(Array.from({ length: SHARED_RECEIPTS_PER_DEVICE }, (_, i) => `m${i + 5}`).sort());

    a.forget('pk', 'd2');
    await until('the deleted device\'s receipts gone', () => a.of('pk', 'd2', now), (r) => r.length === 0);
  });
});
