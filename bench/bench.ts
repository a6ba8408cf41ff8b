/**
 * `npm run bench`: the default device pipeline under load from real device clients, beside the same load on Mosquitto.
 *
 * Thingwire runs as its own process from a temp data dir (as `npm start` would, with its first-start pipeline flow),
 * load comes from separate worker processes of mqtt.js clients that sign in like devices, and Mosquitto (Debian's) is
 * started on a loopback port as a plain relay to one subscriber. Prints a markdown table and writes it to
 * bench/results/latest.md. Every phase is bounded in count and time and targets loopback only.
 *
 * `npm run bench -- --ota` measures a firmware campaign instead (bench/ota-bench.ts).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../server/testing/mqtt-devices.ts';
import { apiOf, children, chunks, createDevices, log, root, sleep, startThingwire, UsageError, Worker } from './harness.ts';
import type { BenchDevice, RunReport, WorkerCommand } from './load-worker.ts';
import { measureCodecCosts, type CodecCosts } from './codec-bench.ts';
import type { EditorFigures } from './editor.ts';
import { editorRow, measureEditor } from './editor-row.ts';
import { dashboardRow, measureDashboard, type DashboardFigures } from './dashboard-row.ts';
import { otaOptions, runOtaBench } from './ota-bench.ts';
import { runClusterBench } from './cluster-bench.ts';
import { openFilesHardLimit, processCpuSeconds, ProcSampler, type PhaseStats } from './proc-stats.ts';
import {
  renderAllocationSummary, renderProfileSummary, summarizeAllocations, summarizeProfile, type AllocationProfile, type AllocationSummary, type CpuProfile,
  type ProfileSummary,
} from './profile-summary.ts';
import { fmt, histogramBuckets, histogramPercentiles, markdownTable, percentiles } from './report.ts';

interface Options {
  smoke: boolean;
  /** Offered rates tried when looking for the max sustained throughput (msg/s). */
  rates: number[];
  stepSeconds: number;
  /** Duration of each fixed-rate latency run. */
  duration: number;
  /** The fixed rate of the latency run (msg/s). */
  rate: number;
  /** Devices that publish. */
  devices: number;
  /** Idle signed-in connections held in the connections phase. */
  connections: number;
  qos: 0 | 1;
  payload: 'meter' | 'wide';
  storage: 'sqlite' | 'tdengine';
  workers: number;
  mosquitto: boolean;
  cpuProf: boolean;
  /** Profile Thingwire while the MQTT rate steps run, and sum the profile up in the report. */
  profile: boolean;
  out: string;
  /** Offered rates stepped through for devices posting over HTTP (and CoAP); empty: not measured. */
  requestRates: number[];
  /** Nodes of the flow the editor is measured on; 0: not measured. */
  editorNodes: number;
  /** The composed dashboard in a browser (12 widgets over 50 devices). */
  dashboard: boolean;
  /** Nodes of the cluster run compared with one node; 0: the single-node benchmark. */
  cluster: number;
}

