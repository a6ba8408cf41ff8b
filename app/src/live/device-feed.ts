/**
 * PLACEHOLDER — the live device feed client is being written (see the task of the live-feed engineer). The hook
 * signatures below are the contract other screens code against; they answer "nothing live yet" until then.
 */

/** A device's connection state as the feed last reported it. */
export interface LiveDeviceState {
  online: boolean;
  /** ms since epoch of the change. */
  at: number;
}

/** A property's latest value as the feed last reported it. */
export interface LivePropertyValue {
  value: unknown;
  /** ms since epoch: the device's time when it sent one, else when the platform received it. */
  time: number;
}

export interface LiveRate {
  uplinksPerSecond: number;
  downlinksPerSecond: number;
  online: number;
  at: number;
}

/** The state of one device pushed since the page loaded (undefined: no change seen; use what the API answered). */
export function useLiveDeviceState(_productKey: string, _deviceName: string): LiveDeviceState | undefined {
  return undefined;
}

/** States of every device pushed since the page loaded, keyed `productKey/deviceName` (for lists). */
export function useLiveDeviceStates(): ReadonlyMap<string, LiveDeviceState> {
  return new Map();
}

/** Latest property values of one device pushed since the hook mounted, merged per identifier. */
export function useLiveProperties(_productKey: string, _deviceName: string): Readonly<Record<string, LivePropertyValue>> {
  return {};
}

/** Calls `listener` for each event the device posts while mounted. */
export function useLiveEvents(_productKey: string, _deviceName: string, _listener: (event: { identifier: string; params: unknown; at: number }) => void): void {}

/** Messages per second across the fleet, pushed every second. */
export function useLiveRate(): LiveRate | undefined {
  return undefined;
}

/** Whether the feed's socket is connected. */
export function useLiveConnection(): 'connecting' | 'open' | 'closed' {
  return 'closed';
}
