/**
 * `npm run bench -- --cluster 2`: the device pipeline's max sustained throughput on N cluster nodes against 1 cluster
 * node, on this machine, over one PostgreSQL and one Redis (Debian's servers on loopback, data in temp dirs).
 *
 * Both runs are cluster mode with telemetry in PostgreSQL, so the ratio is what adding nodes gives, not what leaving
 * SQLite costs. The load workers split the devices over the nodes (worker i connects to node i mod N). On one box the
 * nodes, PostgreSQL, Redis and the load share the same cores: the ratio says how far that box goes, honestly, not how
 * a cluster of machines scales (docs/operations.md "Cluster mode" does that part).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../server/testing/mqtt-devices.ts';
import { startPostgres } from '../server/testing/postgres-server.ts';
import { startRedis } from '../server/testing/redis-server.ts';
import { chunks, log, startThingwire, Worker, type BenchThingwire } from './harness.ts';
import type { BenchDevice } from './load-worker.ts';
import { ProcSampler, type PhaseStats } from './proc-stats.ts';
import { fmt, markdownTable } from './report.ts';

/** One step of the rate search, as bench.ts's findMax reports it. */
export interface ClusterStep {
  offered: number;
  completedPerSecond: number;
  sustained: boolean;
  why: string;
  latency: { p99: number };
  server: PhaseStats;
  cpuUsPerMessage: number;
}

/** What bench.ts lends: provisioning, the rate search, and waiting for the pipeline to drain. */
export interface ClusterBenchParts {
  devices: number;
  workers: number;
  out: string;
  provision(tw: { base: string; token: string }, count: number): Promise<BenchDevice[]>;
  findMax(workers: Worker[], sampler: ProcSampler, settle: () => Promise<void>, metricsUrl: string): Promise<{ max: number; steps: ClusterStep[] }>;
  settled(metricsUrl: string): Promise<void>;
  /** A few seconds of load at the lowest rate, not reported. */
  warmUp(workers: Worker[], sampler: ProcSampler): Promise<void>;
}

interface Run {
  nodes: number;
  max: number;
  steps: ClusterStep[];
  /** The nodes' CPU at the last sustained step, % of one core, summed. */
  nodesCpuPercent: number;
  /** The whole machine's CPU at that step (nodes, PostgreSQL, Redis, load), % of all its cores. */
  machineBusyPercent: number;
  cpuUsPerMessage: number;
  rssMb: number;
}

export async function runClusterBench(nodeCount: number, parts: ClusterBenchParts): Promise<void> {
  if (!(nodeCount >= 2)) throw new Error('--cluster takes the number of nodes to compare with one, 2 or more');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'thingwire-cluster-bench-'));
  log(`Cluster benchmark: ${nodeCount} nodes against 1, on ${os.cpus().length} cores, ${parts.devices} publishing devices`);
  const [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
  const runs: Run[] = [];
  try {
    for (const n of [1, nodeCount]) runs.push(await runNodes(n, parts, postgres, redis.url, path.join(tmp, `n${n}`)));
  } finally {
    await Promise.all([redis.stop(), postgres.stop()]);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const [one, many] = runs as [Run, Run];
  const ratio = one.max > 0 ? many.max / one.max : Number.NaN;
  const table = markdownTable(
    ['', '1 node', `${nodeCount} nodes`],
    [
      ['max sustained (stored and answered), msg/s', fmt.int(one.max), fmt.int(many.max)],
      ['nodes\' CPU at that rate, % of a core (summed)', fmt.int(one.nodesCpuPercent), fmt.int(many.nodesCpuPercent)],
      [`the machine's CPU at that rate, % of all ${os.cpus().length} cores`, fmt.int(one.machineBusyPercent), fmt.int(many.machineBusyPercent)],
      ['nodes\' CPU per message, µs', fmt.int(one.cpuUsPerMessage), fmt.int(many.cpuUsPerMessage)],
      ['nodes\' RSS, MB (summed)', fmt.int(one.rssMb), fmt.int(many.rssMb)],
    ],
  );
  const report = [
    `# Thingwire cluster: ${nodeCount} nodes against 1 (${new Date().toISOString().slice(0, 10)})`,
    '',
    `One machine with ${os.cpus().length} cores runs the nodes, PostgreSQL, Redis and the load. Cluster mode in both runs`,
    `(platform data and telemetry in PostgreSQL). ${parts.devices} devices publish QoS 1 through ${Math.max(parts.workers, nodeCount)} load processes.`,
    '',
    table,
    '',
    `**${nodeCount} nodes / 1 node: ${Number.isFinite(ratio) ? ratio.toFixed(2) : 'n/a'}**`,
    '',
    'Steps (offered → stored/s, p99, why the search stopped):',
    '',
    ...runs.flatMap((run) => run.steps.map((s) => `- ${run.nodes} node${run.nodes > 1 ? 's' : ''}: ${fmt.int(s.offered)} → ${fmt.int(s.completedPerSecond)}/s, p99 ${fmt.ms(s.latency.p99)} ms, nodes' CPU ${fmt.int(s.server.cpuPercent)} %, machine ${fmt.int(s.server.machineBusyPercent)} % · ${s.why}`)),
    '',
  ].join('\n');
  const out = parts.out.replace(/latest\.md$/, 'cluster-latest.md');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, report);
  process.stdout.write(`${report}\n`);
  log(`written to ${path.relative(process.cwd(), out)}`);
}

