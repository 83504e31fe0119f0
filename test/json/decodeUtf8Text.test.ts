import { decodeUtf8Text } from '../../src/json/decodeUtf8Text';

/** A deterministic generator, so a failure names the same inputs on every run. */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

const PIECES = ['a', '{"k":"v"}', '\u00e9', '\u00ff', '\u0100', '\u07ff', '\u0800', '中', '华', '\ufeff', '\ufffd', '\uffff', '\u{10000}', '\u{1f600}', '\u{10ffff}', '\t\n', '\u0000'];

describe('decodeUtf8Text', () => {
  it('gives what Buffer#toString gives for well-formed UTF-8 of every length class, BMP and beyond', () => {
    const next = lcg(17);
    for (let n = 0; n < 2000; n++) {
      let text = '';
      const parts = Math.floor(next() * 40);
      for (let i = 0; i < parts; i++) text += PIECES[Math.floor(next() * PIECES.length)];
      const bytes = Buffer.from(text, 'utf8');
      expect(decodeUtf8Text(bytes)).toBe(text);
    }
  });

  it('reads a full-form-like text: long ASCII runs with CJK in between, and pure ASCII', () => {
    const text = `{"signature":"${'A'.repeat(3000)}","licence":{"holder":"北京某某科技有限公司","scope":"${'技术开发、'.repeat(50)}"},"x":"${'b'.repeat(900)}"}`;
    expect(decodeUtf8Text(Buffer.from(text, 'utf8'))).toBe(text);
    const ascii = 'x'.repeat(5000);
    expect(decodeUtf8Text(Buffer.from(ascii, 'latin1'))).toBe(ascii);
    expect(decodeUtf8Text(new Uint8Array(0))).toBe('');
  });

  it('keeps a leading byte order mark as U+FEFF', () => {
    expect(decodeUtf8Text(Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]))).toBe('\ufeff{}');
  });

  it('reads only the bytes of a view into a larger buffer', () => {
    const whole = Buffer.from('xx中文yy', 'utf8');
    expect(decodeUtf8Text(new Uint8Array(whole.buffer, whole.byteOffset + 2, 6))).toBe('中文');
    expect(decodeUtf8Text(whole.subarray(0, 2))).toBe('xx');
  });

  it.each([
    ['a lone continuation byte', [0x61, 0x80]],
    ['a byte that never occurs', [0xff]],
    ['an overlong NUL', [0xc0, 0x80]],
    ['an overlong slash', [0xe0, 0x80, 0xaf]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ['a truncated sequence at the end', [0x61, 0xe4, 0xb8]],
    ['a truncated sequence before ASCII', [0xe4, 0xb8, 0x61]],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['a five-byte form', [0xf8, 0x88, 0x80, 0x80, 0x80]],
    ['invalid bytes after a long valid prefix', [...Buffer.from('中'.repeat(2000), 'utf8'), 0xc3]],
  ])('refuses %s (null)', (_name, bytes) => {
    expect(decodeUtf8Text(Uint8Array.from(bytes))).toBeNull();
  });
});
