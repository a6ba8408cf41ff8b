/**
 * CPU and memory of another process, read from /proc (Linux): sampled on a timer so a phase's peak RSS is seen, and
 * CPU time differenced over each phase.
 */
import fs from 'node:fs';

const CLOCK_TICKS = 100; // USER_HZ on Linux

export interface PhaseStats {
  /** CPU time over wall time, in % of one core (200 % = both cores of this machine busy). */
  cpuPercent: number;
  /** CPU time (user + system) spent in the phase. */
  cpuSeconds: number;
  wallSeconds: number;
  peakRssMb: number;
  /** How busy the whole machine was meanwhile (these processes, the load, databases), in % of all its cores. */
  machineBusyPercent: number;
}

function read(pid: number): { cpuMs: number; rssKb: number } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuMs = ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    return { cpuMs, rssKb };
  } catch {
    return undefined; // the process has ended
  }
}

/** CPU seconds (user + system) a process has used since it started; NaN once it has ended. */
export function processCpuSeconds(pid: number): number {
  const s = read(pid);
  return s ? s.cpuMs / 1000 : Number.NaN;
}

/** Several processes summed (the nodes of a cluster); undefined once any has ended. */
function readAll(pids: readonly number[]): { cpuMs: number; rssKb: number } | undefined {
  let cpuMs = 0;
  let rssKb = 0;
  for (const pid of pids) {
    const s = read(pid);
    if (!s) return undefined;
    cpuMs += s.cpuMs;
    rssKb += s.rssKb;
  }
  return { cpuMs, rssKb };
}

/**
 * Samples a process (or several, summed: a cluster's nodes) every `intervalMs` until stopped; `phase()` measures from
 * its call to the returned `end()`.
 */
export class ProcSampler {
  #timer: NodeJS.Timeout;
  #peakKb = 0;
  readonly #pids: readonly number[];

  constructor(pid: number | readonly number[], intervalMs = 200) {
    this.#pids = typeof pid === 'number' ? [pid] : pid;
    this.#timer = setInterval(() => {
      const s = readAll(this.#pids);
      if (s) this.#peakKb = Math.max(this.#peakKb, s.rssKb);
    }, intervalMs);
    this.#timer.unref();
  }

  rssMb(): number {
    return (readAll(this.#pids)?.rssKb ?? 0) / 1024;
  }

  /** CPU time (user + system) the processes have used since they started; NaN once one has ended. */
  cpuSeconds(): number {
    return (readAll(this.#pids)?.cpuMs ?? Number.NaN) / 1000;
  }

  phase(): { end(): PhaseStats } {
    const start = readAll(this.#pids);
    const machineStart = machineCpuTicks();
    const startedAt = performance.now();
    this.#peakKb = start?.rssKb ?? 0;
    return {
      end: () => {
        const stop = readAll(this.#pids);
        const wallMs = performance.now() - startedAt;
        const cpuMs = start && stop ? stop.cpuMs - start.cpuMs : 0;
        const machine = machineCpuTicks();
        const ticks = machine.total - machineStart.total;
        return {
          machineBusyPercent: ticks > 0 ? (100 * (machine.busy - machineStart.busy)) / ticks : Number.NaN,
          cpuPercent: wallMs > 0 ? (cpuMs / wallMs) * 100 : 0, cpuSeconds: cpuMs / 1000, wallSeconds: wallMs / 1000,
          peakRssMb: Math.max(this.#peakKb, stop?.rssKb ?? 0) / 1024,
        };
      },
    };
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

/** Busy and total CPU time of the whole machine so far (all cores, /proc/stat), in clock ticks. */
function machineCpuTicks(): { busy: number; total: number } {
  const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  const idle = fields[3]! + fields[4]!; // idle + iowait
  return { busy: total - idle, total };
}

/** The hard limit on open files of this process (what a child can raise its soft limit to). */
export function openFilesHardLimit(): number {
  try {
    const line = fs.readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const hard = line?.trim().split(/\s+/)[4];
    return hard === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(hard);
  } catch {
    return 1024;
  }
}
