/** Advance width of one character at font size 1. */
export type CharWidth = (ch: string) => number;

const BREAK_AFTER = new Set([' ', '.', ',', ';', ':', '/', '-', '、', '，', '；', '：', '。', '）', ')']);

function isCjk(ch: string): boolean {
  const cp = ch.codePointAt(0) ?? 0;
  return (cp >= 0x2e80 && cp <= 0x9fff) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xff00 && cp <= 0xffef) || cp >= 0x20000;
}

/**
 * Greedy line breaking for mixed Chinese and Latin text: a line may break
 * before or after any CJK character and after spaces and punctuation; a run
 * with no break opportunity (a long identifier) is cut where it overflows.
 */
export function wrapText(text: string, width: CharWidth, size: number, maxWidth: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line: string[] = [];
    let lineWidth = 0;
    let breakAt = -1; // index in `line` after which the line may end
    for (const ch of paragraph) {
      const w = width(ch) * size;
      if (line.length > 0 && lineWidth + w > maxWidth) {
        const cut = isCjk(ch) || breakAt < 0 ? line.length : breakAt + 1;
        lines.push(line.slice(0, cut).join('').trimEnd());
        line = line.slice(cut);
        lineWidth = line.reduce((sum, c) => sum + width(c) * size, 0);
        breakAt = -1;
        if (line.length === 0 && ch === ' ') continue;
      }
      if (isCjk(ch) && line.length > 0) breakAt = line.length - 1;
      line.push(ch);
      lineWidth += w;
      if (BREAK_AFTER.has(ch) || isCjk(ch)) breakAt = line.length - 1;
    }
    lines.push(line.join(''));
  }
  return lines;
}