function options(argv = process.argv.slice(2)): Options {
  const { values } = parseArgs({
    args: argv, strict: true,
    options: {
      smoke: { type: 'boolean', default: false },
      rates: { type: 'string' }, 'step-seconds': { type: 'string' }, duration: { type: 'string' }, rate: { type: 'string' },
      devices: { type: 'string' }, connections: { type: 'string' }, qos: { type: 'string' }, payload: { type: 'string' },
      storage: { type: 'string' }, workers: { type: 'string' }, 'no-mosquitto': { type: 'boolean', default: false },
      'cpu-prof': { type: 'boolean', default: false }, profile: { type: 'boolean', default: false }, out: { type: 'string' }, help: { type: 'boolean', default: false },
      'request-rates': { type: 'string' }, 'no-request-protocols': { type: 'boolean', default: false },
      'editor-nodes': { type: 'string' }, 'no-editor': { type: 'boolean', default: false },
      'no-dashboard': { type: 'boolean', default: false },
      cluster: { type: 'string' },
    },
  });
  if (values.help) {
    process.stdout.write(`npm run bench -- [options]
  --smoke                a few seconds, small numbers: checks the harness, not the speed
  --rates 2000,4000,...  offered rates (msg/s) stepped through to find the max sustained throughput
  --step-seconds 8       length of each step
  --rate 10000           the fixed offered rate of the latency run (msg/s)
  --duration 10          length of each latency run (s)
  --devices 200          devices that publish
  --connections 20000    idle signed-in devices held (capped by the open-files limit)
  --qos 1                QoS of the publishes (0 or 1); every post asks for a reply (ack=1)
  --payload meter        meter: 3 numeric properties; wide: 10
  --storage sqlite       or tdengine (needs TDENGINE_URL)
  --workers 2            load-generating processes
  --no-mosquitto         skip the Mosquitto comparison
  --request-rates 500,…  offered rates (msg/s) stepped through for devices posting over HTTP and over CoAP
  --no-request-protocols skip the HTTP and CoAP devices
  --editor-nodes 2000    the flow editor (headless Chromium) on a flow of this many nodes: open time, pan/zoom fps
                         (npm run bench:editor alone); not in a smoke run unless given
  --no-editor            skip the flow editor
  --no-dashboard         skip the dashboard (12 widgets over 50 devices posting 1/s, headless Chromium: renderer CPU,
                         updates/s; npm run bench:dashboard alone); not in a smoke run
  --profile              profile Thingwire while the MQTT rate steps run: the report gets where the CPU went and
                         where the garbage came from (by area and by function), and what the idle connections keep
                         alive; the profiles go to profiles/ beside --out (open them in Chrome's DevTools)
  --cpu-prof             write a V8 CPU profile of Thingwire's whole run (start to stop) to bench/results/profiles/
  --out FILE             default bench/results/latest.md
  --ota                  instead: a firmware campaign over 10,000 devices (npm run bench -- --ota --help)
  --cluster 2            instead: the max sustained throughput of 2 cluster nodes against 1 on this machine
                         (PostgreSQL and Redis started on loopback; --rates, --step-seconds, --devices, --workers apply)
`);
    process.exit(0);
  }
  const num = (v: string | undefined, fallback: number) => (v === undefined ? fallback : Number(v));
  const oneOf = <const T extends readonly string[]>(name: string, v: string, allowed: T): T[number] => {
    if (!allowed.includes(v)) throw new UsageError(`--${name} is one of ${allowed.join(', ')} (got "${v}")`);
    return v as T[number];
  };
  const smoke = values.smoke;
  const o: Options = {
    smoke,
    rates: values.rates ? values.rates.split(',').map(Number) : smoke ? [100, 200] : [1000, 2000, 4000, 6000, 8000, 10_000, 12_000, 15_000, 20_000, 25_000, 30_000, 40_000],
    stepSeconds: num(values['step-seconds'], smoke ? 1 : 8),
    duration: num(values.duration, smoke ? 1 : 10),
    rate: num(values.rate, smoke ? 300 : 10_000),
    devices: num(values.devices, smoke ? 10 : 200),
    connections: num(values.connections, smoke ? 100 : 20_000),
    qos: oneOf('qos', values.qos ?? '1', ['0', '1'] as const) === '0' ? 0 : 1,
    payload: oneOf('payload', values.payload ?? 'meter', ['meter', 'wide'] as const),
    storage: oneOf('storage', values.storage ?? 'sqlite', ['sqlite', 'tdengine'] as const),
    workers: num(values.workers, smoke ? 1 : 2),
    mosquitto: !values['no-mosquitto'],
    cpuProf: values['cpu-prof'],
    profile: values.profile,
    out: values.out ?? path.join(root, 'bench/results/latest.md'),
    requestRates: values['no-request-protocols'] ? [] : values['request-rates'] ? values['request-rates'].split(',').map(Number)
      : smoke ? [100] : [500, 1000, 2000, 3000, 4000, 5000, 6000, 8000, 10_000],
    editorNodes: values['no-editor'] ? 0 : num(values['editor-nodes'], smoke ? 0 : 2000),
    dashboard: !values['no-dashboard'] && !smoke,
    cluster: values.cluster === undefined ? 0 : Number(values.cluster),
  };
  for (const [k, v] of Object.entries(o)) {
    if (k !== 'qos' && k !== 'editorNodes' && k !== 'dashboard' && k !== 'cluster' && typeof v === 'number' && !(v > 0)) throw new UsageError(`--${k} must be a positive number`);
  }
  if (!(o.editorNodes >= 0)) throw new UsageError('--editor-nodes must be a number of nodes');
  if (o.requestRates.some((r) => !(r > 0))) throw new UsageError('--request-rates must be positive numbers, comma-separated');
  if (o.rates.some((r) => !(r > 0))) throw new UsageError('--rates must be positive numbers, comma-separated');
  if (o.storage === 'tdengine' && !process.env.TDENGINE_URL) throw new UsageError('--storage tdengine needs TDENGINE_URL (taosAdapter, e.g. http://localhost:6041)');
  return o;
}

// ── Mosquitto ───────────────────────────────────────────────────────────────────────────────────────────────────

