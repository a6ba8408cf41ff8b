import type { DeviceUpgradeRequest } from '../../domain/ota/ota-service.ts';
import { implementNode } from '../kit/implement-node.ts';
import type { NodeMessage } from '../kit/node-red-api.ts';
import { throttledStatus } from '../kit/throttled-status.ts';
import { otaUpgrade } from './ota-upgrade.def.ts';

/** Output 2's `msg.payload`: why the device was not upgraded, and what was asked. */
export interface RefusalPayload {
  reason: string;
  /** The service's error code when it gives one: `not_upgradable` (the device does not qualify), `not_found` (no such firmware), … */
  code?: string;
  productKey: string;
  deviceName: string;
  module: string;
  version?: string;
}

/**
 * Asks the OTA service (`services.ota`) to upgrade the device of each message. What the service refuses (or fails
 * with) goes to output 2 as a reason, because refusals are routine: every start of a device that is up to date is one.
 */
export const otaUpgradeNode = implementNode(otaUpgrade, ({ config, node, services }) => {
  const service = services.ota;
  if (!service) throw new Error('OTA service not available (settings.thingwire.services.ota)');
  // Campaigns record who created them; the drawn node, also inside a subflow instance.
  const actor = `node:${(node as { _alias?: string })._alias ?? node.id}`;
  const status = throttledStatus(node);
  let started = 0;
  let refused = 0;
  let lastReason = '';
  let lastRefused = false;
  const showStatus = () => {
    const text = `${started} started, ${refused} refused${lastReason ? ` (last: ${lastReason})` : ''}`;
    status.set({ fill: lastRefused ? 'yellow' : 'green', shape: 'dot', text });
  };

  return {
    onInput(message, send, done) {
      const request: DeviceUpgradeRequest = {
        ...deviceOf(message),
        module: config.module,
        ...(config.version ? { version: config.version } : {}),
        // A device's version report: the service records it first, whether or not the ota node has yet.
        ...((message['thing'] as { kind?: unknown } | undefined)?.kind === 'ota.inform' ? { reported: message.payload } : {}),
      };
      service.upgradeDevice(request, actor).then((campaign) => {
        message.payload = campaign;
        started++;
        lastRefused = false;
        send([message, null]);
        showStatus();
        done();
      }, (err: unknown) => {
        lastReason = err instanceof Error ? err.message : String(err);
        refused++;
        lastRefused = true;
        const payload: RefusalPayload = { reason: lastReason, productKey: request.productKey, deviceName: request.deviceName, module: config.module };
        const code = (err as { code?: unknown } | null)?.code;
        if (typeof code === 'string') payload.code = code;
        if (request.version) payload.version = request.version;
        message.payload = payload;
        send([null, message]);
        showStatus();
        done();
      });
    },
    onClose() {
      status.dispose();
    },
  };
});

/** The device a message names: `msg.thing`, else `msg.payload`; a message naming none is a wiring mistake. */
function deviceOf(message: NodeMessage): { productKey: string; deviceName: string } {
  const named = (value: unknown) => {
    const { productKey, deviceName } = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
    return typeof productKey === 'string' && productKey && typeof deviceName === 'string' && deviceName ? { productKey, deviceName } : undefined;
  };
  const device = message['thing'] === undefined ? named(message.payload) : named(message['thing']);
  if (!device) {
    throw new Error('no device: the message needs msg.thing.productKey and msg.thing.deviceName, or (without msg.thing) msg.payload.productKey and msg.payload.deviceName');
  }
  return device;
}
