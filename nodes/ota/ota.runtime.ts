import type { ThingMessage } from '../../domain/devices/thing-message.ts';
import { FINAL_UPGRADE_STATES, type OtaEvent } from '../../domain/ota/ota-schemas.ts';
import type { OtaVerdict } from '../../domain/ota/ota-service.ts';
import type { NodeConfig } from '../kit/define-node.ts';
import { implementNode } from '../kit/implement-node.ts';
import type { NodeMessage, NodeStatus } from '../kit/node-red-api.ts';
import type { ThingMeta } from '../kit/thing-flow-message.ts';
import { throttledStatus } from '../kit/throttled-status.ts';
import { ota } from './ota.def.ts';

type Config = NodeConfig<typeof ota>;

/** The message kinds this node hands to the OTA service. */
const OTA_KINDS: ReadonlySet<string> = new Set(['ota.inform', 'ota.progress', 'ota.get']);

const NO_SERVICE = 'OTA service not available';

/**
 * `msg.thing` of a device upgrade change: what alert and notify nodes read of a device message (which device, an
 * event and its identifier), and nothing a device message has that this is not (no message id, protocol or reply
 * token: the platform saw the change, the device did not send it).
 */
export type OtaEventThing = Pick<ThingMeta, 'productKey' | 'deviceName' | 'receivedAt'> & {
  kind: 'event.post';
  /** `ota_` + the upgrade's state: `ota_failed`, `ota_succeeded`, … */
  eventId: string;
};

/** What the node sends for one OTA change. */
export interface OtaEventMessage extends NodeMessage {
  topic: OtaEvent['type'];
  payload: OtaEvent;
  /** Only on `ota.device`. */
  thing?: OtaEventThing;
}

/**
 * Hands OTA uplinks to the OTA service (`services.ota`) and gives its verdict by the uplink's reply token; sends out
 * every OTA change the service announces, for as long as the node runs. Without the service (a stock Node-RED whose
 * settings leave it out) the node stays on the canvas saying so, and answers every report 503: the device hears at
 * once that nobody here handles firmware, rather than 504 at the reply timeout.
 */
export const otaNode = implementNode(ota, ({ config, node, services }) => {
  const service = services.ota;
  const status = throttledStatus(node);
  if (!service) {
    node.warn(`${NO_SERVICE}: the Node-RED settings have no thingwire.services.ota; reports are answered 503`);
    status.set({ fill: 'red', shape: 'ring', text: NO_SERVICE });
  }
  let reports = 0;
  let refused = 0;
  let last: { text: string; bad: boolean } | undefined;
  const showStatus = () => {
    const counts = `${reports} ${reports === 1 ? 'report' : 'reports'}${refused ? ` (${refused} refused)` : ''}`;
    const fill: NodeStatus['fill'] = last?.bad ? 'red' : 'green';
    status.set({ fill, shape: 'dot', text: last ? `${counts}, last: ${last.text}` : counts });
  };
  if (service) showStatus();

  const unsubscribe = service?.subscribe((event) => {
    try {
      last = summary(event);
      if (wanted(event, config.output)) node.send(eventMessage(event));
      showStatus();
    } catch (err) {
      // The service announces to every listener in turn; a failure here must stay this node's.
      node.error(`could not send an OTA change: ${err instanceof Error ? err.message : String(err)}`);
    }
  });

  return {
    async onInput(message, _send, done) {
      const thing = otaThing(message);
      const answer = (verdict: OtaVerdict) => {
        if (thing.replyToken) services.deviceHub.reply(thing.replyToken, verdict.code, verdict.data, verdict.text);
      };
      if (!service) {
        answer({ code: 503, text: NO_SERVICE });
        return done();
      }
      const { replyCode: _code, values: _values, dropped: _dropped, ...fields } = thing;
      // The ThingMessage device in made this message from: its params are msg.payload.
      const uplink: ThingMessage = { ...fields, params: message.payload };
      let verdict: OtaVerdict;
      try {
        verdict = await service.handle(uplink);
      } catch (err) {
        // The service promises a verdict for any device input; should it fail all the same, the device hears a server
        // error now instead of a timeout, and the failure goes to catch nodes.
        const reason = err instanceof Error ? err.message : String(err);
        answer({ code: 500, text: `OTA service failed: ${reason}` });
        throw err;
      }
      reports++;
      if (verdict.code >= 400) refused++;
      answer(verdict);
      showStatus();
      done();
    },
    onClose() {
      unsubscribe?.();
      status.dispose();
    },
  };
});

/** `msg.thing` of an OTA uplink; anything else is a wiring mistake, reported to catch nodes. */
function otaThing(message: NodeMessage): ThingMeta {
  const thing = message['thing'] as Partial<ThingMeta> | undefined;
  if (typeof thing !== 'object' || thing === null || !thing.productKey || !thing.deviceName || typeof thing.kind !== 'string') {
    throw new Error('not a device message: msg.thing with productKey, deviceName and kind is missing');
  }
  if (!OTA_KINDS.has(thing.kind)) {
    throw new Error(`not an OTA message: kind ${thing.kind}; connect a device in with the kinds ota.inform, ota.progress and ota.get`);
  }
  return thing as ThingMeta;
}

/** Whether the node's Output setting lets this change out. */
function wanted(event: OtaEvent, output: Config['output']): boolean {
  switch (output) {
    case 'all':
      return true;
    case 'ends':
      return event.type === 'ota.device' && FINAL_UPGRADE_STATES.has(event.upgrade.state);
    case 'problems':
      return event.type === 'ota.device' ? isFailure(event.upgrade.state) : event.change === 'stopped';
  }
}

function isFailure(state: string): boolean {
  return state === 'failed' || state === 'timed_out';
}

/** The flow message of one change (docs in the node's help). */
export function eventMessage(event: OtaEvent): OtaEventMessage {
  if (event.type === 'ota.campaign') return { topic: event.type, payload: event };
  const { upgrade } = event;
  const at = Date.parse(upgrade.updatedAt);
  return {
    topic: event.type,
    payload: event,
    thing: {
      productKey: upgrade.productKey,
      deviceName: upgrade.deviceName,
      kind: 'event.post',
      eventId: `ota_${upgrade.state}`,
      receivedAt: Number.isFinite(at) ? at : Date.now(),
    },
  };
}

/** The status's "last" part: short, and whether it is bad news. */
function summary(event: OtaEvent): { text: string; bad: boolean } {
  if (event.type === 'ota.device') {
    const { deviceName, state } = event.upgrade;
    return { text: `${deviceName} ${state.replace('_', ' ')}`, bad: isFailure(state) };
  }
  return { text: `campaign ${event.campaign.id} ${event.change}`, bad: event.change === 'stopped' };
}
