/**
 * Moves a single node's platform database into PostgreSQL, for a node that becomes the first of a cluster
 * (`npm run migrate -- --to postgres`): every table the migrations made, row for row, parents before the tables that
 * refer to them, in one PostgreSQL transaction (all of it or nothing), identity counters moved past the copied ids. The
 * flows and their sealed credentials, and the firmware images, go into the database too, where every node of a cluster
 * reads them.
 *
 * Secrets stay sealed as they are: the cluster's nodes must use this node's keys (`data/keys`), or nothing sealed
 * with them opens. Telemetry is not copied here (its own database, sized differently).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from './database.ts';
import { migratePostgres } from './migrate.ts';
import { migrations } from './migrations/index.ts';
import type { PostgresSql, Sql } from './sql.ts';
import { sqlFlowStorage } from '../node-red/sql-flow-storage.ts';
import { storeFirmwareChunks } from '../ota/firmware-files.ts';

/** Rows to one INSERT: well under PostgreSQL's 65,535 parameters for the widest table. */
const ROWS_PER_INSERT = 500;

export interface CopyProgress {
  /** A table is done: its name and how many rows it had. */
  table(name: string, rows: number): void;
}

export class CopyRefused extends Error {}

/**
 * Copies `db` (SQLite, migrated) into `pg`, migrating it first. Refuses a PostgreSQL database that already holds users,
 * products or devices: the copy never merges. Answers the rows copied per table.
 */
export async function copyToPostgres(
  db: Db, pg: PostgresSql, options: { nodeRedDir?: string; firmwareDir?: string; progress?: CopyProgress } = {},
): Promise<Map<string, number>> {
  await migratePostgres(pg, migrations);
  for (const table of ['users', 'products', 'devices']) {
    const { n } = (await pg.get<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))!;
    if (n > 0) throw new CopyRefused(`PostgreSQL already holds ${n} ${table}: copy into an empty database (a new one, or drop its tables first).`);
  }
  const tables = tablesInOrder(db);
  const copied = new Map<string, number>();
  await pg.transaction(async (tx) => {
    for (const table of tables) {
      const columns = (db.prepare(`PRAGMA table_info(${quote(table)})`).all() as { name: string }[]).map((c) => c.name);
      const list = columns.map(quote).join(', ');
      let count = 0;
      let batch: unknown[][] = [];
      const flush = async () => {
        if (batch.length === 0) return;
        const row = `(${columns.map(() => '?').join(', ')})`;
        await tx.run(`INSERT INTO ${quote(table)} (${list}) VALUES ${batch.map(() => row).join(', ')}`, batch.flat());
        count += batch.length;
        batch = [];
      };
      for (const row of db.prepare(`SELECT ${list} FROM ${quote(table)}`).raw().iterate() as IterableIterator<unknown[]>) {
        batch.push(row);
        if (batch.length === ROWS_PER_INSERT) await flush();
      }
      await flush();
      await moveIdentityPast(tx, table);
      copied.set(table, count);
      options.progress?.table(table, count);
    }
    if (options.firmwareDir) await copyFirmware(tx, options.firmwareDir, copied, options.progress);
    if (options.nodeRedDir) await copyFlows(tx, options.nodeRedDir, copied, options.progress);
  });
  return copied;
}

/** The node's firmware images (files, `{id}.bin`), into the pieces every node of a cluster serves them from. */
async function copyFirmware(tx: Sql, dir: string, copied: Map<string, number>, progress: CopyProgress | undefined): Promise<void> {
  let pieces = 0;
  for (const { id } of await tx.all<{ id: number }>('SELECT id FROM ota_firmware ORDER BY id')) {
    const file = path.join(dir, `${id}.bin`);
    // An image already missing from the node: it could not serve it either (its downloads answer 404).
    if (fs.existsSync(file)) pieces += await storeFirmwareChunks(tx, id, file);
  }
  copied.set('ota_firmware_chunks', pieces);
  progress?.table('ota_firmware_chunks', pieces);
}

/** The migrations' tables, each after every table it refers to (SQLite's own and the migrations' bookkeeping left out). */
function tablesInOrder(db: Db): string[] {
  const names = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'schema_migrations' ORDER BY name")
    .pluck().all() as string[]);
  const parents = new Map(names.map((name) => [
    name,
    (db.prepare(`PRAGMA foreign_key_list(${quote(name)})`).all() as { table: string }[]).map((f) => f.table).filter((t) => t !== name),
  ]));
  const ordered: string[] = [];
  const visit = (name: string, path: string[]) => {
    if (ordered.includes(name)) return;
    if (path.includes(name)) throw new Error(`tables refer to each other in a circle: ${[...path, name].join(' → ')}`);
    for (const parent of parents.get(name) ?? []) visit(parent, [...path, name]);
    ordered.push(name);
  };
  for (const name of names) visit(name, []);
  return ordered;
}

/** An identity column's next value after the largest copied id, so that new rows do not collide with copied ones. */
async function moveIdentityPast(tx: Sql, table: string): Promise<void> {
  const identity = await tx.get<{ column_name: string }>(
    "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? AND is_identity = 'YES'", [table],
  );
  if (!identity) return;
  const column = quote(identity.column_name);
  await tx.get(`SELECT setval(pg_get_serial_sequence(?, ?), coalesce((SELECT max(${column}) FROM ${quote(table)}), 0) + 1, false)`, [table, identity.column_name]);
}

/** The node's flows and sealed credentials (Node-RED's files), saved through the database's flow storage. */
async function copyFlows(tx: Sql, nodeRedDir: string, copied: Map<string, number>, progress?: CopyProgress): Promise<void> {
  const storage = sqlFlowStorage(tx);
  const documents = [
    ['flows', 'flows.json', (flows: unknown) => storage.saveFlows(flows as unknown[])],
    ['credentials', 'flows_cred.json', (credentials: unknown) => storage.saveCredentials(credentials as Record<string, unknown>)],
  ] as const;
  for (const [name, file, save] of documents) {
    const full = path.join(nodeRedDir, file);
    if (!fs.existsSync(full)) continue;
    await save(JSON.parse(fs.readFileSync(full, 'utf8')));
    copied.set(`flow ${name}`, 1);
    progress?.table(`flow ${name}`, 1);
  }
}

const quote = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;
