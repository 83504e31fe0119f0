/**
 * The cause (申请事由) and service item every consuming department's use states (issue 16): judged before the
 * rest of the body, each refusal with its stable code and the field it names; and the region's own list of
 * types that need the holder's consent (ELICENSE_CONSUMER_CONSENT_TYPES).
 */
import { checkUseTerms, MAX_CAUSE } from '../../src/consumer/consumerTerms';
import { ElicenseError } from '../../src/errors';
import { USAGE_KINDS } from '../../src/holder/usageLog';
import { loadNodeConfig } from '../../src/region/NodeConfig';
import { CONSUMER_USE_KINDS } from '../../src/store/ConsumerStore';

const ITEM = { name: '企业开户' };

function refusal(body: unknown): { code: string; path: unknown } | null {
  try {
    checkUseTerms(body);
    return null;
  } catch (e) {
    if (!(e instanceof ElicenseError)) throw e;
    return { code: e.code, path: (e.details?.['errors'] as Array<{ path: string }> | undefined)?.[0]?.path };
  }
}

describe('checkUseTerms', () => {
  it('accepts a cause of 1 to 200 characters (counted as characters, not UTF-16 units) with a named service item', () => {
    expect(refusal({ cause: '核', serviceItem: ITEM })).toBeNull();
    expect(refusal({ cause: '核'.repeat(MAX_CAUSE), serviceItem: { name: '开户', code: 'X-1' } })).toBeNull();
    // 200 characters outside the BMP are 400 UTF-16 units and still a valid cause.
    expect(refusal({ cause: '𠀀'.repeat(MAX_CAUSE), serviceItem: ITEM })).toBeNull();
  });

  it.each([
    ['no body', undefined, 'CAUSE_REQUIRED'],
    ['an array body', [], 'CAUSE_REQUIRED'],
    ['no cause', { serviceItem: ITEM }, 'CAUSE_REQUIRED'],
    ['a null cause', { cause: null, serviceItem: ITEM }, 'CAUSE_REQUIRED'],
    ['an empty cause', { cause: '', serviceItem: ITEM }, 'CAUSE_INVALID'],
    ['a blank cause', { cause: ' \u3000 ', serviceItem: ITEM }, 'CAUSE_INVALID'],
    ['a number', { cause: 7, serviceItem: ITEM }, 'CAUSE_INVALID'],
    ['201 characters', { cause: '核'.repeat(MAX_CAUSE + 1), serviceItem: ITEM }, 'CAUSE_INVALID'],
    ['a tab', { cause: '开户\t核验', serviceItem: ITEM }, 'CAUSE_INVALID'],
    ['a line feed', { cause: '开户\n', serviceItem: ITEM }, 'CAUSE_INVALID'],
    ['DEL', { cause: '开户\u007f', serviceItem: ITEM }, 'CAUSE_INVALID'],
    ['a C1 control', { cause: '开户\u0085', serviceItem: ITEM }, 'CAUSE_INVALID'],
    ['a lone surrogate', { cause: '开户\ud800', serviceItem: ITEM }, 'CAUSE_INVALID'],
  ])('%s → %s naming /cause', (_what, body, code) => {
    expect(refusal(body)).toEqual({ code, path: '/cause' });
  });

  it.each([
    ['no service item', { cause: '开户' }],
    ['a string service item', { cause: '开户', serviceItem: '开户' }],
    ['no name', { cause: '开户', serviceItem: { code: 'X' } }],
    ['a blank name', { cause: '开户', serviceItem: { name: '  ' } }],
  ])('%s → SERVICE_ITEM_REQUIRED naming /serviceItem/name', (_what, body) => {
    expect(refusal(body)).toEqual({ code: 'SERVICE_ITEM_REQUIRED', path: '/serviceItem/name' });
  });

  it('judges the cause before the service item', () => {
    expect(refusal({})?.code).toBe('CAUSE_REQUIRED');
  });
});

describe('the usage-log kinds of consuming departments', () => {
  it('are among the kinds the log writes, and lower-case words as its column requires', () => {
    for (const k of CONSUMER_USE_KINDS) {
      expect(USAGE_KINDS).toContain(k);
      expect(k).toMatch(/^[a-z_]{1,40}$/);
    }
  });
});

describe('ELICENSE_CONSUMER_CONSENT_TYPES', () => {
  it('lists type codes separated by commas; absent or empty: none', () => {
    expect(loadNodeConfig({}).consumerConsentTypes).toEqual([]);
    expect(loadNodeConfig({ ELICENSE_CONSUMER_CONSENT_TYPES: '' }).consumerConsentTypes).toEqual([]);
    expect(loadNodeConfig({ ELICENSE_CONSUMER_CONSENT_TYPES: ' 11100000PH00000122901 ,11100000MB00000133901' }).consumerConsentTypes).toEqual(['11100000PH00000122901', '11100000MB00000133901']);
  });

  it('refuses anything that is not a type code (CONFIG_INVALID, naming the variable)', () => {
    expect(() => loadNodeConfig({ ELICENSE_CONSUMER_CONSENT_TYPES: 'business-licence' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining('ELICENSE_CONSUMER_CONSENT_TYPES') }));
  });
});
