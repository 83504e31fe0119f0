import { canonicalJson } from '../../src/json/canonicalJson';
import { ElicenseError } from '../../src/errors';

describe('canonicalJson (RFC 8785)', () => {
  it('serialises numbers the ECMAScript way (RFC 8785 3.2.2.3 and appendix B)', () => {
    const cases: Array<[number, string]> = [
      [0, '0'],
      [-0, '0'],
      [1, '1'],
      [-1.5, '-1.5'],
      [1e21, '1e+21'],
      [1e20, '100000000000000000000'],
      [5e-324, '5e-324'],
      [-5e-324, '-5e-324'],
      [1.7976931348623157e308, '1.7976931348623157e+308'],
      [9007199254740992, '9007199254740992'],
      [295147905179352830000, '295147905179352830000'],
      [0.000001, '0.000001'],
      [1e-7, '1e-7'],
      [333333333.3333333, '333333333.3333333'],
      [4.5, '4.5'],
      [2e-3, '0.002'],
      [0.000001234, '0.000001234'],
    ];
    for (const [n, s] of cases) expect(canonicalJson(n)).toBe(s);
  });

  it('sorts keys by UTF-16 code units, recursively (RFC 8785 3.2.3)', () => {
    // The RFC's sorting example: code-unit order puts "\r" first, U+1F600 (D83D DE00) before U+20AC.
    const input = { '\u20ac': 'Euro Sign', '\r': 'Carriage Return', '\ufb33': 'Hebrew Letter Dalet With Dagesh', '1': 'One', '\u{1f600}': 'Emoji: Grinning Face', '\u0080': 'Control', '\u00f6': 'Latin Small Letter O With Diaeresis' };
    const order = Object.keys(JSON.parse(canonicalJson(input)) as object);
    // JSON.parse puts "1" first (integer-like), so read the order from the text itself.
    const text = canonicalJson(input);
    const positions = ['\\r', '1', '\u0080', '\u00f6', '\u20ac', '\u{1f600}', '\ufb33'].map((k) => text.indexOf(`"${k}"`));
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(order).toHaveLength(7);
    expect(canonicalJson({ b: { d: 1, c: 2 }, a: [{ z: 0, y: 1 }] })).toBe('{"a":[{"y":1,"z":0}],"b":{"c":2,"d":1}}');
    expect(canonicalJson({ '10': 1, '9': 2, a: 3 })).toBe('{"10":1,"9":2,"a":3}');
  });

  it('produces the RFC 8785 3.2.2 sample output', () => {
    const input = {
      numbers: [333333333.33333329, 1e30, 4.5, 2e-3, 0.000000000000000000000000001],
      string: '\u20ac$\u000f\u000aA\'\u0042\u0022\u005c\\"/',
      literals: [null, true, false],
    };
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('escapes strings as JSON.stringify does and leaves non-ASCII as is', () => {
    expect(canonicalJson('中文\u2028\u0000\t')).toBe('"中文\u2028\\u0000\\t"');
    expect(canonicalJson({ é: 'ü' })).toBe('{"é":"ü"}');
  });

  it('writes every UTF-16 code unit as JSON.stringify does (alone and amid text), and refuses each lone surrogate', () => {
    const wrong: string[] = [];
    const refuses = (v: string) => {
      try {
        canonicalJson(v);
        return false;
      } catch (e) {
        return (e as { code?: string }).code === 'INPUT_MALFORMED';
      }
    };
    for (let u = 0; u <= 0xffff; u++) {
      const c = String.fromCharCode(u);
      const ok = u >= 0xd800 && u <= 0xdfff
        ? refuses(c) && refuses(`ab${c}cd`)
        : canonicalJson(c) === JSON.stringify(c) && canonicalJson(`证照${c}x`) === JSON.stringify(`证照${c}x`);
      if (!ok) wrong.push(u.toString(16));
    }
    expect(wrong).toEqual([]);
    // A surrogate pair is one character (U+1F600 and U+20000, a CJK Extension B ideograph): written as it is.
    expect(canonicalJson('\ud83d\ude00\ud840\udc00')).toBe('"\ud83d\ude00\ud840\udc00"');
    expect(canonicalJson({ '\ud840\udc00': 'k' })).toBe('{"\ud840\udc00":"k"}');
  });

  it('is stable under re-parsing (idempotent)', () => {
    const v = { z: [1, 2.5, { k: 'v', a: null }], a: { y: true, x: -0 } };
    const once = canonicalJson(v);
    expect(canonicalJson(JSON.parse(once))).toBe(once);
    expect(once).toBe('{"a":{"x":0,"y":true},"z":[1,2.5,{"a":null,"k":"v"}]}');
  });

  it.each([
    ['NaN', NaN],
    ['Infinity', [Infinity]],
    ['-Infinity', { a: -Infinity }],
    ['undefined', undefined],
    ['undefined property', { a: undefined }],
    ['undefined element', [1, undefined]],
    ['array hole', [1, , 3]],
    ['function', { f: () => 1 }],
    ['symbol', Symbol('x')],
    ['BigInt', { n: BigInt(1) }],
    ['Date', new Date(0)],
    ['Map', new Map()],
    ['class instance', new (class Point { x = 1; })()],
    ['lone surrogate value', '\ud800'],
    ['lone surrogate key', { '\udc00': 1 }],
  ])('refuses %s with INPUT_MALFORMED', (_name, value) => {
    expect(() => canonicalJson(value)).toThrow(ElicenseError);
    try {
      canonicalJson(value);
    } catch (e) {
      expect((e as ElicenseError).code).toBe('INPUT_MALFORMED');
    }
  });

  it('refuses cyclic values instead of overflowing the stack', () => {
    const a: Record<string, unknown> = {};
    a['self'] = a;
    expect(() => canonicalJson(a)).toThrow(ElicenseError);
  });

  it('accepts objects without a prototype', () => {
    const o = Object.create(null) as Record<string, unknown>;
    o['b'] = 1;
    o['a'] = 2;
    expect(canonicalJson(o)).toBe('{"a":2,"b":1}');
  });
});
