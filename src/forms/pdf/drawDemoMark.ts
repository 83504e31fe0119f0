import type { PageCanvas, Rgb } from './PageCanvas';

/** The mark of a document of a DEMO region (issue 14): visible across the page and in its text layer. */
export const DEMO_MARK = {
  zh: '演示样本 · 无法律效力',
  en: 'DEMO — NO LEGAL EFFECT',
} as const;

const MARK: Rgb = [0.78, 0.12, 0.12];
const OPACITY = 0.16;

/**
 * Writes DEMO_MARK diagonally across the page, corner to corner, large and semi-transparent, as real
 * text (pdftotext finds it), so a demo licence cannot pass for a real one on paper or on screen.
 * Drawn before the face: the QR's white ground covers it there and the code stays readable.
 */
export function drawDemoMark(canvas: PageCanvas): void {
  const { width: W, height: H } = canvas;
  const angle = Math.atan2(H, W);
  const diagonal = Math.hypot(W, H);
  const zhSize = Math.min(64, (diagonal * 0.62) / Math.max(1, canvas.measure(DEMO_MARK.zh, 1)));
  const enSize = Math.min(34, (diagonal * 0.55) / Math.max(1, canvas.measure(DEMO_MARK.en, 1)));
  // Centre each line on the diagonal, the English line below the Chinese one.
  const line = (s: string, size: number, offset: number) => {
    const w = canvas.measure(s, size);
    const cx = W / 2 + offset * Math.sin(angle);
    const cy = H / 2 - offset * Math.cos(angle);
    canvas.rotatedText(s, cx - (w / 2) * Math.cos(angle), cy - (w / 2) * Math.sin(angle), size, angle, MARK, OPACITY);
  };
  line(DEMO_MARK.zh, zhSize, -zhSize * 0.15);
  line(DEMO_MARK.en, enSize, enSize * 1.3);
  // Text extraction reads rotated glyphs one per line: the mark is also in the text layer as one horizontal,
  // unpainted line near the top of the page, so a search for 演示样本 or "DEMO — NO LEGAL EFFECT" finds it.
  canvas.invisibleText(`${DEMO_MARK.zh}  ${DEMO_MARK.en}`, 24, H - 14, 8);
}
