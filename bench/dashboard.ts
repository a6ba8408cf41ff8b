/**
 * `npm run bench:dashboard` (and a row of `npm run bench`): a composed dashboard of 12 widgets (latest values, gauges,
 * charts of 8 series each, a device status map by tag, the alert list and the message rate) over 50 devices that
 * post their properties over real MQTT once a second each, in headless Chromium at 1440 × 900. A real Thingwire (in
 * this process, on a temp data dir and loopback ports, with the shipped device pipeline) serves the built UI.
 *
 * Measured over `--seconds` (20) after a warm-up: the CPU of the page's renderer processes from /proc (all their
 * threads: script, style, layout, paint, raster) as % of one core, the main thread's busy time from CDP
 * `Performance.getMetrics` (TaskDuration, ScriptDuration), and the updates the widgets show: a MutationObserver on the
 * grid counts, per widget, the DOM changes of each task (a chart counts a redraw). Passes when the renderer stays under
 * 50 % of one core, the dashboard updates at least once a second and no live widget (value, gauge, chart, rate) goes
 * more than 2 s without an update while its devices post every second (the status map and alert list change only
 * when devices or alerts do). Prints the figures; with `--json`, one JSON line of them (how `npm run bench` reads
 * them, running this in a process of its own).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { MqttClient } from 'mqtt';
import { chromium } from 'playwright-core';
import type { Widget } from '../domain/dashboards/dashboard-schemas.ts';
import { chromiumLaunchOptions } from '../e2e/chromium.ts';
import { ARTIFACTS_DIR } from '../e2e/browser.ts';
import { ensureUiBuilt } from '../server/http/ui-build.ts';
import { createLogger } from '../server/logger.ts';
import { connect, deployListener, deviceOptions, type TestDevice } from '../server/testing/mqtt-devices.ts';
import { pipelineFlow } from '../server/testing/pipeline-flow.ts';
import { dashboardLine, MAX_CPU_PERCENT, MAX_GAP_SECONDS, type DashboardFigures } from './dashboard-row.ts';
import { startTestServer, TEST_ADMIN_PASSWORD } from '../server/testing/test-server.ts';


const { values } = parseArgs({ options: {
  devices: { type: 'string', default: '50' }, seconds: { type: 'string', default: '20' }, warmup: { type: 'string', default: '6' },
  json: { type: 'boolean', default: false }, screenshot: { type: 'boolean', default: true },
} });
const deviceCount = Number(values.devices);
const seconds = Number(values.seconds);
const warmup = Number(values.warmup);
if (!(deviceCount >= 30) || !(seconds > 0) || !(warmup >= 0)) throw new Error('--devices is at least 30 (the widgets use 30), --seconds positive');

const productKey = 'a1bench';
const tsl = {
  properties: [
    { identifier: 'temperature', name: 'Temperature', accessMode: 'r', required: false, dataType: { type: 'float', specs: { min: '0', max: '50', unit: '°C' } } },
    { identifier: 'humidity', name: 'Humidity', accessMode: 'r', required: false, dataType: { type: 'float', specs: { min: '0', max: '100', unit: '%' } } },
    { identifier: 'mode', name: 'Mode', accessMode: 'r', required: false, dataType: { type: 'enum', specs: { 0: 'idle', 1: 'heating', 2: 'cooling' } } },
    { identifier: 'door', name: 'Door', accessMode: 'r', required: false, dataType: { type: 'bool', specs: { 0: 'closed', 1: 'open' } } },
  ],
  events: [],
  services: [],
};

const name = (i: number) => `cell-${String(i + 1).padStart(2, '0')}`;
const series = (from: number, to: number, property: string) =>
  Array.from({ length: to - from }, (_, k) => ({ productKey, deviceName: name(from + k), property }));

/** 12 widgets: 3 charts of 8 devices each, 4 latest values, 2 gauges, the status map, alerts and rate. */
function benchWidgets(): Widget[] {
  const one = (i: number, property: string) => [{ productKey, deviceName: name(i), property }];
  return [
    { id: 'rate', type: 'rate', title: '', x: 0, y: 0, w: 3, h: 2 },
    { id: 'v1', type: 'value', title: '', x: 3, y: 0, w: 2, h: 2, series: one(24, 'temperature') },
    { id: 'v2', type: 'value', title: '', x: 5, y: 0, w: 2, h: 2, series: one(25, 'humidity') },
    { id: 'v3', type: 'value', title: '', x: 7, y: 0, w: 2, h: 2, series: one(26, 'mode') },
    { id: 'v4', type: 'value', title: '', x: 9, y: 0, w: 3, h: 2, series: one(27, 'door') },
    { id: 'c1', type: 'chart', title: 'Temperature, cells 1–8', x: 0, y: 2, w: 6, h: 4, series: series(0, 8, 'temperature') },
    { id: 'c2', type: 'chart', title: 'Temperature, cells 9–16', x: 6, y: 2, w: 6, h: 4, series: series(8, 16, 'temperature') },
    { id: 'g1', type: 'gauge', title: '', x: 0, y: 6, w: 3, h: 3, series: one(28, 'temperature') },
    { id: 'g2', type: 'gauge', title: '', x: 3, y: 6, w: 3, h: 3, series: one(29, 'humidity') },
    { id: 'c3', type: 'chart', title: 'Humidity, cells 17–24', x: 6, y: 6, w: 6, h: 3, series: series(16, 24, 'humidity') },
    { id: 'map', type: 'status-map', title: '', x: 0, y: 9, w: 6, h: 3, tag: 'zone' },
    { id: 'alerts', type: 'alerts', title: '', x: 6, y: 9, w: 6, h: 3 },
  ];
}

