import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../db/database.ts';
import { createLogger } from '../logger.ts';
import { createRegistry, type Registry } from '../registry.ts';
import type { DeviceChange } from '../registry-events.ts';
import { SecretBox } from '../secrets/secret-box.ts';

// What the device hub builds on and no HTTP route shows: registry events and the credentials lookup.
let dir: string;
let db: Db;
let registry: Registry;
beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thingwire-registry-'));
  db = openDatabase(path.join(dir, 'thingwire.db'));
  registry = createRegistry(db, new SecretBox(randomBytes(32)), createLogger('silent'));
  await registry.products.create({ productKey: 'pk', name: 'product' });
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('device.changed events', () => {
  it('tells listeners when a device is disabled, re-enabled, rotated or deleted, once per real change', () => {
    const seen: DeviceChange['change'][] = [];
    registry.events.on('device.changed', (e) => {
      expect(e).toMatchObject({ productKey: 'pk', deviceName: 'dn' });
      seen.push(e.change);
    });
    registry.devices.create({ productKey: 'pk', deviceName: 'dn' });
    registry.devices.update('pk', 'dn', { enabled: false });
    registry.devices.update('pk', 'dn', { enabled: false });
    registry.devices.update('pk', 'dn', { enabled: true, description: 'back' });
    registry.devices.rotateSecret('pk', 'dn');
    registry.devices.delete('pk', 'dn');
    expect(seen).toEqual(['created', 'disabled', 'enabled', 'updated', 'secret-rotated', 'deleted']);
  });

  it('are not emitted for a bulk create that failed', () => {
    const seen: DeviceChange[] = [];
    registry.events.on('device.changed', (e) => seen.push(e));
    registry.devices.create({ productKey: 'pk', deviceName: 'taken' });
    seen.length = 0;
    expect(() => registry.devices.createMany([{ productKey: 'pk', deviceName: 'new' }, { productKey: 'pk', deviceName: 'taken' }]))
      .toThrow(/already has a device named "taken"/);
    expect(seen).toEqual([]);
    expect(registry.devices.exists('pk', 'new')).toBe(false);
  });
});

describe('credentialsFor', () => {
  it('gives the current plain secret and the enabled flag, and nothing for an unknown device', () => {
    const { deviceSecret } = registry.devices.create({ productKey: 'pk', deviceName: 'dn' });
    expect(registry.devices.credentialsFor('pk', 'dn')).toEqual({ secret: deviceSecret, enabled: true });

    const rotated = registry.devices.rotateSecret('pk', 'dn');
    registry.devices.update('pk', 'dn', { enabled: false });
    expect(registry.devices.credentialsFor('pk', 'dn')).toEqual({ secret: rotated, enabled: false });

    expect(registry.devices.credentialsFor('pk', 'other')).toBeUndefined();
    expect(registry.devices.credentialsFor('other', 'dn')).toBeUndefined();
  });
});
