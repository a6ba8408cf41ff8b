/**
 * `npm run bench -- --ota`: one firmware campaign over 10,000 simulated devices, measured.
 *
 * Thingwire runs as its own process from a temp data dir (as the load bench starts it); the devices are created with
 * the bulk API and signed in from load worker processes (bench/ota-device.ts: they report 1.0.0, and on the push
 * download the image over HTTP, verify it, report progress and the new version). A small firmware is uploaded through
 * the API and a campaign of every device runs in waves at a set rate. The campaign is followed through the API (a
 * progress line every 2 s); at its end the devices' own timestamps (push received, download, version reported) and
 * the platform's (notified, finished) give the dispatch rate achieved against the strategy's, push → success latency,
 * downloads per second, per-wave timings, and the platform's CPU time and memory before, during and after. Prints a
 * markdown table and writes it to bench/results/ota-latest.md. Every wait is bounded; everything is on loopback.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Campaign, DeviceUpgrade } from '../domain/ota/ota-schemas.ts';
import { apiOf, chunks, createDevices, log, root, sleep, startThingwire, UsageError, Worker, type BenchThingwire } from './harness.ts';
import type { BenchDevice } from './load-worker.ts';
import type { OtaDeviceRecord } from './ota-device.ts';
import { openFilesHardLimit, ProcSampler, type PhaseStats } from './proc-stats.ts';
import { fmt, markdownTable, percentiles } from './report.ts';

export interface OtaOptions {
  smoke: boolean;
  devices: number;
  workers: number;
  /** The strategy's rate: devices notified per minute. */
  ratePerMinute: number;
  waves: number[];
  firmwareKb: number;
  maxInFlight: number;
  maxDownloads: number;
  /** Share of the devices that report a verification failure (step -3). */
  failShare: number;
  /** Seconds between progress lines. */
  progressSeconds: number;
  cpuProf: boolean;
  out: string;
  /** Where to write every device's upgrade and timestamps as JSON, if anywhere. */
  raw?: string;
}

const PRODUCT = 'bench_ota';
const MODULE = 'mcu';
const FROM_VERSION = '1.0.0';
const TO_VERSION = '2.0.0';

export const OTA_HELP = `npm run bench -- --ota [options]: one firmware campaign over simulated devices
  --smoke                50 devices, a few seconds: checks the harness, not the speed
  --devices 10000        devices in the campaign (capped by the open-files limit)
  --workers 2            device processes
  --ota-rate 12000       the strategy's ratePerMinute (12,000 = 200 devices/s)
  --waves 1,10,100       the strategy's waves (cumulative %)
  --firmware-kb 32       size of the image
  --max-in-flight 1000   the strategy's maxInFlight
  --max-downloads 100    the strategy's maxConcurrentDownloads (each device process downloads at most its share at once)
  --fail-share 0         share of devices that report a verification failure (failureThreshold is 1: it never stops)
  --cpu-prof             write a V8 CPU profile of Thingwire to bench/results/profiles/
  --out FILE             default bench/results/ota-latest.md
  --raw FILE             also write each device's upgrade record and timestamps (JSON), for a closer look
`;

