import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { TestDevice } from './mqtt-devices.ts';
import type { TestServer } from './test-server.ts';

const SCRIPT = path.join(import.meta.dirname, '../../scripts/device.ts');

/** `npm run device` running as its own process, as a user starts it, with what it printed so far. */
export interface SimulatorProcess {
  /** Everything it wrote to stdout and stderr. */
  output(): string;
  /** Resolves with the first output line matching `pattern`; rejects when it exits or the timeout passes. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Stops it (SIGINT, as Ctrl+C) and resolves with its exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts the device simulator (`scripts/device.ts`) against a test server's MQTT listener, reading the thing model
 * (and the secret, when `secret` is false) from the API with the admin's token, exactly as the README tells users.
 */
export function startSimulator(
  tw: TestServer,
  device: TestDevice,
  options: { mqttUrl: string; rate?: number; count?: number; dialect?: 'alink' | 'things'; secret?: boolean; args?: string[] },
): SimulatorProcess {
  const args = ['--import', 'tsx', SCRIPT, '--product', device.productKey, '--device', device.deviceName,
    '--mqtt', options.mqttUrl, '--api', tw.url, '--rate', String(options.rate ?? 5), '--dialect', options.dialect ?? 'alink'];
  if (options.secret !== false) args.push('--secret', device.deviceSecret);
  if (options.count !== undefined) args.push('--count', String(options.count));
  if (options.args) args.push(...options.args);
  const child: ChildProcess = spawn(process.execPath, args, {
    env: { ...process.env, THINGWIRE_TOKEN: tw.adminToken },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  let exitCode: number | null | undefined;
  const listeners = new Set<() => void>();
  const changed = () => {
    for (const listener of [...listeners]) listener();
  };
  child.stdout!.on('data', (chunk: Buffer) => {
    text += chunk.toString();
    changed();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    text += chunk.toString();
    changed();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    exitCode = code;
    changed();
    resolve(code);
  }));

  return {
    output: () => text,
    waitFor(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const line = text.split('\n').find((l) => pattern.test(l));
          if (line !== undefined) done(() => resolve(line));
          else if (exitCode !== undefined) done(() => reject(new Error(`the simulator exited (${exitCode}) before printing ${pattern}:\n${text}`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`the simulator printed nothing matching ${pattern} within ${timeoutMs} ms:\n${text}`))), timeoutMs);
        const done = (settle: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          settle();
        };
        listeners.add(check);
        check();
      });
    },
    async stop() {
      if (exitCode === undefined) child.kill('SIGINT');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      const code = await exited;
      clearTimeout(killer);
      return code;
    },
  };
}
