import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../db/database.ts';
import { SqliteSql } from '../db/sql.ts';
import { createLogger } from '../logger.ts';
import { createRegistry, type Registry } from '../registry.ts';
import { SecretBox } from '../secrets/secret-box.ts';

// compiledFor is the platform service flow nodes validate device messages with; it has no HTTP route.
const switchTsl = {
  properties: [{ identifier: 'on', name: 'On', accessMode: 'rw', dataType: { type: 'bool', specs: { 0: 'off', 1: 'on' } } }],
};
const dimmerTsl = {
  properties: [
    ...switchTsl.properties,
    { identifier: 'level', name: 'Level', accessMode: 'rw', dataType: { type: 'int', specs: { min: '0', max: '100' } } },
  ],
};

let dir: string;
let db: Db;
let registry: Registry;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thingwire-registry-'));
  db = openDatabase(path.join(dir, 'thingwire.db'));
  registry = createRegistry(new SqliteSql(db), new SecretBox(randomBytes(32)), createLogger('silent'));
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const publish = async (productKey: string, doc: object) => {
  await registry.thingModels.saveDraft(productKey, doc, 'test');
  return registry.thingModels.publish(productKey, 'test');
};

describe('compiledFor: the thing model device messages are validated against', () => {
  it('is undefined before the first publish, then always the latest published version', async () => {
    await registry.products.create({ productKey: 'lamp', name: 'lamp' });
    await registry.thingModels.saveDraft('lamp', switchTsl, 'test');
    expect(registry.thingModels.compiledFor('lamp')).toBeUndefined();

    await registry.thingModels.publish('lamp', 'test');
    const v1 = registry.thingModels.compiledFor('lamp')!;
    expect(v1.version).toBe(1);
    expect(v1.validatePropertyPost({ on: 1 }).ok).toBe(true);
    expect(v1.validatePropertyPost({ level: 50 })).toMatchObject({ ok: false, code: 404 });
    expect(registry.thingModels.compiledFor('lamp')).toBe(v1);

    await publish('lamp', dimmerTsl);
    const v2 = registry.thingModels.compiledFor('lamp')!;
    expect(v2.version).toBe(2);
    expect(v2.validatePropertyPost({ level: 50 }).ok).toBe(true);
    expect(registry.thingModels.compiledFor('unknown')).toBeUndefined();
  });

  it('never answers with the model of a deleted product that had the same key', async () => {
    await registry.products.create({ productKey: 'lamp', name: 'dimmer' });
    await publish('lamp', dimmerTsl);
    expect(registry.thingModels.compiledFor('lamp')!.validatePropertyPost({ level: 50 }).ok).toBe(true);
    await registry.products.delete('lamp');
    expect(registry.thingModels.compiledFor('lamp')).toBeUndefined();

    await registry.products.create({ productKey: 'lamp', name: 'switch' });
    await publish('lamp', switchTsl);
    const again = registry.thingModels.compiledFor('lamp')!;
    expect(again.version).toBe(1);
    expect(again.validatePropertyPost({ level: 50 })).toMatchObject({ ok: false, code: 404 });
  });

  it('emits thing-model.published with the new version', async () => {
    await registry.products.create({ productKey: 'lamp', name: 'lamp' });
    const seen: unknown[] = [];
    registry.events.on('thing-model.published', (e) => seen.push(e));
    await publish('lamp', switchTsl);
    expect(seen).toEqual([{ productKey: 'lamp', version: 1 }]);
  });
});
