import { CHECKS } from '../../src/format/reasonCodes';
import type { TrustInputs } from '../../src/trust/TrustInputs';
import { ResultBuilder } from '../../src/verify/ResultBuilder';

const trustAt = (asOf: Date | null): TrustInputs => ({
  anchors: [],
  lookupDepartment: () => undefined,
  lookupTimestampAuthority: () => undefined,
  lookupSignerCertificate: () => undefined,
  statusOf: () => ({ kind: 'not_covered' }),
  source: 'test trust',
  asOf,
});

const MANDATORY = ['format', 'schema', 'identifier', 'signature', 'attachments', 'chain', 'issuer', 'validity'] as const;

function allPassed(): ResultBuilder {
  const rb = new ResultBuilder();
  for (const c of MANDATORY) rb.pass(c);
  return rb;
}

describe('ResultBuilder.build', () => {
  it('gives every check in order, accepted only when every mandatory check passed', () => {
    const r = allPassed().build(null, new Date('2026-12-06T00:00:00Z'));
    expect(r.result).toBe('accepted');
    expect(r.checks.map((c) => c.check)).toEqual([...CHECKS]);
    expect(r.checks.filter((c) => !(MANDATORY as readonly string[]).includes(c.check)).every((c) => c.status === 'not_checked' && c.detail === 'not reached')).toBe(true);
    expect(r.trust).toEqual({ source: 'none', asOf: null });
  });

  it.each(MANDATORY)('rejects when %s was never reached, and when it is not applicable only if its verifier said so', (check) => {
    const missing = new ResultBuilder();
    for (const c of MANDATORY) if (c !== check) missing.pass(c);
    expect(missing.build(null, new Date()).result).toBe('rejected');
    const skipped = new ResultBuilder();
    for (const c of MANDATORY) if (c !== check) skipped.pass(c);
    skipped.notChecked(check, 'skipped');
    expect(skipped.build(null, new Date()).result).toBe('rejected');
    const notApplicable = new ResultBuilder();
    for (const c of MANDATORY) if (c !== check) notApplicable.pass(c);
    notApplicable.notApplicable(check, 'none in this form');
    expect(notApplicable.build(null, new Date()).result).toBe('accepted');
  });

  it('collects the reasons of failed checks in check order, each once', () => {
    const rb = allPassed();
    rb.fail('validity', 'LICENSE_EXPIRED', 'expired');
    rb.fail('signature', 'SIGNATURE_INVALID', 'bad');
    rb.fail('signature', 'SIGNATURE_INVALID', 'bad again');
    const r = rb.build(null, new Date());
    expect(r.result).toBe('rejected');
    expect(r.reasons).toEqual(['SIGNATURE_INVALID', 'LICENSE_EXPIRED']);
  });

  it('writes the trust time and the verification time of each build, whatever was built before (its time memo)', () => {
    const times = ['2026-12-06T01:02:03.004Z', '2026-12-06T01:02:03.005Z', '1999-01-01T00:00:00.000Z', '2026-12-06T01:02:03.004Z'];
    for (const asOf of times) {
      for (const at of times) {
        const r = allPassed().build(trustAt(new Date(asOf)), new Date(at));
        expect({ asOf: r.trust.asOf, verifiedAt: r.verifiedAt }).toEqual({ asOf, verifiedAt: at });
      }
    }
    expect(allPassed().build(trustAt(null), new Date(times[2]!)).trust.asOf).toBeNull();
    expect(() => allPassed().build(null, new Date(Number.NaN))).toThrow(RangeError);
  });
});
