import { vectorsDir } from '../vectorsDir';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { JWS_ALGORITHMS, algorithmForKey, isAllowedAlgorithm } from '../../src/crypto/algorithms';
import { verifyBytes } from '../../src/crypto/verifyBytes';
import { ecdsaDerToP1363 } from '../../src/crypto/ecdsaDerToP1363';
import { verifyCompactJws, importJwkPublicKey } from '../../src/crypto/jws';

/*
 * Wycheproof vectors, read in place from ../shared/vectors (never copied).
 * Rule: `valid` must verify, `invalid` must be rejected; a key that fails to
 * import counts as rejected. Every vector goes through our own code path.
 */
const DIR = vectorsDir('wycheproof', 'testvectors_v1');
const present = existsSync(DIR);
if (!present) console.warn(`Wycheproof vectors not found at ${DIR}: skipping the Wycheproof tests`);
const describeIfVectors = present ? describe : describe.skip;

interface Vector {
  tcId: number;
  comment: string;
  msg: string;
  sig: string;
  result: 'valid' | 'invalid' | 'acceptable';
}
interface Group {
  publicKeyDer: string;
  tests: Vector[];
}

function load(file: string): { testGroups: Group[] } {
  return JSON.parse(readFileSync(join(DIR, file), 'utf8')) as { testGroups: Group[] };
}

function importSpki(hex: string): KeyObject | undefined {
  try {
    return createPublicKey({ key: Buffer.from(hex, 'hex'), format: 'der', type: 'spki' });
  } catch {
    return undefined;
  }
}

interface Tally {
  valid: number;
  invalid: number;
  acceptable: number;
  wrong: string[];
}

/** Runs each vector through check(key, msg, sig); valid must give true, invalid false. */
function runFile(file: string, check: (key: KeyObject, msg: Buffer, sig: Buffer) => boolean): Tally {
  const tally: Tally = { valid: 0, invalid: 0, acceptable: 0, wrong: [] };
  for (const group of load(file).testGroups) {
    const key = importSpki(group.publicKeyDer);
    for (const t of group.tests) {
      tally[t.result]++;
      const accepted = key !== undefined && check(key, Buffer.from(t.msg, 'hex'), Buffer.from(t.sig, 'hex'));
      if (t.result === 'valid' && !accepted) tally.wrong.push(`${t.tcId} valid but rejected (${t.comment})`);
      if (t.result === 'invalid' && accepted) tally.wrong.push(`${t.tcId} invalid but accepted (${t.comment})`);
    }
  }
  return tally;
}

describeIfVectors('Wycheproof signature vectors through verifyBytes', () => {
  it('ecdsa_secp256r1_sha256_p1363_test.json as ES256', () => {
    const t = runFile('ecdsa_secp256r1_sha256_p1363_test.json', (key, msg, sig) => verifyBytes('ES256', key, msg, sig));
    console.log(`wycheproof ecdsa_secp256r1_sha256_p1363: ${t.valid} valid verified, ${t.invalid} invalid rejected, ${t.wrong.length} wrong`);
    expect(t.wrong).toEqual([]);
    expect([t.valid, t.invalid]).toEqual([173, 89]);
  });

  it('ecdsa_secp256r1_sha256_test.json (DER) via the strict DER decoder and ES256', () => {
    const t = runFile('ecdsa_secp256r1_sha256_test.json', (key, msg, sig) => {
      const p1363 = ecdsaDerToP1363(sig);
      return p1363 !== undefined && verifyBytes('ES256', key, msg, p1363);
    });
    console.log(`wycheproof ecdsa_secp256r1_sha256 (DER): ${t.valid} valid verified, ${t.invalid} invalid rejected, ${t.wrong.length} wrong`);
    expect(t.wrong).toEqual([]);
    expect([t.valid, t.invalid]).toEqual([174, 310]);
  });

  it('ed25519_test.json as EdDSA', () => {
    const t = runFile('ed25519_test.json', (key, msg, sig) => verifyBytes('EdDSA', key, msg, sig));
    console.log(`wycheproof ed25519: ${t.valid} valid verified, ${t.invalid} invalid rejected, ${t.wrong.length} wrong`);
    expect(t.wrong).toEqual([]);
    expect([t.valid, t.invalid]).toEqual([88, 63]);
  });

  it('rsa_pss_2048_sha256_mgf1_32_test.json as PS256', () => {
    const t = runFile('rsa_pss_2048_sha256_mgf1_32_test.json', (key, msg, sig) => verifyBytes('PS256', key, msg, sig));
    console.log(`wycheproof rsa_pss_2048_sha256_mgf1_32: ${t.valid} valid verified, ${t.invalid} invalid rejected, ${t.wrong.length} wrong`);
    expect(t.wrong).toEqual([]);
    expect([t.valid, t.invalid]).toEqual([63, 45]);
  });

  it('rsa_signature_2048_sha256_test.json: RS256 is refused by policy; the raw primitive agrees with the vectors', () => {
    expect(isAllowedAlgorithm('RS256')).toBe(false);
    let refusedEverywhere = 0;
    const acceptedAsPss: string[] = [];
    const primitive = runFile('rsa_signature_2048_sha256_test.json', (key, msg, sig) => {
      // Our path: no allowed algorithm accepts a PKCS#1 v1.5 signature, whatever the key.
      if (JWS_ALGORITHMS.every((alg) => !verifyBytes(alg, key, msg, sig))) refusedEverywhere++;
      else acceptedAsPss.push(sig.toString('hex'));
      try {
        return verify('sha256', msg, { key, padding: constants.RSA_PKCS1_PADDING }, sig);
      } catch {
        return false;
      }
    });
    const total = primitive.valid + primitive.invalid + primitive.acceptable;
    console.log(
      `wycheproof rsa_signature_2048_sha256 (RS256): ${refusedEverywhere}/${total} refused by every allowed algorithm ` +
        `(the other one is the file's RSASSA-PSS signature, correctly accepted as PS256); ` +
        `raw RSASSA-PKCS1-v1_5 check: ${primitive.valid} valid, ${primitive.invalid} invalid, ${primitive.acceptable} acceptable, ${primitive.wrong.length} wrong`,
    );
    // The one signature PS256 accepts is the file's RSASSA-PSS signature (tc 257, "invalid" as PKCS#1 v1.5).
    const pss = load('rsa_signature_2048_sha256_test.json').testGroups.flatMap((g) => g.tests).filter((t) => t.tcId === 257);
    expect(pss.map((t) => t.comment)).toEqual(['RSASSA-PSS signature']);
    expect(acceptedAsPss).toEqual(pss.map((t) => t.sig));
    expect(refusedEverywhere).toBe(total - 1);
    expect(primitive.wrong).toEqual([]);
    expect([primitive.valid, primitive.invalid, primitive.acceptable]).toEqual([9, 249, 1]);
  });
});

