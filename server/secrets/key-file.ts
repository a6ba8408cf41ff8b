import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * A 256-bit key kept as hex in `file`, made on first use. Made in a file of its own and linked into place, so that
 * nodes of a cluster starting together on one shared keys folder all end up with the one key that got there first,
 * and none reads a half-written file.
 */
export function keyFile(file: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (!fs.existsSync(file)) {
    const made = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    fs.writeFileSync(made, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
    try {
      fs.linkSync(made, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      fs.rmSync(made, { force: true });
    }
  }
  const hex = fs.readFileSync(file, 'utf8').trim();
  if (!/^[0-9a-f]{64}$/i.test(hex)) throw new Error(`${file} does not hold a 64-hex-digit key`);
  return hex;
}
