/**
 * Why a device may not take a firmware (`upgradeRefusal` of domain/ota/ota-version.ts) in the language shown: the
 * domain gives the refusal a code and its params and keeps the English for the server; this catalog says it in both
 * languages. The English here is the domain's `text`, word for word (refusal.messages.test.ts checks it).
 */
import { translator } from '../i18n/messages.ts';
import type { UpgradeRefusal, UpgradeRefusalCode } from '../../../domain/ota/ota-version.ts';

const refusals = {
  badCurrent: {
    en: 'reports version "{current}", which is not major.minor.patch',
    zh: '设备上报的版本“{current}”不是 major.minor.patch 格式',
  },
  badTarget: {
    en: 'the firmware version "{target}" is not major.minor.patch',
    zh: '固件版本“{target}”不是 major.minor.patch 格式',
  },
  alreadyRuns: { en: 'already runs {target}', zh: '设备已在运行 {target}' },
  newer: { en: 'runs {current}, newer than {target}', zh: '设备运行的 {current} 比 {target} 更新' },
  belowMin: {
    en: "runs {current}, below the firmware's minimum source version {minVersion}",
    zh: '设备运行的 {current} 低于固件允许的最低源版本 {minVersion}',
  },
  aboveMax: {
    en: "runs {current}, above the firmware's maximum source version {maxVersion}",
    zh: '设备运行的 {current} 高于固件允许的最高源版本 {maxVersion}',
  },
  notFrom: {
    en: 'runs {current}, not one of the versions the firmware installs over ({versions})',
    zh: '设备运行的 {current} 不在固件可覆盖安装的源版本（{versions}）之中',
  },
} as const satisfies Record<UpgradeRefusalCode, { en: string; zh: string }>;

export const tr = translator(refusals);

/** Why the device may not take the firmware, in the language shown. */
export function refusalText(refusal: Pick<UpgradeRefusal, 'code' | 'params' | 'text'>): string {
  return refusal.code in refusals ? tr(refusal.code, refusal.params) : refusal.text;
}
