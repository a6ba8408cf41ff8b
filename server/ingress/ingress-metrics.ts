import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { SignInBans } from '../device-auth/sign-in-bans.ts';
import type { CommitObserver, TelemetryWriter } from '../telemetry/telemetry-writer.ts';
import type { IngressGate } from './ingress-gate.ts';

/**
 * Backpressure and storage on /metrics: whether ingress is held back, what it dropped, the telemetry queue and its
 * commits. Read when scraped; the hot path only bumps plain counters.
 */
export function registerIngressMetrics(registry: Registry, gate: IngressGate, writer: TelemetryWriter): void {
  const registers = [registry];
  new Gauge({
    name: 'thingwire_ingress_backpressure', help: '1 while device publishes are held back because storage is behind', registers,
    collect() {
      this.set(gate.open ? 0 : 1);
    },
  });
  new Gauge({
    name: 'thingwire_ingress_held', help: 'QoS 1 publishes waiting for their PUBACK until storage catches up', registers,
    collect() {
      this.set(gate.stats().waiting);
    },
  });
  new Counter({
    name: 'thingwire_ingress_held_total', help: 'QoS 1 publishes whose PUBACK was held back by backpressure', registers,
    collect() {
      this.reset();
      this.inc(gate.stats().heldTotal);
    },
  });
  new Counter({
    name: 'thingwire_ingress_dropped_total', help: 'Device publishes dropped under backpressure (QoS 0 only; QoS 1 is held)',
    labelNames: ['qos'], registers,
    collect() {
      this.reset();
      this.inc({ qos: '0' }, gate.stats().droppedQos0);
    },
  });

  // The writer's stats are read once per scrape, by the first collector below.
  let last = writer.stats();
  new Gauge({
    name: 'thingwire_telemetry_queued_rows', help: 'Property rows and events waiting for a commit', registers,
    collect() {
      last = writer.stats();
      this.set(last.queuedRows);
    },
  });
  const counter = (name: string, help: string, value: () => number) =>
    new Counter({
      name, help, registers,
      collect() {
        this.reset();
        this.inc(value());
      },
    });
  counter('thingwire_telemetry_commits_total', 'Telemetry group commits', () => last.batches);
  counter('thingwire_telemetry_rows_total', 'Property rows stored', () => last.rowsWritten);
  counter('thingwire_telemetry_events_total', 'Device events stored', () => last.eventsWritten);
  counter('thingwire_telemetry_refused_total', 'Messages refused (answered 503) because the telemetry queue was full', () => last.refused);
  counter('thingwire_telemetry_failed_total', 'Messages not stored because their commit failed every attempt', () => last.failed);
  new Counter({
    name: 'thingwire_telemetry_skipped_total', help: 'Values and events the database could not take, by reason', labelNames: ['reason'], registers,
    collect() {
      this.reset();
      for (const [reason, n] of Object.entries(last.skipped)) this.inc({ reason }, n);
    },
  });
}

/**
 * The telemetry writer's commit histograms: how long each commit took, and how old each row was when committed (its
 * device time to its commit: the "publish to stored" latency the benchmark reports, for devices that send a time).
 */
export function telemetryCommitObserver(registry: Registry): CommitObserver {
  const registers = [registry];
  const commits = new Histogram({
    name: 'thingwire_telemetry_commit_seconds', help: 'Time of each telemetry group commit', registers,
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1],
  });
  const ages = new Histogram({
    name: 'thingwire_telemetry_row_age_seconds', help: 'From a row\'s time (device time, else receive time) to the commit that stored it', registers,
    // Fine below 100 ms, where a healthy pipeline is, so percentiles read from the buckets are close.
    buckets: [0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.008, 0.01, 0.012, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.06, 0.08,
      0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 2, 5, 10, 30, 60],
  });
  return {
    commitSeconds: (s) => commits.observe(s),
    rowAgeMs: (ms) => ages.observe(ms / 1000),
  };
}

/** What the sign-in limits turned away: failed sign-ins, bans, connections closed unsigned or for their size. */
export function registerSignInMetrics(
  registry: Registry,
  bans: Pick<SignInBans, 'stats'>,
  listeners: () => Iterable<{ stats(): { pendingSignIns: number; signInTimeouts: number; refusedPending: number; packetsTooLarge: number } }>,
): void {
  const registers = [registry];
  const sum = (field: 'pendingSignIns' | 'signInTimeouts' | 'refusedPending' | 'packetsTooLarge') => {
    let n = 0;
    for (const l of listeners()) n += l.stats()[field];
    return n;
  };
  const counter = (name: string, help: string, read: () => number) => new Counter({
    name, help, registers,
    collect() {
      this.reset();
      this.inc(read());
    },
  });
  counter('thingwire_device_sign_in_failures_total', 'Device sign-ins refused for a bad signature or unknown device', () => bans.stats().failures);
  counter('thingwire_device_sign_in_bans_total', 'Addresses banned for too many failed device sign-ins', () => bans.stats().bans);
  counter('thingwire_device_banned_connections_total', 'Connections from banned addresses closed as they arrived', () => bans.stats().refusedWhileBanned);
  new Gauge({
    name: 'thingwire_device_banned_addresses', help: 'Addresses banned now', registers,
    collect() {
      this.set(bans.stats().bannedNow);
    },
  });
  new Gauge({
    name: 'thingwire_mqtt_pending_sign_ins', help: 'MQTT connections open that have not signed in yet', registers,
    collect() {
      this.set(sum('pendingSignIns'));
    },
  });
  counter('thingwire_mqtt_sign_in_timeouts_total', 'MQTT connections closed for not signing in in time', () => sum('signInTimeouts'));
  counter('thingwire_mqtt_pending_refused_total', 'MQTT connections closed because too many were signing in', () => sum('refusedPending'));
  counter('thingwire_mqtt_packets_too_large_total', 'MQTT connections closed for a packet over the size limit', () => sum('packetsTooLarge'));
}
