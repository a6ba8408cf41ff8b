import { describe, expect, it } from 'vitest';
import { DownloadTokens } from './download-tokens.ts';
import { parseRange } from './firmware-download.ts';
import { waveSizesOf } from '../../domain/ota/campaign-strategy.ts';
import { alink } from '../dialects/alink.ts';
import { things } from '../dialects/things.ts';

describe('download ranges', () => {
  it('read the forms devices send, and send the whole image for what they do not', () => {
    expect(parseRange('bytes=100-', 1000)).toEqual({ start: 100, end: 999 });
    expect(parseRange('bytes=0-99', 1000)).toEqual({ start: 0, end: 99 });
    expect(parseRange('bytes=900-5000', 1000)).toEqual({ start: 900, end: 999 });
    expect(parseRange('bytes=-100', 1000)).toEqual({ start: 900, end: 999 });
    expect(parseRange('bytes=1000-', 1000)).toBe('unsatisfiable');
    expect(parseRange('bytes=5-2', 1000)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-1,5-6', 1000)).toBeUndefined();
    expect(parseRange('items=0-1', 1000)).toBeUndefined();
    expect(parseRange(undefined, 1000)).toBeUndefined();
  });
});

describe('download tokens', () => {
  const tokens = new DownloadTokens(Buffer.alloc(32, 7));
  const token = tokens.issue({ upgradeId: 12, firmwareId: 3, expiresAt: 2000 });

  it('grant what they were issued for until they expire', () => {
    expect(tokens.verify(token, 1000)).toEqual({ upgradeId: 12, firmwareId: 3, expiresAt: 2000 });
    expect(tokens.verify(token, 2000)).toMatchObject({ refused: expect.stringMatching(/^token expired/) });
  });

  it('cannot be altered or made without the key', () => {
    const [, firmware, expires, mac] = token.split('.');
    expect(tokens.verify(`13.${firmware}.${expires}.${mac}`, 1000)).toEqual({ refused: 'invalid token' });
    expect(new DownloadTokens(Buffer.alloc(32, 8)).verify(token, 1000)).toEqual({ refused: 'invalid token' });
    expect(tokens.verify('12.3.2000', 1000)).toEqual({ refused: 'malformed token' });
  });
});

describe('waves', () => {
  it('round each wave up, so a 1 % canary of a small fleet is still one device', () => {
    expect(waveSizesOf([1, 10, 100], 50)).toEqual([1, 5, 50]);
    expect(waveSizesOf([1, 10, 100], 10_000)).toEqual([100, 1000, 10_000]);
    expect(waveSizesOf([100], 3)).toEqual([3]);
    // 10 % of 110 is 11, though 0.1 × 110 is a hair over 11 in floating point.
    expect(waveSizesOf([10, 100], 110)).toEqual([11, 110]);
  });
});

describe('OTA pushes', () => {
  const device = { productKey: 'pk', deviceName: 'dn' };
  const params = { module: 'mcu', version: '2.0.0', versionCode: 200000, url: 'http://h/ota/firmware/1?token=t', size: 10, sign: 'aa', signMethod: 'SHA256' as const, md5: 'bb', extData: { k: 1 } };

  it('are Alibaba\'s upgrade message in alink, with code 1000, and a cancel under another code', () => {
    const push = alink.encodeCommand(device, { ...device, kind: 'ota.upgrade', params }, '42');
    expect(push.topic).toBe('/ota/device/upgrade/pk/dn');
    expect(JSON.parse(push.payload.toString())).toEqual({
      code: '1000', id: 42, message: 'success',
      data: { size: 10, version: '2.0.0', url: params.url, sign: 'aa', signMethod: 'SHA256', md5: 'bb', module: 'mcu', extData: { k: 1 } },
    });
    const cancel = alink.encodeCommand(device, { ...device, kind: 'ota.cancel', params: { module: 'mcu', version: '2.0.0', versionCode: 200000 } }, '43');
    expect(JSON.parse(cancel.payload.toString())).toMatchObject({ code: '9001', message: 'upgrade cancelled', data: { module: 'mcu', version: '2.0.0' } });
  });

  it('are a list of modules with integer versions in the things dialect', () => {
    const push = things.encodeCommand(device, { ...device, kind: 'ota.upgrade', params }, '42');
    expect(push.topic).toBe('pk/dn/ota/upgrade');
    expect(JSON.parse(push.payload.toString())).toEqual([{
      key: 'mcu', version: 200000, version_name: '2.0.0', file_url: params.url, sign: 'aa', sign_method: 'SHA256', md5: 'bb', size: 10, ext_data: { k: 1 },
    }]);
  });

  it('are answered by reports the things dialect sends bare', () => {
    const version = things.decodeUplink(device, 'pk/dn/ota/version', Buffer.from('[{"key":"mcu","version":102003}]'), 1000);
    expect(version).toMatchObject({ ok: true, message: { kind: 'ota.inform', params: [{ key: 'mcu', version: 102003 }], ack: false } });
    const progress = things.decodeUplink(device, 'pk/dn/ota/progress', Buffer.from('{"key":"mcu","step":45,"desc":"downloading"}'), 1000);
    expect(progress).toMatchObject({ ok: true, message: { kind: 'ota.progress', params: { key: 'mcu', step: 45 } } });
    const wrapped = alink.decodeUplink(device, '/ota/device/inform/pk/dn', Buffer.from('{"id":"7","params":{"version":"1.0.0"}}'), 1000);
    expect(wrapped).toMatchObject({ ok: true, message: { id: '7', params: { version: '1.0.0' } } });
  });
});
