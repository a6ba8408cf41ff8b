import { Counter, Gauge, type Registry } from 'prom-client';
import type { DeviceHub } from './device-hub.ts';

/**
 * Exposes `hub.stats()` on a Prometheus registry. Values are read when /metrics is scraped, so the hub's hot path
 * pays nothing for them.
 */
export function registerDeviceHubMetrics(registry: Registry, hub: Pick<DeviceHub, 'stats'>): void {
  const registers = [registry];
  new Gauge({
    name: 'thingwire_device_sessions', help: 'Devices connected now', registers,
    collect() {
      this.set(hub.stats().onlineSessions);
    },
  });
  new Counter({
    name: 'thingwire_device_uplinks_total', help: 'Device messages received', registers,
    collect() {
      this.reset();
      this.inc(hub.stats().uplinks);
    },
  });
  new Counter({
    name: 'thingwire_device_uplink_repeats_total', help: 'Device messages that repeated one already received: answered with its verdict, not processed again', registers,
    collect() {
      this.reset();
      this.inc(hub.stats().repeats);
    },
  });
  new Counter({
    name: 'thingwire_device_replies_total', help: 'Answers devices got to their messages, by reply code', labelNames: ['code'], registers,
    collect() {
      this.reset();
      for (const [code, n] of Object.entries(hub.stats().repliesByCode)) this.inc({ code }, n);
    },
  });
  new Counter({
    name: 'thingwire_device_commands_total', help: 'Commands to devices, by outcome code', labelNames: ['code'], registers,
    collect() {
      this.reset();
      for (const [code, n] of Object.entries(hub.stats().commandsByCode)) this.inc({ code }, n);
    },
  });
  new Counter({
    name: 'thingwire_device_connections_refused_total', help: 'Refused device connections, for known and unknown devices',
    labelNames: ['device'], registers,
    collect() {
      this.reset();
      const { known, unknownDevice } = hub.stats().refused;
      this.inc({ device: 'known' }, known);
      this.inc({ device: 'unknown' }, unknownDevice);
    },
  });
  new Counter({
    name: 'thingwire_device_log_flushes_total', help: 'Batches written to the device message log (one transaction each)', registers,
    collect() {
      this.reset();
      this.inc(hub.stats().messageLog.flushes);
    },
  });
  new Counter({
    name: 'thingwire_device_log_dropped_total', help: 'Message log entries lost because writes kept failing', registers,
    collect() {
      this.reset();
      this.inc(hub.stats().messageLog.dropped);
    },
  });
}
