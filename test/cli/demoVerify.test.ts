import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHECKS } from '../../src/format/reasonCodes';
import { cli, cliJson, makeDemo, removeDir, SLUGS, tempDir } from './cliHarness';

interface JsonResult {
  result: 'accepted' | 'rejected';
  reasons: string[];
  checks: Array<{ check: string; status: 'passed' | 'failed' | 'not_checked'; reasons: string[] }>;
}
type Expected = Record<string, { expected: string; description: string; at?: string }>;

/** Tampered variants that cannot be read as a licence at all: exit 2, not 1. */
const UNREADABLE = new Set(['truncated', 'not-json', 'duplicate-key', 'oversized', 'deep-nesting']);

let dir: string;
let demo: string;
let trust: string;
let expected: Expected;

beforeAll(async () => {
  dir = tempDir('cli-demo');
  demo = await makeDemo(dir);
  trust = join(demo, 'trust');
  expected = JSON.parse(readFileSync(join(demo, 'tampered', 'expected.json'), 'utf8')) as Expected;
});
afterAll(() => removeDir(dir));

describe('elicense verify and a presentation QR', () => {
  it('refuses a holder\'s presentation QR (LP1:) with exit 2 and says where it can be verified: a node resolves it, once', async () => {
    const file = join(dir, 'presentation.txt');
    writeFileSync(file, 'LP1:eyJhbGciOiJFUzI1NiJ9.e30.AAAA\n');
    const r = await cli(['verify', file, '--trust', trust]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('presentation QR');
    expect(r.err).toContain('/v1/verifications');
  });
});

describe('elicense demo --out DIR', () => {
  it('writes a licence of every type, the trust material, the region PKI and the tampered set', () => {
    expect(readdirSync(join(demo, 'licences')).sort()).toEqual(SLUGS.map((s) => `${s}.elic.json`).sort());
    for (const f of ['trust/trust.json', 'trust/anchors.pem', 'pki/ceremony-record.json', 'pki/DEMO-PASSPHRASE.txt', 'tampered/expected.json']) {
      expect(existsSync(join(demo, f))).toBe(true);
    }
    expect(readFileSync(join(demo, 'trust', 'anchors.pem'), 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/);
    const departments = readdirSync(join(demo, 'pki', 'departments'));
    expect(departments.length).toBeGreaterThanOrEqual(7);
    for (const d of departments) {
      expect(readdirSync(join(demo, 'pki', 'departments', d)).sort()).toEqual(['certificate.pem', 'key.p12']);
    }
    expect(readdirSync(join(demo, 'pki', 'timestamp-authority')).sort()).toEqual(['certificate.pem', 'key.p12']);
    const tampered = readdirSync(join(demo, 'tampered')).filter((f) => f.endsWith('.elic.json'));
    expect(tampered.map((f) => f.replace(/\.elic\.json$/, '')).sort()).toEqual(Object.keys(expected).sort());
    expect(tampered.length).toBeGreaterThanOrEqual(20);
  });

  it('writes the region\'s signed trust bundle: every demo licence and form verifies from it under the pinned root, status checked', async () => {
    const pin = readFileSync(join(demo, 'trust', 'root.sha256'), 'utf8').trim();
    expect(pin).toMatch(/^[0-9a-f]{64}$/);
    const bundle = join(demo, 'trust', 'bundle.json');
    for (const file of [join(demo, 'licences', 'business-licence.elic.json'), join(demo, 'forms', 'marriage-certificate.qr.txt')]) {
      const r = await cliJson<JsonResult & { issuer: { regionCode: string } }>(['verify', file, '--bundle', bundle, '--pin', pin, '--json']);
      expect({ file, code: r.code, reasons: r.json.reasons }).toEqual({ file, code: 0, reasons: [] });
      expect(r.json.checks.find((c) => c.check === 'status')!.status).toBe('passed');
      expect(r.json.issuer.regionCode).toBe('350000');
    }
    // A status list changed in the bundle: refused (said on stderr), and the licence's status is then unknown.
    const doc = JSON.parse(readFileSync(bundle, 'utf8'));
    const list = doc.documents.find((d: { kind: string; docId: string }) => d.kind === 'status-list' && d.docId.startsWith('11350100DM00000133'));
    const [h, p, sig] = list.body.split('.');
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
    payload.sequence = 99;
    list.body = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${sig}`;
    const tampered = join(dir, 'tampered-bundle.json');
    writeFileSync(tampered, JSON.stringify(doc));
    const r = await cliJson<JsonResult>(['verify', join(demo, 'licences', 'business-licence.elic.json'), '--bundle', tampered, '--pin', pin, '--json']);
    expect(r.err).toMatch(/refused status-list 11350100DM00000133-1: DOCUMENT_SIGNATURE_INVALID/);
    expect(r.code).toBe(1);
    expect(r.json.reasons).toEqual(['STATUS_UNKNOWN']);
  });

  it('--out under a regular file → 2 with one line, not an internal error', async () => {
    const blocker = join(dir, 'blocker');
    writeFileSync(blocker, '');
    const r = await cli(['demo', '--out', join(blocker, 'demo')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('ENOTDIR');
    expect(r.err.split('\n')).toHaveLength(1);
  });

  it.each(SLUGS)('verify --json accepts %s with every check in order; status and recognition not checked', async (slug) => {
    const r = await cliJson<JsonResult>(['verify', join(demo, 'licences', `${slug}.elic.json`), '--trust', trust, '--json']);
    expect(r.code).toBe(0);
    expect(r.json.result).toBe('accepted');
    expect(r.json.reasons).toEqual([]);
    expect(r.json.checks.map((c) => c.check)).toEqual([...CHECKS]);
    expect(r.json.checks.map((c) => c.check)).toEqual(['format', 'schema', 'identifier', 'signature', 'attachments', 'chain', 'issuer', 'validity', 'status', 'recognition']);
    const byName = Object.fromEntries(r.json.checks.map((c) => [c.check, c.status]));
    for (const c of ['format', 'schema', 'identifier', 'signature', 'attachments', 'chain', 'issuer', 'validity']) expect(byName[c]).toBe('passed');
    expect(byName['status']).toBe('not_checked');
    expect(byName['recognition']).toBe('not_checked');
  });

  it('verify without --json prints a readable ACCEPTED report and exits 0', async () => {
    const r = await cli(['verify', join(demo, 'licences', 'business-licence.elic.json'), '--trust', trust]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ACCEPTED/);
    expect(r.out).toContain('营业执照');
  });

  it('the tampered set covers every kind of bad input', () => {
    for (const name of UNREADABLE) expect(expected[name]).toBeDefined();
    for (const name of ['tampered-holder', 'signature-moved', 'alg-none', 'hmac-public-key', 'unpinned-root', 'chain-of-50', 'type-not-authorized']) {
      expect(expected[name]).toBeDefined();
    }
  });

  // Names come from the fixed set the demo writes; expected.json supplies the code and time.
  it.each([
    'truncated', 'not-json', 'duplicate-key', 'oversized', 'deep-nesting', 'unknown-envelope-field', 'wrong-type',
    'face-schema-violation', 'identifier-check-character', 'tampered-holder', 'signature-moved', 'alg-none',
    'hmac-public-key', 'alg-key-mismatch', 'kid-mismatch', 'malformed-der', 'chain-of-50', 'unpinned-root',
    'cert-expired-no-timestamp', 'cert-not-yet-valid', 'type-not-authorized', 'licence-expired',
    'photo-swapped', 'photo-removed', 'co-owner-removed', 'envelope-version-removed',
  ])('verify rejects tampered/%s with its reason code and exit code', async (name) => {
    const e = expected[name];
    expect(e).toBeDefined();
    const argv = ['verify', join(demo, 'tampered', `${name}.elic.json`), '--trust', trust, '--json', ...(e!.at ? ['--at', e!.at] : [])];
    const r = await cliJson<JsonResult>(argv);
    expect(r.json.result).toBe('rejected');
    expect(r.json.reasons).toContain(e!.expected);
    expect(r.code).toBe(UNREADABLE.has(name) ? 2 : 1);
    // A rejected licence never claims the checks that cannot run yet as passed.
    for (const c of r.json.checks.filter((x) => x.check === 'status' || x.check === 'recognition')) expect(c.status).not.toBe('passed');
  });

  it('every tampered file the demo wrote is covered by the list above', () => {
    expect(Object.keys(expected).length).toBe(26);
  });
});

describe('elicense verify: bad invocations', () => {
  const license = (): string => join(demo, 'licences', 'business-licence.elic.json');

  /** A trust directory holding a trust.json derived from the demo's. */
  const trustDir = (name: string, text: (demoTrust: Record<string, unknown>) => string): string => {
    const d = join(dir, 'trust-variants', name);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'trust.json'), text(JSON.parse(readFileSync(join(trust, 'trust.json'), 'utf8')) as Record<string, unknown>));
    return d;
  };

  it('a missing licence file → 2 naming the file', async () => {
    const r = await cli(['verify', join(dir, 'no-such-licence.json'), '--trust', trust]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('no-such-licence.json');
    expect(r.err).toContain('ENOENT');
  });

  it('a directory given as the licence file → 2', async () => {
    const r = await cli(['verify', dir, '--trust', trust]);
    expect(r.code).toBe(2);
  });

  it('a missing trust directory → 2 naming trust.json', async () => {
    const r = await cli(['verify', license(), '--trust', join(dir, 'no-such-trust')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no-such-trust.*trust\.json/);
  });

  it('the default trust directory (./trust) is used when --trust is absent', async () => {
    const r = await cli(['verify', license()]);
    // The test runs from the repository root, which has no trust/ folder.
    expect(existsSync('trust/trust.json')).toBe(false);
    expect(r.code).toBe(2);
    expect(r.err).toContain('trust.json');
  });

  const corrupt: Array<[string, (t: Record<string, unknown>) => string, RegExp]> = [
    ['not JSON', () => '{"format": "elicense/local-trust@1", ', /not well-formed JSON|JSON/i],
    ['empty', () => '', /JSON|empty/i],
    ['an unknown top-level field', (t) => JSON.stringify({ ...t, extra: true }), /additional properties/],
    ['an unknown department field', (t) => {
      const regions = t['regions'] as Array<{ departments: Array<Record<string, unknown>> }>;
      regions[0]!.departments[0]!['colour'] = 'red';
      return JSON.stringify(t);
    }, /departments\/0.*additional properties/],
    ['a wrong format tag', (t) => JSON.stringify({ ...t, format: 'elicense/local-trust@99' }), /format/],
    ['an anchor that is not a certificate', (t) => JSON.stringify({ ...t, anchors: ['-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'] }), /anchor/],
    ['an anchor that is not PEM', (t) => JSON.stringify({ ...t, anchors: ['MIIB...'] }), /anchors\/0/],
    ['no anchors', (t) => JSON.stringify({ ...t, anchors: [] }), /anchors/],
    ['a department listed twice', (t) => {
      const regions = t['regions'] as Array<{ departments: unknown[] }>;
      regions[0]!.departments.push(regions[0]!.departments[0]);
      return JSON.stringify(t);
    }, /listed twice/],
    ['a duplicate key', (t) => JSON.stringify(t).replace('{"format":', '{"format":"x","format":'), /duplicate/i],
  ];
  it.each(corrupt)('a trust.json with %s → 2 with a clear message', async (name, text, message) => {
    const d = trustDir(name.replace(/\W+/g, '-'), text);
    const r = await cli(['verify', license(), '--trust', d, '--json']);
    expect(r.code).toBe(2);
    expect(r.out).toBe(''); // no verification result is printed against broken trust material
    expect(r.err).toContain(join(d, 'trust.json'));
    expect(r.err).toMatch(message);
  });

  it.each(['yesterday', '2026-13-01', '2026-01-01T10:00', '1700000000', ''])('--at %j (not an ISO 8601 time) → 2', async (at) => {
    const r = await cli(['verify', license(), '--trust', trust, '--at', at]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--at');
  });

  it('--at as a date, a UTC time or a time with an offset is accepted', async () => {
    const soon = new Date(Date.now() + 60_000); // after the demo signed its licences
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const sameInstantInBeijing = new Date(soon.getTime() + 8 * 3_600_000).toISOString().replace('Z', '+08:00');
    for (const at of [tomorrow, soon.toISOString(), sameInstantInBeijing]) {
      const r = await cli(['verify', license(), '--trust', trust, '--at', at]);
      expect(r.code).toBe(0);
    }
  });

  it('an unknown option → 2 with the usage', async () => {
    const r = await cli(['verify', license(), '--trust', trust, '--bogus']);
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown option '--bogus'");
    expect(r.err).toContain('Usage: elicense verify');
  });

  it('no file argument → 2', async () => {
    const r = await cli(['verify', '--trust', trust]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("missing required argument 'file'");
  });

  it('an option without its value → 2', async () => {
    const r = await cli(['verify', license(), '--trust']);
    expect(r.code).toBe(2);
  });
});
