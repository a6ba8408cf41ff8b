import { execFileSync } from 'node:child_process';

/** A Python 3 with paho-mqtt: the one on PATH, or Debian's (python3-paho-mqtt installs there, beside pyenv and the like). */
export function pythonWithPaho(): string {
  for (const candidate of ['python3', '/usr/bin/python3']) {
    try {
      execFileSync(candidate, ['-c', 'import paho.mqtt.client'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // not this one
    }
  }
  throw new Error('no python3 with paho-mqtt: apt-get install python3-paho-mqtt (.ci/run does)');
}
