import type { Rgb } from './PageCanvas';
import type { CharWidth } from './wrapText';

/** Fixed texts of a licence page (both layouts); listed so the font subset includes them. */
export const PAGE_TEXTS = {
  scan: '扫码核验',
  scanEn: 'Scan to verify',
  footer: '本证照由颁发机构数字签名，签名证照文件见附件 licence.elic.json',
  footerEn: 'Electronic licence digitally signed by the issuing authority; the full signed licence is embedded as licence.elic.json.',
  identifierLabel: '证照标识 Licence identifier: ',
} as const;

/** The page's inks. */
export const INK: Rgb = [0.1, 0.1, 0.1];
export const LABEL: Rgb = [0.33, 0.33, 0.36];
export const LABEL_EN: Rgb = [0.5, 0.5, 0.53];
export const ACCENT: Rgb = [0.62, 0.1, 0.12];

/** Page edge to content, and the gap between columns (points). */
export const PAD = 48;
export const GAP = 14;

/** Width of `s` at `size` (points). */
export function measure(width: CharWidth, s: string, size: number): number {
  let w = 0;
  for (const ch of s) w += width(ch);
  return w * size;
}

/** The largest size up to `size` at which `s` fits on one line of `maxWidth`. */
export function fitSize(width: CharWidth, s: string, size: number, maxWidth: number): number {
  const w = measure(width, s, size);
  return w <= maxWidth ? size : Math.floor((size * maxWidth * 10) / w) / 10;
}
