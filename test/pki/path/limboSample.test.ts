import { vectorsDir } from '../../vectorsDir';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runCase } from '../../../scripts/conformance-limbo';

const LIMBO = vectorsDir('x509-limbo');
const present = existsSync(join(LIMBO, 'limbo.json'));
if (!present) console.warn(`x509-limbo not found at ${LIMBO}: limbo sample skipped (unit tests cover the validator)`);

/** Deliberate divergences, with the reason (see report / scripts/conformance-limbo.ts output). */
const DELIBERATE: Record<string, string> = {
  'crl::revoked-certificate-with-crl': 'CRLs are not an input: elicense revocation uses signed status lists',
  'crl::crlnumber-critical': 'CRLs are not an input',
  'crl::issuer-missing-crlsign': 'CRLs are not an input',
  'pathlen::validation-ignores-pathlen-in-leaf': 'a CA certificate is never accepted as a signer (leaf)',
  'rfc5280::ca-as-leaf': 'a CA certificate is never accepted as a signer (leaf)',
  'webpki::eku::ee-critical-eku': 'RFC 5280 allows a critical EKU; only the CABF profile forbids it',
};

(present ? describe : describe.skip)('x509-limbo sample (host-name-independent cases)', () => {
  test('every non-BetterTLS case and every 25th BetterTLS case matches, except deliberate divergences', () => {
    const cases = (JSON.parse(readFileSync(join(LIMBO, 'limbo.json'), 'utf8')) as { testcases: { id: string; expected_result: string }[] }).testcases;
    const index = new Map(
      (JSON.parse(readFileSync(join(LIMBO, 'derived', 'testcase-index.json'), 'utf8')) as { testcases: { id: string; hostname_class: string }[] }).testcases.map((t) => [t.id, t.hostname_class]),
    );
    const included = cases.filter((t) => /^(success-case|failure-case: hostname-independent|no-peer-name)/.test(index.get(t.id) ?? ''));
    const sample = included.filter((t, i) => !t.id.startsWith('bettertls::') || i % 25 === 0);
    const wrong: string[] = [];
    for (const tc of sample) {
      const { result, detail } = runCase(tc as never);
      if (result !== tc.expected_result && !DELIBERATE[tc.id]) wrong.push(`${tc.id}: expected ${tc.expected_result} got ${result} (${detail})`);
    }
    expect(sample.length).toBeGreaterThan(300);
    expect(wrong).toEqual([]);
  });
});
