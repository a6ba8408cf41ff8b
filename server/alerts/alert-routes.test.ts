import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../domain/auth/permissions.ts';
import { openDatabase, type Db } from '../db/database.ts';
import { SqliteSql } from '../db/sql.ts';
import { RouteTable } from '../http/route-table.ts';
import { serveRouteTable } from '../testing/route-table-server.ts';
import type { TestJson } from '../testing/test-server.ts';
import { AlertEngine } from './alert-engine.ts';
import type { AlertRuleRun, AlertTransition } from '../../domain/alerts/alert-service.ts';
import type { AlertInput } from '../../domain/alerts/alert-rule.ts';
import { registerAlertRoutes } from './alert-routes.ts';
import { AlertStore } from './alert-store.ts';
import { ManualAlertClock } from '../testing/manual-alert-clock.ts';

// The routes on a RouteTable mounted as app.ts mounts it; the bearer token is the role (auth has its own tests).
let dir: string;
let db: Db;
let engine: AlertEngine;
let run: AlertRuleRun;
let served: Awaited<ReturnType<typeof serveRouteTable>> | undefined;
let base: string;
/** What the rule's node would have heard. */
const heard: AlertTransition['transition'][] = [];
const audits: { actor: string; action: string; target: string | null }[] = [];
const clock = new ManualAlertClock();

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thingwire-alert-routes-'));
  db = openDatabase(path.join(dir, 'thingwire.db'));
  engine = new AlertEngine(new AlertStore(new SqliteSql(db)), { logger: pino({ level: 'silent' }), clock });
  run = engine.startRule(
    {
      id: 'hot', name: 'Hot', nodeId: 'hot', severity: 'critical', productKey: '', messageTemplate: '',
      kind: 'threshold', property: 'temperature', raise: { operator: '>', value: 30 }, forMs: 0, clear: { operator: '<', value: 28 },
    },
    (t) => heard.push(t.transition),
  );
  engine.startRule(
    { id: 'gone', name: 'Gone', nodeId: 'gone', severity: 'warning', productKey: '', messageTemplate: '', kind: 'offline', offlineMs: 60_000 },
    () => {},
  ).evaluate({ productKey: 'lamp', deviceName: 'porch', kind: 'state', payload: { status: 'offline' }, receivedAt: clock.now() - 120_000 });
  await engine.idle();

  const table = new RouteTable();
  registerAlertRoutes(table, engine, { audit: async (actor, action, target) => void audits.push({ actor, action, target }) });
  served = await serveRouteTable(table);
  base = served.base;
});

