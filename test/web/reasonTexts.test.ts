/**
 * The verifier page explains every check, reason and warning in plain words
 * (web/assets/reasons.json). A code added to src/format/reasonCodes.ts without
 * its Chinese and English sentences fails here, before a clerk sees a bare code.
 */
import { readFileSync } from 'node:fs';
import { repoPath } from '../../src/repoPath';
import { CHECKS, REASON_CODES, WARNING_CODES } from '../../src/format/reasonCodes';

interface Text {
  zh: string;
  en: string;
}
const texts = JSON.parse(readFileSync(repoPath('web', 'assets', 'reasons.json'), 'utf8')) as Record<'checks' | 'reasons' | 'warnings', Record<string, Text>>;

/** Chinese text in zh; English (Latin letters, no Chinese) in en. */
const translated = (t: Text | undefined): boolean =>
  t !== undefined && typeof t.zh === 'string' && /[\u4e00-\u9fff]/.test(t.zh) && typeof t.en === 'string' && /^[A-Za-z]/.test(t.en) && !/[\u4e00-\u9fff]/.test(t.en);

describe('plain-language texts of the verifier page', () => {
  it.each([
    ['checks', [...CHECKS]],
    ['reasons', Object.keys(REASON_CODES)],
    ['warnings', [...WARNING_CODES]],
  ] as const)('every code of %s has a Chinese and an English text', (section, codes) => {
    const missing = codes.filter((code) => !translated(texts[section][code]));
    expect(missing).toEqual([]);
  });

  it.each(['checks', 'reasons', 'warnings'] as const)('%s lists no code the verifier does not have (a renamed code would leave a stale text)', (section) => {
    const known = new Set<string>(section === 'checks' ? CHECKS : section === 'reasons' ? Object.keys(REASON_CODES) : WARNING_CODES);
    expect(Object.keys(texts[section]).filter((c) => !known.has(c))).toEqual([]);
  });
});
