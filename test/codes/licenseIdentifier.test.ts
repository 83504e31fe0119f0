import { mod37_36CheckCharacter } from '../../src/codes/mod37_36';
import {
  buildLicenseIdentifier,
  generateSerial,
  LICENSE_IDENTIFIER_ROOT,
  parseLicenseIdentifier,
} from '../../src/codes/licenseIdentifier';
import { ElicenseError } from '../../src/errors';
import { seededRandomBytes } from './seededRandom';

const REAL = [
  '1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F',
  '1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U',
  '1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002.0',
];

describe('MOD 37,36 check character', () => {
  it('gives F for the worked example body (p = 22 after the last character)', () => {
    expect(mod37_36CheckCharacter('11100000000013338W03211220000013544541J2430599001')).toBe('F');
  });

  it('rejects characters outside 0-9A-Z', () => {
    expect(() => mod37_36CheckCharacter('abc')).toThrow(RangeError);
    expect(() => mod37_36CheckCharacter('12.3')).toThrow(RangeError);
  });
});

describe('parseLicenseIdentifier', () => {
  it.each(REAL)('accepts the real identifier %s', (id) => {
    const r = parseLicenseIdentifier(id);
    expect(r.ok).toBe(true);
  });

  it('splits the segments', () => {
    const r = parseLicenseIdentifier(REAL[0]);
    expect(r).toEqual({
      ok: true,
      value: {
        root: '1.2.156.3005.2',
        typeCode: '11100000000013338W032',
        issuerCode: '11220000013544541J',
        serial: '2430599',
        version: '001',
        check: 'F',
      },
    });
  });

  it.each(['.001.M', '.001.X'])('rejects vendor demo identifiers ending %s', (tail) => {
    const id = REAL[0]!.replace(/\.001\.F$/, tail);
    expect(parseLicenseIdentifier(id)).toMatchObject({ ok: false, code: 'IDENTIFIER_CHECK_INVALID' });
  });

  it('rejects the wrong root 1.2.156.3003.2 even with a correct check', () => {
    const id = REAL[0]!.replace('1.2.156.3005.2', '1.2.156.3003.2');
    expect(parseLicenseIdentifier(id)).toMatchObject({ ok: false, code: 'IDENTIFIER_ROOT_INVALID' });
  });

  it('rejects lower case', () => {
    expect(parseLicenseIdentifier(REAL[0]!.replace('W032', 'w032'))).toMatchObject({ ok: false, code: 'IDENTIFIER_MALFORMED' });
    expect(parseLicenseIdentifier(REAL[1]!.toLowerCase())).toMatchObject({ ok: false, code: 'IDENTIFIER_MALFORMED' });
  });

  it.each([
    ['short type code', '1.2.156.3005.2.11100000000013338W03.11220000013544541J.2430599.001.F'],
    ['long issuer code', '1.2.156.3005.2.11100000000013338W032.11220000013544541JJ.2430599.001.F'],
    ['issuer with a letter USCC forbids', '1.2.156.3005.2.11100000000013338W032.1122000001354454IJ.2430599.001.F'],
    ['empty serial', '1.2.156.3005.2.11100000000013338W032.11220000013544541J..001.F'],
    ['2-digit version', '1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.01.F'],
    ['two-character check', '1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.FF'],
    ['missing check', '1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001'],
    ['extra segment', '1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F.1'],
    ['empty', ''],
    ['too long', `${LICENSE_IDENTIFIER_ROOT}.${'A'.repeat(200)}`],
  ])('rejects %s as malformed', (_name, id) => {
    expect(parseLicenseIdentifier(id)).toMatchObject({ ok: false, code: 'IDENTIFIER_MALFORMED' });
  });

  it('rejects non-strings', () => {
    expect(parseLicenseIdentifier(42)).toMatchObject({ ok: false, code: 'IDENTIFIER_MALFORMED' });
    expect(parseLicenseIdentifier(null)).toMatchObject({ ok: false, code: 'IDENTIFIER_MALFORMED' });
  });

  it('catches every single-character substitution of a valid identifier', () => {
    const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ.abz-';
    for (const id of REAL) {
      for (let i = 0; i < id.length; i++) {
        for (const ch of alphabet) {
          if (ch === id[i]) continue;
          const mutated = id.slice(0, i) + ch + id.slice(i + 1);
          expect([mutated, parseLicenseIdentifier(mutated).ok]).toEqual([mutated, false]);
        }
      }
    }
  });

  it('catches nearly all adjacent transpositions in the body (the hybrid system guarantees only substitutions)', () => {
    let total = 0;
    let missed = 0;
    for (const id of REAL) {
      for (let i = 15; i < id.length - 2; i++) {
        if (id[i] === id[i + 1] || id[i] === '.' || id[i + 1] === '.') continue;
        total++;
        if (parseLicenseIdentifier(id.slice(0, i) + id[i + 1] + id[i] + id.slice(i + 2)).ok) missed++;
      }
    }
    expect(missed / total).toBeLessThan(0.05);
  });
});

