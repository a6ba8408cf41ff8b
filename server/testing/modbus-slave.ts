import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { pythonWithPymodbus } from './python.ts';

const SCRIPT = fileURLToPath(new URL('./modbus-slave.py', import.meta.url));

/** What each unit of the slave holds, by zero-based address; addresses not listed answer exception 2. */
export type SlaveUnits = Record<number, { holding?: Record<number, number>; input?: Record<number, number>; coils?: Record<number, number>; discrete?: Record<number, number> }>;

export interface SlaveOptions {
  /** tcp (Modbus TCP), rtu-over-tcp (RTU frames on a TCP socket), serial (RTU on `path`). */
  mode: 'tcp' | 'rtu-over-tcp' | 'serial';
  units: SlaveUnits;
  /** tcp modes: the port to bind (default 0: any free one; a restart binds the same one again). */
  port?: number;
  path?: string;
}

/** A real Modbus slave (pymodbus) in a child process, which a test can kill and start again. */
export class ModbusSlave {
  port = 0;
  #child: ChildProcess | undefined;

  private constructor(private readonly options: SlaveOptions) {}

  static async start(options: SlaveOptions): Promise<ModbusSlave> {
    const slave = new ModbusSlave(options);
    await slave.restart();
    return slave;
  }

  /** Starts it (again, on the same port), resolving once it answers requests. */
  async restart(): Promise<void> {
    await this.stop();
    const child = spawn(pythonWithPymodbus(), [SCRIPT, JSON.stringify({ ...this.options, port: this.port || this.options.port || 0 })], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    this.port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const port = /PORT (\d+)/.exec(out);
        if (port) resolve(Number(port[1]));
        else if (out.includes('READY')) resolve(0);
      });
      child.once('exit', (code) => reject(new Error(`the Modbus slave exited (${code}) before it was ready: ${stderr}`)));
    });
  }

  /** Freezes it (SIGSTOP): its socket stays open and takes requests, and nothing answers them, as a hung device. */
  pause(): void {
    this.#child?.kill('SIGSTOP');
  }

  /** Lets a paused slave go on (SIGCONT). */
  resume(): void {
    this.#child?.kill('SIGCONT');
  }

  /** Kills it (SIGKILL: gone at once, as a slave losing power is). */
  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}
