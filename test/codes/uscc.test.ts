import { checkUscc, organizationCodeCheckCharacter, usccCheckCharacter } from '../../src/codes/uscc';
import { pick, seededRandomBytes } from './seededRandom';

const VALID = ['11100000000013338W', '11100000000013127D', '11100000MB03271699', '91350100M000100Y43', '11220000013544541J'];
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

describe('checkUscc', () => {
  it.each(VALID)('accepts %s without warnings', (code) => {
    expect(checkUscc(code)).toEqual({ ok: true, warnings: [] });
  });

  it('warns (does not reject) when only the USCC check character is wrong', () => {
    const r = checkUscc('11100000000013338X');
    expect(r.ok).toBe(true);
    expect(r.ok && r.warnings.map((w) => w.code)).toEqual(['USCC_CHECK_CHARACTER_MISMATCH']);
  });

  it('warns when the embedded organisation code fails its check', () => {
    // Organisation code 00001333 + 9 instead of 8; recompute the USCC check so only the embedded one fails.
    const body = '1110000000001333' + '9';
    const r = checkUscc(body + usccCheckCharacter(body));
    expect(r.ok && r.warnings.map((w) => w.code)).toEqual(['USCC_ORGANIZATION_CODE_CHECK_MISMATCH']);
  });

  it.each(['I', 'O', 'S', 'V', 'Z'])('rejects the forbidden letter %s', (letter) => {
    expect(checkUscc(`91350100M000100${letter}43`)).toMatchObject({ ok: false, code: 'USCC_CHARACTER_INVALID' });
  });

  it('rejects lower case', () => {
    expect(checkUscc('11100000mb03271699')).toMatchObject({ ok: false, code: 'USCC_CHARACTER_INVALID' });
  });

  it.each(['', '1110000000001333', '11100000000013338W1', '11100000000013338'])('rejects length of %p', (code) => {
    expect(checkUscc(code)).toMatchObject({ ok: false, code: 'USCC_LENGTH_INVALID' });
  });

  it('rejects letters in the division part and non-ASCII characters', () => {
    expect(checkUscc('11A00000000013338W')).toMatchObject({ ok: false, code: 'USCC_DIVISION_INVALID' });
    expect(checkUscc('１1100000000013338W')).toMatchObject({ ok: false, code: 'USCC_CHARACTER_INVALID' });
    expect(checkUscc(91350100)).toMatchObject({ ok: false, code: 'USCC_MALFORMED' });
  });

  it('round-trips random generated codes and warns on every single substitution', () => {
    const rnd = seededRandomBytes(11);
    for (let n = 0; n < 300; n++) {
      let org = '';
      for (let i = 0; i < 8; i++) org += pick(rnd, ALPHABET);
      let div = '';
      for (let i = 0; i < 6; i++) div += pick(rnd, '0123456789');
      const body = pick(rnd, '159Y') + pick(rnd, '123') + div + org + organizationCodeCheckCharacter(org);
      const code = body + usccCheckCharacter(body);
      expect([code, checkUscc(code)]).toEqual([code, { ok: true, warnings: [] }]);
      const i = n % 18;
      const replacement = ALPHABET[(ALPHABET.indexOf(code[i]!) + 1 + (n % 30)) % 31]!;
      if (i >= 2 && i < 8 && !/\d/.test(replacement)) continue;
      const mutated = code.slice(0, i) + replacement + code.slice(i + 1);
      const r = checkUscc(mutated);
      expect(r.ok && r.warnings.length > 0).toBe(true);
    }
  });
});

describe('usccCheckCharacter', () => {
  it('computes the check of a worked example and refuses bad input', () => {
    expect(usccCheckCharacter('91350100M000100Y4')).toBe('3');
    expect(() => usccCheckCharacter('short')).toThrow(RangeError);
    expect(() => usccCheckCharacter('91350100M000100I4')).toThrow(RangeError);
  });
});
