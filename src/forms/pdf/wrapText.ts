/** Advance width of one character at font size 1. */
export type CharWidth = (ch: string) => number;

const BREAK_AFTER = new Set([' ', '.', ',', ';', ':', '/', '-', '、', '，', '；', '：', '。', '）', ')']);

/** Characters that must not start a line (closing punctuation; Chinese kinsoku, GB/T 15834 usage). */
export const NO_LINE_START = new Set([...'，。、；：？！）》」』】〉〕］｝”’…‥·．,.;:?!)]}%％‰℃～']);
/** Characters that must not end a line (opening punctuation). */
export const NO_LINE_END = new Set([...'（《「『【〈〔［｛“‘([{']);

export interface WrapOptions {
  /**
   * Chinese line-breaking rules (1.1.0 faces): no line starts with closing punctuation and none ends
   * with opening punctuation; the break moves back a character (or more) when needed. 1.0.0 layouts
   * wrap without them, so their published pages stay exactly as they were.
   */
  kinsoku?: boolean;
}

function isCjk(ch: string): boolean {
  const cp = ch.codePointAt(0) ?? 0;
  return (cp >= 0x2e80 && cp <= 0x9fff) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xff00 && cp <= 0xffef) || cp >= 0x20000;
}

/**
 * Greedy line breaking for mixed Chinese and Latin text: a line may break
 * before or after any CJK character and after spaces and punctuation; a run
 * with no break opportunity (a long identifier) is cut where it overflows.
 */
export function wrapText(text: string, width: CharWidth, size: number, maxWidth: number, opts: WrapOptions = {}): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line: string[] = [];
    let lineWidth = 0;
    let breakAt = -1; // index in `line` after which the line may end
    for (const ch of paragraph) {
      const w = width(ch) * size;
      if (line.length > 0 && lineWidth + w > maxWidth) {
        let cut = isCjk(ch) || breakAt < 0 ? line.length : breakAt + 1;
        if (opts.kinsoku) cut = kinsokuCut(line, cut, ch);
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

/**
 * Moves a break at `cut` (the line is `line[0..cut)`, the next starts with `line[cut..]` then `next`)
 * back until the next line does not start with closing punctuation and this one does not end with
 * opening punctuation, preferring a point where a break is allowed anyway (beside a CJK character,
 * after a space or punctuation). If no such point is left on the line, the break stays where it was.
 */
function kinsokuCut(line: string[], cut: number, next: string): number {
  const startOfNext = (c: number) => (c < line.length ? line[c]! : next);
  const ruleOk = (c: number) => !NO_LINE_START.has(startOfNext(c)) && !NO_LINE_END.has(line[c - 1]!);
  const breakable = (c: number) => isCjk(line[c - 1]!) || isCjk(startOfNext(c)) || BREAK_AFTER.has(line[c - 1]!) || NO_LINE_END.has(startOfNext(c));
  if (ruleOk(cut)) return cut;
  for (let c = cut - 1; c > 0; c--) if (ruleOk(c) && breakable(c)) return c;
  for (let c = cut - 1; c > 0; c--) if (ruleOk(c)) return c;
  return cut;
}
