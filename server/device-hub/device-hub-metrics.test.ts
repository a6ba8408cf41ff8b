import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { DeviceHubStats } from './device-hub.ts';
import { registerDeviceHubMetrics } from './device-hub-metrics.ts';

describe('device hub metrics', () => {
  it('reads the hub\'s counters when scraped', async () => {
    const stats: DeviceHubStats = {
      onlineSessions: 3, uplinks: 120, repeats: 2, receipts: { receipts: 100, windowMs: 600_000 }, downlinks: 4, repliesByCode: { 200: 100, 504: 2 }, commandsByCode: { 200: 3, 503: 1 },
      refused: { known: 1, unknownDevice: 7 }, pendingReplies: 0, pendingCommands: 0, queuedCommands: 0,
      messageLog: { flushes: 9, written: 130, buffered: 0, dropped: 0, failedFlushes: 0 },
    };
    const registry = new Registry();
    registerDeviceHubMetrics(registry, { stats: () => stats });
    const text = await registry.metrics();
    expect(text).toContain('thingwire_device_sessions 3');
    expect(text).toContain('thingwire_device_uplinks_total 120');
    expect(text).toContain('thingwire_device_uplink_repeats_total 2');
    expect(text).toContain('thingwire_device_replies_total{code="504"} 2');
    expect(text).toContain('thingwire_device_commands_total{code="503"} 1');
    expect(text).toContain('thingwire_device_connections_refused_total{device="unknown"} 7');
    stats.uplinks = 121;
    expect(await registry.metrics()).toContain('thingwire_device_uplinks_total 121');
  });
});