/** An offset that moves `basePort` to a free port above it. */
async function freeOffsetFrom(basePort: number): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const port = await freePort();
    if (port > basePort) return port - basePort;
  }
  throw new Error(`no free port above ${basePort} for another node's listeners`);
}

async function runNodes(
  n: number, parts: ClusterBenchParts, postgres: Awaited<ReturnType<typeof startPostgres>>, redisUrl: string, dir: string,
): Promise<Run> {
  log(`${n} node${n > 1 ? 's' : ''}: a fresh database, starting the nodes`);
  const databaseUrl = await postgres.createDatabase(`bench_cluster_${n}`);
  const keys = path.join(dir, 'keys');
  fs.mkdirSync(keys, { recursive: true });
  const nodes: BenchThingwire[] = [];
  try {
    // One after another: the first installs the pipeline, the others run it with their listeners' ports moved up (one
    // host), each to a free port.
    for (let i = 0; i < n; i++) {
      const dataDir = path.join(dir, `node${i + 1}`);
      fs.mkdirSync(dataDir, { recursive: true });
      fs.symlinkSync(keys, path.join(dataDir, 'keys'));
      const basePort = nodes[0] && Number(new URL(nodes[0].mqttUrl).port);
      const offset = basePort ? await freeOffsetFrom(basePort) : 0;
      const tw = await startThingwire({
        cpuProf: false, storage: 'sqlite',
        args: [
          '--cluster', '--node-id', `bench${i + 1}`, '--postgres-url', databaseUrl, '--redis-url', redisUrl, '--telemetry', 'postgres',
          '--listener-port-offset', String(offset),
        ],
      }, dataDir);
      nodes.push(basePort ? { ...tw, mqttUrl: `mqtt://127.0.0.1:${basePort + offset}` } : tw);
    }
    const devices = await parts.provision(nodes[0]!, parts.devices);
    // Every node runs what provisioning deployed (the alert pointed at a meter property).
    const revs = async () => Promise.all(nodes.map(async (tw) => ((await (await fetch(`${tw.base}/api/v1/flows`, { headers: { authorization: `Bearer ${tw.token}` } })).json()) as { rev: string }).rev));
    for (let tries = 0; new Set(await revs()).size > 1; tries++) {
      if (tries > 100) throw new Error('the nodes did not load the same flows');
      await new Promise((r) => setTimeout(r, 100));
    }
    const workers = Array.from({ length: Math.max(parts.workers, n) }, () => new Worker());
    const sampler = new ProcSampler(nodes.map((tw) => tw.child.pid!));
    try {
      const connected = await Promise.all(workers.map((w, i) => w.call<{ failed: number; firstError?: string }>({
        cmd: 'connect', url: nodes[i % n]!.mqttUrl, mode: 'thingwire', devices: chunks(devices, workers.length)[i]!, listen: true, concurrency: 50,
      })));
      const failed = connected.reduce((a, c) => a + c.failed, 0);
      if (failed) throw new Error(`${failed} devices could not connect: ${connected.find((c) => c.firstError)?.firstError}`);
      // Drained on every node before the next step.
      const settle = async () => {
        for (const tw of nodes) await parts.settled(`${tw.base}/metrics`);
      };
      // A short run first, not counted: the first load on fresh tables and a cold database would count against the first
      // run only.
      log(`${n} node${n > 1 ? 's' : ''}: warming up`);
      await parts.warmUp(workers, sampler);
      await settle();
      log(`${n} node${n > 1 ? 's' : ''}: stepping the offered rate`);
      const { max, steps } = await parts.findMax(workers, sampler, settle, `${nodes[0]!.base}/metrics`);
      const best = [...steps].reverse().find((s) => s.sustained) ?? steps[0]!;
      return {
        nodes: n, max, steps, nodesCpuPercent: best.server.cpuPercent, machineBusyPercent: best.server.machineBusyPercent,
        cpuUsPerMessage: best.cpuUsPerMessage, rssMb: sampler.rssMb(),
      };
    } finally {
      sampler.stop();
      await Promise.all(workers.map((w) => w.close()));
    }
  } finally {
    await Promise.all(nodes.map((tw) => tw.stop()));
  }
}
