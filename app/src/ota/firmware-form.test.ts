import { describe, expect, it } from 'vitest';
import { ApiError } from '../api.ts';
import {
  EMPTY_FIRMWARE_FORM, firmwareMetaForm, firmwarePatch, firmwareUpload, patchErrors, uploadErrors, versionProblem, type FirmwareForm,
} from './firmware-form.ts';

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

describe('firmwarePatch', () => {
  const stored = {
    version: '2.0.0', releaseNotes: 'Valve calibration.', constraint: { minVersion: '1.0.0', fromVersions: ['1.2.0', '1.3.0'] }, extData: { signature: 'abc' },
  };
  const edited = (change: Partial<ReturnType<typeof firmwareMetaForm>>) => firmwarePatch(stored, { ...firmwareMetaForm(stored), ...change });

  it('prefills the form with the stored values, and an untouched form is an empty patch', () => {
    expect(firmwareMetaForm(stored)).toEqual({
      releaseNotes: 'Valve calibration.', minVersion: '1.0.0', maxVersion: '', fromVersions: '1.2.0, 1.3.0', extData: '{\n  "signature": "abc"\n}',
    });
    expect(firmwareMetaForm({ releaseNotes: '', constraint: {}, extData: {} })).toEqual({ releaseNotes: '', minVersion: '', maxVersion: '', fromVersions: '', extData: '' });
    expect(edited({})).toEqual({ patch: {} });
    // The same values typed differently are no change.
    expect(edited({ releaseNotes: ' Valve calibration.\n', fromVersions: '1.2.0 1.3.0,1.2.0', extData: '{"signature":"abc"}' })).toEqual({ patch: {} });
  });

  it('sends only what changed: the notes trimmed, the constraint and extData whole; emptied fields clear them', () => {
    expect(edited({ releaseNotes: ' Needs the 1.x bootloader. ' })).toEqual({ patch: { releaseNotes: 'Needs the 1.x bootloader.' } });
    expect(edited({ maxVersion: '1.9.999' })).toEqual({ patch: { constraint: { minVersion: '1.0.0', maxVersion: '1.9.999', fromVersions: ['1.2.0', '1.3.0'] } } });
    expect(edited({ minVersion: '', fromVersions: '' })).toEqual({ patch: { constraint: {} } });
    expect(edited({ extData: '{"signature": "def", "size": 2}' })).toEqual({ patch: { extData: { signature: 'def', size: 2 } } });
    expect(edited({ extData: ' ' })).toEqual({ patch: { extData: {} } });
    expect(edited({ releaseNotes: '' })).toEqual({ patch: { releaseNotes: '' } });
  });

  it('checks the fields as the upload does, against the firmware\'s own version', () => {
    expect(edited({ minVersion: 'v1.1.0', maxVersion: '1.2' })).toEqual({
      errors: { minVersion: 'Leave out the "v": 1.1.0.', maxVersion: 'Three numbers are needed: 1.2.0, for example.' },
    });
    expect(edited({ minVersion: '1.5.0', maxVersion: '1.2.0' })).toEqual({ errors: { maxVersion: expect.stringContaining('below the lowest (1.5.0)') } });
    expect(edited({ minVersion: '2.0.0' })).toEqual({ errors: { minVersion: 'No device at 2.0.0 or above takes 2.0.0: it is not newer.' } });
    expect(edited({ fromVersions: '1.2.0, 2.1.0, x' })).toEqual({ errors: { fromVersions: expect.stringContaining('Not versions: x') } });
    expect(edited({ fromVersions: '1.2.0, 2.1.0' })).toEqual({ errors: { fromVersions: expect.stringContaining('Not older than 2.0.0: 2.1.0') } });
    expect(edited({ extData: '["a"]' })).toEqual({ errors: { extData: expect.stringContaining('JSON object') } });
    expect(edited({ releaseNotes: 'x'.repeat(10_001) })).toEqual({ errors: { releaseNotes: 'At most 10,000 characters.' } });
  });
});

describe('patchErrors', () => {
  it('places the body\'s problems at the edit dialog\'s fields and keeps the rest', () => {
    const invalid = new ApiError(422, 'validation_failed', 'The body is invalid.', [
      { path: '/constraint/maxVersion', message: 'must match pattern "^…$"' },
      { path: '/releaseNotes', message: 'must NOT have more than 10000 characters' },
    ]);
    expect(patchErrors(invalid)).toEqual({
      fields: { maxVersion: expect.stringContaining('major.minor.patch'), releaseNotes: 'must NOT have more than 10000 characters' }, rest: undefined,
    });
    expect(patchErrors(new ApiError(400, 'bad_request', 'minVersion 1.5.0 is above maxVersion 1.2.0: no device could take this firmware.')))
      .toEqual({ fields: { minVersion: expect.stringContaining('above maxVersion') }, rest: undefined });
    const gone = new ApiError(404, 'not_found', 'Firmware "7" does not exist.');
    expect(patchErrors(gone)).toEqual({ fields: {}, rest: gone });
    // An upload-only field is no field of this dialog: the refusal is shown whole.
    const other = new ApiError(409, 'firmware_exists', 'Exists.');
    expect(patchErrors(other)).toEqual({ fields: {}, rest: other });
  });
});
