/**
 * A real PostgreSQL for tests and the cluster benchmark: Debian's server binaries (`apt-get install postgresql`; .ci/run
 * installs it), a throwaway cluster in a temporary directory, listening on loopback at a free port. Started as the
 * `postgres` system user when this process is root (PostgreSQL refuses to run as root), else as this user.
 *
 * fsync is off: the tests kill Thingwire nodes, never PostgreSQL, and a throwaway cluster need not survive the
 * machine's crash. Everything else is PostgreSQL's default.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './mqtt-devices.ts';


/** The newest installed PostgreSQL's `bin` directory. */
function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', 'postgres'))) : [];
  if (versions.length === 0) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql: apt-get install postgresql (.ci/run does)');
  return path.join(root, versions.sort((a, b) => Number(b) - Number(a))[0]!, 'bin');
}

/** The uid and gid to run PostgreSQL as: the `postgres` user's when this process is root. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  const gid = id('-g');
  if (!Number.isInteger(uid) || uid === 0) throw new Error('running as root and there is no postgres user to run PostgreSQL as: apt-get install postgresql creates it');
  return { uid, gid };
}

export interface PostgresServer {
  /** `postgres://thingwire@127.0.0.1:PORT/postgres`, as the superuser `thingwire`: for making databases. */
  adminUrl: string;
  port: number;
  /** The URL of a new, empty database `name` on this server. */
  createDatabase(name: string): Promise<string>;
  /** Stops it (fast shutdown) and deletes its files. */
  stop(): Promise<void>;
}

/** Starts a PostgreSQL cluster of its own, resolving once it takes connections. */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBin();
  const user = runAs();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thingwire-pg-'));
  const data = path.join(dir, 'data');
  if (user) fs.chownSync(dir, user.uid, user.gid);
  const asUser = { ...user, cwd: dir, encoding: 'utf8' as const };
  const init = spawnSync(path.join(bin, 'initdb'), ['-D', data, '-U', 'thingwire', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'], asUser);
  if (init.status !== 0) throw new Error(`initdb failed (${init.status}): ${init.stderr || init.error?.message}`);

  let child: ChildProcess | undefined;
  let port = 0;
  let log = '';
  // A free port may be taken between asking and binding: try another.
  for (let attempt = 0; attempt < 5 && !child; attempt++) {
    port = await freePort();
    const c = spawn(path.join(bin, 'postgres'), [
      '-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=300',
    ], { ...user, cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    log = '';
    c.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    const ready = await new Promise<boolean>((resolve) => {
      const check = () => {
        if (log.includes('database system is ready to accept connections')) resolve(true);
        else if (c.exitCode !== null) resolve(false);
      };
      c.stderr!.on('data', check);
      c.once('exit', check);
    });
    if (ready) child = c;
    else if (!/could not bind|Address already in use/.test(log)) break;
  }
  if (!child) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`PostgreSQL did not start: ${log.trim().split('\n').slice(-3).join(' | ')}`);
  }
  const running = child;
  const adminUrl = `postgres://thingwire@127.0.0.1:${port}/postgres`;
  return {
    adminUrl,
    port,
    createDatabase: (name) => createDatabaseAt(adminUrl, name),
    async stop() {
      if (running.exitCode === null) {
        const exited = new Promise((resolve) => running.once('exit', resolve));
        running.kill('SIGINT');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Creates database `name` on the server of `adminUrl` (a database there to connect to), as a copy of `template` when
 * given; answers its URL.
 */
export async function createDatabaseAt(adminUrl: string, name: string, template?: string): Promise<string> {
  for (const n of [name, ...(template ? [template] : [])]) if (!/^[a-z_][a-z0-9_]*$/.test(n)) throw new Error(`not a plain database name: ${n}`);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    // A template copied file by file: measured 160 ms against 215 ms WAL-logged for the migrated registry.
    await client.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template} STRATEGY = FILE_COPY` : ''}`);
  } finally {
    await client.end();
  }
  return databaseUrl(adminUrl, name);
}

function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.href;
}

/**
 * A database named `name` made once on the server (by whichever test process asks first, the others waiting on an
 * advisory lock) and prepared by `prepare` (migrations, say), for {@link createDatabaseAt} to copy: a copy costs a
 * fraction of making and migrating a database afresh. Nothing stays connected to it, as a template requires.
 */
export async function templateDatabaseAt(adminUrl: string, name: string, prepare: (url: string) => Promise<void>): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [name]);
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) {
      // Made under a working name and renamed when prepared: a process that died halfway leaves no half-made template.
      const making = `${name}_making`;
      await client.query(`DROP DATABASE IF EXISTS ${making}`);
      await client.query(`CREATE DATABASE ${making}`);
      await prepare(databaseUrl(adminUrl, making));
      await client.query(`ALTER DATABASE ${making} RENAME TO ${name}`);
    }
    return name;
  } finally {
    await client.end();
  }
}
