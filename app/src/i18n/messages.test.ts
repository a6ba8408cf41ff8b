import { describe, expect, it } from 'vitest';
import { formatMessage, translator } from './messages.ts';
import { browserLocale, localeFor, setLocale } from './locale.ts';
import { richText } from './rich.tsx';

describe('messages', () => {
  it('fills parameters and writes numbers for the locale', () => {
    expect(formatMessage('{n} devices in {product}', { n: 12345, product: 'meter' }, 'en')).toBe('12,345 devices in meter');
    expect(formatMessage('Hello {name}', {}, 'en')).toBe('Hello {name}');
  });

  it('picks English plural forms and exact matches', () => {
    const text = '{count, plural, =0 {no devices} one {# device} other {# devices}} online';
    expect(formatMessage(text, { count: 0 }, 'en')).toBe('no devices online');
    expect(formatMessage(text, { count: 1 }, 'en')).toBe('1 device online');
    expect(formatMessage(text, { count: 2000 }, 'en')).toBe('2,000 devices online');
    expect(formatMessage('{count, plural, other {# 台设备}}', { count: 3 }, 'zh-CN')).toBe('3 台设备');
  });

  it('speaks the chosen language and falls back to the key for an unknown one', () => {
    const t = translator({ hi: { en: 'Hello', zh: '你好' } });
    setLocale('zh-CN');
    expect(t('hi')).toBe('你好');
    setLocale('en');
    expect(t('hi')).toBe('Hello');
    expect(t('missing' as 'hi')).toBe('missing');
  });

  it('takes any Chinese browser language as Simplified Chinese and anything unknown as English', () => {
    expect(browserLocale(['zh-TW', 'en'])).toBe('zh-CN');
    expect(browserLocale(['fr-FR', 'en-GB'])).toBe('en');
    expect(browserLocale(['de'])).toBe('en');
    expect(localeFor('zh')).toBe('zh-CN');
  });

  it('renders marked parts of a sentence as elements', () => {
    const node = richText('Open <b>the editor</b> now', { b: (text) => text.toUpperCase() });
    expect(JSON.stringify(node)).toContain('THE EDITOR');
  });
});

describe('the platform\'s own recorded words', () => {
  it('are translated by pattern in Chinese, quoted reasons too, and left as they are in English or when unknown', async () => {
    const { serverText } = await import('./server-text.ts');
    setLocale('zh-CN');
    try {
      expect(serverText('told again (3)')).toBe('再次通知（第 3 次）');
      expect(serverText('retrying after: device went offline')).toBe('重试，原因：设备已离线');
      expect(serverText('downloaded 1024 of 4096 bytes')).toBe('已下载 1024 / 4096 字节');
      expect(serverText('flashing 40%')).toBe('flashing 40%');
    } finally {
      setLocale('en');
    }
    expect(serverText('told again (3)')).toBe('told again (3)');
  });
});
