import { issuerMayIssue, type IssuerStanding } from '../../src/region/licenses/issuerMayIssue';

const USCC = '11350100DM0000021X';
const BUSINESS = '11100000000000000A001';
const MARRIAGE = '11100000000000000A002';
const AT = new Date('2025-03-01T08:00:00Z');

const department = (over: Partial<IssuerStanding> = {}): IssuerStanding => ({ uscc: USCC, state: 'active', typeCodes: new Set([BUSINESS]), ...over });

/** The refusal's stable code and details, or 'allowed'. */
function answer(standing: IssuerStanding | null | undefined, typeCode: string, at = AT): string | { code: string; details: unknown } {
  const right = issuerMayIssue(USCC, standing, typeCode, at);
  return right.allowed ? 'allowed' : { code: right.error.code, details: right.error.details };
}

describe('issuerMayIssue: the one decision on a department issuing a licence type', () => {
  it('an active department granted the type may issue it', () => {
    expect(answer(department(), BUSINESS)).toBe('allowed');
  });

  it('a type the department does not hold: ISSUER_NOT_AUTHORIZED_FOR_TYPE, naming the department and the type', () => {
    expect(answer(department(), MARRIAGE)).toEqual({ code: 'ISSUER_NOT_AUTHORIZED_FOR_TYPE', details: { uscc: USCC, typeCode: MARRIAGE } });
    expect(answer(department({ typeCodes: new Set() }), BUSINESS)).toMatchObject({ code: 'ISSUER_NOT_AUTHORIZED_FOR_TYPE' });
  });

  it('no such department: DEPARTMENT_NOT_FOUND (null and undefined alike)', () => {
    expect(answer(null, BUSINESS)).toEqual({ code: 'DEPARTMENT_NOT_FOUND', details: { uscc: USCC } });
    expect(answer(undefined, BUSINESS)).toEqual({ code: 'DEPARTMENT_NOT_FOUND', details: { uscc: USCC } });
  });

  it.each(['suspended', 'withdrawn'] as const)('a %s department issues nothing, not even a type it holds: DEPARTMENT_NOT_ACTIVE', (state) => {
    expect(answer(department({ state }), BUSINESS)).toEqual({ code: 'DEPARTMENT_NOT_ACTIVE', details: { uscc: USCC, state } });
  });

  it('the state is judged before the type: a suspended department asking for a type it lacks hears that it is not active', () => {
    expect(answer(department({ state: 'suspended' }), MARRIAGE)).toMatchObject({ code: 'DEPARTMENT_NOT_ACTIVE' });
  });

  it('a type granted after the signing time is not authorised at that time; from the grant on it is', () => {
    const grantedAt = new Date('2025-03-02T00:00:00Z');
    const standing = department({ grantedAt: new Map([[BUSINESS, grantedAt]]) });
    expect(answer(standing, BUSINESS, AT)).toEqual({ code: 'ISSUER_NOT_AUTHORIZED_FOR_TYPE', details: { uscc: USCC, typeCode: BUSINESS, grantedAt: grantedAt.toISOString() } });
    expect(answer(standing, BUSINESS, grantedAt)).toBe('allowed');
    expect(answer(standing, BUSINESS, new Date('2025-04-01T00:00:00Z'))).toBe('allowed');
  });

  it('a grant time known for another type, or none at all, does not bind the type asked about', () => {
    expect(answer(department({ grantedAt: new Map([[MARRIAGE, new Date('2030-01-01T00:00:00Z')]]) }), BUSINESS)).toBe('allowed');
    expect(answer(department({ grantedAt: new Map() }), BUSINESS)).toBe('allowed');
  });

  it('a grant time does not make up for a type the department no longer holds', () => {
    expect(answer(department({ typeCodes: new Set(), grantedAt: new Map([[BUSINESS, new Date('2020-01-01T00:00:00Z')]]) }), BUSINESS)).toMatchObject({ code: 'ISSUER_NOT_AUTHORIZED_FOR_TYPE' });
  });

  it('is pure: the same question gets the same answer, and the standing is not changed', () => {
    const standing = department();
    const before = JSON.stringify({ ...standing, typeCodes: [...standing.typeCodes] });
    expect(answer(standing, MARRIAGE)).toEqual(answer(standing, MARRIAGE));
    expect(JSON.stringify({ ...standing, typeCodes: [...standing.typeCodes] })).toBe(before);
  });
});
