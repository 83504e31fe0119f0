import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { ecdsaDerToP1363 } from '../../src/crypto/ecdsaDerToP1363';
import { ecdsaP1363ToDer } from '../../src/crypto/ecdsaP1363ToDer';

describe('ecdsaP1363ToDer', () => {
  it('is the inverse of ecdsaDerToP1363, for leading zeros and high bits alike', () => {
    const cases = [
      Buffer.concat([Buffer.alloc(32, 0xff), Buffer.alloc(32, 0x01)]),
      Buffer.concat([Buffer.alloc(31, 0), Buffer.of(5), Buffer.alloc(32, 0x7f)]),
      Buffer.alloc(64, 0),
      Buffer.concat([Buffer.of(0x00, 0x80), Buffer.alloc(30, 0x11), Buffer.of(0x80), Buffer.alloc(31, 0)]),
    ];
    for (const rs of cases) expect(ecdsaDerToP1363(ecdsaP1363ToDer(rs))).toEqual(rs);
  });

  it('gives what a strict DER verifier accepts', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const data = Buffer.from('tbs');
    for (let i = 0; i < 20; i++) {
      const rs = sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
      const der = ecdsaP1363ToDer(rs);
      expect(verify('sha256', data, { key: publicKey, dsaEncoding: 'der' }, der)).toBe(true);
      expect(ecdsaDerToP1363(der)).toEqual(rs);
    }
  });

  it('refuses an odd, empty or oversized input', () => {
    expect(() => ecdsaP1363ToDer(new Uint8Array(63))).toThrow(RangeError);
    expect(() => ecdsaP1363ToDer(new Uint8Array(0))).toThrow(RangeError);
    expect(() => ecdsaP1363ToDer(new Uint8Array(130))).toThrow(RangeError);
  });
});
