/**
 * A Node-RED storage module on the registry's database (SQLite or PostgreSQL): the flows, their credentials (which
 * the runtime encrypts with `credentialSecret` before they get here), the runtime's settings and sessions, and the
 * library. In cluster mode every node's runtime reads the same flows from PostgreSQL, so a deploy on one node is the
 * deploy of all: the others load them when told (`onFlowsSaved`). A single node keeps Node-RED's own files in the
 * data dir.
 *
 * The module follows Node-RED's storage API (https://nodered.org/docs/api/storage/methods); a library path that
 * names no entry lists the folder it names, as Node-RED's file storage does.
 */
import type { Sql } from '../db/sql.ts';

type Document = 'flows' | 'credentials' | 'settings' | 'sessions';

/** A library folder's listing: its sub-folders' names, then its entries' meta with their names (`fn`). */
type LibraryListing = (string | Record<string, unknown>)[];

export interface NodeRedStorage {
  init(settings: unknown, runtime: unknown): Promise<void>;
  getFlows(): Promise<unknown[]>;
  saveFlows(flows: unknown[], user?: unknown): Promise<void>;
  getCredentials(): Promise<Record<string, unknown>>;
  saveCredentials(credentials: Record<string, unknown>): Promise<void>;
  getSettings(): Promise<Record<string, unknown>>;
  saveSettings(settings: Record<string, unknown>): Promise<void>;
  getSessions(): Promise<Record<string, unknown>>;
  saveSessions(sessions: Record<string, unknown>): Promise<void>;
  getLibraryEntry(type: string, path: string): Promise<string | LibraryListing>;
  saveLibraryEntry(type: string, path: string, meta: Record<string, unknown>, body: string): Promise<void>;
}

export interface SqlFlowStorageOptions {
  /** After a deploy saved the flows here: a cluster tells its other nodes to load them. */
  onFlowsSaved?(): void;
}

/** One of the storage's documents as saved, or undefined before its first save. */
export async function savedDocument<T>(sql: Sql, name: Document): Promise<T | undefined> {
  const row = await sql.get<{ body: string }>('SELECT body FROM flow_documents WHERE name = ?', [name]);
  return row ? (JSON.parse(row.body) as T) : undefined;
}

export function sqlFlowStorage(sql: Sql, options: SqlFlowStorageOptions = {}): NodeRedStorage {
  const read = async <T>(name: Document, empty: T): Promise<T> => (await savedDocument<T>(sql, name)) ?? empty;
  const write = async (name: Document, value: unknown): Promise<void> => {
    await sql.run(
      `INSERT INTO flow_documents (name, body, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`,
      [name, JSON.stringify(value), new Date().toISOString()],
    );
  };
  const getLibraryEntry = async (type: string, path: string): Promise<string | LibraryListing> => {
    const entry = await sql.get<{ body: string }>('SELECT body FROM flow_library WHERE type = ? AND path = ?', [type, path]);
    if (entry) return entry.body;
    const folder = path.replace(/\/+$/, '');
    const prefix = folder === '' ? '' : `${folder}/`;
    const rows = await sql.all<{ path: string; meta: string }>('SELECT path, meta FROM flow_library WHERE type = ? ORDER BY path', [type]);
    const dirs = new Set<string>();
    const files: Record<string, unknown>[] = [];
    for (const row of rows) {
      if (!row.path.startsWith(prefix)) continue;
      const rest = row.path.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (slash >= 0) dirs.add(rest.slice(0, slash));
      else files.push({ ...(JSON.parse(row.meta) as Record<string, unknown>), fn: rest });
    }
    if (dirs.size > 0 || files.length > 0 || folder === '' || path.endsWith('/')) return [...[...dirs].sort(), ...files];
    // As Node-RED's file storage: a flow may be asked for without its `.json`.
    if (type === 'flows' && !path.endsWith('.json')) return getLibraryEntry(type, `${path}.json`);
    throw new Error(`Library Entry not found ${path}`);
  };
  return {
    init: async () => undefined,
    getFlows: () => read<unknown[]>('flows', []),
    async saveFlows(flows) {
      await write('flows', flows);
      options.onFlowsSaved?.();
    },
    getCredentials: () => read<Record<string, unknown>>('credentials', {}),
    saveCredentials: (credentials) => write('credentials', credentials),
    getSettings: () => read<Record<string, unknown>>('settings', {}),
    saveSettings: (settings) => write('settings', settings),
    getSessions: () => read<Record<string, unknown>>('sessions', {}),
    saveSessions: (sessions) => write('sessions', sessions),
    getLibraryEntry,
    async saveLibraryEntry(type, path, meta, body) {
      if (path.split('/').includes('..')) throw new Error(`Library path must not leave its folder: ${path}`);
      await sql.run(
        `INSERT INTO flow_library (type, path, meta, body, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (type, path) DO UPDATE SET meta = excluded.meta, body = excluded.body, updated_at = excluded.updated_at`,
        [type, path, JSON.stringify(meta), body, new Date().toISOString()],
      );
    },
  };
}
