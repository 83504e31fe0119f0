/**
 * The compact QR decoding layers (prefix → base45 → zlib → COSE_Sign1 →
 * signature) against the EU digital COVID certificate test data of 30+
 * countries, read in place. Each file states which steps must succeed; we
 * must agree, step by step and through the whole chain from the QR text.
 */
import { createHash, X509Certificate, type KeyObject } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isElicenseError } from '../../../src/errors';
import { base45Decode } from '../../../src/forms/qr/base45';
import { cborDecoder, coseAlgorithmName, decodeCoseSign1, type CoseSign1 } from '../../../src/forms/qr/coseSign1';
import { inflateLimited, unwrapCompactText } from '../../../src/forms/qr/compactLicense';
import { verifyCoseSign1 } from '../../../src/verify/forms/verifyCoseSign1';
import { vectorsDir } from '../../vectorsDir';

const DIR = vectorsDir('dgc-testdata');
const present = existsSync(DIR);
if (!present) console.warn(`dgc-testdata not found at ${DIR}: EU DCC decoding tests skipped`);

const DCC_PREFIX = 'HC1:';

interface DgcCase {
  PREFIX?: string;
  BASE45?: string;
  COMPRESSED?: string;
  COSE?: string;
  TESTCTX?: { CERTIFICATE?: string };
  EXPECTEDRESULTS?: Record<string, boolean>;
}

/** Every `<country>[/<version>]/2DCode/raw/*.json` (one country spells it "Raw"). */
function cases(): Array<[string, DgcCase]> {
  const out: Array<[string, DgcCase]> = [];
  const walk = (dir: string, rel: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      const path = join(dir, e.name);
      if (e.name.toLowerCase() === 'raw' && /2dcode$/i.test(dir)) {
        for (const f of readdirSync(path).filter((n) => n.endsWith('.json'))) {
          try {
            out.push([`${rel}/${e.name}/${f}`, JSON.parse(readFileSync(join(path, f), 'utf8')) as DgcCase]);
          } catch {
            // an upstream file that is not JSON tests nothing of ours
          }
        }
      } else if (!e.name.startsWith('_')) walk(path, rel ? `${rel}/${e.name}` : e.name);
    }
  };
  walk(DIR, '');
  return out.sort(([a], [b]) => (a < b ? -1 : 1));
}

/** true when f returns, false when it throws one of our coded errors (anything else is a bug). */
const ok = (f: () => unknown): boolean => {
  try {
    f();
    return true;
  } catch (e) {
    if (!isElicenseError(e)) throw e;
    return false;
  }
};
const codeOf = (f: () => unknown): string | undefined => {
  try {
    f();
    return undefined;
  } catch (e) {
    if (!isElicenseError(e)) throw e;
    return e.code;
  }
};

function certificateOf(c: DgcCase): { key: KeyObject; kid: Buffer } | undefined {
  const b64 = c.TESTCTX?.CERTIFICATE;
  if (!b64) return undefined;
  try {
    const der = Buffer.from(b64, 'base64');
    return { key: new X509Certificate(der).publicKey, kid: createHash('sha256').update(der).digest().subarray(0, 8) };
  } catch {
    return undefined;
  }
}

/** A DCC verifier finds the key by kid: a kid that is not the certificate's fails like a bad signature. */
type Verdict = 'verified' | 'refused' | 'policy';
function verdictOf(cose: CoseSign1, cert: { key: KeyObject; kid: Buffer }): { verdict: Verdict; why?: string } {
  const r = verifyCoseSign1(cose, cert.key);
  if (!r.ok && (r.code === 'ALGORITHM_NOT_ALLOWED' || r.code === 'ALGORITHM_KEY_MISMATCH')) return { verdict: 'policy', why: r.message };
  if (!r.ok) return { verdict: 'refused', why: r.message };
  if (!Buffer.from(cose.kid).equals(cert.kid)) return { verdict: 'refused', why: 'kid is not the certificate\'s' };
  return { verdict: 'verified' };
}