/** Every descendant of `pid` (and itself), from /proc: pid and whether it is a renderer. */
function processTree(pid: number): { pid: number; renderer: boolean }[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // Gone meanwhile.
    }
  }
  const out: { pid: number; renderer: boolean }[] = [];
  const walk = (p: number) => {
    let cmdline: string;
    try {
      cmdline = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8');
    } catch {
      return;
    }
    out.push({ pid: p, renderer: cmdline.includes('--type=renderer') });
    for (const c of children.get(p) ?? []) walk(c);
  };
  walk(pid);
  return out;
}

/** CPU seconds (user + system) of the processes, from /proc. */
function cpuSeconds(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // Ended.
    }
  }
  return ticks / 100;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.floor(s.length / 2)]!;
};

await ensureUiBuilt(createLogger('warn'));
const server = await startTestServer();
const browserServer = await chromium.launchServer(chromiumLaunchOptions({ full: true }));
const clients: MqttClient[] = [];
const timers: NodeJS.Timeout[] = [];
try {
  const token = server.adminToken;
  const api = async (method: string, p: string, body?: unknown) => {
    const res = await server.request(method, `/api/v1${p}`, { token, body });
    if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const mqttUrl = `mqtt://127.0.0.1:${await deployListener(server, pipelineFlow({ alertForSeconds: 0 }))}`;
  await api('POST', '/products', { productKey, name: 'Climate cell' });
  await api('PUT', `/products/${productKey}/thing-model/draft`, tsl);
  await api('POST', `/products/${productKey}/thing-model/publish`);
  // The publishing devices, and four more: two never connected, two disabled (the status map shows every state).
  const devices: TestDevice[] = [];
  for (let i = 0; i < deviceCount + 4; i++) {
    const d = await api('POST', '/devices', { productKey, deviceName: name(i), tags: { zone: `zone-${'ABCDE'[i % 5]}` } });
    if (i < deviceCount) devices.push({ productKey, deviceName: name(i), deviceSecret: d.deviceSecret });
    else if (i >= deviceCount + 2) await api('PATCH', `/devices/${productKey}/${name(i)}`, { enabled: false });
  }
  // Each device posts its four properties once a second (QoS 0, no reply asked); the first three run hot (alerts).
  const started = Date.now();
  for (const [i, device] of devices.entries()) {
    const client = await connect(mqttUrl, deviceOptions(device));
    clients.push(client);
    let temperature = i < 3 ? 31 : 20 + (i % 7);
    let humidity = 40 + (i % 20);
    let id = 0;
    const post = () => {
      temperature = Math.min(45, Math.max(5, temperature + (Math.random() - 0.5)));
      humidity = Math.min(95, Math.max(5, humidity + (Math.random() - 0.5) * 2));
      const params = { temperature: Math.round(temperature * 10) / 10, humidity: Math.round(humidity * 10) / 10, mode: (i + Math.floor((Date.now() - started) / 7000)) % 3, door: Math.random() < 0.1 ? 1 : 0 };
      client.publish(`/sys/${productKey}/${device.deviceName}/thing/event/property/post`,
        JSON.stringify({ id: String(++id), version: '1.0', sys: { ack: 0 }, params, method: 'thing.event.property.post' }));
    };
    // Spread over the second, as real devices are.
    timers.push(setTimeout(() => {
      post();
      timers.push(setInterval(post, 1000));
    }, (i * 1000) / devices.length));
  }
  const dashboard = await api('POST', '/dashboards', { name: 'Climate cells', widgets: benchWidgets() });
  await api('PUT', `/dashboards/${dashboard.id}/shared`, { shared: true });

  const browser = await chromium.connect(browserServer.wsEndpoint());
  const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1440, height: 900 } });
  const login = await context.request.post('/api/v1/auth/login', { data: { username: 'admin', password: TEST_ADMIN_PASSWORD } });
  if (login.status() !== 200) throw new Error(`sign-in: ${login.status()}`);
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  await page.goto(`/dashboard?dashboard=${dashboard.id}`);
  await page.locator('[data-widget]').nth(11).waitFor();
  await page.locator('[data-widget="c1"] [data-chart] canvas').waitFor();
  await page.locator('[data-widget="v1"] [data-value]').filter({ hasNotText: '—' }).waitFor();
  await page.waitForTimeout(warmup * 1000);

  // Counted from now: per widget, the tasks in which its DOM changed, with their times.
  await page.evaluate(() => {
    const w = globalThis as unknown as { __updates: Record<string, number[]>; __tasks: number; document: { querySelector(s: string): unknown } };
    w.__updates = {};
    w.__tasks = 0;
    const grid = w.document.querySelector('[data-testid="dashboard-grid"]');
    type Node = { nodeType: number; parentElement: Element | null };
    type Element = Node & { closest(s: string): (Element & { dataset: Record<string, string> }) | null };
    const Observer = (globalThis as unknown as {
      MutationObserver: new (callback: (records: { target: Node }[]) => void) => { observe(target: unknown, options: object): void };
    }).MutationObserver;
    new Observer((records) => {
      const touched = new Set<string>();
      for (const r of records) {
        const el = (r.target.nodeType === 1 ? r.target : r.target.parentElement) as Element | null;
        const id = el?.closest('[data-widget]')?.dataset['widget'];
        if (id) touched.add(id);
      }
      if (touched.size > 0) w.__tasks++;
      const now = performance.now();
      for (const id of touched) (w.__updates[id] ??= []).push(now);
    }).observe(grid as never, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const metric = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    const get = (n: string) => metrics.find((m) => m.name === n)?.value ?? 0;
    return { task: get('TaskDuration'), script: get('ScriptDuration') };
  };
  const browserPid = browserServer.process().pid!;
  const tree = processTree(browserPid);
  const renderers = tree.filter((p) => p.renderer).map((p) => p.pid);
  const all = tree.map((p) => p.pid);
  const m0 = await metric();
  const r0 = cpuSeconds(renderers);
  const a0 = cpuSeconds(all);
  const t0 = performance.now();
  await page.waitForTimeout(seconds * 1000);
  const wall = (performance.now() - t0) / 1000;
  const m1 = await metric();
  const r1 = cpuSeconds(renderers);
  const a1 = cpuSeconds(all);
  const counted = await page.evaluate(() => {
    const w = globalThis as unknown as { __updates: Record<string, number[]>; __tasks: number };
    return { updates: w.__updates, tasks: w.__tasks };
  });
  const widgets = benchWidgets();
  const liveTypes = new Set(['value', 'gauge', 'chart', 'rate']);
  const rates = widgets.map((w) => ({ w, times: counted.updates[w.id] ?? [] }));
  const live = rates.filter((r) => liveTypes.has(r.w.type));
  // The longest time between two updates of a live widget (never updated: the whole window).
  const gaps = live.map(({ times }) => (times.length === 0 ? wall : Math.max(0, ...times.slice(1).map((t, i) => (t - times[i]!) / 1000))));
  const byType: Record<string, number> = {};
  for (const type of new Set(widgets.map((w) => w.type))) {
    const of = rates.filter((r) => r.w.type === type);
    byType[type] = of.reduce((n, r) => n + r.times.length, 0) / of.length / wall;
  }
  const liveRates = live.map((r) => r.times.length / wall);
  const figures: DashboardFigures = {
    widgets: widgets.length,
    devices: deviceCount,
    seconds: wall,
    rendererCpuPercent: ((r1 - r0) / wall) * 100,
    chromiumCpuPercent: ((a1 - a0) / wall) * 100,
    mainThreadPercent: ((m1.task - m0.task) / wall) * 100,
    scriptPercent: ((m1.script - m0.script) / wall) * 100,
    dashboardUpdatesPerSecond: counted.tasks / wall,
    liveWidgetMinPerSecond: Math.min(...liveRates),
    liveWidgetMedianPerSecond: median(liveRates),
    longestGapSeconds: Math.max(...gaps),
    byType,
    pass: false,
  };
  figures.pass = figures.rendererCpuPercent < MAX_CPU_PERCENT && figures.dashboardUpdatesPerSecond >= 1 && figures.longestGapSeconds <= MAX_GAP_SECONDS;
  if (values.screenshot) {
    // After the measurement: the whole dashboard on a taller window, its charts over the last 15 minutes.
    await page.setViewportSize({ width: 1440, height: 1280 });
    await page.getByRole('button', { name: '15 min' }).click();
    await page.waitForTimeout(2000);
    fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'dashboard-bench.png') });
  }
  await browser.close();
  process.stdout.write(values.json ? `${JSON.stringify(figures)}\n` : `${dashboardLine(figures)}\n`);
} finally {
  for (const timer of timers) clearInterval(timer);
  await Promise.all(clients.map((c) => c.endAsync().catch(() => undefined)));
  await browserServer.close();
  await server.close();
}
