import { describe, expect, it } from 'vitest';
import { ApiError } from '../api.ts';
import { EMPTY_FIRMWARE_FORM, firmwareUpload, uploadErrors, versionProblem, type FirmwareForm } from './firmware-form.ts';

const form = (change: Partial<FirmwareForm>): FirmwareForm => ({
  ...EMPTY_FIRMWARE_FORM, productKey: 'a1Thermo', version: '2.0.0', file: { name: 'fw-2.0.0.bin', size: 1234 }, ...change,
});

describe('firmwareUpload', () => {
  it('is the query of POST /firmware, with only what was filled in', () => {
    expect(firmwareUpload(form({}))).toEqual({ query: { productKey: 'a1Thermo', module: 'default', version: '2.0.0', fileName: 'fw-2.0.0.bin' } });
    expect(firmwareUpload(form({
      module: 'mcu', releaseNotes: ' Fixes the sensor drift. ', minVersion: '1.0.0', maxVersion: '1.9.9', fromVersions: '1.2.0, 1.3.0 1.2.0',
      extData: '{ "signature": "abc" }',
    }))).toEqual({
      query: {
        productKey: 'a1Thermo', module: 'mcu', version: '2.0.0', fileName: 'fw-2.0.0.bin', releaseNotes: 'Fixes the sensor drift.',
        minVersion: '1.0.0', maxVersion: '1.9.9', fromVersions: '1.2.0,1.3.0', extData: '{"signature":"abc"}',
      },
    });
  });

  it('puts each problem at its field', () => {
    const result = firmwareUpload(form({
      productKey: '', module: 'm c u', version: '1.100.0', minVersion: 'v1.0.0', maxVersion: '1.2', fromVersions: '1.0.0, x', extData: '[1]', file: undefined,
    }));
    expect('errors' in result && result.errors).toEqual({
      productKey: expect.any(String),
      module: expect.any(String),
      version: expect.stringContaining('not a version'),
      minVersion: 'Leave out the "v": 1.0.0.',
      maxVersion: 'Three numbers are needed: 1.2.0, for example.',
      fromVersions: expect.stringContaining('Not versions: x'),
      extData: expect.stringContaining('JSON object'),
      file: 'Choose the firmware image.',
    });
    expect(firmwareUpload(form({ extData: '{"a":' }))).toEqual({ errors: { extData: expect.stringMatching(/^Not JSON/) } });
    expect(firmwareUpload(form({ file: { name: 'empty.bin', size: 0 } }))).toEqual({ errors: { file: '"empty.bin" is empty.' } });
  });

  it('refuses source versions that are not older than the firmware, and a range upside down', () => {
    expect(firmwareUpload(form({ minVersion: '2.0.0' }))).toEqual({ errors: { minVersion: expect.stringContaining('not newer') } });
    expect(firmwareUpload(form({ fromVersions: '1.0.0, 2.0.0, 3.0.0' }))).toEqual({ errors: { fromVersions: expect.stringContaining('2.0.0, 3.0.0') } });
    expect(firmwareUpload(form({ minVersion: '1.5.0', maxVersion: '1.2.0' }))).toEqual({ errors: { maxVersion: expect.stringContaining('below the lowest') } });
  });

  it('says versions as the version rule has them', () => {
    expect(versionProblem('1.2.34')).toBeUndefined();
    expect(versionProblem('01.2.3')).toContain('not a version');
  });
});

describe('uploadErrors', () => {
  it('places problems by details path, by code and by status, and keeps the rest for the dialog', () => {
    const invalid = new ApiError(422, 'validation_failed', 'The query is invalid.', [
      { path: '/version', message: 'must match pattern "^…$"' },
      { path: '/minVersion', message: 'must match pattern "^…$"' },
    ]);
    expect(uploadErrors(invalid)).toEqual({ fields: { version: expect.stringContaining('major.minor.patch'), minVersion: expect.any(String) }, rest: undefined });
    expect(uploadErrors(new ApiError(409, 'firmware_exists', 'a1Thermo/default already has 2.0.0.'))).toEqual({ fields: { version: 'a1Thermo/default already has 2.0.0.' }, rest: undefined });
    expect(uploadErrors(new ApiError(413, 'firmware_too_large', 'Too large.'))).toEqual({ fields: { file: 'Too large.' }, rest: undefined });
    expect(uploadErrors(new ApiError(404, 'not_found', 'Product "a1x" does not exist.'))).toEqual({ fields: { productKey: 'Product "a1x" does not exist.' }, rest: undefined });
    // The service's own checks say the field in the message.
    expect(uploadErrors(new ApiError(400, 'bad_request', 'extData must be a JSON object.'))).toEqual({ fields: { extData: 'extData must be a JSON object.' }, rest: undefined });
    expect(uploadErrors(new ApiError(400, 'bad_request', 'minVersion 1.5.0 is above maxVersion 1.2.0: no device could take this firmware.')))
      .toEqual({ fields: { minVersion: expect.stringContaining('above maxVersion') }, rest: undefined });
    const other = new ApiError(500, 'internal', 'Boom.');
    expect(uploadErrors(other)).toEqual({ fields: {}, rest: other });
    const mixed = new ApiError(422, 'validation_failed', 'Invalid.', [{ path: '/module', message: 'too long' }, { path: '', message: 'body is empty' }]);
    expect(uploadErrors(mixed)).toEqual({ fields: { module: 'too long' }, rest: mixed });
  });
});
