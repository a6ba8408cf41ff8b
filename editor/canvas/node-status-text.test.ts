import { afterEach, describe, expect, it } from 'vitest';
import { setLocale } from '../../app/src/i18n/locale.ts';
import { statusText } from './node-status-badge.tsx';

afterEach(() => setLocale('en'));

describe('a node status in the UI language', () => {
  it('keeps English as the runtime wrote it', () => {
    expect(statusText('2 stored, 1 refused')).toBe('2 stored, 1 refused');
    expect(statusText('1,204 messages')).toBe('1,204 messages');
  });

  it('translates our counts and Node-RED\'s common statuses in Chinese, and leaves other text as it is', () => {
    setLocale('zh-CN');
    expect(statusText('2 stored, 1 refused, 3 values skipped')).toBe('已存储 2，拒绝 1，跳过 3 个值');
    expect(statusText('1,204 messages')).toBe('1,204 条消息');
    expect(statusText('1 report, last: hall notified')).toBe('1 次上报，最近：hall 已通知');
    expect(statusText('2 reports, last: campaign 3 started')).toBe('2 次上报，最近：campaign 3 started');
    expect(statusText('connected')).toBe('已连接');
    expect(statusText('listening on 1883')).toBe('listening on 1883');
  });
});