export function otaOptions(argv: string[]): OtaOptions {
  const { values } = parseArgs({
    args: argv, strict: true,
    options: {
      ota: { type: 'boolean', default: false }, smoke: { type: 'boolean', default: false }, devices: { type: 'string' }, workers: { type: 'string' },
      'ota-rate': { type: 'string' }, waves: { type: 'string' }, 'firmware-kb': { type: 'string' }, 'max-in-flight': { type: 'string' },
      'max-downloads': { type: 'string' }, 'fail-share': { type: 'string' }, 'cpu-prof': { type: 'boolean', default: false },
      out: { type: 'string' }, raw: { type: 'string' }, help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(OTA_HELP);
    process.exit(0);
  }
  const smoke = values.smoke;
  const num = (v: string | undefined, fallback: number) => (v === undefined ? fallback : Number(v));
  const o: OtaOptions = {
    smoke,
    devices: num(values.devices, smoke ? 50 : 10_000),
    workers: num(values.workers, smoke ? 1 : 2),
    ratePerMinute: num(values['ota-rate'], smoke ? 3000 : 12_000),
    waves: (values.waves ?? '1,10,100').split(',').map(Number),
    firmwareKb: num(values['firmware-kb'], smoke ? 16 : 32),
    maxInFlight: num(values['max-in-flight'], smoke ? 100 : 1000),
    maxDownloads: num(values['max-downloads'], smoke ? 20 : 100),
    failShare: num(values['fail-share'], 0),
    progressSeconds: smoke ? 0.5 : 2,
    cpuProf: values['cpu-prof'],
    out: values.out ?? path.join(root, 'bench/results/ota-latest.md'),
    raw: values.raw,
  };
  for (const k of ['devices', 'workers', 'ratePerMinute', 'firmwareKb', 'maxInFlight', 'maxDownloads'] as const) {
    if (!(Number.isInteger(o[k]) && o[k] > 0)) throw new UsageError(`--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} must be a positive integer`);
  }
  if (!(o.failShare >= 0 && o.failShare < 1)) throw new UsageError('--fail-share is a share from 0 to below 1, e.g. 0.01');
  if (o.waves.some((w) => !(w > 0 && w <= 100)) || o.waves.at(-1) !== 100 || o.waves.some((w, i) => i > 0 && w <= o.waves[i - 1]!)) {
    throw new UsageError('--waves are rising percentages ending with 100, e.g. 1,10,100');
  }
  return o;
}

// ── the run ─────────────────────────────────────────────────────────────────────────────────────────────────────

type Api = ReturnType<typeof apiOf>;

interface FlowNode { id: string; type: string; z?: string; kinds?: string[]; wires?: string[][] }

/**
 * Makes sure OTA reports reach the OTA service: the default pipeline has a `device in` (ota.inform, ota.progress,
 * ota.get) wired to an `ota` node once the OTA nodes ship; until then the bench deploys that pair itself.
 */
async function ensureOtaFlow(api: Api): Promise<string> {
  const { flows, rev } = await api<{ flows: FlowNode[]; rev: string }>('GET', '/flows');
  const otaNodes = new Set(flows.filter((n) => n.type === 'ota').map((n) => n.id));
  const wired = flows.some((n) => n.type === 'device-in' && n.kinds?.includes('ota.inform') && n.wires?.some((w) => w.some((id) => otaNodes.has(id))));
  if (wired) return 'the default pipeline\'s ota node';
  const tab = flows.find((n) => n.type === 'tab')?.id;
  flows.push(
    {
      id: 'bench-ota-in', type: 'device-in', z: tab, name: 'firmware reports (bench)', product: '', device: '',
      kinds: ['ota.inform', 'ota.progress', 'ota.get'], dialect: 'any', x: 140, y: 400, wires: [['bench-ota']],
    } as FlowNode,
    { id: 'bench-ota', type: 'ota', z: tab, name: 'firmware updates (bench)', output: 'ends', x: 340, y: 400, wires: [[]] } as FlowNode,
  );
  try {
    await api('POST', '/flows', { flows, rev });
  } catch (err) {
    throw new Error(
      `deploying a device in → ota flow failed: ${(err as Error).message}\n` +
      'This build has no `ota` node type (it comes with the OTA flow nodes); without it OTA reports are answered 503 and no campaign can run.',
      { cause: err },
    );
  }
  return 'an ota node the bench deployed (the default pipeline had none)';
}

/** Every device upgrade of the campaign, 500 to a page. */
async function campaignDevices(api: Api, id: number, total: number): Promise<DeviceUpgrade[]> {
  const all: DeviceUpgrade[] = [];
  for (let offset = 0; offset < total; offset += 500) {
    all.push(...(await api<{ items: DeviceUpgrade[] }>('GET', `/ota/campaigns/${id}/devices?limit=500&offset=${offset}`)).items);
  }
  return all;
}

/** The platform's V8 heap, MB, from its /metrics (prom-client's Node.js defaults). */
interface Heap { used: number; total: number; external: number }

async function heapOf(tw: BenchThingwire): Promise<Heap> {
  const text = await (await fetch(`${tw.base}/metrics`)).text();
  const mb = (name: string) => Number(new RegExp(`^thingwire_nodejs_${name} (\\S+)`, 'm').exec(text)?.[1] ?? Number.NaN) / 2 ** 20;
  return { used: mb('heap_size_used_bytes'), total: mb('heap_size_total_bytes'), external: mb('external_memory_bytes') };
}

interface Progress {
  /** s since the campaign was created. */
  t: number;
  campaign: Campaign;
}

interface OtaRun {
  o: OtaOptions;
  devices: number;
  devicesNote: string;
  flowNote: string;
  firmware: { size: number; sha256: string };
  provisionSeconds: number;
  connect: { connected: number; seconds: number };
  informSeconds: number;
  createMs: number;
  campaign: Campaign;
  completed: boolean;
  upgrades: DeviceUpgrade[];
  records: OtaDeviceRecord[];
  told: number;
  server: PhaseStats;
  rss: { before: number; atEnd: number; after: number; afterSeconds: number; afterGc: number };
  /** `before` and `afterGc` right after a full GC: the live heap. */
  heap: { before: Heap; atEnd: Heap; after: Heap; afterGc: Heap };
  progress: Progress[];
  warnings: string;
  seconds: number;
}

export async function runOtaBench(o: OtaOptions): Promise<void> {
  const started = Date.now();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'thingwire-ota-bench-'));
  // Thingwire holds a socket per device and per download; each device process holds its share.
  const fdLimit = openFilesHardLimit();
  const devices = Math.min(o.devices, fdLimit - 2000 - o.maxDownloads);
  const devicesNote = devices < o.devices
    ? `requested ${fmt.int(o.devices)}; capped by this machine's open-files hard limit (${fmt.int(fdLimit)})`
    : '';
  log(`Thingwire OTA benchmark${o.smoke ? ' (smoke)' : ''}: a campaign over ${fmt.int(devices)} devices, waves [${o.waves.join(', ')}], ` +
    `${fmt.int(o.ratePerMinute)}/min, ${o.firmwareKb} KB firmware, ${o.workers} device processes`);

  // With its inspector on loopback, for a full GC before and after the campaign: what memory the campaign left behind.
  const tw = await startThingwire({ cpuProf: o.cpuProf, storage: 'sqlite', inspect: true }, path.join(tmp, 'thingwire'));
  const sampler = new ProcSampler(tw.child.pid!);
  let run: OtaRun;
  try {
    run = await campaignRun(o, tw, sampler, devices, devicesNote);
  } finally {
    sampler.stop();
    await tw.stop();
  }
  run.seconds = (Date.now() - started) / 1000;
  const table = renderOta(run);
  fs.mkdirSync(path.dirname(o.out), { recursive: true });
  fs.writeFileSync(o.out, table);
  process.stdout.write(`${table}\n`);
  log(`written to ${path.relative(process.cwd(), o.out)} (${Math.round(run.seconds)} s in all)`);
  if (o.raw) fs.writeFileSync(o.raw, JSON.stringify({ campaign: run.campaign, upgrades: run.upgrades, devices: run.records, progress: run.progress }));
  fs.rmSync(tmp, { recursive: true, force: true });
  if (!run.completed) throw new Error(`the campaign did not complete: ${run.campaign.state} ${run.campaign.stateReason}`.trim());
}

