import { sm3 } from '../../src/crypto/sm2/sm3';

// GB/T 32905-2016, appendix A: the two examples.
describe('SM3 known answers (GB/T 32905 appendix A)', () => {
  it('example 1: "abc"', () => {
    expect(sm3(Buffer.from('abc')).toString('hex')).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
  });

  it('example 2: "abcd" × 16 (64 bytes, two blocks after padding)', () => {
    expect(sm3(Buffer.from('abcd'.repeat(16))).toString('hex')).toBe('debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732');
  });

  it('hashes parts as their concatenation', () => {
    expect(sm3(Buffer.from('ab'), Buffer.from('c')).equals(sm3(Buffer.from('abc')))).toBe(true);
  });
});
