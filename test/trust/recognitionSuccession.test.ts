/**
 * Recognition rules and type code succession (docs/adr/0011): a rule for a peer's type also covers the later
 * codes of that type, as this node's own standards say, mapped to the local type's successor. Pure: rules and a
 * catalogue in, rules out.
 */
import type { RecognitionRule } from '../../src/format/federation/documentTypes';
import { StandardsCatalog } from '../../src/standards/StandardsCatalog';
import type { TypeStandard } from '../../src/standards/generated/TypeStandard';
import { EMPTY_FEDERATION, parseFederationConfig, withSuccessionRules, withTypeSuccession, type RecognitionSuccession } from '../../src/trust/peer/FederationConfig';

const OLD = '11100000PH00000122901';
const NEW = '11100000MB0143028R001';
const catalog = StandardsCatalog.load();

const rule = (peerRegion: string, peerTypeCode: string, localTypeCode: string, maxStatusAgeSeconds = 3600): RecognitionRule => ({
  peerRegion,
  peerTypeCode,
  localTypeCode,
  conditions: { maxStatusAgeSeconds },
});

/** A catalogue of lines of succession: slug → its codes, oldest first. */
function lines(bySlug: Record<string, string[]>): RecognitionSuccession {
  const slugOf = new Map(Object.entries(bySlug).flatMap(([slug, codes]) => codes.map((c) => [c, slug] as const)));
  const std = (typeCode: string) => ({ typeCode, slug: slugOf.get(typeCode)! }) as TypeStandard;
  return {
    getType: (code: string) => (slugOf.has(code) ? std(code) : undefined),
    typeCodesOf: (slug: string) => bySlug[slug] ?? [],
    successorOf: (code: string) => {
      const codes = bySlug[slugOf.get(code) ?? ''];
      const newest = codes?.[codes.length - 1];
      return newest !== undefined && newest !== code ? std(newest) : undefined;
    },
  };
}

describe('withSuccessionRules, with the standards of this release', () => {
  it('the business licence 1.1.0 replaces the placeholder code in this catalogue', () => {
    expect(catalog.successorOf(OLD)?.typeCode).toBe(NEW);
    expect(catalog.typeCodesOf('business-licence')).toEqual([OLD, NEW]);
  });

  it('a rule for the old code also covers the new code, mapped to the local successor, same conditions', () => {
    expect(withSuccessionRules([rule('440000', OLD, OLD, 600)], catalog)).toEqual([rule('440000', OLD, OLD, 600), rule('440000', NEW, NEW, 600)]);
  });

  it('a local type without a successor stays the local type', () => {
    const local = catalog.getTypeBySlug('degree-certificate')!.typeCode;
    const own = catalog.successorOf(local)?.typeCode ?? local;
    expect(withSuccessionRules([rule('440000', OLD, local)], catalog)).toEqual([rule('440000', OLD, local), rule('440000', NEW, own)]);
  });

  it('a rule for the new code derives nothing backwards; a code this catalogue does not know derives nothing', () => {
    expect(withSuccessionRules([rule('440000', NEW, NEW)], catalog)).toEqual([rule('440000', NEW, NEW)]);
    expect(withSuccessionRules([rule('440000', '11100000PH00000199999', OLD)], catalog)).toEqual([rule('440000', '11100000PH00000199999', OLD)]);
  });

  it('a rule the configuration states for the successor wins over the derived one', () => {
    const configured = [rule('440000', OLD, OLD), rule('440000', NEW, NEW, 60)];
    expect(withSuccessionRules(configured, catalog)).toEqual(configured);
  });

  it('rules of two regions derive one rule each', () => {
    expect(withSuccessionRules([rule('440000', OLD, OLD), rule('310000', OLD, OLD)], catalog)).toEqual([
      rule('440000', OLD, OLD),
      rule('310000', OLD, OLD),
      rule('440000', NEW, NEW),
      rule('310000', NEW, NEW),
    ]);
  });

  it('withTypeSuccession completes a parsed configuration and leaves the rest of it alone', () => {
    const config = parseFederationConfig({ recognition: [{ peerRegion: '440000', peerTypeCode: OLD, localTypeCode: OLD, maxStatusAgeSeconds: 3600 }] });
    const completed = withTypeSuccession(config, catalog);
    expect(completed.recognition).toEqual([rule('440000', OLD, OLD), rule('440000', NEW, NEW)]);
    expect({ ...completed, recognition: [] }).toEqual({ ...config, recognition: [] });
    expect(withTypeSuccession(EMPTY_FEDERATION, catalog).recognition).toEqual([]);
  });
});

describe('withSuccessionRules, lines of succession', () => {
  const standards = lines({ permit: ['P1', 'P2', 'P3'], local: ['L1', 'L2'], other: ['O1'] });

  it('a rule for the first code covers every later code of its line, each mapped to the newest local code', () => {
    expect(withSuccessionRules([rule('440000', 'P1', 'L1')], standards)).toEqual([rule('440000', 'P1', 'L1'), rule('440000', 'P2', 'L2'), rule('440000', 'P3', 'L2')]);
  });

  it('rules for two codes of one line that agree derive the later codes once', () => {
    expect(withSuccessionRules([rule('440000', 'P1', 'L1'), rule('440000', 'P2', 'L2')], standards)).toEqual([
      rule('440000', 'P1', 'L1'),
      rule('440000', 'P2', 'L2'),
      rule('440000', 'P3', 'L2'),
    ]);
  });

  it('rules for two codes of one line that disagree on a later code → FEDERATION_CONFIG_INVALID naming the rule to write', () => {
    expect(() => withSuccessionRules([rule('440000', 'P1', 'L1'), rule('440000', 'P2', 'O1')], standards)).toThrow(
      expect.objectContaining({ code: 'FEDERATION_CONFIG_INVALID', message: expect.stringContaining('state the rule for 440000/P3') }),
    );
    expect(() => withSuccessionRules([rule('440000', 'P1', 'L1', 60), rule('440000', 'P2', 'L2', 600)], standards)).toThrow(/440000\/P3/);
    // Stated for the code they disagree on, there is nothing left to decide.
    expect(withSuccessionRules([rule('440000', 'P1', 'L1'), rule('440000', 'P2', 'O1'), rule('440000', 'P3', 'O1')], standards)).toHaveLength(3);
  });
});
