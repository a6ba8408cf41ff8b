/**
 * Node-RED's storage on the platform database: the module on both databases (SQLite, and a real PostgreSQL), then
 * a server whose flows live in its database, deployed, restarted and running them again, with the credentials sealed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { REGISTRY_DIALECTS, registryDatabases } from '../testing/registry-databases.ts';
import { startTestServer } from '../testing/test-server.ts';
import { sqlFlowStorage } from './sql-flow-storage.ts';

const databases = registryDatabases();

describe.each(REGISTRY_DIALECTS)('flow storage on %s', (dialect) => {
  it('keeps the flows, credentials, settings and sessions, and answers empty ones before the first save', async () => {
    const saved: number[] = [];
    const storage = sqlFlowStorage(await databases.open(dialect), { onFlowsSaved: () => saved.push(1) });
    await storage.init({}, {});
    expect(await storage.getFlows()).toEqual([]);
    expect(await storage.getCredentials()).toEqual({});
    const flows = [{ id: 't1', type: 'tab', label: '温度' }, { id: 'n1', type: 'inject', z: 't1', wires: [] }];
    await storage.saveFlows(flows);
    await storage.saveFlows([...flows, { id: 'n2', type: 'debug', z: 't1', wires: [] }]);
    expect(await storage.getFlows()).toHaveLength(3);
    expect(saved).toEqual([1, 1]);
    await storage.saveCredentials({ $: 'sealed' });
    await storage.saveSettings({ _credentialSecret: 'x' });
    await storage.saveSessions({});
    expect([await storage.getCredentials(), await storage.getSettings(), await storage.getSessions()]).toEqual([{ $: 'sealed' }, { _credentialSecret: 'x' }, {}]);
  });

  it('keeps library entries and lists a folder as Node-RED\'s file storage does', async () => {
    const storage = sqlFlowStorage(await databases.open(dialect));
    await storage.saveLibraryEntry('functions', 'maths/add.js', { name: 'add', outputs: 1 }, 'return msg;');
    await storage.saveLibraryEntry('functions', 'maths/deep/mul.js', { name: 'mul' }, 'return null;');
    await storage.saveLibraryEntry('functions', 'top.js', { name: 'top' }, '// top');
    await storage.saveLibraryEntry('flows', 'sample.json', {}, '[]');
    expect(await storage.getLibraryEntry('functions', 'maths/add.js')).toBe('return msg;');
    expect(await storage.getLibraryEntry('functions', '')).toEqual(['maths', { name: 'top', fn: 'top.js' }]);
    expect(await storage.getLibraryEntry('functions', 'maths/')).toEqual(['deep', { name: 'add', outputs: 1, fn: 'add.js' }]);
    expect(await storage.getLibraryEntry('flows', 'sample')).toBe('[]');
    await expect(storage.getLibraryEntry('functions', 'nothing.js')).rejects.toThrow(/not found/);
    await expect(storage.saveLibraryEntry('functions', '../escape.js', {}, '')).rejects.toThrow(/must not leave/);
  });
});

describe('a server whose flows live in its database', () => {
  it('deploys into the database (no flows file, credentials sealed), runs them after a restart, and loads another node\'s deploy', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'thingwire-flowdb-'));
    // An HTTP endpoint, and a node with a credential (a basic-auth password on an outgoing request).
    const flows = [
      { id: 'tab1', type: 'tab', label: 'API' },
      { id: 'in1', type: 'http in', z: 'tab1', x: 100, y: 100, url: '/ping', method: 'get', public: true, wires: [['out1']] },
      { id: 'out1', type: 'http response', z: 'tab1', x: 300, y: 100, statusCode: '', headers: {}, wires: [] },
      {
        id: 'req1', type: 'http request', z: 'tab1', x: 300, y: 200, method: 'GET', ret: 'txt', url: 'http://127.0.0.1:9/', authType: 'basic',
        credentials: { user: 'robot', password: 'very-secret-password' }, wires: [[]],
      },
    ];
    try {
      let tw = await startTestServer({ dataDir, flowStorage: 'database' });
      try {
        const { rev } = (await tw.request('GET', '/api/v1/flows', { token: tw.adminToken })).body;
        const deployed = await tw.request('POST', '/api/v1/flows', { token: tw.adminToken, body: { flows, rev } });
        expect(deployed.status, JSON.stringify(deployed.body)).toBe(200);
        expect((await fetch(`${tw.url}/nodes/ping`)).status).toBe(200);
      } finally {
        await tw.close();
      }
      expect(fs.existsSync(path.join(dataDir, 'node-red', 'flows.json'))).toBe(false);
      const db = new Database(path.join(dataDir, 'thingwire.db'), { readonly: true });
      const rows = Object.fromEntries((db.prepare('SELECT name, body FROM flow_documents').all() as { name: string; body: string }[]).map((r) => [r.name, r.body]));
      db.close();
      expect(JSON.parse(rows.flows!).map((n: { id: string }) => n.id)).toEqual(flows.map((n) => n.id));
      expect(rows.credentials).toMatch(/^\{"\$":"/);
      expect(rows.credentials).not.toContain('very-secret-password');

      tw = await startTestServer({ dataDir, flowStorage: 'database' });
      try {
        expect((await fetch(`${tw.url}/nodes/ping`)).status).toBe(200);
        const after = await tw.request('GET', '/api/v1/flows', { token: tw.adminToken });
        expect(after.body.flows.map((n: { id: string }) => n.id)).toEqual(flows.map((n) => n.id));

        // Another node of a cluster deploys into the same database; this node loads and runs what it saved.
        const moved = flows.map((n) => (n.id === 'in1' ? { ...n, url: '/pong' } : n));
        const other = new Database(path.join(dataDir, 'thingwire.db'));
        other.prepare("UPDATE flow_documents SET body = ? WHERE name = 'flows'").run(JSON.stringify(moved));
        other.close();
        const rev = await tw.app.flows.reload();
        expect(rev).toBe((await tw.request('GET', '/api/v1/flows', { token: tw.adminToken })).body.rev);
        expect(rev).not.toBe(after.body.rev);
        expect((await fetch(`${tw.url}/nodes/pong`)).status).toBe(200);
        // The old endpoint is gone: nothing public answers there any more.
        expect((await fetch(`${tw.url}/nodes/ping`)).status).not.toBe(200);
      } finally {
        await tw.close();
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
