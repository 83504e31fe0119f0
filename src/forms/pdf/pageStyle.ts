import type { Rgb } from './PageCanvas';

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
