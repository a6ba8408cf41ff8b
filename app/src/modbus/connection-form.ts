/**
 * A device's Modbus connection as the device page's form holds it (text fields, one transport), checked with the
 * server's own `ModbusConnection` schema plus what the schema cannot say (a host for TCP, a serial path for RTU), so
 * every problem shows at its field before saving. Pure, no React.
 */
import { Value } from '@sinclair/typebox/value';
import { ModbusConnection } from '../../../domain/modbus/modbus-api.ts';
import { t } from './modbus.messages.ts';

export type Transport = ModbusConnection['transport'];

export interface ConnectionForm {
  transport: Transport;
  host: string;
  port: string;
  path: string;
  baudRate: string;
  parity: string;
  dataBits: string;
  stopBits: string;
  unitId: string;
  intervalMs: string;
  timeoutMs: string;
}

export type ConnectionField = Exclude<keyof ConnectionForm, 'transport'>;

/** The fields each transport uses; the others are not sent. */
export const TRANSPORT_FIELDS: Record<Transport, readonly ConnectionField[]> = {
  tcp: ['host', 'port', 'unitId', 'intervalMs', 'timeoutMs'],
  'rtu-over-tcp': ['host', 'port', 'unitId', 'intervalMs', 'timeoutMs'],
  rtu: ['path', 'baudRate', 'parity', 'dataBits', 'stopBits', 'unitId', 'intervalMs', 'timeoutMs'],
};

/** Each field's name in problems, by message key. */
const LABELS = {
  host: 'field.host', port: 'field.port', path: 'field.path', baudRate: 'field.baudRate', parity: 'field.parity', dataBits: 'field.dataBits',
  stopBits: 'field.stopBits', unitId: 'field.unitId', intervalMs: 'field.intervalMs', timeoutMs: 'field.timeoutMs',
} as const satisfies Record<ConnectionField, string>;

/** A field's name in the language shown now. */
export const fieldLabel = (field: ConnectionField): string => t(LABELS[field]);
/** Transport names (Modbus words, the same in every language). */
const MODBUS_TCP = 'Modbus TCP';
const RTU_OVER_TCP = 'RTU over TCP';
const TEXT_FIELDS: ReadonlySet<ConnectionField> = new Set(['host', 'path', 'parity']);

export const EMPTY_CONNECTION_FORM: ConnectionForm = {
  transport: 'tcp', host: '', port: '502', path: '', baudRate: '9600', parity: 'none', dataBits: '8', stopBits: '1',
  unitId: '1', intervalMs: '5000', timeoutMs: '',
};

export function formFromConnection(connection: ModbusConnection | null): ConnectionForm {
  if (!connection) return { ...EMPTY_CONNECTION_FORM };
  const text = (value: string | number | undefined, fallback: string) => (value === undefined ? fallback : String(value));
  return {
    transport: connection.transport, host: text(connection.host, ''), port: text(connection.port, '502'), path: text(connection.path, ''),
    baudRate: text(connection.baudRate, '9600'), parity: text(connection.parity, 'none'), dataBits: text(connection.dataBits, '8'),
    stopBits: text(connection.stopBits, '1'), unitId: String(connection.unitId), intervalMs: String(connection.intervalMs),
    timeoutMs: text(connection.timeoutMs, ''),
  };
}

export type ConnectionCheck =
  | { ok: true; connection: ModbusConnection }
  | { ok: false; errors: Partial<Record<ConnectionField, string>> };

/** The connection the form describes, or each field's problem. */
export function connectionFromForm(form: ConnectionForm): ConnectionCheck {
  const value: Record<string, unknown> = { transport: form.transport };
  for (const field of TRANSPORT_FIELDS[form.transport]) {
    const text = form[field].trim();
    if (text === '') continue;
    value[field] = TEXT_FIELDS.has(field) || !/^[-+]?\d+(\.\d+)?$/.test(text) ? text : Number(text);
  }
  const errors: Partial<Record<ConnectionField, string>> = {};
  for (const error of Value.Errors(ModbusConnection, value)) {
    const field = error.path.split('/')[1] as ConnectionField | undefined;
    if (field && field in LABELS && !errors[field]) errors[field] = fieldMessage(field, value[field]);
  }
  if (form.transport === 'rtu' && value.path === undefined) errors.path ??= t('conn.pathNeeded');
  if (form.transport !== 'rtu' && value.host === undefined) errors.host ??= t('conn.hostNeeded', { transport: form.transport === 'tcp' ? MODBUS_TCP : RTU_OVER_TCP });
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, connection: value as ModbusConnection };
}

/** A field's problem in the form's words, with the schema's own limits. */
function fieldMessage(field: ConnectionField, value: unknown): string {
  const schema = ModbusConnection.properties[field] as { minimum?: number; maximum?: number; anyOf?: { const: unknown }[] };
  const label = fieldLabel(field);
  if (value === undefined) return t('conn.needed', { label });
  if (schema.anyOf) return t('conn.oneOf', { label, choices: schema.anyOf.map((s) => String(s.const)).join(t('conn.or')) });
  if (schema.minimum !== undefined) {
    return t(field.endsWith('Ms') ? 'conn.rangeMs' : 'conn.range', { label, min: schema.minimum, max: schema.maximum! });
  }
  return t('conn.tooLong', { label });
}

/**
 * The server's refusal as field problems: its `details` name fields by JSON pointer (`/host`) or `field`. What names
 * no field of the form is left for the message above the form.
 */
export function serverFieldErrors(details: unknown): Partial<Record<ConnectionField, string>> {
  const errors: Partial<Record<ConnectionField, string>> = {};
  if (!Array.isArray(details)) return errors;
  for (const detail of details as { path?: unknown; field?: unknown; message?: unknown }[]) {
    const name = String(detail.field ?? detail.path ?? '').replace(/^\//, '').split('/')[0] as ConnectionField;
    if (name in LABELS && !errors[name]) {
      const message = String(detail.message ?? t('conn.invalid'));
      const label = fieldLabel(name);
      errors[name] = message.toLowerCase().startsWith(label.toLowerCase()) ? message : t('conn.serverProblem', { label, message });
    }
  }
  return errors;
}
