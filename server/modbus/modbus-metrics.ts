import { Counter, Gauge, type Registry } from 'prom-client';
import type { ModbusService } from './modbus-service.ts';

/** Exposes the pollers' figures on a Prometheus registry, read when /metrics is scraped (polling pays nothing). */
export function registerModbusMetrics(registry: Registry, modbus: Pick<ModbusService, 'stats'>): void {
  const registers = [registry];
  new Counter({
    name: 'thingwire_modbus_polls_total', help: 'Modbus polls, answered (at least one request got data) or not', labelNames: ['result'], registers,
    collect() {
      this.reset();
      const { polls } = modbus.stats();
      this.inc({ result: 'answered' }, polls.answered);
      this.inc({ result: 'unanswered' }, polls.unanswered);
    },
  });
  new Gauge({
    name: 'thingwire_modbus_devices', help: 'Devices polled now, by state (polling, failing, offline)', labelNames: ['state'], registers,
    collect() {
      for (const [state, n] of Object.entries(modbus.stats().devices)) this.set({ state }, n);
    },
  });
  new Gauge({
    name: 'thingwire_modbus_lines', help: 'Modbus lines open (TCP connections, serial ports)', registers,
    collect() {
      this.set(modbus.stats().lines);
    },
  });
  new Gauge({
    name: 'thingwire_modbus_requests', help: 'Modbus requests waiting for their turn on their line, and on the wire', labelNames: ['where'], registers,
    collect() {
      const { queued, inFlight } = modbus.stats();
      this.set({ where: 'queued' }, queued);
      this.set({ where: 'in-flight' }, inFlight);
    },
  });
}
