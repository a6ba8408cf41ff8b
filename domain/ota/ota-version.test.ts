import { describe, expect, it } from 'vitest';
import { parseReportedVersion, upgradeRefusal, versionCode, versionOfCode } from './ota-version.ts';

describe('firmware versions', () => {
  it('encode as major*100000 + minor*1000 + patch and back, one to one', () => {
    expect(versionCode('1.2.34')).toBe(102034);
    expect(versionCode('2.0.0')).toBe(200000);
    expect(versionCode('0.0.0')).toBe(0);
    expect(versionOfCode(102034)).toBe('1.2.34');
    for (const v of ['0.99.999', '21473.0.1', '3.10.0']) expect(versionOfCode(versionCode(v)!)).toBe(v);
  });

  it('refuse what would not round-trip: a minor above 99, a patch above 999, leading zeros, two parts', () => {
    for (const v of ['1.100.0', '1.0.1000', '01.2.3', '1.2', 'v1.2.3', '1.2.3-beta', '21474.0.0']) expect(versionCode(v), v).toBeUndefined();
    expect(versionOfCode(-1)).toBeUndefined();
    expect(versionOfCode(1.5)).toBeUndefined();
  });

  it('take a device report as the string or the integer', () => {
    expect(parseReportedVersion('1.0.1')).toEqual({ version: '1.0.1', code: 100001 });
    expect(parseReportedVersion(200000)).toEqual({ version: '2.0.0', code: 200000 });
    expect(parseReportedVersion('1.0')).toBeUndefined();
    expect(parseReportedVersion(null)).toBeUndefined();
  });

  it('push only a newer version, inside the firmware\'s source constraints, and say why not', () => {
    expect(upgradeRefusal('1.0.0', '2.0.0', undefined)).toBeUndefined();
    expect(upgradeRefusal('2.0.0', '2.0.0', undefined)?.text).toBe('already runs 2.0.0');
    expect(upgradeRefusal('2.1.0', '2.0.0', undefined)?.text).toBe('runs 2.1.0, newer than 2.0.0');
    // 1.10.0 is newer than 1.9.0: compared as numbers, not as text.
    expect(upgradeRefusal('1.9.0', '1.10.0', undefined)).toBeUndefined();
    expect(upgradeRefusal('1.0.0', '2.0.0', { minVersion: '1.2.0' })?.group).toBe("runs a version below the firmware's minimum source version 1.2.0");
    expect(upgradeRefusal('1.8.0', '2.0.0', { maxVersion: '1.5.0' })?.text).toBe("runs 1.8.0, above the firmware's maximum source version 1.5.0");
    expect(upgradeRefusal('1.1.0', '2.0.0', { fromVersions: ['1.0.0', '1.2.0'] })?.group).toBe('runs a version the firmware does not install over (only 1.0.0, 1.2.0)');
    expect(upgradeRefusal('1.2.0', '2.0.0', { fromVersions: ['1.0.0', '1.2.0'] })).toBeUndefined();
  });
});
