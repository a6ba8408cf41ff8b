/**
 * Drafts and published versions (thing models, codecs) on both registry databases (SQLite, and a real PostgreSQL):
 * publishes numbered one after another also when two arrive at once, the latest kept in memory and read back at start.
 */
import { describe, expect, it } from 'vitest';
import { conflict } from '../errors.ts';
import { REGISTRY_DIALECTS, registryDatabases } from '../testing/registry-databases.ts';
import { DraftVersions } from './draft-versions.ts';
import type { Sql } from './sql.ts';

const databases = registryDatabases();
const at = new Date().toISOString();
const tables = { drafts: 'product_codec_drafts', versions: 'product_codec_versions', body: 'source' };

async function product(sql: Sql, productKey: string): Promise<void> {
  await sql.run(`INSERT INTO products (product_key, name, dialect, sign_methods, timestamp_window_seconds, require_timestamp, dynamic_registration, product_secret, created_at, updated_at)
    VALUES (?, 'P', 'alink', '[]', 300, 0, 0, 'sealed', ?, ?)`, [productKey, at, at]);
}

describe.each(REGISTRY_DIALECTS)('drafts and versions on %s', (dialect) => {
  it('numbers publishes one after another, also two at once, and refuses what the check refuses', async () => {
    const sql = await databases.open(dialect);
    await product(sql, 'p1');
    const store = new DraftVersions(sql, tables);
    await store.saveDraft('p1', 'function decode() {}', 'eng');
    await store.saveDraft('p1', 'function decode() { return []; }', 'eng');
    expect(await store.draft('p1')).toMatchObject({ body: 'function decode() { return []; }', updated_by: 'eng' });

    const [a, b] = await Promise.all([store.publishNext('p1', 'A', 'eng', () => undefined), store.publishNext('p1', 'B', 'ops', () => undefined)]);
    expect([a.version, b.version].sort()).toEqual([1, 2]);
    expect(store.latestInMemory('p1')).toEqual({ version: 2, body: a.version === 2 ? 'A' : 'B' });
    await expect(store.publishNext('p1', 'C', 'eng', (latest, next) => {
      throw conflict('unchanged', `latest ${latest?.version}, next ${next}`);
    })).rejects.toMatchObject({ status: 409, message: 'latest 2, next 3' });
    expect((await store.versions('p1')).map((v) => v.version)).toEqual([2, 1]);
    expect(await store.version('p1', 3)).toBeUndefined();

    // Another process (a restart, another node) reads the latest of every product.
    await product(sql, 'p2');
    const other = new DraftVersions(sql, tables);
    await other.publishNext('p2', 'X', 'eng', () => undefined);
    const fresh = new DraftVersions(sql, tables);
    expect(fresh.latestVersion('p1')).toBeNull();
    await fresh.load();
    expect([...fresh.allLatest()].sort()).toEqual([['p1', store.latestInMemory('p1')], ['p2', { version: 1, body: 'X' }]]);
    fresh.forget('p2');
    expect(fresh.latestVersion('p2')).toBeNull();
  });
});
