import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isElicenseError } from '../../src/errors';
import { StandardsCatalog } from '../../src/standards/StandardsCatalog';
import { standardsDir } from '../../src/standards/standardsDir';

const catalog = StandardsCatalog.load();

describe('StandardsCatalog', () => {
  it('loads every version of the nine type standards', () => {
    expect(catalog.listTypes().map((t) => `${t.slug}@${t.version}`)).toEqual([
      'birth-medical-certificate@1.0.0',
      'birth-medical-certificate@1.1.0',
      'business-licence@1.0.0',
      'business-licence@1.1.0',
      'degree-certificate@1.0.0',
      'degree-certificate@1.1.0',
      'driving-licence@1.0.0',
      'driving-licence@1.1.0',
      'food-business-permit@1.0.0',
      'food-business-permit@1.1.0',
      'marriage-certificate@1.0.0',
      'marriage-certificate@1.1.0',
      'real-estate-registration-certificate@1.1.0',
      'real-estate-title@1.0.0',
      'real-estate-title@1.1.0',
      'social-security-card@1.0.0',
      'social-security-card@1.1.0',
    ]);
  });

  it('uses the known national codes and marks every other code a placeholder', () => {
    const realEstate = catalog.getType('11100000MB03271699001');
    expect(realEstate?.nameZh).toBe('不动产权证书');
    expect(realEstate?.typeCodeIsPlaceholder).toBe(false);
    const national = new Set([
      'real-estate-title@1.0.0',
      'real-estate-title@1.1.0',
      'real-estate-registration-certificate@1.1.0',
      'business-licence@1.1.0',
      'marriage-certificate@1.1.0',
    ]);
    for (const t of catalog.listTypes()) {
      const key = `${t.slug}@${t.version}`;
      expect([key, t.typeCodeIsPlaceholder]).toEqual([key, !national.has(key)]);
      if (t.typeCodeIsPlaceholder) expect([key, t.typeCode.slice(18, 19)]).toEqual([key, '9']);
      expect(t.typeCode).toMatch(/^[0-9A-Z]{21}$/);
      expect(t.typeCode.startsWith(t.definingAuthority.uscc)).toBe(true);
    }
  });

  it('finds types by code and version, and by slug', () => {
    expect(catalog.getType('11100000MB03271699001', '1.0.0')?.slug).toBe('real-estate-title');
    expect(catalog.getType('11100000MB03271699001', '2.0.0')).toBeUndefined();
    expect(catalog.getType('11100000MB03271699999')).toBeUndefined();
    expect(catalog.getTypeBySlug('driving-licence')?.nameZh).toBe('机动车驾驶证');
    expect(catalog.getTypeBySlug('nope')).toBeUndefined();
  });

  it('hands out frozen standards', () => {
    const t = catalog.getTypeBySlug('business-licence')!;
    expect(Object.isFrozen(t)).toBe(true);
    expect(Object.isFrozen(t.faceSchema.properties)).toBe(true);
  });

  it('enumerates the driving licence classes A1..P (1.1.0: each class with its start date)', () => {
    const classes = ['A1', 'A2', 'A3', 'B1', 'B2', 'C1', 'C2', 'C3', 'C4', 'C5', 'C6', 'D', 'E', 'F', 'M', 'N', 'P'];
    const v100 = catalog.getTypeBySlug('driving-licence', '1.0.0')!.faceSchema.properties as Record<string, { items?: { enum?: string[] } }>;
    expect(v100.vehicleClasses?.items?.enum).toEqual(classes);
    const v110 = catalog.getTypeBySlug('driving-licence')!.faceSchema.properties as Record<string, { items?: { required?: string[]; properties?: Record<string, { enum?: string[] }> } }>;
    expect(v110.vehicleClasses?.items?.required).toEqual(['class', 'since']);
    expect(v110.vehicleClasses?.items?.properties?.['class']?.enum).toEqual(classes);
  });

  it('resolves standards/ from the source tree', () => {
    expect(standardsDir()).toMatch(/standards$/);
  });
});

describe('StandardsCatalog refuses inconsistent standards', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'standards-'));
    cpSync(standardsDir(), dir, { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const edit = (file: string, change: (doc: Record<string, any>) => void) => {
    const path = join(dir, file);
    const doc = JSON.parse(readFileSync(path, 'utf8')) as Record<string, any>;
    change(doc);
    writeFileSync(path, JSON.stringify(doc));
  };
  const loadError = (): unknown => {
    try {
      StandardsCatalog.load(dir);
    } catch (e) {
      return e;
    }
    return undefined;
  };
  const file = 'types/business-licence/1.0.0.json';

  it.each<[string, (doc: Record<string, any>) => void]>([
    ['a face field without a label', (d) => delete d.labels.face.name],
    ['a QR field that is not a face field', (d) => d.qrFields.push('nope')],
    ['a layout field that does not exist', (d) => d.pdfLayout.sections[0].fields.push('extendInfo.nope')],
    ['a type code not built from the defining authority', (d) => (d.typeCode = '11100000MB03271699901')],
    ['an unknown holder code type', (d) => d.holderTypeCodes.push('123')],
    ['an unknown top-level key', (d) => (d.colour = 'red')],
    ['a face schema open to extra properties', (d) => (d.faceSchema.additionalProperties = true)],
    ['a face schema that does not compile in strict mode', (d) => (d.faceSchema.properties.name.minimumLength = 1)],
    ['a version that differs from the file name', (d) => (d.version = '1.0.1')],
  ])('%s', (_name, change) => {
    edit(file, change);
    const e = loadError();
    expect(isElicenseError(e) && e.code).toBe('STANDARD_INVALID');
  });

  it.each<[string, string, (doc: Record<string, any>) => void, RegExp]>([
    ['a photo in the QR', 'driving-licence', (d) => d.qrFields.push('photo'), /photo field photo may not go into the QR/],
    ['an object list in the QR', 'driving-licence', (d) => d.qrFields.push('vehicleClasses'), /QR field vehicleClasses must be a string, number, boolean or a list of them/],
    ['a photo field without bounds for its place on the page', 'driving-licence', (d) => delete d.pdfLayout.arrangement.photo, /must say where the photo goes/],
    ['a variant field nobody prints', 'business-licence', (d) => (d.pdfLayout.sections[1].fields = d.pdfLayout.sections[1].fields.filter((f: string) => f !== 'extendInfo.operator')), /required face field operator is not in the PDF layout/],
    ['a range over a field that does not exist', 'business-licence', (d) => (d.pdfLayout.ranges.businessTerm.to = 'extendInfo.nope'), /range businessTerm names unknown field extendInfo.nope/],
    ['holders laid out without their label', 'real-estate-title', (d) => delete d.pdfLayout.holdersLabel, /holdersLabel/],
    ['a new type code that does not name the code it replaces', 'business-licence', (d) => delete d.replacesTypeCode, /must name the code it replaces/],
    ['an unknown meta-schema', 'business-licence', (d) => (d.$schema = 'urn:elicense:standards:type-standard:9.9.9'), /unknown meta-schema/],
    ['several holders on envelope 1.0.0', 'business-licence', (d) => (d.envelopeVersion = '1.0.0'), /does not satisfy|envelope/],
  ])('1.1.0: %s', (_name, slug, change, message) => {
    edit(`types/${slug}/1.1.0.json`, change);
    const e = loadError();
    expect(isElicenseError(e) && e.code).toBe('STANDARD_INVALID');
    expect(String((e as Error).message)).toMatch(message);
  });
});