(present ? describe : describe.skip)('EU DCC test data through our decoding layers', () => {
  const all = present ? cases() : [];

  it('has the test data (581 raw files)', () => {
    expect(all.length).toBeGreaterThan(570);
  });

  it('unprefixing agrees with EXPECTEDUNPREFIX', () => {
    let checked = 0;
    for (const [name, c] of all) {
      const expected = c.EXPECTEDRESULTS?.['EXPECTEDUNPREFIX'];
      if (expected === undefined || c.PREFIX === undefined) continue;
      const code = codeOf(() => unwrapCompactText(c.PREFIX!, DCC_PREFIX));
      expect({ name, unprefixed: code !== 'QR_PREFIX_INVALID' }).toEqual({ name, unprefixed: expected });
      checked++;
    }
    expect(checked).toBeGreaterThan(500);
  });

  it('base45 decoding agrees with EXPECTEDB45DECODE and with the published layers', () => {
    let checked = 0;
    for (const [name, c] of all) {
      const text = c.BASE45 ?? (c.PREFIX?.startsWith(DCC_PREFIX) ? c.PREFIX.slice(DCC_PREFIX.length) : undefined);
      if (text === undefined) continue;
      const expected = c.EXPECTEDRESULTS?.['EXPECTEDB45DECODE'];
      const decoded = ok(() => base45Decode(text));
      if (expected !== undefined) expect({ name, decoded }).toEqual({ name, decoded: expected });
      if (decoded && c.COMPRESSED && expected !== false) {
        expect({ name, hex: Buffer.from(base45Decode(text)).toString('hex') }).toEqual({ name, hex: c.COMPRESSED.toLowerCase() });
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(500);
  });

  it('zlib inflation agrees with EXPECTEDCOMPRESSION and yields the published COSE bytes', () => {
    let checked = 0;
    for (const [name, c] of all) {
      if (!c.COMPRESSED) continue;
      const expected = c.EXPECTEDRESULTS?.['EXPECTEDCOMPRESSION'];
      const inflated = ok(() => inflateLimited(Buffer.from(c.COMPRESSED!, 'hex')));
      if (expected !== undefined) expect({ name, inflated }).toEqual({ name, inflated: expected });
      if (inflated && c.COSE && expected !== false) {
        expect({ name, cose: Buffer.from(inflateLimited(Buffer.from(c.COMPRESSED, 'hex'))).toString('hex') }).toEqual({ name, cose: c.COSE.toLowerCase() });
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(400);
  });

  it('the whole chain from the QR text stops where the file says, and otherwise yields the published COSE bytes', () => {
    const stageOf: Record<string, string> = { QR_PREFIX_INVALID: 'EXPECTEDUNPREFIX', QR_ENCODING_INVALID: 'EXPECTEDB45DECODE|EXPECTEDCOMPRESSION', QR_DECOMPRESSION_LIMIT: 'EXPECTEDCOMPRESSION' };
    let through = 0;
    let stopped = 0;
    for (const [name, c] of all) {
      if (c.PREFIX === undefined) continue;
      const e = c.EXPECTEDRESULTS ?? {};
      const transportFails = e['EXPECTEDUNPREFIX'] === false || e['EXPECTEDB45DECODE'] === false || e['EXPECTEDCOMPRESSION'] === false;
      let cose: Uint8Array | undefined;
      const code = codeOf(() => (cose = unwrapCompactText(c.PREFIX!, DCC_PREFIX)));
      if (code) {
        // we may only stop at a layer the file says is broken
        const flags = stageOf[code]!.split('|');
        expect({ name, code, expectedToFail: flags.some((f) => e[f] === false) }).toEqual({ name, code, expectedToFail: true });
        stopped++;
        continue;
      }
      expect({ name, transportFails }).toEqual({ name, transportFails: false });
      if (c.COSE) expect({ name, cose: Buffer.from(cose!).toString('hex') }).toEqual({ name, cose: c.COSE.toLowerCase() });
      through++;
    }
    console.log(`dgc-testdata transport layers from the QR text: ${through} through, ${stopped} stopped as expected`);
    expect(through).toBeGreaterThan(500);
  });

  it('COSE and CWT decoding agrees with EXPECTEDDECODE', () => {
    let checked = 0;
    for (const [name, c] of all) {
      const expected = c.EXPECTEDRESULTS?.['EXPECTEDDECODE'];
      if (expected === undefined) continue;
      const coseBytes = c.COSE ? Buffer.from(c.COSE, 'hex') : c.PREFIX ? (() => { try { return unwrapCompactText(c.PREFIX!, DCC_PREFIX); } catch { return undefined; } })() : undefined;
      let decoded = false;
      if (coseBytes) {
        try {
          const cose = decodeCoseSign1(coseBytes);
          // the DCC payload is a CWT claims map whose hcert claim (-260) holds the certificate (key 1) as a
          // map (DCC issuers may use indefinite lengths, which our own claims may not)
          const claims = cborDecoder.decode(cose.payload);
          const hcert = claims instanceof Map ? claims.get(-260) : undefined;
          decoded = hcert instanceof Map && hcert.get(1) instanceof Map;
        } catch (err) {
          if (!isElicenseError(err) && !(err instanceof Error)) throw err;
        }
      }
      expect({ name, decoded }).toEqual({ name, decoded: expected });
      checked++;
    }
    expect(checked).toBeGreaterThan(500);
  });

  it('COSE signatures (and kids) verify with the signer certificate exactly when EXPECTEDVERIFY says so (allowed algorithms)', () => {
    // policy: a COSE alg outside our allow-list, a label that does not match the key (e.g. "ES256" with a
    // P-384 key) or alg only in the unprotected header: DCC verifiers accept those, our allow-list never does.
    const counts = { withExpectation: 0, verified: 0, refused: 0, policy: 0 };
    const algs: Record<string, number> = {};
    const policy: string[] = [];
    for (const [name, c] of all) {
      const expected = c.EXPECTEDRESULTS?.['EXPECTEDVERIFY'];
      if (expected === undefined) continue;
      counts.withExpectation++;
      const cert = certificateOf(c);
      let verdict: Verdict = 'refused';
      let why = 'no usable certificate';
      try {
        const bytes = c.COSE ? Buffer.from(c.COSE, 'hex') : unwrapCompactText(c.PREFIX ?? '', DCC_PREFIX);
        const cose = decodeCoseSign1(bytes);
        const label = coseAlgorithmName(cose.alg) ?? `alg ${cose.alg}`;
        algs[label] = (algs[label] ?? 0) + 1;
        if (cert) ({ verdict, why = '' } = verdictOf(cose, cert));
      } catch (e) {
        if (!isElicenseError(e)) throw e;
        why = e.message;
        if (/unprotected one/.test(e.message)) {
          algs['alg unprotected'] = (algs['alg unprotected'] ?? 0) + 1;
          verdict = 'policy';
        }
      }
      counts[verdict]++;
      if (verdict === 'policy') {
        policy.push(`${name} (${why})`);
        continue;
      }
      expect({ name, verified: verdict === 'verified', why }).toEqual({ name, verified: expected, why: expect.any(String) });
    }
    console.log(`dgc-testdata COSE: ${JSON.stringify(counts)}; algorithms: ${JSON.stringify(algs)}; refused by our policy: ${policy.join(', ')}`);
    expect(counts.verified).toBeGreaterThan(500);
    expect(counts.policy).toBeLessThan(10);
  });
});
