/**
 * A V8 CPU profile (`.cpuprofile`, as `--cpu-prof` or the inspector's Profiler writes it) summed up for the
 * benchmark's report: where the busy time went by area (a package, a Thingwire folder, Node's internals, the garbage
 * collector) and the functions with the most self time. `node --import tsx bench/profile-summary.ts FILE` prints it.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { markdownTable } from './report.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** V8's sampling heap profile (HeapProfiler.stopSampling): a call tree with the bytes allocated in each frame. */
export interface AllocationProfile {
  head: AllocationNode;
}
interface AllocationNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: AllocationNode[];
}

/** Bytes allocated by area and by function (self: in the function itself), largest first. */
export interface AllocationSummary {
  totalMb: number;
  areas: { area: string; mb: number }[];
  functions: { name: string; where: string; mb: number }[];
}

export function summarizeAllocations(profile: AllocationProfile, top = 15): AllocationSummary {
  const areas = new Map<string, number>();
  const functions = new Map<string, { name: string; where: string; mb: number }>();
  let total = 0;
  const walk = (node: AllocationNode) => {
    const { functionName, url, lineNumber } = node.callFrame;
    if (node.selfSize > 0) {
      total += node.selfSize;
      const area = areaOf(url, functionName);
      areas.set(area, (areas.get(area) ?? 0) + node.selfSize);
      const where = url ? `${shortUrl(url)}:${lineNumber + 1}` : area;
      const key = `${functionName}@${where}`;
      const f = functions.get(key) ?? { name: functionName || '(anonymous)', where, mb: 0 };
      f.mb += node.selfSize;
      functions.set(key, f);
    }
    for (const child of node.children) walk(child);
  };
  walk(profile.head);
  const mb = (bytes: number) => bytes / 2 ** 20;
  return {
    totalMb: mb(total),
    areas: [...areas].map(([area, bytes]) => ({ area, mb: mb(bytes) })).sort((a, b) => b.mb - a.mb),
    functions: [...functions.values()].map((f) => ({ ...f, mb: mb(f.mb) })).sort((a, b) => b.mb - a.mb).slice(0, top),
  };
}

/** A frame's file, from the repository's folders on. */
const shortUrl = (url: string) => url.replace(/^(?:file:\/\/)?.*?\/(node_modules|server|nodes|domain|flows|bench)\//, '$1/');

export interface ProfileSummary {
  /** Wall time the profile covers, ms. */
  wallMs: number;
  /** Sampled time not idle (JS, native, GC), ms. */
  busyMs: number;
  /** Busy time by area, ms, largest first. */
  areas: { area: string; ms: number }[];
  /** Functions by self time, ms, largest first. */
  functions: { name: string; where: string; area: string; ms: number }[];
}

/** Where a frame's code lives: a package, a Thingwire folder, a Node module, or V8's own entries. */
export function areaOf(url: string, functionName: string): string {
  if (!url) {
    if (functionName.startsWith('(')) return functionName; // (garbage collector), (program), (idle)
    return 'native (C++ of Node and addons)';
  }
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) {
    const mod = url.slice(5).replace(/^internal\//, '').split('/')[0]!;
    return `node:${mod}`;
  }
  const own = /\/(server|nodes|domain|flows)\/([^/]+)/.exec(url);
  if (own) return `${own[1]}/${own[2]!.replace(/\.ts$/, '')}`;
  return url.replace(/^.*\//, '');
}

export function summarizeProfile(profile: CpuProfile, top = 20): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const areas = new Map<string, number>();
  const functions = new Map<string, { name: string; where: string; area: string; ms: number }>();
  let busy = 0;
  for (const [id, us] of self) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') continue;
    busy += us;
    const area = areaOf(frame.url, frame.functionName);
    areas.set(area, (areas.get(area) ?? 0) + us);
    const where = frame.url ? `${shortUrl(frame.url)}:${frame.lineNumber + 1}` : '';
    const key = `${frame.functionName}@${where}`;
    const f = functions.get(key) ?? { name: frame.functionName || '(anonymous)', where, area, ms: 0 };
    f.ms += us;
    functions.set(key, f);
  }
  const ms = (us: number) => us / 1000;
  return {
    wallMs: ms(profile.endTime - profile.startTime),
    busyMs: ms(busy),
    areas: [...areas].map(([area, us]) => ({ area, ms: ms(us) })).sort((a, b) => b.ms - a.ms),
    functions: [...functions.values()].map((f) => ({ ...f, ms: ms(f.ms) })).sort((a, b) => b.ms - a.ms).slice(0, top),
  };
}

/** The summary as markdown: areas with a share of at least 1 % of the busy time, then the top functions. */
export function renderProfileSummary(s: ProfileSummary, title: string, topAreas = 15): string {
  const pct = (ms: number) => `${((100 * ms) / s.busyMs).toFixed(1)} %`;
  const areas = s.areas.filter((a) => a.ms >= s.busyMs * 0.01).slice(0, topAreas);
  return [
    `### ${title}`,
    '',
    `${Math.round(s.wallMs)} ms profiled, ${Math.round(s.busyMs)} ms busy (${((100 * s.busyMs) / s.wallMs).toFixed(0)} % of one core). Self time by where the code lives:`,
    '',
    markdownTable(['area', 'self ms', 'share of busy'], areas.map((a) => [a.area, String(Math.round(a.ms)), pct(a.ms)])),
    '',
    'Functions with the most self time:',
    '',
    markdownTable(['function', 'where', 'self ms', 'share'], s.functions.map((f) => [f.name, f.where || f.area, String(Math.round(f.ms)), pct(f.ms)])),
    '',
  ].join('\n');
}

/** The allocation summary as markdown: areas with at least 1 % of the bytes, then the top functions. */
export function renderAllocationSummary(s: AllocationSummary, per?: number, unit = 'message'): string {
  const pct = (mb: number) => `${((100 * mb) / s.totalMb).toFixed(1)} %`;
  const each = (mb: number) => (per ? [`${((mb * 2 ** 20) / per).toFixed(0)}`] : []);
  return [
    `${s.totalMb.toFixed(0)} MB allocated (sampled)${per ? `, ${((s.totalMb * 2 ** 20) / per / 1024).toFixed(1)} KB per ${unit}` : ''}. By where the code lives:`,
    '',
    markdownTable(['area', 'MB', 'share', ...(per ? [`bytes per ${unit}`] : [])],
      s.areas.filter((a) => a.mb >= s.totalMb * 0.01).slice(0, 15).map((a) => [a.area, a.mb.toFixed(1), pct(a.mb), ...each(a.mb)])),
    '',
    'Functions allocating the most:',
    '',
    markdownTable(['function', 'where', 'MB', 'share', ...(per ? [`bytes per ${unit}`] : [])],
      s.functions.map((f) => [f.name, f.where, f.mb.toFixed(1), pct(f.mb), ...each(f.mb)])),
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node --import tsx bench/profile-summary.ts FILE.cpuprofile [top]\n');
    process.exit(2);
  }
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  process.stdout.write(renderProfileSummary(summarizeProfile(profile, Number(process.argv[3] ?? 25)), file));
}
