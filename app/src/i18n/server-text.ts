/**
 * Words the platform itself writes into what it records (a command's reply, an upgrade's progress), which the API
 * returns as stored text. English screens show them as they are; other languages get them translated by pattern.
 * Text a device sent, or anything not listed here, is shown as it is.
 */
import { currentLocale } from './locale.ts';
import { translator } from './messages.ts';

const ts = translator({
  serverStopping: { en: 'the server is stopping', zh: '服务器正在停止' },
  deviceMissing: { en: 'device does not exist', zh: '设备不存在' },
  notChecked: { en: 'not sent: the command could not be checked', zh: '未发送：无法校验该指令' },
  offline: { en: 'device is offline', zh: '设备离线' },
  offlineQueueFull: { en: 'device is offline and already has {n} commands queued', zh: '设备离线，且已有 {n} 条指令在排队' },
  expired: { en: 'expired: the device stayed offline for {ms} ms', zh: '已过期：设备离线超过 {ms} 毫秒' },
  neverReady: { en: 'device did not answer in {ms} ms (it never became ready for commands)', zh: '设备在 {ms} 毫秒内没有回复（一直未准备好接收指令）' },
  noAnswer: { en: 'device did not answer in {ms} ms', zh: '设备在 {ms} 毫秒内没有回复' },
  sentProgress: { en: 'sent; the device answers with its progress', zh: '已发送，设备将回报进度' },
  sentRaw: { en: 'sent; raw downlinks get no reply', zh: '已发送，原始下行消息没有回复' },
  wentOffline: { en: 'device went offline', zh: '设备已离线' },
  deleted: { en: 'device was deleted', zh: '设备已被删除' },
  couldNotSend: { en: 'could not be sent: {why}', zh: '无法发送：{why}' },
  told: { en: 'told to upgrade', zh: '已通知升级' },
  toldAgain: { en: 'told again ({n})', zh: '再次通知（第 {n} 次）' },
  asked: { en: 'asked for its upgrade', zh: '设备已请求升级' },
  reported: { en: 'reported {version}', zh: '已上报 {version}' },
  downloaded: { en: 'downloaded {bytes} of {size} bytes', zh: '已下载 {bytes} / {size} 字节' },
  retrying: { en: 'retrying after: {why}', zh: '重试，原因：{why}' },
  queuedAgain: { en: 'queued again on resume (was {state}: {why})', zh: '恢复后重新排队（之前为 {state}：{why}）' },
  newer: { en: 'now runs {version}, newer than {target}', zh: '当前已运行 {version}，比 {target} 更新' },
  windowEnded: { en: 'the campaign\'s window ended before the device was notified', zh: '在通知设备之前，升级任务的时间窗口已结束' },
  deviceDeleted: { en: 'the device was deleted', zh: '设备已被删除' },
});

type Key = Parameters<typeof ts>[0];

/** The patterns, built from the English of each message: `{name}` matches anything. */
let patterns: { key: Key; pattern: RegExp; names: string[] }[] | undefined;

function compiled() {
  patterns ??= (Object.keys(ts.catalog) as Key[]).map((key) => {
    const english = ts.catalog[key].en;
    const names = [...english.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    const source = english.split(/\{\w+\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('(.+?)');
    return { key, pattern: new RegExp(`^${source}$`), names };
  });
  return patterns;
}

/** `text` the platform recorded, in the current language when it is one of the platform's own messages. */
export function serverText(text: string): string;
export function serverText(text: string | null | undefined): string | null | undefined;
export function serverText(text: string | null | undefined): string | null | undefined {
  if (!text || currentLocale() === 'en') return text;
  for (const { key, pattern, names } of compiled()) {
    const match = pattern.exec(text);
    if (!match) continue;
    const params = Object.fromEntries(names.map((name, i) => [name, match[i + 1]!]));
    // What a message quotes (an earlier reason) may be the platform's own words too.
    if ('why' in params) params.why = serverText(params.why);
    return ts(key, params);
  }
  return text;
}
