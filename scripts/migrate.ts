import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../server/config.ts';
import { copyToPostgres, CopyRefused } from '../server/db/copy-to-postgres.ts';
import { openDatabase } from '../server/db/database.ts';
import { PostgresSql } from '../server/db/sql.ts';
import { createLogger } from '../server/logger.ts';

const USAGE = `npm run migrate -- --to postgres --postgres-url URL [--data-dir DIR]

Copies a single Thingwire's data (users, tokens, products, thing models, devices, alerts, the outbox, the audit log,
the message log, OTA records, and its flows with their sealed credentials) into an empty PostgreSQL database, the one
the nodes of a cluster share. Stop Thingwire first. Nothing in the data dir changes.

Options
  --to postgres           where to (PostgreSQL is the one target)
  --postgres-url URL      e.g. postgres://thingwire@db:5432/thingwire (or THINGWIRE_POSTGRES_URL); the password in
                          THINGWIRE_POSTGRES_PASSWORD
  --data-dir DIR          the data dir to copy (default ./data, or THINGWIRE_DATA_DIR)
  --help

Afterwards, give every node of the cluster this data dir's keys folder (data/keys): device and product secrets and the
flows' credentials are sealed with them. Telemetry is not copied.
`;

/** `npm run migrate`: a single node's platform database into PostgreSQL, for the first node of a cluster. */
async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv, strict: true,
    options: { to: { type: 'string' }, 'postgres-url': { type: 'string' }, 'data-dir': { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values.to !== 'postgres') {
    process.stderr.write(`migrate: say where to: --to postgres\n\n${USAGE}`);
    return 2;
  }
  const config = loadConfig([
    ...(values['data-dir'] ? ['--data-dir', values['data-dir']] : []),
    ...(values['postgres-url'] ? ['--postgres-url', values['postgres-url']] : []),
  ]);
  if (!config.postgres) {
    process.stderr.write(`migrate: no PostgreSQL given: --postgres-url or THINGWIRE_POSTGRES_URL\n`);
    return 2;
  }
  const file = path.join(config.dataDir, 'thingwire.db');
  if (!fs.existsSync(file)) {
    process.stderr.write(`migrate: no Thingwire data in ${config.dataDir} (no thingwire.db); pass --data-dir\n`);
    return 2;
  }
  const db = openDatabase(file, createLogger('silent'));
  const pg = PostgresSql.connect(config.postgres.url, { max: 1, applicationName: 'thingwire migrate', password: config.postgres.password });
  try {
    process.stdout.write(`Copying ${file} into ${config.postgres.url} …\n`);
    const copied = await copyToPostgres(db, pg, {
      nodeRedDir: path.join(config.dataDir, 'node-red'),
      firmwareDir: path.join(config.dataDir, 'firmware'),
      progress: { table: (name, rows) => process.stdout.write(`  ${name.padEnd(28)} ${rows.toLocaleString('en')} rows\n`) },
    });
    const total = [...copied.values()].reduce((a, b) => a + b, 0);
    process.stdout.write(
      `Done: ${total.toLocaleString('en')} rows in ${copied.size} tables, in one transaction.\n` +
        `Give every node of the cluster the keys in ${path.join(config.dataDir, 'keys')}: what is sealed opens only with them.\n`,
    );
    return 0;
  } catch (err) {
    if (err instanceof CopyRefused) {
      process.stderr.write(`migrate: ${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    db.close();
    await pg.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`migrate: ${err instanceof ConfigError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? (err as Error).message : (err as Error).stack}\n`);
    process.exit(2);
  },
);
