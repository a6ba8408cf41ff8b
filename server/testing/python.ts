import { execFileSync } from 'node:child_process';

/**
 * A Python 3 that can import `module`: the one on PATH, or Debian's (its python3-* packages install there, beside
 * pyenv and the like, whose python3 on PATH lacks them). `install` says how to get it when neither has it.
 */
export function pythonWith(module: string, install: string): string {
  for (const candidate of ['python3', '/usr/bin/python3']) {
    try {
      execFileSync(candidate, ['-c', `import ${module}`], { stdio: 'ignore' });
      return candidate;
    } catch {
      // not this one
    }
  }
  throw new Error(`no python3 with ${module}: ${install} (.ci/run does)`);
}

/** A Python 3 with paho-mqtt, for the MQTT examples. */
export function pythonWithPaho(): string {
  return pythonWith('paho.mqtt.client', 'apt-get install python3-paho-mqtt');
}

/** A Python 3 with pymodbus (Debian's 3.0), for the Modbus slave the poller's tests read. */
export function pythonWithPymodbus(): string {
  return pythonWith('pymodbus.server.async_io', 'apt-get install python3-pymodbus');
}
