import { locale, t } from './i18n.js';

/** A moment as local date and time in the page's language. */
export function formatDateTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return new Intl.DateTimeFormat(locale(), { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }).format(d);
}

/** "3 minutes ago" / "3 分钟前", or "in 2 days". */
export function ago(iso, now = Date.now()) {
  if (!iso) return '';
  const ms = new Date(iso).getTime() - now;
  if (Number.isNaN(ms)) return '';
  const abs = Math.abs(ms);
  const rtf = new Intl.RelativeTimeFormat(locale(), { numeric: 'auto' });
  if (abs < 45_000) return t('time.justNow');
  if (abs < 3_600_000) return rtf.format(Math.round(ms / 60_000), 'minute');
  if (abs < 86_400_000) return rtf.format(Math.round(ms / 3_600_000), 'hour');
  return rtf.format(Math.round(ms / 86_400_000), 'day');
}

export function formatCount(n) {
  return new Intl.NumberFormat(locale()).format(n);
}

/** A face or record value as text: lists joined, numbers as they are. */
export function formatValue(v) {
  if (v === undefined || v === null || v === '') return '—';
  if (Array.isArray(v)) return v.map(formatValue).join(locale() === 'zh-CN' ? '、' : ', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}
