import { Counter, Gauge, type Registry } from 'prom-client';
import type { TcpListener } from './tcp-listener.ts';

type Stat = keyof ReturnType<TcpListener['stats']>;

/** The TCP listeners on /metrics: connections, and what their limits turned away (summed over the listeners). */
export function registerTcpMetrics(registry: Registry, listeners: () => Iterable<Pick<TcpListener, 'stats'>>): void {
  const registers = [registry];
  const sum = (field: Stat) => {
    let n = 0;
    for (const l of listeners()) n += l.stats()[field];
    return n;
  };
  const gauge = (name: string, help: string, field: Stat) => new Gauge({
    name, help, registers,
    collect() {
      this.set(sum(field));
    },
  });
  const counter = (name: string, help: string, field: Stat) => new Counter({
    name, help, registers,
    collect() {
      this.reset();
      this.inc(sum(field));
    },
  });
  gauge('thingwire_tcp_connections', 'TCP device connections open, signed in or not', 'connections');
  gauge('thingwire_tcp_pending_sign_ins', 'TCP connections open that have not signed in yet', 'pendingSignIns');
  counter('thingwire_tcp_sign_in_timeouts_total', 'TCP connections closed for not signing in in time', 'signInTimeouts');
  counter('thingwire_tcp_pending_refused_total', 'TCP connections closed because too many were signing in', 'refusedPending');
  counter('thingwire_tcp_sign_ins_refused_total', 'TCP sign-ins refused (bad fields, not authorized, banned)', 'signInsRefused');
  counter('thingwire_tcp_frames_too_large_total', 'TCP connections closed for a frame over the size limit', 'framesTooLarge');
  counter('thingwire_tcp_frames_refused_total', 'Frames of signed-in TCP devices refused (malformed, codec failures, rate limit, dialect)', 'framesRefused');
  counter('thingwire_tcp_idle_timeouts_total', 'TCP devices closed for sending no frame within the idle timeout', 'idleTimeouts');
  counter('thingwire_tcp_slow_readers_total', 'TCP devices closed for not reading what they were sent', 'slowReaders');
}