async function startMosquitto(dir: string): Promise<{ child: ChildProcess; url: string; version: string; stop(): Promise<void> }> {
  const port = await freePort();
  const conf = path.join(dir, 'mosquitto.conf');
  // A plain relay: anonymous, no persistence, no limits that would drop QoS 1 messages under load.
  fs.writeFileSync(conf, [
    `listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'max_queued_messages 1000000',
    'max_inflight_messages 0', 'log_dest none', 'set_tcp_nodelay true', '',
  ].join('\n'));
  const binary = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'].find((p) => fs.existsSync(p));
  if (!binary) throw new Error('Mosquitto is not installed (apt-get install -y mosquitto); run with --no-mosquitto to skip the comparison');
  // `mosquitto -h` prints its version and exits 3.
  const help = spawnSync(binary, ['-h'], { encoding: 'utf8' });
  const version = /mosquitto version (\S+)/.exec(`${help.stdout}${help.stderr}`)?.[1] ?? '?';
  const child = spawn(binary, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  const until = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`mosquitto exited (${child.exitCode})`);
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => (s.end(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (up) break;
    if (Date.now() > until) throw new Error('mosquitto did not start');
    await sleep(50);
  }
  return {
    child, url: `mqtt://127.0.0.1:${port}`, version,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

// ── provisioning ────────────────────────────────────────────────────────────────────────────────────────────────

const PRODUCT = 'bench_meter';
/** A rate counts as sustained only while 99 % of messages are answered within this. */
const MAX_P99_MS = 1000;

async function provision(tw: { base: string; token: string }, o: Options, count: number): Promise<BenchDevice[]> {
  const api = apiOf(tw);
  const numeric = (identifier: string, unit: string) => ({
    identifier, name: identifier, accessMode: 'r', required: false, dataType: { type: 'float', specs: { min: '0', max: '100000', unit } },
  });
  const properties = o.payload === 'meter'
    ? [numeric('voltage', 'V'), numeric('current', 'A'), numeric('power', 'W')]
    : Array.from({ length: 10 }, (_, i) => numeric(`p${i}`, ''));
  await api('POST', '/products', { productKey: PRODUCT, name: 'Benchmark smart meter' });
  await api('PUT', `/products/${PRODUCT}/thing-model/draft`, { properties, events: [], services: [] });
  await api('POST', `/products/${PRODUCT}/thing-model/publish`);
  const devices = await createDevices(api, PRODUCT, count);
  // The alert rule of the default pipeline watches `temperature`; point it at a meter property so it does work.
  const flows = await api<{ flows: { id: string; property?: string; value?: number }[]; rev: string }>('GET', '/flows');
  const alert = flows.flows.find((n) => n.id === 'tw-alert');
  if (alert) {
    Object.assign(alert, { property: o.payload === 'meter' ? 'power' : 'p0', value: 1_000_000 });
    await api('POST', '/flows', { flows: flows.flows, rev: flows.rev });
  }
  return devices;
}

// ── phases ──────────────────────────────────────────────────────────────────────────────────────────────────────

interface LoadResult {
  offered: number;
  achieved: number;
  /** Messages answered 200 (Thingwire: stored) or delivered to the subscriber (Mosquitto), per second. */
  completedPerSecond: number;
  sustained: boolean;
  why: string;
  latency: { p50: number; p95: number; p99: number; count: number };
  stored?: { p50: number; p95: number; p99: number; count: number };
  server: PhaseStats;
  /** µs of the server's CPU per message it completed (stored and answered, or relayed): comparable across machines. */
  cpuUsPerMessage: number;
  /** The busiest load process's CPU over the phase, % of one core (the subscriber's too, for Mosquitto). */
  generatorCpuPercent: number;
  /** True when a load process was busy enough (≥ 90 % of a core) to be what limited the figure. */
  generatorBound: boolean;
}

/** A load process at this share of one core or more may be what limits a figure, not the server. */
const GENERATOR_BOUND_PERCENT = 90;

async function runLoad(
  target: 'thingwire' | 'mosquitto', workers: Worker[], subscriber: Worker | undefined, sampler: ProcSampler,
  rate: number, seconds: number, o: Options, metricsUrl?: string,
): Promise<LoadResult> {
  const before = metricsUrl ? histogramBuckets(await (await fetch(metricsUrl)).text(), 'thingwire_telemetry_row_age_seconds') : undefined;
  const phase = sampler.phase();
  const generators = subscriber ? [...workers, subscriber] : workers;
  const generatorCpuBefore = generators.map((w) => processCpuSeconds(w.child.pid!));
  const durationMs = seconds * 1000;
  const reports = await Promise.all(workers.map((w) => w.call<RunReport>({
    cmd: 'run', rate: rate / workers.length, durationMs, qos: o.qos, drainMs: 3000, payload: o.payload, maxBacklog: Math.max(1000, (rate / workers.length) * 2),
  })));
  const server = phase.end();
  const generatorCpuPercent = Math.max(...generators.map((w, i) => (100 * (processCpuSeconds(w.child.pid!) - generatorCpuBefore[i]!)) / server.wallSeconds));
  const sent = reports.reduce((a, r) => a + r.sent, 0);
  const errors = reports.reduce((a, r) => a + r.publishErrors, 0);
  const acked = reports.reduce((a, r) => a + r.acked, 0);
  let completed: number;
  let latencies: number[];
  let why = '';
  let stored: LoadResult['stored'];
  if (target === 'thingwire') {
    const codes: Record<string, number> = {};
    for (const r of reports) for (const [c, n] of Object.entries(r.codes)) codes[c] = (codes[c] ?? 0) + n;
    completed = codes['200'] ?? 0;
    latencies = reports.flatMap((r) => r.latencies);
    const other = Object.entries(codes).filter(([c]) => c !== '200');
    if (other.length) why = `replies ${other.map(([c, n]) => `${n}×${c}`).join(', ')}`;
    const backlog = reports.reduce((a, r) => a + r.backlog, 0);
    if (backlog > 0) why ||= `${backlog} unanswered after 3 s`;
    if (metricsUrl && before) stored = histogramPercentiles(before, histogramBuckets(await (await fetch(metricsUrl)).text(), 'thingwire_telemetry_row_age_seconds'));
  } else {
    // The last deliveries: all of them, or what came within 500 ms.
    const got = await subscriber!.call<{ count: number; latencies: number[] }>({ cmd: 'collect', expect: sent, withinMs: 500 });
    completed = got.count;
    latencies = got.latencies;
    if (completed < sent) why = `${sent - completed} not delivered`;
  }
  if (errors > 0) why ||= `${errors} publish errors`;
  if (o.qos === 1 && acked < sent) why ||= `${sent - acked} not acknowledged`;
  if (reports.some((r) => r.throttled)) why ||= 'backlog over 2 s of load';
  const latency = percentiles(latencies);
  // Bounded backlog: the pipeline keeps up, so nothing waits long (a growing queue shows first in the tail).
  if (latency.p99 > MAX_P99_MS) why ||= `p99 ${fmt.int(latency.p99)} ms > ${MAX_P99_MS} ms`;
  const achieved = sent / seconds;
  if (!why && achieved < rate * 0.95) why = `load generator reached only ${fmt.int(achieved)} msg/s`;
  const generatorBound = generatorCpuPercent >= GENERATOR_BOUND_PERCENT;
  if (why && generatorBound) why += ` (a load process at ${fmt.int(generatorCpuPercent)} % of a core: load-generator bound)`;
  return {
    offered: rate, achieved, completedPerSecond: completed / seconds, sustained: !why, why: why || 'ok',
    latency, stored, server, cpuUsPerMessage: completed > 0 ? (server.cpuSeconds * 1e6) / completed : Number.NaN, generatorCpuPercent, generatorBound,
  };
}

async function findMax(
  target: 'thingwire' | 'mosquitto', workers: Worker[], subscriber: Worker | undefined, sampler: ProcSampler, o: Options,
  settle: () => Promise<void>, metricsUrl?: string, rates = o.rates,
): Promise<{ max: number; steps: LoadResult[] }> {
  const steps: LoadResult[] = [];
  let max = 0;
  for (const rate of rates) {
    const r = await runLoad(target, workers, subscriber, sampler, rate, o.stepSeconds, o, metricsUrl);
    steps.push(r);
    log(`  ${target} ${fmt.int(rate)} msg/s offered: ${fmt.int(r.completedPerSecond)}/s ${target === 'thingwire' ? 'stored' : 'delivered'}, p99 ${fmt.ms(r.latency.p99)} ms, ` +
      `CPU ${fmt.int(r.server.cpuPercent)} % (${fmt.int(r.cpuUsPerMessage)} µs/msg), load processes ≤ ${fmt.int(r.generatorCpuPercent)} % · ${r.why}`);
    if (!r.sustained) break;
    max = r.completedPerSecond;
    await settle();
  }
  return { max, steps };
}

/**
 * Connects `devices` and holds them: the server's CPU while they connect (signature checks, sessions, connection
 * history) apart from its CPU while it only holds them (keepalives every 600 s: nothing should run), so the cost
 * of an idle device is not the cost of its sign-in spread over the window.
 */
async function holdConnections(
  url: string, mode: 'thingwire' | 'mosquitto', devices: BenchDevice[], sampler: ProcSampler, settleMs: number, holdMs: number,
  /** Runs while the connections are still held, after the measurements (a profile's end). */
  whileHeld?: () => Promise<void>,
): Promise<{
  held: number; failed: number; firstError?: string; rssPerConnectionKb: number; connectsPerSecond: number; connecting: PhaseStats; server: PhaseStats;
}> {
  // Each worker keeps its clients under its own open-files limit.
  const perWorker = 15_000;
  const groups = chunks(devices, Math.max(1, Math.ceil(devices.length / perWorker)));
  const idle = groups.map(() => new Worker());
  const rssBefore = sampler.rssMb();
  const phase = sampler.phase();
  const started = performance.now();
  // One source address per worker past what one address's ephemeral ports allow towards one server port (~28k here).
  const spread = devices.length > 25_000;
  const results = await Promise.all(idle.map((w, i) => w.call<{ connected: number; failed: number; firstError?: string }>({
    cmd: 'connect', url, mode, devices: groups[i]!, listen: false, concurrency: 100, ...(spread ? { localAddress: `127.0.0.${10 + i}` } : {}),
  })));
  const connectMs = performance.now() - started;
  await sleep(settleMs); // settle
  const connecting = phase.end();
  const holding = sampler.phase();
  await sleep(holdMs);
  const rssAfter = sampler.rssMb();
  const server = holding.end();
  await whileHeld?.();
  await Promise.all(idle.map((w) => w.close()));
  const held = results.reduce((a, r) => a + r.connected, 0);
  return {
    held, failed: results.reduce((a, r) => a + r.failed, 0), firstError: results.find((r) => r.firstError)?.firstError,
    // Below a few thousand connections the growth is lost in GC noise (it can come out negative): not a measurement.
    rssPerConnectionKb: held >= 1000 ? ((rssAfter - rssBefore) * 1024) / held : Number.NaN,
    connectsPerSecond: held / (connectMs / 1000), connecting, server,
  };
}

/**
 * Devices posting over HTTP or CoAP to the shipped pipeline's listener: each signs in for a token, then posts with it
 * (the answer is the reply, sent once the post is stored). The max sustained rate, and latency at half of it.
 */
async function requestIngress(
  workers: Worker[], connect: Extract<WorkerCommand, { cmd: 'connect-http' | 'connect-coap' }>, sampler: ProcSampler, o: Options,
  settle: () => Promise<void>, metricsUrl: string,
): Promise<{ max: { max: number; steps: LoadResult[] }; half?: LoadResult }> {
  // The load processes of the phase before: they let go of its devices and post as these.
  await Promise.all(workers.map((w) => w.call({ cmd: 'drop-targets' })));
  const connected = await Promise.all(workers.map((w, i) => w.call<{ connected: number; failed: number; firstError?: string }>({
    ...connect, devices: chunks(connect.devices, o.workers)[i]!,
  })));
  const failed = connected.reduce((a, c) => a + c.failed, 0);
  if (failed) throw new Error(`${failed} devices could not sign in (${connect.cmd}): ${connected.find((c) => c.firstError)?.firstError}`);
  const max = await findMax('thingwire', workers, undefined, sampler, o, settle, metricsUrl, o.requestRates);
  let half: LoadResult | undefined;
  if (max.max > 0) {
    await settle();
    half = await runLoad('thingwire', workers, undefined, sampler, Math.round(max.max * 0.5), o.duration, o, metricsUrl);
  }
  return { max, half };
}

/** Between runs, so one run's tail does not count in the next. */
let pause = 1000;

/** Waits until Thingwire has worked off what a run left (nothing queued for storage, no backpressure), then a pause. */
async function settled(metricsUrl: string): Promise<void> {
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    const text = await (await fetch(metricsUrl)).text();
    const queued = Number(/^thingwire_telemetry_queued_rows (\d+)/m.exec(text)?.[1] ?? 0);
    const behind = Number(/^thingwire_ingress_backpressure (\d+)/m.exec(text)?.[1] ?? 0);
    if (queued === 0 && behind === 0) break;
    await sleep(200);
  }
  await sleep(pause);
}

/** Writes the profiles to bench/results/profiles/ and sums them up. */
function saveProfile(profiles: { cpu: CpuProfile; allocations: AllocationProfile }, messages: number, dir: string): NonNullable<BrokerResults['profile']> {
  const stem = path.join(dir, `mqtt-steps-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  fs.mkdirSync(path.dirname(stem), { recursive: true });
  fs.writeFileSync(`${stem}.cpuprofile`, JSON.stringify(profiles.cpu));
  fs.writeFileSync(`${stem}.heapprofile`, JSON.stringify(profiles.allocations));
  return { summary: summarizeProfile(profiles.cpu), allocations: summarizeAllocations(profiles.allocations), messages, file: path.relative(root, `${stem}.cpuprofile`) };
}

// ── main ────────────────────────────────────────────────────────────────────────────────────────────────────────

async function main(): Promise<void> {
  if (process.argv.slice(2).includes('--ota')) return runOtaBench(otaOptions(process.argv.slice(2)));
  const o = options();
  if (o.smoke) pause = 200;
  if (o.cluster) {
    return runClusterBench(o.cluster, {
      devices: o.devices, workers: o.workers, out: o.out,
      provision: (tw, count) => provision(tw, o, count),
      findMax: (workers, sampler, settle, metricsUrl) => findMax('thingwire', workers, undefined, sampler, o, settle, metricsUrl),
      settled,
      warmUp: async (workers, sampler) => void (await runLoad('thingwire', workers, undefined, sampler, o.rates[0]!, Math.min(5, o.stepSeconds), o)),
    });
  }
  const started = Date.now();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'thingwire-bench-'));
  // Each process (Thingwire, each load worker) may hold this many sockets; the connections phase stays under it.
  const fdLimit = openFilesHardLimit();
  const connections = Math.min(o.connections, fdLimit - 2000 - o.devices);
  const connectionsNote = connections < o.connections
    ? `requested ${fmt.int(o.connections)}; capped by this machine's open-files hard limit (${fmt.int(fdLimit)}, not raisable here)`
    : '';
  log(`Thingwire benchmark${o.smoke ? ' (smoke)' : ''}: ${o.devices} publishing devices, ${fmt.int(connections)} idle connections, QoS ${o.qos}, ${o.payload} payload, ${o.storage}`);

  const results: Record<'thingwire' | 'mosquitto', BrokerResults> = { thingwire: {}, mosquitto: {} };

  // Product codecs: the sandbox's cost per call, measured alone in this process before any load runs.
  log('Codec sandbox: µs per decode of a 20-byte frame');
  results.thingwire.codec = await measureCodecCosts(o.smoke ? 2_000 : 20_000);

  // The flow editor, in a browser, before any load runs: its frame rate is the page's, not the server's.
  if (o.editorNodes > 0) {
    log(`Flow editor: ${fmt.int(o.editorNodes)} nodes in headless Chromium, opened, then panned and zoomed`);
    results.thingwire.editor = await measureEditor(root, o.editorNodes);
  }
  if (o.dashboard) {
    log('Dashboard: 12 widgets over 50 devices posting once a second, in headless Chromium');
    results.thingwire.dashboard = await measureDashboard(root);
  }

  // Thingwire
  {
    log('Thingwire: starting from a temp data dir and provisioning devices');
    const tw = await startThingwire({ ...o, inspect: o.profile }, path.join(tmp, 'thingwire'));
    const sampler = new ProcSampler(tw.child.pid!);
    try {
      const devices = await provision(tw, o, o.devices + connections);
      const publishing = devices.slice(0, o.devices);
      const workers = Array.from({ length: o.workers }, () => new Worker());
      const connected = await Promise.all(workers.map((w, i) => w.call<{ connected: number; failed: number; firstError?: string }>({
        cmd: 'connect', url: tw.mqttUrl, mode: 'thingwire', devices: chunks(publishing, o.workers)[i]!, listen: true, concurrency: 50,
      })));
      const failed = connected.reduce((a, c) => a + c.failed, 0);
      if (failed) throw new Error(`${failed} publishing devices could not connect: ${connected.find((c) => c.firstError)?.firstError}`);
      results.thingwire.idleRssMb = sampler.rssMb();
      // Connections first, on a process no load has grown yet, so memory per connection is the connections' own.
      log(`Thingwire: holding ${fmt.int(connections)} idle signed-in devices`);
      const retained = o.profile ? await tw.sampleRetained() : undefined;
      let heldAllocations: AllocationProfile | undefined;
      results.thingwire.conns = await holdConnections(tw.mqttUrl, 'thingwire', devices.slice(o.devices), sampler, o.smoke ? 300 : 3000, o.smoke ? 500 : 10_000,
        retained && (async () => void (heldAllocations = await retained.stop())));
      if (heldAllocations) results.thingwire.connectionMemory = summarizeAllocations(heldAllocations);
      const metricsUrl = `${tw.base}/metrics`;
      const settle = () => settled(metricsUrl);
      log('Thingwire: stepping the offered rate');
      const profiler = o.profile ? await tw.startProfiler() : undefined;
      const max = (results.thingwire.max = await findMax('thingwire', workers, undefined, sampler, o, settle, metricsUrl));
      if (profiler) {
        const messages = max.steps.reduce((a, step) => a + step.completedPerSecond * o.stepSeconds, 0);
        results.thingwire.profile = saveProfile(await profiler.stop(), messages, path.join(path.dirname(o.out), 'profiles'));
      }
      log(`Thingwire: latency at 50 % and 90 % of the max, and at ${fmt.int(o.rate)} msg/s`);
      if (max.max > 0) {
        await settle();
        results.thingwire.half = await runLoad('thingwire', workers, undefined, sampler, Math.round(max.max * 0.5), o.duration, o, metricsUrl);
        await settle();
        results.thingwire.ninety = await runLoad('thingwire', workers, undefined, sampler, Math.round(max.max * 0.9), o.duration, o, metricsUrl);
      }
      await settle();
      results.thingwire.fixed = await runLoad('thingwire', workers, undefined, sampler, o.rate, o.duration, o, metricsUrl);
      if (o.requestRates.length > 0) {
        log('Thingwire: devices posting over HTTP, stepping the offered rate');
        await settle();
        results.thingwire.http = await requestIngress(
          workers, { cmd: 'connect-http', base: `${tw.base}/device`, devices: publishing, concurrency: 20, maxSockets: 64 }, sampler, o, settle, metricsUrl,
        );
        log('Thingwire: devices posting over CoAP, stepping the offered rate');
        await settle();
        results.thingwire.coap = await requestIngress(
          workers, { cmd: 'connect-coap', host: '127.0.0.1', port: tw.coapPort, devices: publishing, concurrency: 20 }, sampler, o, settle, metricsUrl,
        );
      }
      await Promise.all(workers.map((w) => w.close()));
    } finally {
      sampler.stop();
      await tw.stop();
    }
  }

  // Mosquitto
  if (o.mosquitto) {
    log('Mosquitto: the same load, relayed to one subscriber');
    const mq = await startMosquitto(tmp);
    results.mosquitto.version = mq.version;
    const sampler = new ProcSampler(mq.child.pid!);
    try {
      const devices = Array.from({ length: o.devices + connections }, (_, i) => ({ productKey: PRODUCT, deviceName: `m${i}`, deviceSecret: '' }));
      const subscriber = new Worker();
      await subscriber.call({ cmd: 'subscribe-all', url: mq.url, topic: 'bench/#' });
      const workers = Array.from({ length: o.workers }, () => new Worker());
      await Promise.all(workers.map((w, i) => w.call({ cmd: 'connect', url: mq.url, mode: 'mosquitto', devices: chunks(devices.slice(0, o.devices), o.workers)[i]!, listen: true, concurrency: 50 })));
      results.mosquitto.idleRssMb = sampler.rssMb();
      log(`Mosquitto: holding ${fmt.int(connections)} idle connections`);
      results.mosquitto.conns = await holdConnections(mq.url, 'mosquitto', devices.slice(o.devices), sampler, o.smoke ? 300 : 3000, o.smoke ? 500 : 10_000);
      const settle = () => sleep(pause);
      const max = (results.mosquitto.max = await findMax('mosquitto', workers, subscriber, sampler, o, settle));
      if (max.max > 0) {
        await settle();
        results.mosquitto.half = await runLoad('mosquitto', workers, subscriber, sampler, Math.round(max.max * 0.5), o.duration, o);
        await settle();
        results.mosquitto.ninety = await runLoad('mosquitto', workers, subscriber, sampler, Math.round(max.max * 0.9), o.duration, o);
      }
      await settle();
      results.mosquitto.fixed = await runLoad('mosquitto', workers, subscriber, sampler, o.rate, o.duration, o);
      await Promise.all([...workers, subscriber].map((w) => w.close()));
    } finally {
      sampler.stop();
      await mq.stop();
    }
  }

  const table = render(o, results, connections, connectionsNote, (Date.now() - started) / 1000);
  fs.mkdirSync(path.dirname(o.out), { recursive: true });
  fs.writeFileSync(o.out, table);
  process.stdout.write(`${table}\n`);
  log(`written to ${path.relative(process.cwd(), o.out)}`);
  fs.rmSync(tmp, { recursive: true, force: true });
}

/** What the phases measured of one broker; a phase that did not run leaves its field out. */
interface BrokerResults {
  max?: { max: number; steps: LoadResult[] };
  fixed?: LoadResult;
  half?: LoadResult;
  ninety?: LoadResult;
  conns?: Awaited<ReturnType<typeof holdConnections>>;
  idleRssMb?: number;
  /** Devices posting over HTTP and CoAP (Thingwire only). */
  http?: Awaited<ReturnType<typeof requestIngress>>;
  coap?: Awaited<ReturnType<typeof requestIngress>>;
  /** What one product codec call costs (Thingwire only). */
  codec?: CodecCosts;
  /** The flow editor's open time and pan/zoom frame rate (Thingwire only). */
  editor?: EditorFigures | { error: string };
  /** Where Thingwire's CPU went while the MQTT rate steps ran (`--profile`). */
  profile?: { summary: ProfileSummary; allocations: AllocationSummary; messages: number; file: string };
  /** What the idle connections keep alive, by where it was allocated (`--profile`). */
  connectionMemory?: AllocationSummary;
  /** The dashboard's renderer CPU and updates per second (Thingwire only). */
  dashboard?: DashboardFigures | { error: string };
  version?: string;
}

function render(
  o: Options, r: Record<'thingwire' | 'mosquitto', BrokerResults>, connections: number, connectionsNote: string, seconds: number,
): string {
  const t = r.thingwire;
  const m = r.mosquitto;
  const lat = (x: LoadResult | undefined, which: 'latency' | 'stored' = 'latency') => {
    const p = x?.[which];
    return p ? `${fmt.ms(p.p50)} / ${fmt.ms(p.p95)} / ${fmt.ms(p.p99)}` : '–';
  };
  const at = (x: LoadResult | undefined) => (x ? `${fmt.int(x.offered)} msg/s offered` : '');
  const cpuRss = (x: { server: PhaseStats } | undefined) => (x ? `${fmt.int(x.server.cpuPercent)} % / ${fmt.mb(x.server.peakRssMb)} MB` : '–');
  const perConnection = (x: { held: number; rssPerConnectionKb: number } | undefined) =>
    !x ? '–' : Number.isFinite(x.rssPerConnectionKb) ? fmt.int(x.rssPerConnectionKb) : `not measured (${fmt.int(x.held)} held; needs ≥ 1,000)`;
  const firstFailure = (x: { steps: LoadResult[] } | undefined) => {
    if (!x) return '–';
    const failed = x.steps.find((step) => !step.sustained);
    return failed ? `${fmt.int(failed.offered)}: ${failed.why}` : 'all sustained';
  };
  const steps = (x: { steps: LoadResult[] } | undefined) => x?.steps.map((s) =>
    `${fmt.int(s.offered)}→${fmt.int(s.completedPerSecond)} (${fmt.int(s.cpuUsPerMessage)} µs/msg, load ≤ ${fmt.int(s.generatorCpuPercent)} %${s.generatorBound ? ', generator-bound' : ''})`).join(', ') ?? '–';
  const us = (x: LoadResult | undefined) => (x && Number.isFinite(x.cpuUsPerMessage) ? fmt.int(x.cpuUsPerMessage) : '–');
  const generator = (x: LoadResult | undefined) => (x ? `${fmt.int(x.generatorCpuPercent)} %${x.generatorBound ? ' (bound)' : ''}` : '–');
  // The highest sustained step; the first step when none was (the row stays filled, the max row says 0).
  const maxStep = (x: { steps: LoadResult[] } | undefined) => x?.steps.filter((s) => s.sustained).at(-1) ?? x?.steps[0];
  const rows: string[][] = [
    [`max sustained throughput (msg/s stored, all answered 200, p99 < ${fmt.int(MAX_P99_MS)} ms; Mosquitto: relayed)`, fmt.int(t.max?.max), fmt.int(m.max?.max), fmt.ratio(t.max?.max, m.max?.max)],
    ['… first rate not sustained, and why', firstFailure(t.max), firstFailure(m.max), ''],
    [`publish → reply p50 / p95 / p99 ms at ${fmt.int(o.rate)} msg/s (Mosquitto: → subscriber)`, lat(t.fixed), lat(m.fixed), ''],
    [`publish → stored p50 / p95 / p99 ms at ${fmt.int(o.rate)} msg/s`, lat(t.fixed, 'stored'), '–', ''],
    [`… stored per second at ${fmt.int(o.rate)} msg/s offered`, `${fmt.int(t.fixed?.completedPerSecond)} (${t.fixed?.why ?? '–'})`, `${fmt.int(m.fixed?.completedPerSecond)} (${m.fixed?.why ?? '–'})`, ''],
    ['publish → reply p50 / p95 / p99 ms at 50 % of max', `${lat(t.half)} (${at(t.half)})`, `${lat(m.half)} (${at(m.half)})`, ''],
    ['publish → stored p50 / p95 / p99 ms at 50 % of max', lat(t.half, 'stored'), '–', ''],
    ['publish → reply p50 / p95 / p99 ms at 90 % of max', `${lat(t.ninety)} (${at(t.ninety)})`, `${lat(m.ninety)} (${at(m.ninety)})`, ''],
    ['publish → stored p50 / p95 / p99 ms at 90 % of max', lat(t.ninety, 'stored'), '–', ''],
    ['idle connections held' + (connectionsNote ? ` (${connectionsNote})` : ''), fmt.int(t.conns?.held), fmt.int(m.conns?.held), fmt.ratio(t.conns?.held, m.conns?.held)],
    ['… connects per second', fmt.int(t.conns?.connectsPerSecond), fmt.int(m.conns?.connectsPerSecond), ''],
    ['resident memory per idle connection (KB)', perConnection(t.conns), perConnection(m.conns), fmt.ratio(t.conns?.rssPerConnectionKb, m.conns?.rssPerConnectionKb)],
    ['RSS with the publishing devices connected, idle (MB)', fmt.mb(t.idleRssMb), fmt.mb(m.idleRssMb), ''],
    ['CPU (% of one core) / peak RSS: at max throughput', cpuRss(maxStep(t.max)), cpuRss(maxStep(m.max)), ''],
    ['server CPU per message (µs): at max throughput / at 50 % of max', `${us(maxStep(t.max))} / ${us(t.half)}`, `${us(maxStep(m.max))} / ${us(m.half)}`, fmt.ratio(maxStep(t.max)?.cpuUsPerMessage, maxStep(m.max)?.cpuUsPerMessage)],
    ['busiest load process (% of one core; ≥ 90 %: it, not the server, may be the limit): at the last rate stepped', generator(t.max?.steps.at(-1)), generator(m.max?.steps.at(-1)), ''],
    ['CPU / peak RSS: at 50 % of max', cpuRss(t.half), cpuRss(m.half), ''],
    ['CPU / peak RSS: at 90 % of max', cpuRss(t.ninety), cpuRss(m.ninety), ''],
    [`CPU / peak RSS: at ${fmt.int(o.rate)} msg/s`, cpuRss(t.fixed), cpuRss(m.fixed), ''],
    ['CPU / peak RSS: while the idle devices connect (and 3 s after)', cpuRss(t.conns && { server: t.conns.connecting }), cpuRss(m.conns && { server: m.conns.connecting }), ''],
    ['CPU / peak RSS: only holding the idle connections (no traffic)', cpuRss(t.conns), cpuRss(m.conns), ''],
    ...(t.codec ? [
      ['codec decode µs per call: 20-byte meter frame of docs/codecs.md / a codec returning [] (warm sandbox)',
        `${t.codec.meterDecodeUs.toFixed(1)} / ${t.codec.emptyDecodeUs.toFixed(1)}`, '–', ''],
    ] : []),
    ...(t.editor ? [editorRow(o.editorNodes, t.editor)] : []),
    ...(t.dashboard ? [dashboardRow(t.dashboard)] : []),
    ...([['HTTP', t.http], ['CoAP', t.coap]] as const).flatMap(([name, x]) => (x ? [
      [`${name} devices: max sustained posts/s (stored, all answered 200, p99 < ${fmt.int(MAX_P99_MS)} ms)`, fmt.int(x.max.max), '–', ''],
      ['… first rate not sustained, and why', firstFailure(x.max), '–', ''],
      [`${name} post → response p50 / p95 / p99 ms at 50 % of its max`, `${lat(x.half)} (${at(x.half)})`, '–', ''],
      [`CPU / peak RSS: ${name} devices at their max`, cpuRss(maxStep(x.max)), '–', ''],
    ] : [])),
  ];
  const cpus = os.cpus();
  return [
    `## Benchmark${o.smoke ? ' (smoke run: checks the harness, not the speed)' : ''}`,
    '',
    `${new Date().toISOString().slice(0, 10)} · ${cpus.length} × ${cpus[0]?.model.trim() ?? 'CPU'} · ${fmt.int(os.totalmem() / 2 ** 30)} GiB · Node ${process.version} · ` +
      `Mosquitto ${m.version ?? 'not run'} · ${o.devices} publishing devices, QoS ${o.qos}, ack=1, ${o.payload} payload, ${o.storage} storage, ` +
      `${o.workers} load processes on the same machine · ${Math.round(seconds)} s`,
    '',
    markdownTable(['measure', 'Thingwire (full pipeline)', 'Mosquitto (relay)', 'Thingwire / Mosquitto'], rows),
    '',
    `Steps (offered msg/s → stored/relayed per s): Thingwire ${steps(t.max)}; Mosquitto ${steps(m.max)}` +
      `${t.http ? `; Thingwire HTTP devices ${steps(t.http.max)}` : ''}${t.coap ? `; Thingwire CoAP devices ${steps(t.coap.max)}` : ''}.`,
    '',
    ...(t.profile ? [
      renderProfileSummary(t.profile.summary, `Where Thingwire's CPU went while the MQTT rate steps ran (${t.profile.file}, and .heapprofile beside it)`),
      renderAllocationSummary(t.profile.allocations, t.profile.messages),
    ] : []),
    ...(t.connectionMemory && t.conns ? [
      `### What the ${fmt.int(t.conns.held)} idle connections keep alive (JavaScript heap, after a full GC; the rest of their RSS is sockets' native memory)`,
      '',
      renderAllocationSummary(t.connectionMemory, t.conns.held, 'connection'),
    ] : []),
  ].join('\n');
}

main().catch((err) => {
  process.stderr.write(err instanceof UsageError ? `bench: ${err.message} (see --help)\n` : `bench failed: ${(err as Error).stack ?? err}\n`);
  process.exitCode = 1;
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});
