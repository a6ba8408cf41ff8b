/**
 * What the Modbus screens and the server agree on: how a device is reached (its connection), what the point table
 * and "read now" routes answer. Browser-safe, so the device screen checks a connection with the server's own schema.
 *
 * Routes (docs/modbus.md):
 * - `GET  /api/v1/products/:productKey/modbus/points` (products:read) → {@link PointTableView}
 * - `PUT  /api/v1/products/:productKey/modbus/points` (products:write) body `{points: PointInput[]}` → {@link PointTableView};
 *   422 `validation_failed` with `details: PointProblem[]` (domain/modbus/point-table.ts) when a point is wrong or
 *   names a property the product's published thing model lacks.
 * - `GET    /api/v1/devices/:productKey/:deviceName/modbus` (devices:read) → {@link DeviceModbusView}
 * - `PUT    /api/v1/devices/:productKey/:deviceName/modbus` (devices:write) body {@link ModbusConnection} → {@link DeviceModbusView}
 * - `DELETE /api/v1/devices/:productKey/:deviceName/modbus` (devices:write) → 204: the device is no longer polled.
 * - `POST   /api/v1/devices/:productKey/:deviceName/modbus/read` (devices:read) body `{points?: PointInput[]}` (default:
 *   the product's saved table) → {@link ReadNowResult}: reads every point once, now, and stores nothing.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { ModbusFunction, ModbusPoint, PointType } from './point-table.ts';

export const ModbusTransport = Type.Union([Type.Literal('tcp'), Type.Literal('rtu'), Type.Literal('rtu-over-tcp')], {
  description: 'tcp: Modbus TCP; rtu: RTU on a serial port; rtu-over-tcp: RTU frames through a serial-to-Ethernet gateway',
});

/** How one device (one Modbus slave) is reached and how often it is read. */
export const ModbusConnection = Type.Object({
  transport: ModbusTransport,
  host: Type.Optional(Type.String({ minLength: 1, maxLength: 253, description: 'tcp, rtu-over-tcp: host name or address' })),
  port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65_535, description: 'tcp, rtu-over-tcp: default 502' })),
  path: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'rtu: the serial device, e.g. /dev/ttyUSB0' })),
  baudRate: Type.Optional(Type.Integer({ minimum: 300, maximum: 921_600, description: 'rtu: default 9600' })),
  parity: Type.Optional(Type.Union([Type.Literal('none'), Type.Literal('even'), Type.Literal('odd')], { description: 'rtu: default none' })),
  dataBits: Type.Optional(Type.Union([Type.Literal(7), Type.Literal(8)], { description: 'rtu: default 8' })),
  stopBits: Type.Optional(Type.Union([Type.Literal(1), Type.Literal(2)], { description: 'rtu: default 1' })),
  unitId: Type.Integer({ minimum: 0, maximum: 255, description: 'The slave (unit) id; 1–247 on a serial bus' }),
  intervalMs: Type.Integer({ minimum: 100, maximum: 86_400_000, description: 'How often the device is read, ms' }),
  timeoutMs: Type.Optional(Type.Integer({ minimum: 50, maximum: 60_000, description: 'How long one request may take, ms; default 1000' })),
}, { additionalProperties: false });
export type ModbusConnection = Static<typeof ModbusConnection>;

/** A product's point table as the routes answer it. */
export interface PointTableView {
  productKey: string;
  points: ModbusPoint[];
  /** When it was last saved (ISO), and by whom; null for a product that has none. */
  updatedAt: string | null;
  updatedBy: string | null;
}

/**
 * How polling a device is going: `polling` (a poller reads it and its last read answered, or its first read is still
 * to come: `lastPollAt` null), `failing` (reads failed, fewer than the
 * poller's limit), `offline` (as many failed in a row as the poller allows; read again with backoff), `not-polled`
 * (no poller node covers it, its product has no point table, or it is disabled).
 */
export type ModbusPollState = 'polling' | 'failing' | 'offline' | 'not-polled';

export interface DeviceModbusView {
  productKey: string;
  deviceName: string;
  connection: ModbusConnection | null;
  status: {
    state: ModbusPollState;
    /** The last read, ISO; null before the first. */
    lastPollAt: string | null;
    /** Failed reads in a row. */
    failures: number;
    /** What the last failed read said ("exception 2: illegal data address", "timeout after 1000 ms", …). */
    lastError: string | null;
  };
}

/** Why a Modbus request failed: no connection, no answer in time, or the slave's exception (with its code). */
export interface ModbusFailure {
  kind: 'connect' | 'timeout' | 'exception' | 'protocol';
  message: string;
  /** `exception`: the Modbus exception code (1 illegal function, 2 illegal data address, 3 illegal data value, 4 device failure, …). */
  exceptionCode?: number;
}

/** One request "read now" made: what was asked, and the raw registers (3/4) or bits (1/2) it got. */
export interface ReadNowRequest {
  function: ModbusFunction;
  address: number;
  count: number;
  raw?: number[] | boolean[];
  error?: ModbusFailure;
}

/** One point's value from "read now", or why it has none (its request failed, or its bits make no value). */
export interface ReadNowValue {
  property: string;
  type: PointType;
  value?: unknown;
  error?: string;
}

export type ReadNowResult =
  | { ok: true; durationMs: number; requests: ReadNowRequest[]; values: ReadNowValue[] }
  | { ok: false; durationMs: number; error: ModbusFailure };