async function campaignRun(o: OtaOptions, tw: BenchThingwire, sampler: ProcSampler, count: number, devicesNote: string): Promise<OtaRun> {
  const api = apiOf(tw);
  log(`provisioning ${fmt.int(count)} devices (bulk API) and the OTA flow`);
  const provisionStarted = performance.now();
  await api('POST', '/products', { productKey: PRODUCT, name: 'Benchmark OTA device' });
  const devices = await createDevices(api, PRODUCT, count);
  const provisionSeconds = (performance.now() - provisionStarted) / 1000;
  const flowNote = await ensureOtaFlow(api);

  const image = randomBytes(o.firmwareKb * 1024);
  const sha256 = createHash('sha256').update(image).digest('hex');
  const uploaded = await fetch(`${tw.base}/api/v1/firmware?productKey=${PRODUCT}&module=${MODULE}&version=${TO_VERSION}&releaseNotes=benchmark`, {
    method: 'POST', headers: { authorization: `Bearer ${tw.token}`, 'content-type': 'application/octet-stream' }, body: image,
  });
  const firmware = (await uploaded.json()) as { id: number; sha256: string; size: number };
  if (uploaded.status !== 201 || firmware.sha256 !== sha256) throw new Error(`firmware upload: ${uploaded.status} ${JSON.stringify(firmware)}`);

  // Devices told to fail verification: evenly spread (every k-th), none when --fail-share is 0.
  const every = o.failShare > 0 ? Math.max(1, Math.round(1 / o.failShare)) : 0;
  const failing = every ? devices.filter((_, i) => i % every === every - 1).map((d) => d.deviceName) : [];
  const workers = Array.from({ length: o.workers }, () => new Worker());
  try {
    log(`connecting ${fmt.int(count)} devices from ${o.workers} processes`);
    const groups: BenchDevice[][] = chunks(devices, o.workers);
    const connectStarted = performance.now();
    const connected = await Promise.all(workers.map((w, i) => w.call<{ connected: number; failed: number; firstError?: string }>({
      cmd: 'ota-connect', url: tw.mqttUrl, devices: groups[i]!, fail: failing, concurrency: 100, maxSockets: Math.max(1, Math.floor(o.maxDownloads / o.workers)),
    })));
    const connect = { connected: connected.reduce((a, c) => a + c.connected, 0), seconds: (performance.now() - connectStarted) / 1000 };
    const failedToConnect = connected.reduce((a, c) => a + c.failed, 0);
    if (failedToConnect) throw new Error(`${failedToConnect} devices could not connect: ${connected.find((c) => c.firstError)?.firstError}`);

    log(`every device reports ${FROM_VERSION}`);
    const informStarted = performance.now();
    const informed = await Promise.all(workers.map((w) => w.call<{ sent: number; acked: number }>({ cmd: 'ota-inform', version: FROM_VERSION, module: MODULE, timeoutMs: 60_000 })));
    const unacked = informed.reduce((a, r) => a + r.sent - r.acked, 0);
    if (unacked) throw new Error(`${unacked} version reports were not acknowledged in 60 s`);
    // Recorded when the preview counts every device as upgradable.
    const target = { type: 'all' as const };
    for (const until = Date.now() + 60_000; ;) {
      const preview = await api<{ matched: number }>('POST', '/ota/campaigns/preview', { firmwareId: firmware.id, target });
      if (preview.matched === count) break;
      if (Date.now() > until) throw new Error(`only ${preview.matched} of ${count} devices' version reports were recorded after 60 s (OTA reports reach the service through ${flowNote}); Thingwire said: ${tw.stderr().slice(-1500)}`);
      await sleep(o.smoke ? 100 : 500);
    }
    const informSeconds = (performance.now() - informStarted) / 1000;

    await sleep(o.smoke ? 200 : 3000); // the reports' tail of work (message log, GC) out of the campaign's figures
    await tw.collectGarbage();
    const rssBefore = sampler.rssMb();
    const heapBefore = await heapOf(tw);
    const phase = sampler.phase();
    const strategy = {
      waves: o.waves, ratePerMinute: o.ratePerMinute, maxInFlight: o.maxInFlight, maxConcurrentDownloads: o.maxDownloads,
      deviceTimeoutSeconds: o.smoke ? 20 : 120, failureThreshold: 1,
    };
    log(`campaign: ${fmt.int(count)} devices to ${TO_VERSION}`);
    const createStarted = performance.now();
    const created = await api<Campaign>('POST', '/ota/campaigns', { name: `bench ${count} devices`, firmwareId: firmware.id, target, strategy });
    const createMs = performance.now() - createStarted;
    const createdAt = Date.parse(created.createdAt);
    const progress: Progress[] = [];
    // Long enough for the rate and a few seconds per wave; three times that is a hang, not a slow machine.
    const expectedSeconds = count / (o.ratePerMinute / 60) + 5 * o.waves.length;
    const deadline = Date.now() + Math.max(o.smoke ? 30 : 120, 3 * expectedSeconds) * 1000;
    let campaign = created;
    let shown = 0;
    let lastCpu = sampler.cpuSeconds();
    let lastShownAt = performance.now();
    let lastNotified = 0;
    for (;;) {
      campaign = await api<Campaign>('GET', `/ota/campaigns/${created.id}`);
      const t = (Date.now() - createdAt) / 1000;
      progress.push({ t, campaign });
      const over = campaign.state !== 'running' && campaign.state !== 'scheduled';
      if (over || t >= shown + o.progressSeconds) {
        shown = t;
        const c = campaign.counts;
        const notified = campaign.total - c.queued;
        const cpu = sampler.cpuSeconds();
        const seconds = (performance.now() - lastShownAt) / 1000;
        log(`  ${t.toFixed(1)} s · ${campaign.state} · wave ${campaign.wave + 1}/${o.waves.length} · succeeded ${fmt.int(c.succeeded)} / ${fmt.int(campaign.total)} · ` +
          `under way ${fmt.int(c.notified + c.downloading + c.flashing)} · queued ${fmt.int(c.queued)} · failed ${fmt.int(c.failed + c.timed_out)} · ` +
          `notified ${fmt.int((notified - lastNotified) / seconds)}/s · platform CPU ${fmt.int(((cpu - lastCpu) / seconds) * 100)} % · RSS ${fmt.mb(sampler.rssMb())} MB`);
        lastCpu = cpu;
        lastShownAt = performance.now();
        lastNotified = notified;
      }
      if (over) break;
      if (Date.now() > deadline) {
        log(`  the campaign did not finish in ${Math.round((deadline - createdAt) / 1000)} s: cancelling it`);
        campaign = await api<Campaign>('POST', `/ota/campaigns/${created.id}/cancel`);
        break;
      }
      // Quick polls, so that the campaign's CPU time is not padded with idle seconds; a line every progressSeconds.
      await sleep(o.smoke ? 100 : 250);
    }
    const server = phase.end();
    const rssAtEnd = sampler.rssMb();
    const heapAtEnd = await heapOf(tw);
    const afterSeconds = o.smoke ? 0.5 : 5;
    await sleep(afterSeconds * 1000);
    const rssAfter = sampler.rssMb();
    const heapAfter = await heapOf(tw);
    await tw.collectGarbage();
    const rssAfterGc = sampler.rssMb();
    const heapAfterGc = await heapOf(tw);
    const upgrades = await campaignDevices(api, created.id, campaign.total);
    const records: OtaDeviceRecord[] = [];
    for (const w of workers) records.push(...(await w.call<OtaDeviceRecord[]>({ cmd: 'ota-records' })));
    return {
      o, devices: count, devicesNote, flowNote, firmware: { size: image.length, sha256 }, provisionSeconds, connect, informSeconds, createMs,
      campaign, completed: campaign.state === 'completed', upgrades, records, told: failing.length, server,
      rss: { before: rssBefore, atEnd: rssAtEnd, after: rssAfter, afterSeconds, afterGc: rssAfterGc },
      heap: { before: heapBefore, atEnd: heapAtEnd, after: heapAfter, afterGc: heapAfterGc }, progress, warnings: tw.stderr(), seconds: 0,
    };
  } finally {
    await Promise.all(workers.map((w) => w.close()));
  }
}

