/**
 * The compact QR decoding layers (base45 → zlib → COSE_Sign1 → signature)
 * against the EU digital COVID certificate test data of 30+ countries, read
 * in place. Each file states which step must succeed; we must agree.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isElicenseError } from '../../../src/errors';
import { base45Decode } from '../../../src/forms/qr/base45';
import { coseAlgorithmName, decodeCoseSign1 } from '../../../src/forms/qr/coseSign1';
import { inflateLimited } from '../../../src/forms/qr/compactLicence';
import { verifyCoseSign1 } from '../../../src/forms/qr/verifyCoseSign1';
import { vectorsDir } from '../../vectorsDir';

const DIR = vectorsDir('dgc-testdata');
const present = existsSync(DIR);
if (!present) console.warn(`dgc-testdata not found at ${DIR}: EU DCC decoding tests skipped`);

interface DgcCase {
  PREFIX?: string;
  BASE45?: string;
  COMPRESSED?: string;
  COSE?: string;
  TESTCTX?: { CERTIFICATE?: string };
  EXPECTEDRESULTS?: Record<string, boolean>;
}

function cases(): Array<[string, DgcCase]> {
  const out: Array<[string, DgcCase]> = [];
  for (const country of readdirSync(DIR)) {
    const raw = join(DIR, country, '2DCode', 'raw');
    if (!existsSync(raw)) continue;
    for (const f of readdirSync(raw).filter((n) => n.endsWith('.json'))) {
      try {
        out.push([`${country}/${f}`, JSON.parse(readFileSync(join(raw, f), 'utf8')) as DgcCase]);
      } catch {
        // a few upstream files are not JSON at all; they test nothing of ours
      }
    }
  }
  return out;
}

const ok = (f: () => unknown): boolean => {
  try {
    f();
    return true;
  } catch (e) {
    if (!isElicenseError(e)) throw e;
    return false;
  }
};

(present ? describe : describe.skip)('EU DCC test data through our decoding layers', () => {
  const all = present ? cases() : [];

  it('has the test data', () => {
    expect(all.length).toBeGreaterThan(500);
  });

  it('base45 decoding agrees with EXPECTEDB45DECODE and with the published layers', () => {
    let checked = 0;
    for (const [name, c] of all) {
      const text = c.PREFIX?.startsWith('HC1:') ? c.PREFIX.slice(4) : c.BASE45;
      const expected = c.EXPECTEDRESULTS?.['EXPECTEDB45DECODE'];
      if (text === undefined) continue;
      const decoded = ok(() => base45Decode(text));
      if (expected !== undefined) expect({ name, decoded }).toEqual({ name, decoded: expected });
      if (decoded && c.COMPRESSED && expected !== false && c.BASE45 && text === c.BASE45) {
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

  it('COSE signatures verify with the signer certificate exactly when EXPECTEDVERIFY says so (allowed algorithms)', () => {
    // refusedByPolicy: COSE alg outside our allow-list, or a label that does not match the key
    // (e.g. "ES256" with a P-384 key): DCC verifiers accept those, our allow-list never does.
    const counts = { verified: 0, refused: 0, refusedByPolicy: 0, noCertificate: 0 };
    for (const [name, c] of all) {
      const expected = c.EXPECTEDRESULTS?.['EXPECTEDVERIFY'];
      if (expected === undefined || !c.COSE) continue;
      const certB64 = c.TESTCTX?.CERTIFICATE;
      let key;
      try {
        key = certB64 ? new X509Certificate(Buffer.from(certB64, 'base64')).publicKey : undefined;
      } catch {
        key = undefined;
      }
      if (!key) {
        counts.noCertificate++;
        expect({ name, verified: false }).toEqual({ name, verified: expected });
        continue;
      }
      let verified = false;
      try {
        const cose = decodeCoseSign1(Buffer.from(c.COSE, 'hex'));
        const result = verifyCoseSign1(cose, key);
        if (!result.ok && (result.code === 'ALGORITHM_NOT_ALLOWED' || result.code === 'ALGORITHM_KEY_MISMATCH' || !coseAlgorithmName(cose.alg))) {
          counts.refusedByPolicy++;
          continue;
        }
        verified = result.ok;
      } catch (e) {
        if (!isElicenseError(e)) throw e;
        if (/unprotected one/.test(e.message)) {
          counts.refusedByPolicy++;
          continue;
        }
      }
      expect({ name, verified }).toEqual({ name, verified: expected });
      if (verified) counts.verified++;
      else counts.refused++;
    }
    console.log(`dgc-testdata COSE: ${JSON.stringify(counts)}`);
    expect(counts.verified).toBeGreaterThan(400);
  });
});
