import type { ThingMessage } from '../devices/thing-message.ts';
import type { Campaign, OtaEvent } from './ota-schemas.ts';

/** The answer to an OTA uplink: the reply code, and for `ota.get` the upgrade waiting for the device (or `{}`). */
export interface OtaVerdict {
  code: number;
  data?: unknown;
  text?: string;
}

/** Upgrade one device: to a version of the module, or to the newest firmware of it when no version is given. */
export interface DeviceUpgradeRequest {
  productKey: string;
  deviceName: string;
  module?: string;
  version?: string;
  /** Overrides module and version. */
  firmwareId?: number;
  /**
   * The params of an `ota.inform` the request comes from: recorded first, so a flow that upgrades devices as they
   * report in does not depend on whether the ota node saw the report before it.
   */
  reported?: unknown;
}

/**
 * OTA as the ota nodes see it (`settings.thingwire.services.ota`). The server's OtaService implements it; docs/ota.md
 * describes the states and the strategy.
 */
export interface OtaNodeService {
  /**
   * An OTA uplink (`ota.inform`, `ota.progress`, `ota.get`): records the device's module versions and moves its
   * upgrade along. Never rejects on device input: a malformed report is a 400 verdict saying what is wrong.
   */
  handle(message: ThingMessage): Promise<OtaVerdict>;
  /**
   * Starts an upgrade of one device, with a campaign's rules (only a newer version, the firmware's source
   * constraints, one running upgrade per device and module). Throws an error whose message says why not.
   */
  upgradeDevice(request: DeviceUpgradeRequest, actor: string): Promise<Campaign>;
  /** Every device and campaign change, whatever caused it (a device, a timeout, an operator). */
  subscribe(listener: (event: OtaEvent) => void): () => void;
}