// ── the figures ─────────────────────────────────────────────────────────────────────────────────────────────────

type Pcts = ReturnType<typeof percentiles>;
const pcts = (p: Pcts) => (p.count ? `${fmt.ms(p.p50)} / ${fmt.ms(p.p95)} / ${fmt.ms(p.p99)}` : '–');

/** Shorter waves have no steady part worth the name: a burst of ±30 ms jitter at a second's edge moves it by 1/n. */
export const MIN_STEADY_SECONDS = 10;

/**
 * Devices notified per second over the steady part of a wave: the mean of the whole seconds between its first and
 * its last push (the campaign dispatches in bursts once a second, so the partial first and last seconds would skew
 * it). Undefined for a wave shorter than {@link MIN_STEADY_SECONDS}.
 */
export function steadyRate(pushTimes: number[]): number | undefined {
  if (pushTimes.length < 2) return undefined;
  const sorted = Float64Array.from(pushTimes).sort();
  const first = sorted[0]!;
  const span = sorted[sorted.length - 1]! - first;
  const seconds = Math.floor(span / 1000);
  if (seconds < MIN_STEADY_SECONDS) return undefined;
  // Seconds 1 .. seconds-1 after the first push: whole seconds inside the wave.
  let inside = 0;
  for (const t of sorted) if (t - first >= 1000 && t - first < seconds * 1000) inside++;
  return inside / (seconds - 1);
}

