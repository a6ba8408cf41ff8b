import { afterEach, describe, expect, it } from 'vitest';
import { UPGRADE_REFUSAL_CODES, upgradeRefusal, type UpgradeRefusal } from '../../../domain/ota/ota-version.ts';
import { setLocale } from '../i18n/locale.ts';
import { refusalText, tr } from './refusal.messages.ts';

/** One refusal of every kind. */
const refusals = [
  upgradeRefusal('v1', '2.0.0', undefined),
  upgradeRefusal('1.0.0', '2.0', undefined),
  upgradeRefusal('2.0.0', '2.0.0', undefined),
  upgradeRefusal('2.1.0', '2.0.0', undefined),
  upgradeRefusal('1.0.0', '2.0.0', { minVersion: '1.2.0' }),
  upgradeRefusal('1.8.0', '2.0.0', { maxVersion: '1.5.0' }),
  upgradeRefusal('1.1.0', '2.0.0', { fromVersions: ['1.0.0', '1.2.0'] }),
].filter((r): r is UpgradeRefusal => r !== undefined);

afterEach(() => setLocale('en'));

describe('why a device may not take a firmware, in the language shown', () => {
  it('has words for every refusal, in both languages', () => {
    for (const code of UPGRADE_REFUSAL_CODES) expect(tr.catalog, code).toHaveProperty([code]);
    expect(new Set(refusals.map((r) => r.code))).toEqual(new Set(UPGRADE_REFUSAL_CODES));
  });

  it('says each refusal in English exactly as the server does', () => {
    for (const refusal of refusals) expect(refusalText(refusal)).toBe(refusal.text);
  });

  it('says each refusal in Chinese, with its versions filled in', () => {
    setLocale('zh-CN');
    for (const refusal of refusals) {
      const text = refusalText(refusal);
      expect(text, refusal.code).not.toBe(refusal.text);
      expect(text, refusal.code).not.toMatch(/\{[A-Za-z]+\}/);
    }
    expect(refusalText(upgradeRefusal('1.1.0', '2.0.0', { fromVersions: ['1.0.0', '1.2.0'] })!))
      .toBe('设备运行的 1.1.0 不在固件可覆盖安装的源版本（1.0.0, 1.2.0）之中');
    expect(refusalText(upgradeRefusal('2.0.0', '2.0.0', undefined)!)).toBe('设备已在运行 2.0.0');
  });
});