describe('buildLicenseIdentifier', () => {
  it('rebuilds the real identifiers', () => {
    for (const id of REAL) {
      const r = parseLicenseIdentifier(id);
      if (!r.ok) throw new Error('expected ok');
      expect(buildLicenseIdentifier(r.value)).toBe(id);
    }
  });

  it('pads a numeric version', () => {
    const id = buildLicenseIdentifier({ typeCode: '11100000MB03271699001', issuerCode: '11220000013544541J', serial: 'ABC123', version: 2 });
    expect(id).toMatch(/\.ABC123\.002\.[0-9A-Z]$/);
  });

  it('round-trips random serials', () => {
    const rnd = seededRandomBytes(7);
    for (let i = 0; i < 500; i++) {
      const serial = generateSerial(rnd, 1 + (i % 32));
      const id = buildLicenseIdentifier({ typeCode: '11100000MB03271699001', issuerCode: '91350100M000100Y43', serial, version: 1 + (i % 999) });
      const r = parseLicenseIdentifier(id);
      expect(r.ok && r.value.serial === serial).toBe(true);
    }
  });

  it.each([
    [{ typeCode: '11100000MB0327169900', issuerCode: '11220000013544541J', serial: 'A', version: 1 }],
    [{ typeCode: '11100000MB03271699001', issuerCode: '11220000013544541O', serial: 'A', version: 1 }],
    [{ typeCode: '11100000MB03271699001', issuerCode: '11220000013544541J', serial: 'a', version: 1 }],
    [{ typeCode: '11100000MB03271699001', issuerCode: '11220000013544541J', serial: 'A'.repeat(33), version: 1 }],
    [{ typeCode: '11100000MB03271699001', issuerCode: '11220000013544541J', serial: 'A', version: 0 }],
    [{ typeCode: '11100000MB03271699001', issuerCode: '11220000013544541J', serial: 'A', version: 1000 }],
    [{ typeCode: '11100000MB03271699001', issuerCode: '11220000013544541J', serial: 'A', version: '01' }],
  ])('refuses bad parts %#', (parts) => {
    expect(() => buildLicenseIdentifier(parts)).toThrow(ElicenseError);
  });
});

describe('generateSerial', () => {
  it('is deterministic for given randomness and uses only 0-9A-Z', () => {
    const a = generateSerial(seededRandomBytes(1));
    expect(a).toMatch(/^[0-9A-Z]{16}$/);
    expect(generateSerial(seededRandomBytes(1))).toBe(a);
    expect(generateSerial(seededRandomBytes(2))).not.toBe(a);
  });

  it('discards biased bytes instead of folding them', () => {
    let call = 0;
    const rnd = (n: number): Uint8Array => (call++ === 0 ? new Uint8Array(n).fill(255) : new Uint8Array(n).fill(35));
    expect(generateSerial(rnd, 4)).toBe('ZZZZ');
  });

  it('refuses lengths outside 1..32', () => {
    expect(() => generateSerial(seededRandomBytes(1), 0)).toThrow(RangeError);
    expect(() => generateSerial(seededRandomBytes(1), 33)).toThrow(RangeError);
  });
});
