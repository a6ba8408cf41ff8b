import fs from 'node:fs';
import path from 'node:path';

/**
 * The first admin's generated password, kept in the data dir (mode 0600, like the key file) until that admin first
 * signs in: a password printed once to a terminal that scrolled away, or to a start that failed later, is not lost.
 */
export const INITIAL_PASSWORD_FILE = 'initial-admin-password';

export function writeInitialPassword(dataDir: string, username: string, password: string): string {
  const file = path.join(dataDir, INITIAL_PASSWORD_FILE);
  fs.writeFileSync(file, `user: ${username}\npassword: ${password}\n# Thingwire deletes this file when ${username} first signs in.\n`, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  return file;
}

/** The username the file was written for, or undefined when there is no file. */
export function initialPasswordUser(dataDir: string): string | undefined {
  try {
    return /^user: (.+)$/m.exec(fs.readFileSync(path.join(dataDir, INITIAL_PASSWORD_FILE), 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

export function forgetInitialPassword(dataDir: string): void {
  fs.rmSync(path.join(dataDir, INITIAL_PASSWORD_FILE), { force: true });
}