afterAll(async () => {
  await engine?.close();
  db?.close();
  await served?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function call(method: string, url: string, role: Role | null = 'operator') {
  const res = await fetch(base + url, { method, headers: role ? { authorization: `Bearer ${role}` } : {} });
  return { status: res.status, body: (await res.json()) as TestJson };
}

function temperature(value: number, deviceName: string): AlertInput {
  return {
    productKey: 'thermo', deviceName, kind: 'property.post', payload: { temperature: value },
    values: [{ identifier: 'temperature', value, time: clock.now() }],
  };
}

/** Raises a fresh alert of the `hot` rule for the device and returns its id. */
async function raise(deviceName: string): Promise<number> {
  run.evaluate(temperature(35, deviceName));
  await engine.idle();
  return (await engine.list({ ruleId: 'hot', deviceName, state: 'open' }, { limit: 1, offset: 0 })).items[0]!.id;
}

describe('GET /alerts', () => {
  it('lists alerts newest first, a page at a time, filtered by state, severity, product, device and rule', async () => {
    await raise('hall');
    await raise('attic');

    const all = await call('GET', '/alerts');
    expect(all.status).toBe(200);
    expect(all.body.items.map((a: { deviceName: string }) => a.deviceName)).toEqual(['attic', 'hall', 'porch']);
    expect(all.body).toMatchObject({ total: 3, limit: 50, offset: 0 });

    const page = await call('GET', '/alerts?limit=1&offset=1');
    expect(page.body).toMatchObject({ total: 3, limit: 1, offset: 1, items: [{ deviceName: 'hall' }] });

    const filtered = async (query: string) =>
      (await call('GET', `/alerts?${query}`)).body.items.map((a: { productKey: string; deviceName: string }) => `${a.productKey}/${a.deviceName}`);
    expect(await filtered('severity=warning')).toEqual(['lamp/porch']);
    expect(await filtered('productKey=thermo&deviceName=hall')).toEqual(['thermo/hall']);
    expect(await filtered('ruleId=gone')).toEqual(['lamp/porch']);
    expect(await filtered('state=open&ruleId=hot')).toEqual(['thermo/attic', 'thermo/hall']);
    expect(await filtered('state=cleared')).toEqual([]);
  });

  it('refuses an unknown state filter with the error envelope, and callers who are not signed in', async () => {
    const bad = await call('GET', '/alerts?state=sleeping');
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('validation_failed');
    expect((await call('GET', '/alerts', null)).status).toBe(401);
  });
});

describe('GET /alerts/:id', () => {
  it('answers one alert, 404 for an unknown one', async () => {
    const id = await raise('cellar');
    const one = await call('GET', `/alerts/${id}`);
    expect(one.body).toMatchObject({
      id, ruleId: 'hot', kind: 'threshold', productKey: 'thermo', deviceName: 'cellar', severity: 'critical', state: 'active',
      value: 35, message: 'temperature 35 (> 30)', details: { property: 'temperature', operator: '>', threshold: 30 },
    });
    const missing = await call('GET', '/alerts/99999');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
  });
});

describe('POST /alerts/:id/acknowledge and /clear', () => {
  it('acknowledge: recorded and audited, the rule\'s node sends nothing, a second one answers 409 saying who', async () => {
    const id = await raise('kitchen');
    heard.length = 0;
    const res = await call('POST', `/alerts/${id}/acknowledge`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, state: 'acknowledged', acknowledgedBy: 'operator1', acknowledgedAt: expect.any(String) });
    expect(heard).toEqual(['acknowledged']);
    expect(audits.at(-1)).toEqual({ actor: 'operator1', action: 'alert.acknowledge', target: `alert:${id}` });

    const again = await call('POST', `/alerts/${id}/acknowledge`, 'engineer');
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'alert_acknowledged', message: expect.stringContaining('by operator1') });

    // Acknowledged alerts still clear on their own.
    run.evaluate(temperature(20, 'kitchen'));
    await engine.idle();
    expect((await call('GET', `/alerts/${id}`)).body).toMatchObject({ state: 'cleared', clearedBy: null, acknowledgedBy: 'operator1' });
    expect(heard).toEqual(['acknowledged', 'cleared']);
  });

  it('clear: records who, makes the rule emit cleared once, and answers 409 when cleared already', async () => {
    const id = await raise('garage');
    heard.length = 0;
    const res = await call('POST', `/alerts/${id}/clear`, 'engineer');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, state: 'cleared', clearedBy: 'engineer1', clearedAt: expect.any(String) });
    expect(heard).toEqual(['cleared']);
    expect(audits.at(-1)).toEqual({ actor: 'engineer1', action: 'alert.clear', target: `alert:${id}` });

    const again = await call('POST', `/alerts/${id}/clear`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('alert_cleared');
    expect((await call('POST', `/alerts/${id}/acknowledge`)).body.error.code).toBe('alert_cleared');
    run.evaluate(temperature(20, 'garage'));
    await engine.idle();
    expect(heard).toEqual(['cleared']);
  });

  it('needs a signed-in caller and answers 404 for an unknown alert', async () => {
    expect((await call('POST', '/alerts/1/clear', null)).status).toBe(401);
    expect((await call('POST', '/alerts/99999/acknowledge')).status).toBe(404);
  });
});
