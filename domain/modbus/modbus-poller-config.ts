/** What a `Modbus poller` node configures (server/modbus/modbus-poller.ts runs it); every setting applies in place. */
export interface ModbusPollerConfig {
  /** Failed polls in a row after which a device is offline (its session closed, the failure as the reason). */
  failuresBeforeOffline: number;
  /** How long one request may take, for devices whose connection does not say. */
  timeoutMs: number;
  /** Requests one Modbus TCP connection carries at once (serial lines and RTU over TCP always carry one). */
  maxInFlightPerTcpBus: number;
  /** The longest wait between polls of an offline device (the wait doubles per failed poll up to this). */
  backoffMaxMs: number;
  /** Products whose devices it polls; empty: every product. */
  products: string[];
}

export const DEFAULT_MODBUS_POLLER_CONFIG: Readonly<ModbusPollerConfig> = Object.freeze({
  failuresBeforeOffline: 3,
  timeoutMs: 1000,
  maxInFlightPerTcpBus: 1,
  backoffMaxMs: 60_000,
  products: [],
});
