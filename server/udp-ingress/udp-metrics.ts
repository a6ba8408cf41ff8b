import { Counter, Gauge, type Registry } from 'prom-client';
import type { UdpListenerStats } from './udp-listener.ts';

/** What the UDP listeners took, dropped and left unanswered, on /metrics. Read when scraped. */
export function registerUdpMetrics(registry: Registry, listeners: () => Iterable<{ stats(): UdpListenerStats }>): void {
  const registers = [registry];
  const sum = (field: keyof UdpListenerStats) => {
    let n = 0;
    for (const l of listeners()) n += l.stats()[field];
    return n;
  };
  const counter = (name: string, help: string, field: keyof UdpListenerStats) =>
    new Counter({
      name, help, registers,
      collect() {
        this.reset();
        this.inc(sum(field));
      },
    });
  counter('thingwire_udp_datagrams_total', 'UDP datagrams received from devices', 'datagrams');
  counter('thingwire_udp_unanswered_total', 'Answers not sent because they were larger than the unauthenticated datagram they answered', 'unanswered');
  counter('thingwire_udp_bindings_evicted_total', 'Bound addresses forgotten to make room for new ones', 'bindingsEvicted');
  new Counter({
    name: 'thingwire_udp_dropped_total', help: 'UDP datagrams dropped unprocessed, by reason', labelNames: ['reason'], registers,
    collect() {
      this.reset();
      this.inc({ reason: 'rate' }, sum('rateLimited'));
      this.inc({ reason: 'oversized' }, sum('oversized'));
      this.inc({ reason: 'unrecognised' }, sum('unrecognised'));
      this.inc({ reason: 'busy' }, sum('busy'));
    },
  });
  new Gauge({
    name: 'thingwire_udp_bound_addresses', help: 'Source addresses bound to a device now', registers,
    collect() {
      this.set(sum('boundAddresses'));
    },
  });
}