interface JwsVector {
  tcId: number;
  comment: string;
  jws: unknown;
  result: 'valid' | 'invalid';
}
interface JwsGroup {
  comment: string;
  public?: Record<string, unknown>;
  tests: JwsVector[];
}

function headerAlg(jws: unknown): string | undefined {
  if (typeof jws !== 'string') return undefined;
  try {
    return (JSON.parse(Buffer.from(jws.split('.')[0]!, 'base64url').toString('utf8')) as { alg?: string }).alg;
  } catch {
    return undefined;
  }
}

describeIfVectors('Wycheproof json_web_signature_test.json through verifyCompactJws', () => {
  it('verifies every valid vector of an allowed algorithm, refuses the rest by policy, rejects every invalid one', () => {
    const file = JSON.parse(readFileSync(join(DIR, 'json_web_signature_test.json'), 'utf8')) as { testGroups: JwsGroup[] };
    let validVerified = 0;
    let invalidRejected = 0;
    const refusedByPolicy: number[] = [];
    const refusedByStrictness: number[] = [];
    const wrong: string[] = [];
    const codes: Record<string, number> = {};
    for (const group of file.testGroups) {
      for (const t of group.tests) {
        const result =
          typeof t.jws === 'string'
            ? verifyCompactJws(t.jws, (header) => {
                if (group.public === undefined) return undefined;
                try {
                  return importJwkPublicKey(group.public, { forAlgorithm: String(header['alg']) });
                } catch {
                  return undefined; // a key that fails to import counts as rejected
                }
              })
            : ({ ok: false, code: 'JWS_MALFORMED', message: 'JSON serialisation is not accepted' } as const);
        if (!result.ok) codes[result.code] = (codes[result.code] ?? 0) + 1;
        const alg = headerAlg(t.jws);
        if (t.result === 'invalid') {
          if (result.ok) wrong.push(`${t.tcId} invalid but accepted (${t.comment})`);
          else invalidRejected++;
        } else if (result.ok) {
          validVerified++;
        } else if (result.code === 'ALGORITHM_NOT_ALLOWED' && !isAllowedAlgorithm(alg)) {
          refusedByPolicy.push(t.tcId);
        } else if (result.code === 'JWS_MALFORMED' && !isAllowedAlgorithm(alg)) {
          // upstream accepts a stray character in base64url (lenient decoders skip it); we do not
          refusedByStrictness.push(t.tcId);
        } else {
          wrong.push(`${t.tcId} valid ${String(alg)} but ${result.code}: ${result.message}`);
        }
      }
    }
    console.log(
      `wycheproof json_web_signature: ${validVerified} valid verified (allowed algorithms), ` +
        `${refusedByPolicy.length} valid upstream refused by policy (ALGORITHM_NOT_ALLOWED), ` +
        `${refusedByStrictness.length} valid upstream refused by strict base64url (tc ${refusedByStrictness.join(',')}), ` +
        `${invalidRejected} invalid rejected, ${wrong.length} wrong; rejection codes ${JSON.stringify(codes)}`,
    );
    expect(wrong).toEqual([]);
    expect(validVerified + refusedByPolicy.length + refusedByStrictness.length).toBe(46);
    expect(invalidRejected).toBe(355);
    expect(validVerified).toBe(8);
    expect(refusedByPolicy).toHaveLength(37);
    expect(refusedByStrictness).toEqual([372]);
  });
});

describeIfVectors('algorithm for the Wycheproof keys', () => {
  it('maps the P-256, Ed25519 and RSA 2048 keys to ES256, EdDSA and PS256', () => {
    const first = (file: string) => importSpki(load(file).testGroups[0]!.publicKeyDer)!;
    expect(algorithmForKey(first('ecdsa_secp256r1_sha256_p1363_test.json'))).toBe('ES256');
    expect(algorithmForKey(first('ed25519_test.json'))).toBe('EdDSA');
    expect(algorithmForKey(first('rsa_pss_2048_sha256_mgf1_32_test.json'))).toBe('PS256');
  });
});
