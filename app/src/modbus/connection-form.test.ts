import { describe, expect, it } from 'vitest';
import { connectionFromForm, EMPTY_CONNECTION_FORM, formFromConnection, serverFieldErrors } from './connection-form.ts';

describe('the Modbus connection form', () => {
  it('sends only the fields of the chosen transport, as numbers', () => {
    const tcp = connectionFromForm({ ...EMPTY_CONNECTION_FORM, host: ' 10.0.0.5 ', path: '/dev/ttyUSB0', intervalMs: '1000' });
    expect(tcp).toEqual({ ok: true, connection: { transport: 'tcp', host: '10.0.0.5', port: 502, unitId: 1, intervalMs: 1000 } });
    const rtu = connectionFromForm({ ...EMPTY_CONNECTION_FORM, transport: 'rtu', host: 'ignored', path: '/dev/ttyUSB0', parity: 'even', timeoutMs: '200' });
    expect(rtu).toEqual({
      ok: true,
      connection: { transport: 'rtu', path: '/dev/ttyUSB0', baudRate: 9600, parity: 'even', dataBits: 8, stopBits: 1, unitId: 1, intervalMs: 5000, timeoutMs: 200 },
    });
    if (!rtu.ok) return;
    expect(connectionFromForm(formFromConnection(rtu.connection))).toEqual(rtu);
  });

  it('says at each field what the server’s schema would refuse', () => {
    expect(connectionFromForm({ ...EMPTY_CONNECTION_FORM, port: '70000', unitId: 'one', intervalMs: '50', timeoutMs: '1.5' })).toEqual({
      ok: false,
      errors: {
        host: 'Host is needed for Modbus TCP',
        port: 'Port must be a whole number from 1 to 65,535',
        unitId: 'Unit id must be a whole number from 0 to 255',
        intervalMs: 'Poll interval must be a whole number from 100 to 86,400,000 ms',
        timeoutMs: 'Timeout must be a whole number from 50 to 60,000 ms',
      },
    });
    expect(connectionFromForm({ ...EMPTY_CONNECTION_FORM, transport: 'rtu', dataBits: '9' })).toEqual({
      ok: false, errors: { dataBits: 'Data bits must be 7 or 8', path: 'Serial port is needed for RTU, e.g. /dev/ttyUSB0' },
    });
  });

  it('puts the server’s field problems at their fields', () => {
    expect(serverFieldErrors([{ path: '/port', message: 'must be <= 65535' }, { field: 'host', message: 'Host does not resolve' }, { path: '/', message: 'x' }]))
      .toEqual({ port: 'Port must be <= 65535', host: 'Host does not resolve' });
    expect(serverFieldErrors(undefined)).toEqual({});
  });
});
