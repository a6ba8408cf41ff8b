import { createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../server/db/database.ts';
import { SqliteSql } from '../../server/db/sql.ts';
import { SecretBox } from '../../server/secrets/secret-box.ts';
import { WebhookOutbox } from '../../server/notify/webhook-outbox.ts';
import { settlement, startWebhookReceiver, type WebhookTestReceiver } from '../../server/notify/webhook-test-receiver.ts';
import { validateNodeConfig } from '../kit/config-validator.ts';
import { registerNodes } from '../kit/register-nodes.ts';
import { credentialTypes } from '../kit/schema-fields.ts';
import {
  messagesTo, nextMessage, nodeTestHelper, onTab, settled, statusesOf, testServices, type NodeTestHelper,
} from '../kit/node-test-harness.ts';
import { notify } from './notify.def.ts';
import { notifyNode } from './notify.runtime.ts';

const SECRET = 'node-secret-0123456789';

/** notify → out, plus a catch node; extra node config per test. */
function pipeline(config: Record<string, unknown>) {
  return onTab([
    { id: 'notify', type: 'notify', name: '', ...config, wires: [['out']] },
    { id: 'out', type: 'helper' },
    { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper' },
  ]);
}

describe('notify', () => {
  let helper: NodeTestHelper;
  let dir: string;
  let sql: SqliteSql;
  let outbox: WebhookOutbox;
  let hook: WebhookTestReceiver;
  const register = (RED: unknown) => registerNodes(RED, [notifyNode]);

  beforeAll(async () => {
    helper = nodeTestHelper();
    hook = await startWebhookReceiver();
  });
  afterAll(async () => {
    await hook.close();
  });
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thingwire-notify-node-'));
    sql = new SqliteSql(openDatabase(path.join(dir, 'thingwire.db')));
    // The receiver listens on 127.0.0.1, which the outbox refuses unless it is allowed.
    outbox = new WebhookOutbox(sql, new SecretBox(randomBytes(32)), pino({ level: 'silent' }), { outbound: { allowCidrs: ['127.0.0.1/32'] } });
    await outbox.startDelivery();
    hook.requests.length = 0;
  });
  afterEach(async () => {
    await helper.unload();
    await outbox.close();
    await sql.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function load(
    config: Record<string, unknown>,
    options: { secret?: string | null; headers?: Record<string, string>; withOutbox?: boolean } = {},
  ) {
    const services = testServices({}, options.withOutbox === false ? {} : { notify: outbox });
    helper.settings({ thingwire: { services, registerNodes: register } });
    const secret = options.secret === undefined ? SECRET : options.secret;
    const credentials = { ...(secret === null ? {} : { secret }), ...(options.headers ? { headers: options.headers } : {}) };
    await helper.load(register, pipeline(config), { notify: credentials });
  }

  it('turns a message into one signed delivery and passes it on once stored, with msg.notification', async () => {
    await load({ url: hook.url });
    const out = nextMessage(helper, 'out');
    helper.getNode('notify').receive({ payload: { temperature: 21.5 }, topic: 'hall' });
    const message = await out;
    const { id } = message['notification'] as { id: string };
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(message.payload).toEqual({ temperature: 21.5 });

    expect(await settlement(outbox, id)).toMatchObject({ state: 'delivered', nodeId: 'notify', attempts: 1 });
    expect(hook.requests).toHaveLength(1);
    const [request] = hook.requests;
    expect(request!.body).toBe('{"temperature":21.5}');
    const timestamp = String(request!.headers['x-thingwire-timestamp']);
    const expected = 'sha256=' + createHmac('sha256', SECRET).update(`${timestamp}.${request!.body}`).digest('hex');
    expect(request!.headers['x-thingwire-signature']).toBe(expected);
    expect(request!.headers['x-thingwire-notification-id']).toBe(id);
    expect((await outbox.list({ nodeId: 'notify' }, { limit: 10, offset: 0 })).total).toBe(1);
    expect(statusesOf(helper, 'notify')[0]).toEqual({ fill: 'blue', shape: 'ring', text: '1 waiting, 0 delivered, 0 failed' });
  });

  it('sends the whole message, without http-in\'s req and res, with its configured headers and limits', async () => {
    await load({ url: hook.url, body: 'message', timeoutMs: '2000', maxAttempts: '3', v: 2 }, { headers: { 'X-Site': 'plant-3' } });
    const out = nextMessage(helper, 'out');
    helper.getNode('notify').receive({ _msgid: 'm-1', payload: 7, topic: 'alarm', req: { socket: {} }, res: { _res: {} } });
    const { id } = (await out)['notification'] as { id: string };
    await settlement(outbox, id);
    expect(JSON.parse(hook.requests[0]!.body)).toEqual({ _msgid: 'm-1', payload: 7, topic: 'alarm' });
    expect(hook.requests[0]!.headers['x-site']).toBe('plant-3');
    expect(await outbox.get(id)).toMatchObject({ maxAttempts: 3, headerNames: ['X-Site'] });
  });

  it('keeps its headers with the secret, as password-type credentials Node-RED stores encrypted and never hands back', () => {
    expect(credentialTypes(notify.credentials!)).toEqual({ secret: { type: 'password' }, headers: { type: 'password' } });
    expect(notify.config.properties).not.toHaveProperty('headers');
  });

  it('moves a version-1 node\'s headers out of the flow JSON into its credentials', () => {
    const v1 = { id: 'n1', type: 'notify', z: 't1', url: 'https://hooks.example.com/in', headers: { Authorization: 'Bearer t0k3n' }, wires: [[]] };
    const [migration] = notify.migrations!;
    expect(migration!.migrate(structuredClone(v1))).toEqual({
      id: 'n1', type: 'notify', z: 't1', url: 'https://hooks.example.com/in', wires: [[]], credentials: { headers: { Authorization: 'Bearer t0k3n' } },
    });
    // Beside a secret typed in the same edit; headers typed in the same edit are newer and win.
    expect(migration!.migrate({ ...structuredClone(v1), credentials: { secret: SECRET } })['credentials']).toEqual({
      secret: SECRET, headers: { Authorization: 'Bearer t0k3n' },
    });
    expect(migration!.migrate({ ...structuredClone(v1), credentials: { headers: { 'X-New': '1' } } })['credentials']).toEqual({ headers: { 'X-New': '1' } });
    // No headers (or the old default, none): the stored credentials are left as they are.
    expect(migration!.migrate({ id: 'n2', type: 'notify', headers: {} })).toEqual({ id: 'n2', type: 'notify' });
    expect(validateNodeConfig(notify, v1)).toEqual({
      ok: true, config: { url: 'https://hooks.example.com/in', method: 'POST', body: 'payload', timeoutMs: 5000, maxAttempts: 8 },
    });
  });

  it('runs a version-1 node from its credentials, whatever its old config still says', async () => {
    await load({ url: hook.url, headers: {} }, { headers: { Authorization: 'Bearer from-credentials' } });
    const out = nextMessage(helper, 'out');
    helper.getNode('notify').receive({ payload: 1 });
    const { id } = (await out)['notification'] as { id: string };
    expect(await settlement(outbox, id)).toMatchObject({ state: 'delivered' });
    expect(hook.requests[0]!.headers.authorization).toBe('Bearer from-credentials');
  });

  it('refuses at deploy an IP address the platform does not call, saying how to allow it', async () => {
    await load({ url: 'http://169.254.169.254/latest/meta-data/' });
    expect(statusesOf(helper, 'notify')).toEqual([{
      fill: 'red', shape: 'ring',
      text: 'failed to start: refused: webhook address 169.254.169.254 is a link-local address; allow it with --webhook-allow-cidrs 169.254.169.254/32 or --allow-private-webhooks',
    }]);
    const caught = nextMessage(helper, 'caught');
    helper.getNode('notify').receive({ payload: 1 });
    expect(((await caught)['error'] as { message: string }).message).toContain('refused: webhook address 169.254.169.254');
    expect((await outbox.stats()).pending).toBe(0);
  });

  it('refuses a header Thingwire sets itself at deploy, from the credentials too', async () => {
    await load({ url: hook.url }, { headers: { 'X-Thingwire-Signature': 'forged' } });
    expect(statusesOf(helper, 'notify')).toEqual([
      { fill: 'red', shape: 'ring', text: 'failed to start: header X-Thingwire-Signature is set by Thingwire itself' },
    ]);
  });

  it('fails a message it cannot send as JSON to the catch node, and sends nothing', async () => {
    await load({ url: hook.url });
    const out = messagesTo(helper, 'out');
    const caught = nextMessage(helper, 'caught');
    helper.getNode('notify').receive({ payload: { big: 10n } });
    const error = (await caught)['error'] as { message: string };
    expect(error.message).toBe('Error: msg.payload cannot be sent as JSON: Do not know how to serialize a BigInt');
    await settled();
    expect(out).toEqual([]);
    expect((await outbox.stats()).pending).toBe(0);
  });

  it('with an invalid URL shows a red status, stays inert and fails each input to the catch node', async () => {
    await load({ url: 'ftp://files.example.com/drop' });
    expect(statusesOf(helper, 'notify')).toEqual([
      { fill: 'red', shape: 'ring', text: 'invalid config: URL must match pattern "^https?://\\S+$" (got "ftp://files.example.com/drop")' },
    ]);
    const out = messagesTo(helper, 'out');
    const caught = nextMessage(helper, 'caught');
    helper.getNode('notify').receive({ payload: 1 });
    expect(((await caught)['error'] as { message: string }).message).toContain('invalid config');
    await settled();
    expect(out).toEqual([]);
    expect((await outbox.stats()).pending).toBe(0);
  });

  it('refuses a URL with credentials at deploy, not per message', async () => {
    await load({ url: 'https://user:pw@hooks.example.com/in' });
    expect(statusesOf(helper, 'notify')).toEqual([
      { fill: 'red', shape: 'ring', text: 'failed to start: URL must not contain a user name or password; send credentials in a header' },
    ]);
  });

  it('needs a secret of at least 16 characters', async () => {
    await load({ url: hook.url }, { secret: null });
    expect(statusesOf(helper, 'notify')).toEqual([{ fill: 'red', shape: 'ring', text: 'invalid config: Secret is required' }]);
    await helper.unload();
    await load({ url: hook.url }, { secret: 'short' });
    expect(statusesOf(helper, 'notify')[0]?.text).toMatch(/^invalid config: Secret must NOT have fewer than 16 characters/);
  });

  it('stays inert with a red status when the platform has no notification outbox', async () => {
    await load({ url: hook.url }, { withOutbox: false });
    expect(statusesOf(helper, 'notify')).toEqual([
      { fill: 'red', shape: 'ring', text: 'failed to start: the notification outbox is not available' },
    ]);
  });
});
