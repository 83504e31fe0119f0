import { checkRequestText, findRefusedText } from '../../src/json/checkRequestText';

describe('checkRequestText: the characters request text may not hold', () => {
  it('refuses C0 controls (but tab, LF, CR in free text), DEL, C1 controls and lone surrogates', () => {
    for (const c of ['\u0000', '\u0001', '\u0008', '\u000b', '\u000c', '\u001b', '\u001f', '\u007f', '\u0085', '\u009f', '\ud800', '\udfff']) {
      expect(findRefusedText({ a: `x${c}y` })).toMatchObject({ path: '/a' });
    }
    for (const c of ['\t', '\n', '\r', ' ', '\u00a0', '\u4e2d', '\ud83d\ude00']) expect(findRefusedText({ a: `x${c}y` })).toBeUndefined();
  });

  it('single-line text (path segments, query parameters) refuses tab and line breaks too', () => {
    for (const c of ['\t', '\n', '\r']) expect(findRefusedText({ q: c }, { singleLine: true })).toEqual({ path: '/q', character: expect.stringMatching(/^U\+000[9AD]$/) });
  });

  it('names the field by JSON pointer, keys included, with ~ and / escaped', () => {
    expect(findRefusedText({ data: { list: ['ok', 'b\u0000'] } })).toEqual({ path: '/data/list/1', character: 'U+0000' });
    expect(findRefusedText({ data: { 'a~/b\u0001': 1 } })).toEqual({ path: '/data/a~0~1b\u0001', character: 'U+0001' });
    expect(findRefusedText('\u0000')).toEqual({ path: '', character: 'U+0000' });
    expect(findRefusedText({ x: 1, y: null, z: [true] })).toBeUndefined();
  });

  it('throws TEXT_CONTROL_CHARACTER with the pointer in errors', () => {
    expect(() => checkRequestText({ reason: 'a\u0000' })).toThrow(expect.objectContaining({ code: 'TEXT_CONTROL_CHARACTER', details: { errors: [expect.objectContaining({ path: '/reason' })] } }));
  });
});