/** The most events in one second (one-second buckets from the first). */
function peakPerSecond(times: number[]): number {
  if (times.length === 0) return 0;
  const first = Math.min(...times);
  const buckets = new Map<number, number>();
  for (const t of times) {
    const b = Math.floor((t - first) / 1000);
    buckets.set(b, (buckets.get(b) ?? 0) + 1);
  }
  return Math.max(...buckets.values());
}

interface WaveFigures {
  wave: number;
  percent: number;
  devices: number;
  firstPush?: number;
  lastPush?: number;
  lastFinish?: number;
  rate?: number;
  pushToSuccess: Pcts;
}

export function otaFigures(run: Pick<OtaRun, 'campaign' | 'upgrades' | 'records' | 'o'>) {
  const { campaign, upgrades, records } = run;
  const createdAt = Date.parse(campaign.createdAt);
  const finishedAt = campaign.finishedAt ? Date.parse(campaign.finishedAt) : undefined;
  const byName = new Map(records.map((r) => [r.deviceName, r]));
  const joined = upgrades.map((u) => ({ u, r: byName.get(u.deviceName), finished: u.finishedAt ? Date.parse(u.finishedAt) : undefined }));
  const succeeded = joined.filter((j) => j.u.state === 'succeeded' && j.r?.pushAt !== undefined && j.finished !== undefined);
  const pushToSuccess = percentiles(succeeded.map((j) => j.finished! - j.r!.pushAt!));
  const pushDelivery = percentiles(joined.filter((j) => j.u.notifiedAt && j.r?.pushAt).map((j) => j.r!.pushAt! - Date.parse(j.u.notifiedAt!)));
  const download = percentiles(records.filter((r) => r.downloadEndAt !== undefined).map((r) => r.downloadEndAt! - r.downloadStartAt!));
  const reportToRecorded = percentiles(succeeded.filter((j) => j.r!.reportedAt !== undefined).map((j) => j.finished! - j.r!.reportedAt!));
  const pushes = records.filter((r) => r.pushAt !== undefined).map((r) => r.pushAt!);
  const downloadEnds = records.filter((r) => r.downloadEndAt !== undefined).map((r) => r.downloadEndAt!);
  const downloadStarts = records.filter((r) => r.downloadStartAt !== undefined).map((r) => r.downloadStartAt!);
  const downloadSpan = downloadEnds.length ? (Math.max(...downloadEnds) - Math.min(...downloadStarts)) / 1000 : 0;
  const waves: WaveFigures[] = run.o.waves.map((percent, wave) => {
    const of = joined.filter((j) => j.u.wave === wave);
    const push = of.filter((j) => j.r?.pushAt !== undefined).map((j) => j.r!.pushAt!);
    const finishes = of.filter((j) => j.finished !== undefined).map((j) => j.finished!);
    return {
      wave, percent, devices: of.length,
      firstPush: push.length ? Math.min(...push) - createdAt : undefined,
      lastPush: push.length ? Math.max(...push) - createdAt : undefined,
      lastFinish: finishes.length ? Math.max(...finishes) - createdAt : undefined,
      rate: steadyRate(push),
      pushToSuccess: percentiles(of.filter((j) => j.u.state === 'succeeded' && j.r?.pushAt !== undefined && j.finished !== undefined).map((j) => j.finished! - j.r!.pushAt!)),
    };
  });
  // The steady rate is the largest wave's (the others are short, and a wave waits for the one before to finish).
  const largest = waves.reduce((a, b) => (b.devices > a.devices ? b : a), waves[0]!);
  const allPushes = pushes.length > 1 ? (pushes.length - 1) / ((Math.max(...pushes) - Math.min(...pushes)) / 1000) : undefined;
  return {
    createdAt, durationSeconds: finishedAt !== undefined ? (finishedAt - createdAt) / 1000 : undefined,
    pushToSuccess, pushDelivery, download, reportToRecorded, waves, largest, allPushes,
    downloadsPerSecond: downloadSpan > 0 ? downloadEnds.length / downloadSpan : undefined, downloadsPeak: peakPerSecond(downloadEnds),
    downloads: downloadEnds.length, busy: records.reduce((a, r) => a + r.busy, 0),
    repeatedPushes: records.filter((r) => r.pushes > 1).length,
    errors: records.filter((r) => r.error).map((r) => `${r.deviceName}: ${r.error}`),
    pushed: pushes.length,
  };
}

