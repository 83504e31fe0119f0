import { parseStrictJson } from '../../src/json/parseStrictJson';
import { ElicenseError } from '../../src/errors';

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    if (e instanceof ElicenseError) return e.code;
    throw e;
  }
}

describe('parseStrictJson', () => {
  it('parses ordinary JSON from a string or UTF-8 bytes', () => {
    const text = '{"a":[1,2,{"b":"中文"}],"c":null,"d":true,"e":-1.5e3}';
    const expected = { a: [1, 2, { b: '中文' }], c: null, d: true, e: -1500 };
    expect(parseStrictJson(text)).toEqual(expected);
    expect(parseStrictJson(Buffer.from(text, 'utf8'))).toEqual(expected);
    expect(parseStrictJson(new Uint8Array(Buffer.from(' [ ] ')))).toEqual([]);
    expect(parseStrictJson('"just a string"')).toBe('just a string');
  });

  it('accepts escapes that are not duplicates and keys that only look alike', () => {
    expect(parseStrictJson('{"a":1,"A":2,"a ":3,"\\u00e9":4,"e\\u0301":5}')).toEqual({ a: 1, A: 2, 'a ': 3, 'é': 4, 'e\u0301': 5 });
    expect(parseStrictJson('{"x":"\\"{\\"x\\":1,\\"x\\":2}"}')).toEqual({ x: '"{"x":1,"x":2}' });
    expect(parseStrictJson('{"k":"\\\\","k2":"\\\\u0061"}')).toEqual({ k: '\\', k2: '\\u0061' });
    expect(parseStrictJson('{"p":"\\ud83d\\ude00"}')).toEqual({ p: '😀' });
    expect(parseStrictJson('{"__proto__":1,"constructor":2}')).toEqual(JSON.parse('{"__proto__":1,"constructor":2}'));
  });

  it.each([
    ['top level', '{"a":1,"a":2}'],
    ['nested', '{"x":{"y":[{"a":1,"b":2,"a":3}]}}'],
    ['escaped spelling', '{"a":1,"\\u0061":2}'],
    ['both escaped', '{"\\u00e9":1,"\\u00E9":2}'],
    ['raw and escaped non-ASCII', '{"é":1,"\\u00e9":2}'],
    ['escaped quote', '{"a\\"b":1,"a\\u0022b":2}'],
    ['same value', '{"a":1,"a":1}'],
    ['after a nested object', '{"a":{"z":1},"b":2,"a":{"z":1}}'],
    ['__proto__ twice', '{"__proto__":1,"__proto__":2}'],
    ['in the second object of an array', '[{"a":1},{"b":1,"b":2}]'],
    ['deep in a later sibling', '{"a":{"b":{}},"c":[[{"d":{"e":1,"e":2}}]]}'],
  ])('refuses duplicate keys: %s', (_name, text) => {
    expect(codeOf(() => parseStrictJson(text))).toBe('JSON_DUPLICATE_KEY');
    expect(codeOf(() => parseStrictJson(Buffer.from(text)))).toBe('JSON_DUPLICATE_KEY');
  });

  it('names the repeated key in the error details', () => {
    try {
      parseStrictJson('{"ok":1,"x":{"\\u006b":1,"k":2}}');
      throw new Error('not reached');
    } catch (e) {
      expect((e as ElicenseError).details).toEqual({ key: 'k' });
    }
  });

  it.each([
    ['empty', ''],
    ['truncated object', '{"a":1'],
    ['truncated string', '{"a":"b'],
    ['trailing comma', '[1,2,]'],
    ['single quotes', "{'a':1}"],
    ['two documents', '{} {}'],
    ['comment', '{"a":1 /* c */}'],
    ['NaN', '[NaN]'],
    ['byte order mark', '\ufeff{"a":1}'],
    ['raw control char', '["a\u0001"]'],
  ])('refuses malformed input: %s', (_name, text) => {
    expect(codeOf(() => parseStrictJson(text))).toBe('INPUT_MALFORMED');
  });

  it('refuses invalid UTF-8 and a UTF-8 BOM in byte input', () => {
    expect(codeOf(() => parseStrictJson(Uint8Array.from([0x22, 0xc3, 0x28, 0x22])))).toBe('INPUT_MALFORMED');
    expect(codeOf(() => parseStrictJson(Uint8Array.from([0x22, 0xed, 0xa0, 0x80, 0x22])))).toBe('INPUT_MALFORMED'); // CESU surrogate
    expect(codeOf(() => parseStrictJson(Uint8Array.from([0x22, 0xc0, 0xa2, 0x22])))).toBe('INPUT_MALFORMED'); // overlong
    expect(codeOf(() => parseStrictJson(Buffer.from('\ufeff{}', 'utf8')))).toBe('INPUT_MALFORMED');
  });

  it('refuses lone surrogates, raw or escaped, in keys and values', () => {
    expect(codeOf(() => parseStrictJson('{"\\ud800":1}'))).toBe('INPUT_MALFORMED');
    expect(codeOf(() => parseStrictJson('{"a":"\\udc00"}'))).toBe('INPUT_MALFORMED');
    expect(codeOf(() => parseStrictJson('{"a":"x\\ud83dy"}'))).toBe('INPUT_MALFORMED');
    expect(codeOf(() => parseStrictJson('{"a":"\\ude00\\ud83d"}'))).toBe('INPUT_MALFORMED');
    expect(codeOf(() => parseStrictJson('{"\ud800":1}'))).toBe('INPUT_MALFORMED');
    expect(codeOf(() => parseStrictJson(Buffer.from('{"a":"\\ud800"}')))).toBe('INPUT_MALFORMED');
  });

  it('limits size in UTF-8 bytes, not characters', () => {
    const han = `"${'中'.repeat(100)}"`; // 302 bytes, 102 characters
    expect(parseStrictJson(han, { maxBytes: 302 })).toBe('中'.repeat(100));
    expect(codeOf(() => parseStrictJson(han, { maxBytes: 301 }))).toBe('INPUT_TOO_LARGE');
    expect(codeOf(() => parseStrictJson(Buffer.from(han), { maxBytes: 301 }))).toBe('INPUT_TOO_LARGE');
    const big = `"${'a'.repeat(256 * 1024)}"`;
    expect(codeOf(() => parseStrictJson(big))).toBe('INPUT_TOO_LARGE');
    expect(parseStrictJson(`"${'a'.repeat(256 * 1024 - 2)}"`)).toHaveLength(256 * 1024 - 2);
  });

  it('limits depth to 32 by default, counting arrays and objects', () => {
    const nest = (n: number) => '['.repeat(n - 1) + '{"a":1}' + ']'.repeat(n - 1);
    expect(() => parseStrictJson(nest(32))).not.toThrow();
    expect(codeOf(() => parseStrictJson(nest(33)))).toBe('JSON_TOO_DEEP');
    expect(codeOf(() => parseStrictJson(nest(5), { maxDepth: 4 }))).toBe('JSON_TOO_DEEP');
    // brackets inside strings are not nesting
    expect(parseStrictJson(`["${'['.repeat(100)}"]`)).toEqual(['['.repeat(100)]);
    // very deep input is refused, never a stack overflow
    expect(codeOf(() => parseStrictJson('['.repeat(100000) + ']'.repeat(100000)))).toBe('JSON_TOO_DEEP');
  });
});
