import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AuthService } from '../server/auth/auth-service.ts';
import { forgetInitialPassword, initialPasswordUser } from '../server/auth/initial-password.ts';
import { generatePassword } from '../server/auth/passwords.ts';
import { ConfigError, loadConfig } from '../server/config.ts';
import { openDatabase } from '../server/db/database.ts';
import { SqliteSql } from '../server/db/sql.ts';
import { createLogger } from '../server/logger.ts';

const USAGE = `npm run admin -- <command> [options]

Commands
  reset-password <user>   give the user a new generated password (printed once), end their sessions and API tokens
  users                   list the users and their roles

Options
  --data-dir DIR          the data dir of the Thingwire to change (default ./data, or THINGWIRE_DATA_DIR)
  --help

Works while Thingwire runs: the change is in its database at once, and the user's sessions end.
`;

/**
 * `npm run admin`: what an operator with shell access to the host needs when no admin can sign in (a lost first
 * password, the only admin's forgotten one). Shell access to the data dir is already everything (the key file is
 * there), so this asks for no password.
 */
async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { 'data-dir': { type: 'string' }, help: { type: 'boolean' } } });
  const [command, username] = positionals;
  if (values.help || !command) {
    process.stdout.write(USAGE);
    return command || values.help ? 0 : 2;
  }
  const config = loadConfig(values['data-dir'] ? ['--data-dir', values['data-dir']] : []);
  const file = path.join(config.dataDir, 'thingwire.db');
  if (!fs.existsSync(file)) {
    process.stderr.write(`admin: no Thingwire data in ${config.dataDir} (no thingwire.db); pass --data-dir\n`);
    return 2;
  }
  const db = openDatabase(file, createLogger('silent'));
  try {
    const auth = new AuthService(new SqliteSql(db), createLogger('silent'), 3_600_000);
    const users = await auth.listUsers();
    if (command === 'users') {
      for (const u of users) process.stdout.write(`${u.username}\t${u.role}${u.disabled ? '\tdisabled' : ''}\n`);
      return 0;
    }
    if (command !== 'reset-password') {
      process.stderr.write(`admin: unknown command "${command}"\n\n${USAGE}`);
      return 2;
    }
    const user = users.find((u) => u.username === username);
    if (!user) {
      process.stderr.write(`admin: no user "${username ?? ''}"; the users are: ${users.map((u) => u.username).join(', ')}\n`);
      return 2;
    }
    const password = generatePassword();
    await auth.updateUser(user.id, { password });
    if (initialPasswordUser(config.dataDir) === user.username) forgetInitialPassword(config.dataDir);
    await auth.audit(`cli:${process.env.USER ?? 'unknown'}`, 'user.password.reset', user.username, { via: 'npm run admin' });
    process.stdout.write(
      `New password for ${user.username}: ${password}\n` +
        `Their sessions and API tokens have ended. Sign in and change it.${user.disabled ? `\nNote: ${user.username} is disabled; an admin must enable the account first.` : ''}\n`,
    );
    return 0;
  } finally {
    db.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`admin: ${err instanceof ConfigError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? (err as Error).message : (err as Error).stack}\n`);
    process.exit(2);
  },
);
