import { propertyRowsFromMessage } from '../../domain/telemetry/telemetry-rows.ts';
import type { EventRow, PropertyRow } from '../../domain/telemetry/telemetry-rows.ts';
import type { PropertyValue } from '../../domain/thing-model/compiled-thing-model.ts';
import { implementNode } from '../kit/implement-node.ts';
import type { NodeMessage } from '../kit/node-red-api.ts';
import type { ThingFlowMessage, ThingMeta } from '../kit/thing-flow-message.ts';
import { throttledStatus } from '../kit/throttled-status.ts';
import { telemetryStore } from './telemetry-store.def.ts';

/** Submits each device message to the platform's telemetry writer; passes it on after the commit that holds it. */
export const telemetryStoreNode = implementNode(telemetryStore, ({ config, node, services }) => {
  const telemetry = services.telemetry;
  if (!telemetry) throw new Error('telemetry storage is not available in this runtime');
  let stored = 0;
  let refused = 0;
  let skipped = 0;
  const status = throttledStatus(node);
  const counts = () => {
    const queued = telemetry.queuedRows?.() ?? 0;
    const fill = refused ? 'red' : skipped ? 'yellow' : 'green';
    return { fill, shape: 'dot', text: `${stored} stored${refused ? `, ${refused} refused` : ''}${skipped ? `, ${skipped} values skipped` : ''}${queued > 1000 ? `, ${queued} queued` : ''}` } as const;
  };
  const showStatus = () => status.set(counts);
  const answer = (thing: ThingMeta, code: number, text?: string, durable = false) => {
    if (config.reply && thing.replyToken) services.deviceHub.reply(thing.replyToken, code, {}, text, { durable });
  };
  const fail = (message: NodeMessage, thing: ThingMeta | undefined, code: number, text: string) => {
    refused++;
    message['error'] = { code, message: text, details: [] };
    if (thing) {
      thing.replyCode = code;
      answer(thing, code, text);
    }
  };

  return {
    onInput(message, send, done) {
      const thing = (message as Partial<ThingFlowMessage>).thing;
      if (!thing || typeof thing.kind !== 'string') {
        fail(message, undefined, 400, 'not a device message: msg.thing is missing; connect this node after device in / thing validate');
        send([null, message]);
        showStatus();
        return done();
      }
      const rows = rowsOf(message as ThingFlowMessage);
      if (!rows) {
        send([message, null]);
        return done();
      }
      // The message's receipt goes into the commit that stores its rows: a device resending it after a crash is then
      // answered from the receipt rather than stored twice, and the device may be acknowledged at once (durable).
      const receipt = config.reply && telemetry.receiptsWithRows && thing.fingerprint !== undefined && rows.items > 0
        ? { productKey: thing.productKey, deviceName: thing.deviceName, msgId: thing.id, fingerprint: thing.fingerprint, code: 200, reason: null, at: Date.now() }
        : undefined;
      const accepted = telemetry.submit(rows.properties, rows.events, (err, skippedItems) => {
        if (err) {
          fail(message, thing, 500, `storing failed: ${err.message}`);
          send([null, message]);
        } else if (skippedItems.length > 0 && skippedItems.length >= rows.items) {
          // Nothing of it was stored: the device must not hear 200.
          skipped += skippedItems.length;
          const first = skippedItems[0]!;
          fail(message, thing, 500, `not stored: ${first.identifier}: ${first.detail || first.reason}${skippedItems.length > 1 ? ` (and ${skippedItems.length - 1} more)` : ''}`);
          send([null, message]);
        } else {
          stored++;
          if (skippedItems.length > 0) {
            skipped += skippedItems.length;
            (thing as ThingMeta & { skipped?: unknown }).skipped = skippedItems.map((s) => ({ identifier: s.identifier, reason: s.reason, detail: s.detail }));
          }
          answer(thing, 200, undefined, receipt !== undefined);
          send([message, null]);
        }
        showStatus();
        done();
      }, receipt);
      if (!accepted) {
        fail(message, thing, 503, 'the platform is overloaded: telemetry queue full; send again later');
        send([null, message]);
        showStatus();
        done();
      }
    },
    onClose() {
      status.dispose();
    },
  };
});

/** The rows a message stores; undefined for kinds that are not telemetry. */
function rowsOf(msg: ThingFlowMessage): { properties: PropertyRow[]; events: EventRow[]; items: number } | undefined {
  const thing = msg.thing;
  const receivedAt = thing.receivedAt ?? Date.now();
  if (thing.kind === 'property.post') {
    const values: PropertyValue[] = thing.values ?? Object.entries(isRecord(msg.payload) ? msg.payload : {}).map(([identifier, value]) => ({ identifier, value }));
    return { properties: propertyRowsFromMessage({ productKey: thing.productKey, deviceName: thing.deviceName, deviceTime: thing.deviceTime, receivedAt }, values), events: [], items: values.length };
  }
  if (thing.kind === 'event.post' && thing.eventId) {
    const data = isRecord(msg.payload) ? msg.payload : { value: msg.payload };
    return {
      properties: [],
      events: [{ productKey: thing.productKey, deviceName: thing.deviceName, ts: thing.deviceTime ?? receivedAt, receivedAt, eventId: thing.eventId, data }],
      items: 1,
    };
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
