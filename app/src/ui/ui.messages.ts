import { translator } from '../i18n/messages.ts';

/** What the shared UI pieces say (pager, badges, time), in English and Chinese. */
export const t = translator({
  'pager.nav': { en: 'Pages', zh: '分页' },
  'pager.range': { en: '{first}–{last} of {total}', zh: '第 {first}–{last} 条，共 {total} 条' },
  'copy.select': { en: 'Selected: press Ctrl+C', zh: '已选中：按 Ctrl+C 复制' },
  'dialog.working': { en: 'Working…', zh: '处理中…' },
  'state.online': { en: 'online', zh: '在线' },
  'state.offline': { en: 'offline', zh: '离线' },
  'details.row': { en: 'row {row}', zh: '第 {row} 行' },
  'chart.time': { en: 'Time', zh: '时间' },
  'chart.min': { en: 'min', zh: '最小值' },
  'chart.max': { en: 'max', zh: '最大值' },
  'badge.pending': { en: 'pending', zh: '等待中' },
  'severity.critical': { en: 'critical', zh: '紧急' },
  'severity.warning': { en: 'warning', zh: '警告' },
  'severity.info': { en: 'info', zh: '提示' },
});
