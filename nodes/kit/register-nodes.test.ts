import { Type } from '@sinclair/typebox';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defineNode } from './define-node.ts';
import { implementNode } from './implement-node.ts';
import {
  messagesTo,
  nextMessage,
  nodeTestHelper,
  onTab,
  settled,
  statusesOf,
  testServices,
  type NodeTestHelper,
} from './node-test-harness.ts';
import { registerNodes } from './register-nodes.ts';

/** A node at config version 2: version 1 called `count` `legacyCount`. */
const probe = defineNode({
  type: 'kit-probe',
  version: 2,
  label: 'probe',
  category: 'test',
  color: '#ccc',
  icon: 'font-awesome/fa-flask',
  inputs: 1,
  outputs: 1,
  config: Type.Object({
    count: Type.Integer({ title: 'Count', default: 3 }),
    loud: Type.Boolean({ title: 'Loud', default: false }),
  }),
  credentials: Type.Object({ token: Type.Optional(Type.String({ title: 'Token', 'x-secret': true })) }),
  migrations: [
    {
      from: 1,
      migrate: ({ legacyCount, ...rest }) => ({ ...rest, ...(legacyCount === undefined ? {} : { count: legacyCount }) }),
    },
  ],
  help: 'Test node.',
});

const closeLog: string[] = [];

const probeNode = implementNode(probe, ({ config, credentials }) => ({
  async onInput(message, send, done) {
    switch (message.payload) {
      case 'throw':
        throw new Error('thrown synchronously');
      case 'reject':
        await Promise.resolve();
        throw new Error('rejected later');
      default:
        send({ payload: { config, credentials } });
        done();
    }
  },
  async onClose(removed) {
    closeLog.push(`closing removed=${removed}`);
    await new Promise((resolve) => setImmediate(resolve));
    closeLog.push('closed');
  },
}));

// A synchronous throw needs a handler that is not async.
const syncThrower = implementNode({ ...probe, type: 'kit-sync-thrower', version: 1, migrations: [] }, () => ({
  onInput() {
    throw new Error('thrown synchronously');
  },
}));

const brokenFactory = implementNode({ ...probe, type: 'kit-broken', version: 1, migrations: [] }, () => {
  throw new Error('cannot open the port');
});

const register = (RED: unknown) => registerNodes(RED, [probeNode, syncThrower, brokenFactory]);

function flow(node: Record<string, unknown>) {
  return onTab([
    { id: 'n1', ...node, wires: [['out']] },
    { id: 'out', type: 'helper' },
    { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper' },
  ]);
}

describe('registerNodes', () => {
  let helper: NodeTestHelper;
  beforeAll(() => {
    helper = nodeTestHelper();
    helper.settings({ thingwire: { services: testServices(), registerNodes: register } });
  });
  afterEach(async () => {
    await helper.unload();
  });

  async function echo() {
    const out = nextMessage(helper, 'out');
    helper.getNode('n1').receive({ payload: 'echo' });
    return (await out)['payload'] as { config: unknown; credentials: unknown };
  }

  it('hands the factory a migrated, defaulted and coerced config and the credentials', async () => {
    // A version-1 node (no `v`) as Node-RED's editor stores it: numbers and flags as strings.
    await helper.load(register, flow({ type: 'kit-probe', legacyCount: '7', loud: 'true' }), { n1: { token: 's3cret' } });
    expect(await echo()).toEqual({ config: { count: 7, loud: true }, credentials: { token: 's3cret' } });
  });

  it('does not migrate a node saved at the current version', async () => {
    await helper.load(register, flow({ type: 'kit-probe', v: 2, count: 5, legacyCount: 9 }));
    expect((await echo()).config).toEqual({ count: 5, loud: false });
  });

  it.each([
    ['kit-sync-thrower', 'throw'],
    ['kit-probe', 'throw'],
    ['kit-probe', 'reject'],
  ])('passes an exception of %s (%s) to done(err), so Catch nodes see it, and keeps running', async (type, payload) => {
    await helper.load(register, flow({ type }));
    const caught = nextMessage(helper, 'caught');
    helper.getNode('n1').receive({ payload });
    const { error, payload: original } = await caught;
    expect((error as { message: string }).message).toMatch(/thrown synchronously|rejected later/);
    expect(original).toBe(payload);
    if (type === 'kit-probe') expect(await echo()).toMatchObject({ config: { count: 3 } });
  });

  it('waits for onClose when the flow stops', async () => {
    closeLog.length = 0;
    await helper.load(register, flow({ type: 'kit-probe' }));
    await helper.unload();
    // Stopping the runtime stops nodes without removing them from the flow.
    expect(closeLog).toEqual(['closing removed=false', 'closed']);
    // afterEach unloads again; load an empty flow so that is harmless.
    await helper.load(register, []);
  });

  it('leaves a node inert with a red status when its factory throws', async () => {
    await helper.load(register, flow({ type: 'kit-broken' }));
    expect(statusesOf(helper, 'n1')).toEqual([{ fill: 'red', shape: 'ring', text: 'failed to start: cannot open the port' }]);
    const out = messagesTo(helper, 'out');
    const caught = nextMessage(helper, 'caught');
    helper.getNode('n1').receive({ payload: 'echo' });
    expect(((await caught)['error'] as { message: string }).message).toContain('cannot open the port');
    await settled();
    expect(out).toEqual([]);
  });

  it('lists every config problem, and refuses a config saved by a newer version', async () => {
    await helper.load(register, flow({ type: 'kit-probe', count: 'many', loud: 'loudly' }));
    expect(statusesOf(helper, 'n1')[0]?.text).toBe('invalid config: Count must be a whole number (got "many")');
    await helper.unload();
    await helper.load(register, flow({ type: 'kit-probe', v: 3 }));
    expect(statusesOf(helper, 'n1').at(-1)?.text).toMatch(/^invalid config: config version 3 was saved by a newer release/);
  });

  it('refuses anything but a RED object', () => {
    expect(() => registerNodes({}, [probeNode])).toThrow(/RED object/);
  });
});