const signed = (n: number, digits = 1) => (n >= 0 ? '+' : '−') + Math.abs(n).toFixed(digits);

function renderOta(run: OtaRun): string {
  const { o, campaign } = run;
  const f = otaFigures(run);
  const c = campaign.counts;
  const perSecond = o.ratePerMinute / 60;
  const cpus = os.cpus();
  const rows: string[][] = [
    ['devices in the campaign (signed in, reported 1.0.0)' + (run.devicesNote ? ` (${run.devicesNote})` : ''), fmt.int(campaign.total)],
    ['strategy', `waves [${o.waves.join(', ')}] · ${fmt.int(o.ratePerMinute)}/min (${fmt.int(perSecond)}/s) · maxInFlight ${fmt.int(o.maxInFlight)} · ` +
      `maxConcurrentDownloads ${fmt.int(o.maxDownloads)} · failureThreshold 1`],
    ['campaign create request (selects and queues every device), ms', fmt.int(run.createMs)],
    ['**campaign create → completed, s** (platform timestamps)', f.durationSeconds !== undefined ? f.durationSeconds.toFixed(1) : `not completed (${campaign.state})`],
    ['outcome', `${fmt.int(c.succeeded)} succeeded · ${fmt.int(c.failed)} failed (${fmt.int(run.told)} told to fail verification) · ${fmt.int(c.timed_out)} timed out · ` +
      `${fmt.int(c.cancelled)} cancelled · ${fmt.int(c.queued + c.notified + c.downloading + c.flashing)} unfinished`],
    [`**dispatch rate achieved vs the strategy's ${fmt.int(perSecond)}/s** (devices notified per s, steady part of wave ${f.largest.wave + 1}, from the devices' push times)`,
      f.largest.rate !== undefined ? `${fmt.int(f.largest.rate)}/s (${fmt.ratio(f.largest.rate, perSecond)} of the strategy's)` : `– (wave shorter than ${MIN_STEADY_SECONDS} s)`],
    ['… over the whole campaign, waves\' hand-overs included (first to last push)', f.allPushes !== undefined ? `${fmt.int(f.allPushes)}/s` : '–'],
    ['**push → success p50 / p95 / p99, ms** (device got the push → platform recorded the new version)', pcts(f.pushToSuccess)],
    ['… platform notified → device got the push, p50 / p95 / p99 ms', pcts(f.pushDelivery)],
    ['… download (request → last byte, at the device), p50 / p95 / p99 ms', pcts(f.download)],
    ['… device reported 2.0.0 → platform recorded success, p50 / p95 / p99 ms', pcts(f.reportToRecorded)],
    ['downloads served per second (mean over the download span / peak second)', `${fmt.int(f.downloadsPerSecond)} / ${fmt.int(f.downloadsPeak)} (${fmt.int(f.downloads)} downloads, ` +
      `${fmt.int(f.busy)} answered 503 busy)`],
    ['**platform CPU during the campaign, s** (% of one core)', `${run.server.cpuSeconds.toFixed(1)} (${fmt.int(run.server.cpuPercent)} % over ${run.server.wallSeconds.toFixed(1)} s)`],
    ['**platform time per device, ms CPU** (campaign CPU / devices)', (campaign.total ? (run.server.cpuSeconds * 1000) / campaign.total : Number.NaN).toFixed(2)],
    ['**platform RSS, MB**: before the campaign / peak during / at completion / ' + `${run.rss.afterSeconds} s after / then after a full GC`,
      `${fmt.mb(run.rss.before)} / ${fmt.mb(run.server.peakRssMb)} / ${fmt.mb(run.rss.atEnd)} / ${fmt.mb(run.rss.after)} / ${fmt.mb(run.rss.afterGc)}`],
    ['… JS heap used, MB: at completion / ' + `${run.rss.afterSeconds} s after (V8 collects lazily: it counts garbage not collected yet)`,
      `${fmt.mb(run.heap.atEnd.used)} / ${fmt.mb(run.heap.after.used)}`],
    ['**live JS heap (after a full GC), MB: before → after the campaign** (what the campaign left behind)',
      `${fmt.mb(run.heap.before.used)} → ${fmt.mb(run.heap.afterGc.used)} (${signed(run.heap.afterGc.used - run.heap.before.used)} MB, ` +
      `${signed(((run.heap.afterGc.used - run.heap.before.used) * 1024) / Math.max(1, campaign.total), 2)} KB per device)`],
    ['setup: devices created (bulk API) / signed in / versions recorded, s',
      `${run.provisionSeconds.toFixed(1)} / ${run.connect.seconds.toFixed(1)} (${fmt.int(run.connect.connected / run.connect.seconds)}/s) / ${run.informSeconds.toFixed(1)}`],
  ];
  const s = (ms: number | undefined) => (ms === undefined ? '–' : (ms / 1000).toFixed(1));
  const waveRows = f.waves.map((w, i) => [
    `${i + 1} (to ${w.percent} %)`, fmt.int(w.devices), s(w.firstPush), s(w.lastPush), s(w.lastFinish),
    w.firstPush !== undefined && w.lastFinish !== undefined ? s(w.lastFinish - w.firstPush) : '–',
    w.rate !== undefined ? fmt.int(w.rate) : '–', pcts(w.pushToSuccess),
  ]);
  const notes = [
    `OTA reports reached the service through ${run.flowNote}. Pushes seen more than once by a device: ${fmt.int(f.repeatedPushes)}.`,
    ...(f.errors.length ? [`Device errors (${f.errors.length}): ${f.errors.slice(0, 5).join('; ')}${f.errors.length > 5 ? '; …' : ''}`] : []),
    ...(run.warnings.trim() ? [`Thingwire's warnings (last lines): ${run.warnings.trim().split('\n').slice(-3).join(' | ').slice(0, 600)}`] : []),
  ];
  return [
    `## OTA campaign benchmark${o.smoke ? ' (smoke run: checks the harness, not the speed)' : ''}`,
    '',
    `${new Date().toISOString().slice(0, 10)} · ${cpus.length} × ${cpus[0]?.model.trim() ?? 'CPU'} · ${fmt.int(os.totalmem() / 2 ** 30)} GiB · Node ${process.version} · ` +
      `${fmt.int(campaign.total)} alink devices in ${o.workers} processes on the same machine · ${o.firmwareKb} KB firmware · ${Math.round(run.seconds)} s in all`,
    '',
    markdownTable(['measure', 'Thingwire'], rows),
    '',
    'Waves (seconds after the campaign was created):',
    '',
    markdownTable(['wave', 'devices', 'first push', 'last push', 'last success', 'first push → last success', 'dispatch /s (steady)', 'push → success p50 / p95 / p99 ms'], waveRows),
    '',
    ...notes,
    '',
  ].join('\n');
}
