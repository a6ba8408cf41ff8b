import { describe, expect, it } from 'vitest';
import type { DeviceIdentity } from './dialect.ts';
import { codecs } from './index.ts';

// The ACL matrix (docs/protocol.md "Topic ACL"): device A (pk1/a) against B (pk1/b, same product) and C (pk2/a, same name in
// another product), over every topic family of both dialects and every filter shape, checked against an independent
// MQTT matcher so that no accepted filter can deliver another device's traffic.

const A: DeviceIdentity = { productKey: 'pk1', deviceName: 'a' };
const B: DeviceIdentity = { productKey: 'pk1', deviceName: 'b' };
const C: DeviceIdentity = { productKey: 'pk2', deviceName: 'a' };

/** The `thing/…` topics under a device's base, uplink and downlink, replies included. */
const thingTopics = (base: string) => [
  'thing/event/property/post', 'thing/event/property/post_reply', 'thing/event/overheat/post', 'thing/event/overheat/post_reply',
  'thing/service/property/set', 'thing/service/property/set_reply', 'thing/service/reboot', 'thing/service/reboot_reply',
  'thing/model/up_raw', 'thing/model/up_raw_reply', 'thing/model/down_raw', 'thing/ota/firmware/get', 'thing/ota/firmware/get_reply',
].map((path) => `${base}/${path}`);

/** Every topic of a device in each dialect. */
const TOPICS = {
  alink: ({ productKey: pk, deviceName: dn }: DeviceIdentity) => [
    ...thingTopics(`/sys/${pk}/${dn}`),
    `/ota/device/inform/${pk}/${dn}`, `/ota/device/upgrade/${pk}/${dn}`, `/ota/device/progress/${pk}/${dn}`,
    `/ext/ntp/${pk}/${dn}/request`, `/ext/ntp/${pk}/${dn}/response`, `/ext/session/${pk}/${dn}/combine/login`,
  ],
  things: ({ productKey: pk, deviceName: dn }: DeviceIdentity) => [
    ...thingTopics(`${pk}/${dn}`), `${pk}/${dn}/ota/version`, `${pk}/${dn}/ota/upgrade`, `${pk}/${dn}/ota/progress`,
  ],
};
const allTopics = (id: DeviceIdentity) => [...TOPICS.alink(id), ...TOPICS.things(id)];

/** MQTT topic matching, written independently of the code under test. */
function mqttMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/** Filters derived from topics: the topic, each level made `+`, pk and dn made `+` together, `#` at each depth. */
function derivedFilters(topics: string[]): string[] {
  const filters = new Set<string>(['#', '+', '+/#', '/#', '/+/#', '$SYS/#', '$share/g/#']);
  for (const topic of topics) {
    const levels = topic.split('/');
    filters.add(topic);
    for (let i = 0; i < levels.length; i++) {
      filters.add(levels.map((l, j) => (j === i ? '+' : l)).join('/'));
      filters.add([...levels.slice(0, i), '#'].join('/'));
      for (let k = i + 1; k < levels.length; k++) filters.add(levels.map((l, j) => (j === i || j === k ? '+' : l)).join('/'));
    }
  }
  return [...filters];
}

describe.each(['alink', 'things'] as const)('%s ACL', (dialect) => {
  const codec = codecs[dialect];
  const own = TOPICS[dialect](A);
  const others = [...allTopics(B), ...allTopics(C)];

  it('lets a device publish and subscribe on every topic of its own', () => {
    for (const topic of own) {
      expect(codec.canPublish(A, topic), topic).toBe(true);
      expect(codec.canSubscribe(A, topic), topic).toBe(true);
    }
  });

  it("refuses every topic of another device, in either dialect, to publish and to subscribe", () => {
    for (const topic of others) {
      expect(codec.canPublish(A, topic), topic).toBe(false);
      expect(codec.canSubscribe(A, topic), topic).toBe(false);
    }
  });

  it('refuses the other dialect\'s topics for the same device', () => {
    const foreign = TOPICS[dialect === 'alink' ? 'things' : 'alink'](A);
    for (const topic of foreign) expect(codec.canPublish(A, topic), topic).toBe(false);
  });

  it('accepts no filter that matches a topic of another device (zero leaks)', () => {
    const filters = derivedFilters([...own, ...others]);
    let accepted = 0;
    for (const filter of filters) {
      if (!codec.canSubscribe(A, filter)) continue;
      accepted++;
      const leaked = others.filter((topic) => mqttMatches(filter, topic));
      expect(leaked, `filter ${filter}`).toEqual([]);
    }
    // The check is only meaningful if many wildcard filters were accepted.
    expect(accepted).toBeGreaterThan(own.length * 2);
  });

  it('refuses publishing with wildcards, NUL or an empty topic', () => {
    const base = dialect === 'alink' ? '/sys/pk1/a' : 'pk1/a';
    for (const topic of [`${base}/thing/+/post`, `${base}/#`, `${base}/thing\0`, '']) {
      expect(codec.canPublish(A, topic), JSON.stringify(topic)).toBe(false);
    }
  });

  it('refuses invalid filters even inside its namespace', () => {
    const base = dialect === 'alink' ? '/sys/pk1/a' : 'pk1/a';
    for (const filter of [`${base}/#/thing`, `${base}/thing#`, `${base}/th+ng`, `${base}/thing/\0`, '']) {
      expect(codec.canSubscribe(A, filter), JSON.stringify(filter)).toBe(false);
    }
  });
});

describe('alink filter shapes', () => {
  const { alink } = codecs;
  it.each([
    ['/sys/pk1/a/#', true],
    ['/sys/pk1/a/thing/service/+', true],
    ['/sys/pk1/a/thing/event/+/post_reply', true],
    ['/sys/pk1/a/+/+/+', true],
    ['/sys/pk1/a', true],
    ['/ota/device/+/pk1/a', true],
    ['/ota/device/upgrade/pk1/a', true],
    ['/ext/ntp/pk1/a/response', true],
    ['/ext/ntp/pk1/a/#', true],
    ['/ext/session/pk1/a/#', true],
    ['/sys/pk1/+/#', false],
    ['/sys/+/a/#', false],
    ['/sys/+/+/#', false],
    ['/sys/pk1/#', false],
    ['/sys/#', false],
    ['#', false],
    ['+/+/thing/#', false],
    ['/+/pk1/a/#', false],
    ['/ota/device/upgrade/pk1/+', false],
    ['/ota/device/upgrade/+/a', false],
    ['/ota/device/#', false],
    ['/ota/device/+/pk1/a/#', false],
    ['/ext/+/pk1/a/#', false],
    ['/ext/ntp/pk1/+/response', false],
    ['/ext/other/pk1/a/x', false],
    ['$SYS/#', false],
    ['$share/group//sys/pk1/a/#', false],
    ['pk1/a/#', false],
  ])('%s → %s for pk1/a', (filter, allowed) => {
    expect(alink.canSubscribe(A, filter)).toBe(allowed);
  });
});

describe('things filter shapes', () => {
  const { things } = codecs;
  it.each([
    ['pk1/a/#', true],
    ['pk1/a/thing/service/+', true],
    ['pk1/a/ota/upgrade', true],
    ['pk1/a', true],
    ['pk1/+/#', false],
    ['+/a/#', false],
    ['+/+/thing/#', false],
    ['pk1/#', false],
    ['#', false],
    ['+/#', false],
    ['$SYS/#', false],
    ['/sys/pk1/a/#', false],
  ])('%s → %s for pk1/a', (filter, allowed) => {
    expect(things.canSubscribe(A, filter)).toBe(allowed);
  });
});
