import fs from 'node:fs';

type FlowNode = Record<string, unknown> & { id: string; type: string; wires?: string[][] };

/**
 * The shipped `flows/device-pipeline.json`, as a test deploys it: the MQTT and CoAP listeners on free loopback ports, and
 * optionally a quicker alert, a notify node after the alert (webhook with its secret), the scene-linkage tab enabled
 * with a real fan device, and the TCP and Modbus example tabs enabled.
 */
export function pipelineFlow(options: {
  alertForSeconds?: number;
  webhook?: { url: string; secret: string };
  fan?: { productKey: string; deviceName: string };
  /** Enables the "TCP device with a codec" example tab, its listener on this loopback port. */
  tcpExamplePort?: number;
  /** Enables the "Modbus device" example tab for this tank. */
  modbusExample?: { productKey: string; deviceName: string };
} = {}): FlowNode[] {
  const flows = JSON.parse(fs.readFileSync(new URL('../../flows/device-pipeline.json', import.meta.url), 'utf8')) as FlowNode[];
  const node = (id: string) => {
    const found = flows.find((n) => n.id === id);
    if (!found) throw new Error(`flows/device-pipeline.json has no node ${id}`);
    return found;
  };
  Object.assign(node('tw-mqtt-listener'), { port: 0, host: '127.0.0.1' });
  Object.assign(node('tw-coap-listener'), { port: 0, host: '127.0.0.1' });
  if (options.alertForSeconds !== undefined) node('tw-alert').forSeconds = options.alertForSeconds;
  if (options.webhook) {
    const alert = node('tw-alert');
    alert.wires = [[...alert.wires![0]!, 'test-notify']];
    flows.push({
      id: 'test-notify', type: 'notify', z: alert.z, name: 'webhook', url: options.webhook.url, method: 'POST', body: 'payload',
      headers: {}, timeoutMs: 2000, maxAttempts: 10, credentials: { secret: options.webhook.secret }, x: 960, y: 40, wires: [[]],
    });
  }
  if (options.fan) {
    node('tw-scene-tab').disabled = false;
    Object.assign(node('tw-set-fan'), { product: options.fan.productKey, device: options.fan.deviceName });
  }
  if (options.modbusExample) {
    node('tw-modbus-tab').disabled = false;
    const { productKey: product, deviceName: device } = options.modbusExample;
    Object.assign(node('tw-tank-in'), { product, device });
    Object.assign(node('tw-pump-off'), { product, device });
  }
  if (options.tcpExamplePort !== undefined) {
    node('tw-tcp-tab').disabled = false;
    Object.assign(node('tw-tcp-listener'), { port: options.tcpExamplePort, host: '127.0.0.1' });
  }
  return flows;
}

/**
 * The shipped pipeline with a UDP listener beside its other listeners, on a free loopback port: the node's defaults
 * with `udp` over them (rate per device off, as the other test listeners have it).
 */
export function udpPipelineFlow(udp: Record<string, unknown> = {}, options: Parameters<typeof pipelineFlow>[0] = {}): FlowNode[] {
  return [
    ...pipelineFlow(options),
    {
      id: 'test-udp-listener', type: 'thing-udp-listener', port: 0, host: '127.0.0.1', productKey: '', bindAddress: true,
      maxDatagramBytes: 2048, ratePerAddress: 50, maxBoundAddresses: 100_000, tokenTtlSeconds: 3600, onlineWindowSeconds: 300,
      ratePerDevice: 0, replyTimeoutMs: 5000, ...udp,
    },
  ];
}
