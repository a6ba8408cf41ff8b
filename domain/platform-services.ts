import type { AlertService } from './alerts/alert-service.ts';
import type { CoapListenerConfig } from './devices/coap-listener-config.ts';
import type { HttpListenerConfig } from './devices/http-listener-config.ts';
import type { MqttListenerConfig } from './devices/mqtt-listener-config.ts';
import type { UdpListenerConfig } from './devices/udp-listener-config.ts';
import type { TcpListenerConfig } from './devices/tcp-listener-config.ts';
import type { ModbusPollerConfig } from './modbus/modbus-poller-config.ts';
import type { CommandResult, Receipt, ThingCommand, ThingMessage } from './devices/thing-message.ts';
import type { NotifyService } from './notify/notify-service.ts';
import type { OtaNodeService } from './ota/ota-service.ts';
import type { EventRow, PropertyRow, WriteCallback } from './telemetry/telemetry-rows.ts';
import type { CompiledThingModel } from './thing-model/compiled-thing-model.ts';

/**
 * The platform services handed to Node-RED in `settings.thingwire` by the composition root (`main.ts`), and from
 * there by the node kit to every node. Nodes depend on this interface only, never on server module state, so they run
 * the same in tests and under a stock Node-RED whose settings file builds the services.
 */
export interface ThingwireServices {
  thingModels: {
    /** The validators of a product's currently published thing model; undefined if the product has none. */
    compiledFor(productKey: string): CompiledThingModel | undefined;
  };
  /** Device sessions: uplinks to `device in` nodes, replies by token, commands from `device out` nodes. */
  deviceHub: {
    subscribe(listener: (message: ThingMessage) => void): () => void;
    /** Answers an uplink; the first answer wins, later ones return false. */
    reply(token: string, code: number, data?: unknown, text?: string, options?: { durable?: boolean }): boolean;
    sendCommand(command: ThingCommand): Promise<CommandResult>;
  };
  /** The pool of MQTT listeners, which outlive deploys. */
  mqttListeners: {
    acquire(owner: string, config: MqttListenerConfig): Promise<unknown>;
    release(owner: string): void;
  };
  /** The pool of HTTP device listeners (absent in runtimes without one). */
  httpListeners?: {
    acquire(owner: string, config: HttpListenerConfig): Promise<unknown>;
    release(owner: string): void;
  };
  /** The pool of CoAP device listeners (absent in runtimes without one). */
  coapListeners?: {
    /** Resolves with the listener once it listens; `port` is the UDP port it bound (the config may say 0: any). */
    acquire(owner: string, config: CoapListenerConfig): Promise<{ readonly port?: number }>;
    release(owner: string): void;
  };
  /** The pool of UDP device listeners (absent in runtimes without one). */
  udpListeners?: {
    /** Resolves with the listener once it listens; `port` is the UDP port it bound (the config may say 0: any). */
    acquire(owner: string, config: UdpListenerConfig): Promise<{ readonly port?: number }>;
    release(owner: string): void;
  };
  /** Modbus pollers (absent in runtimes without Modbus): a node takes its poller on start and gives it back on close. */
  modbusPollers?: {
    acquire(owner: string, config: ModbusPollerConfig): Promise<{ readonly deviceCount: number }>;
    release(owner: string): void;
  };
  /** The pool of TCP device listeners (absent in runtimes without one). */
  tcpListeners?: {
    /** Resolves with the listener once it listens; `port` is the TCP port it bound (the config may say 0: any). */
    acquire(owner: string, config: TcpListenerConfig): Promise<{ readonly port?: number }>;
    release(owner: string): void;
  };
  /** Alert rules of `alert` nodes: evaluated per device, alerts kept in the database, operator actions announced. */
  alerts: AlertService;
  /**
   * Telemetry storage (the telemetry-store node): rows are queued for the next group commit; `done` runs after the
   * commit that holds them. `submit` returns false, without calling `done`, when the queue is full.
   */
  telemetry?: {
    submit(properties: PropertyRow[], events: EventRow[], done: WriteCallback, receipt?: Receipt): boolean;
    /** Whether a receipt submitted with rows is committed in the same transaction (then the reply is `durable`). */
    readonly receiptsWithRows?: boolean;
    /** Rows waiting for a commit now. */
    queuedRows?(): number;
  };
  /** Outgoing webhooks: a durable, signed, retrying outbox (the notify node). */
  notify?: NotifyService;
  /** Firmware updates: versions, campaigns and device upgrades (the ota and ota upgrade nodes). */
  ota?: OtaNodeService;
}

/** The shape of `settings.thingwire` as Node-RED nodes read it (`RED.settings.thingwire`). */
export interface ThingwireSettings {
  services: ThingwireServices;
  /** Registers every Thingwire node type with the runtime; called by the palette shim Node-RED loads. */
  registerNodes(RED: unknown): void;
}
