/** Chinese line breaking (issue 14): closing punctuation never starts a line, opening punctuation never ends one. */
import { NO_LINE_END, NO_LINE_START, wrapText, type CharWidth } from '../../../src/forms/pdf/wrapText';

// Every character one unit wide (CJK-like): a width of n fits n characters at size 1.
const mono: CharWidth = () => 1;
const wrap = (s: string, n: number) => wrapText(s, mono, 1, n, { kinsoku: true });

describe('wrapText with Chinese line-breaking rules', () => {
  it('moves the last character of a line down when the next line would start with closing punctuation', () => {
    // Without the rules the comma would start line 2.
    expect(wrapText('一二三四，五六', mono, 1, 4)).toEqual(['一二三四', '，五六']);
    expect(wrap('一二三四，五六', 4)).toEqual(['一二三', '四，五六']);
  });

  it('handles every kind of closing punctuation: 。、；：？！）》」』】 and the ASCII ones', () => {
    for (const p of ['。', '、', '；', '：', '？', '！', '）', '》', '」', '』', '】', '〉', '…', ',', '.', ';', ':', '?', '!', ')']) {
      const lines = wrap(`甲乙丙丁${p}戊己`, 4);
      expect({ p, lines }).toEqual({ p, lines: ['甲乙丙', `丁${p}戊己`] });
    }
  });

  it('never ends a line with opening punctuation: the bracket goes down with what it opens', () => {
    expect(wrapText('一二三（四五）', mono, 1, 4)).toEqual(['一二三（', '四五）']);
    for (const p of ['（', '《', '「', '『', '【', '〈', '(', '[']) {
      const lines = wrap(`一二三${p}四五`, 4);
      expect({ p, lines }).toEqual({ p, lines: ['一二三', `${p}四五`] });
    }
  });

  it('moves back over several characters when both rules apply (a closing mark after an opening one)', () => {
    // 一二（三）：the break before ）would leave （ at a line end too, so 三 and （ both go down... the line keeps 一二.
    expect(wrap('一二（三）四', 4)).toEqual(['一二', '（三）四']);
  });

  it('no line of a long mixed text breaks either rule', () => {
    const text = '一般项目：软件开发；信息系统集成服务；信息技术咨询服务；数据处理和存储支持服务（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）。许可项目：小餐饮。';
    for (let width = 3; width <= 20; width++) {
      const lines = wrap(text, width);
      expect(lines.join('')).toBe(text);
      for (const [i, line] of lines.entries()) {
        if (i > 0) expect({ width, line, starts: NO_LINE_START.has([...line][0]!) }).toEqual({ width, line, starts: false });
        if (i < lines.length - 1) expect({ width, line, ends: NO_LINE_END.has([...line].at(-1)!) }).toEqual({ width, line, ends: false });
      }
    }
  });

  it('keeps the break where it was when no point on the line obeys the rules (a line one character wide)', () => {
    expect(wrap('（，', 1)).toEqual(['（', '，']);
  });

  it('leaves Latin text and identifiers as before: break after spaces and dots, cut where nothing else helps', () => {
    for (const [s, n] of [['ab cd ef', 5], ['1.2.156.3005.2.11100000MB0143028R001', 12], ['ABCDEFGH', 3]] as const) {
      expect(wrap(s, n)).toEqual(wrapText(s, mono, 1, n));
    }
    expect(wrap('ABCDEFGH', 3)).toEqual(['ABC', 'DEF', 'GH']);
  });

  it('is unchanged without the option (1.0.0 layouts print exactly as before)', () => {
    expect(wrapText('一二三四，五六', mono, 1, 4)).toEqual(['一二三四', '，五六']);
  });
});
