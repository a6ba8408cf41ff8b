/**
 * Every Thingwire node's runtime, for registration with Node-RED (Node-side: runtimes may import Node packages).
 *
 * A new node: its folder, one line here and one line in `definitions.ts`.
 */
import type { NodeImplementation } from './kit/implement-node.ts';
import { alertNode } from './alert/alert.runtime.ts';
import { deviceInNode } from './device-in/device-in.runtime.ts';
import { notifyNode } from './notify/notify.runtime.ts';
import { deviceOutNode } from './device-out/device-out.runtime.ts';
import { deviceReplyNode } from './device-reply/device-reply.runtime.ts';
import { mqttListenerNode } from './mqtt-listener/mqtt-listener.runtime.ts';
import { httpListenerNode } from './http-listener/http-listener.runtime.ts';
import { coapListenerNode } from './coap-listener/coap-listener.runtime.ts';
import { udpListenerNode } from './udp-listener/udp-listener.runtime.ts';
import { tcpListenerNode } from './tcp-listener/tcp-listener.runtime.ts';
import { modbusPollerNode } from './modbus-poller/modbus-poller.runtime.ts';
import { thingValidateNode } from './thing-validate/thing-validate.runtime.ts';
import { telemetryStoreNode } from './telemetry-store/telemetry-store.runtime.ts';
import { otaNode } from './ota/ota.runtime.ts';
import { otaUpgradeNode } from './ota-upgrade/ota-upgrade.runtime.ts';

/** The runtime of every Thingwire node type, registered by `registerNodes(RED, implementations)`. */
export const implementations: readonly NodeImplementation[] = [
  mqttListenerNode,
  httpListenerNode,
  coapListenerNode,
  udpListenerNode,
  tcpListenerNode,
  modbusPollerNode,
  deviceInNode,
  deviceOutNode,
  deviceReplyNode,
  thingValidateNode,
  telemetryStoreNode,
  alertNode,
  notifyNode,
  otaNode,
  otaUpgradeNode,
] as unknown as readonly NodeImplementation[];
