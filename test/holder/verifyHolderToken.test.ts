/**
 * Holder tokens (docs/adr/0012, "Identity"): what a forged or stale token is refused with, before and after
 * its key is looked at, and what a good one names.
 */
import { createHash, createHmac, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { citizenIdCheckCharacter } from '../../src/codes/citizenId';
import { usccCheckCharacter, organizationCodeCheckCharacter } from '../../src/codes/uscc';
import { isElicenseError } from '../../src/errors';
import { loadIdentityProviders, parseIdentityProviders, type IdentityProvider, type PublicJwk } from '../../src/holder/identity/identityProviders';
import { checkHolderIdentityCode, HolderTokenVerifier } from '../../src/holder/identity/verifyHolderToken';

const NOW = new Date('2026-03-01T08:00:00Z');
const NOW_S = Math.floor(NOW.getTime() / 1000);
const ISSUER = 'https://id.example.gov.cn';
const AUDIENCE = 'urn:elicense:holder';

const PERSON_17 = '35010219900307001';
const PERSON = PERSON_17 + citizenIdCheckCharacter(PERSON_17);
const WRONG_CHECK = PERSON_17 + (citizenIdCheckCharacter(PERSON_17) === '1' ? '2' : '1');
const ORG8 = 'HT000001';
const USCC17 = `91350100${ORG8}${organizationCodeCheckCharacter(ORG8)}`;
const COMPANY = USCC17 + usccCheckCharacter(USCC17);
const COMPANY_BAD_CHECK = USCC17 + (usccCheckCharacter(USCC17) === '0' ? '1' : '0');

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ed = generateKeyPairSync('ed25519');
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const otherEc = generateKeyPairSync('ec', { namedCurve: 'P-256' });

const jwk = (k: KeyObject, kid: string): PublicJwk => ({ ...(k.export({ format: 'jwk' }) as PublicJwk), kid });

const provider: IdentityProvider = {
  id: 'gov',
  issuer: ISSUER,
  audience: AUDIENCE,
  jwks: { keys: [jwk(ec.publicKey, 'ec-1'), jwk(ed.publicKey, 'ed-1'), jwk(rsa.publicKey, 'rsa-1')] },
  algorithms: ['ES256', 'EdDSA'],
  holderCodeClaim: 'sub',
  actingForClaim: 'entity_code',
  actingRoleClaim: 'entity_role',
};
const verifier = new HolderTokenVerifier([provider]);

interface TokenOptions {
  claims?: Record<string, unknown>;
  alg?: 'ES256' | 'EdDSA' | 'PS256';
  key?: KeyObject;
  kid?: string;
  iss?: string;
  aud?: string;
  sub?: string;
  exp?: number;
  nbf?: number;
}

function token(o: TokenOptions = {}): Promise<string> {
  const alg = o.alg ?? 'ES256';
  const key = o.key ?? (alg === 'EdDSA' ? ed.privateKey : alg === 'PS256' ? rsa.privateKey : ec.privateKey);
  let jwt = new SignJWT(o.claims ?? {})
    .setProtectedHeader({ alg, kid: o.kid ?? (alg === 'EdDSA' ? 'ed-1' : alg === 'PS256' ? 'rsa-1' : 'ec-1'), typ: 'JWT' })
    .setIssuer(o.iss ?? ISSUER)
    .setAudience(o.aud ?? AUDIENCE)
    .setSubject(o.sub ?? PERSON)
    .setIssuedAt(NOW_S - 10)
    .setExpirationTime(o.exp ?? NOW_S + 600);
  if (o.nbf !== undefined) jwt = jwt.setNotBefore(o.nbf);
  return jwt.sign(key);
}

/** A token signed with HMAC by hand (jose refuses to), header and claims as given. */
function hmacToken(header: Record<string, unknown>, claims: Record<string, unknown>, secret: Buffer | string): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

async function refusal(t: string | Promise<string>, at: Date = NOW): Promise<{ code: string; message: string }> {
  try {
    await verifier.verify(await t, at);
  } catch (e) {
    if (isElicenseError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('the token was accepted');
}

const goodClaims = { iss: ISSUER, aud: AUDIENCE, sub: PERSON, iat: NOW_S, exp: NOW_S + 600 };

describe('holder tokens', () => {
  it('a good ES256 token names the person; an EdDSA one too', async () => {
    expect(await verifier.verify(await token(), NOW)).toEqual({
      holderCode: PERSON,
      holderKind: 'person',
      providerId: 'gov',
      actingRole: 'self',
      actorDigest: null,
      expiresAt: new Date((NOW_S + 600) * 1000),
      demo: false,
    });
    expect((await verifier.verify(await token({ alg: 'EdDSA' }), NOW)).holderCode).toBe(PERSON);
  });

  it('a person acting for a company: the holder is the company, the person only a digest', async () => {
    const p = await verifier.verify(await token({ claims: { entity_code: COMPANY, entity_role: 'agent' } }), NOW);
    expect(p).toMatchObject({ holderCode: COMPANY, holderKind: 'organisation', actingRole: 'agent', actorDigest: createHash('sha256').update(PERSON).digest('hex') });
    expect(JSON.stringify(p)).not.toContain(PERSON);
    expect((await refusal(token({ claims: { entity_code: COMPANY, entity_role: 'owner' } }))).code).toBe('HOLDER_TOKEN_INVALID');
    expect((await refusal(token({ claims: { entity_code: COMPANY_BAD_CHECK, entity_role: 'agent' } }))).code).toBe('HOLDER_TOKEN_INVALID');
    expect((await refusal(token({ sub: COMPANY, claims: { entity_code: COMPANY, entity_role: 'agent' } }))).code).toBe('HOLDER_TOKEN_INVALID');
  });

  it('wrong issuer, wrong audience: HOLDER_TOKEN_INVALID', async () => {
    expect(await refusal(token({ iss: 'https://evil.example' }))).toMatchObject({ code: 'HOLDER_TOKEN_INVALID', message: expect.stringContaining('issuer') });
    expect(await refusal(token({ aud: 'urn:someone:else' }))).toMatchObject({ code: 'HOLDER_TOKEN_INVALID', message: expect.stringContaining('aud') });
  });

  it('expired: HOLDER_TOKEN_EXPIRED (beyond the tolerance); within the tolerance it passes', async () => {
    expect((await refusal(token({ exp: NOW_S - 120 }))).code).toBe('HOLDER_TOKEN_EXPIRED');
    expect((await verifier.verify(await token({ exp: NOW_S - 30 }), NOW)).holderCode).toBe(PERSON);
  });

  it('nbf in the future: HOLDER_TOKEN_INVALID (not valid yet)', async () => {
    expect(await refusal(token({ nbf: NOW_S + 600, exp: NOW_S + 1200 }))).toMatchObject({ code: 'HOLDER_TOKEN_INVALID', message: expect.stringContaining('nbf') });
  });

  it('a token without exp: HOLDER_TOKEN_INVALID', async () => {
    const noExp = await new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: 'ec-1' }).setIssuer(ISSUER).setAudience(AUDIENCE).setSubject(PERSON).sign(ec.privateKey);
    expect((await refusal(noExp)).code).toBe('HOLDER_TOKEN_INVALID');
  });

  it('alg none: HOLDER_TOKEN_INVALID before any key is looked at', async () => {
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    for (const none of [`${b64({ alg: 'none' })}.${b64(goodClaims)}.`, `${b64({ alg: 'none' })}.${b64(goodClaims)}.AAAA`]) {
      expect(await refusal(none)).toMatchObject({ code: 'HOLDER_TOKEN_INVALID' });
    }
  });

  it('HS256 with the public key as the secret: HOLDER_TOKEN_INVALID', async () => {
    const pem = ec.publicKey.export({ format: 'pem', type: 'spki' });
    const asJwk = JSON.stringify(ec.publicKey.export({ format: 'jwk' }));
    for (const secret of [pem, asJwk, ec.publicKey.export({ format: 'der', type: 'spki' })]) {
      for (const kid of ['ec-1', undefined]) {
        const t = hmacToken({ alg: 'HS256', typ: 'JWT', ...(kid ? { kid } : {}) }, goodClaims, secret as Buffer | string);
        expect(await refusal(t)).toMatchObject({ code: 'HOLDER_TOKEN_INVALID', message: expect.stringContaining('HS256') });
      }
    }
  });

  it("alg not in the provider's list (PS256 with a key the provider does list): HOLDER_TOKEN_INVALID", async () => {
    expect(await refusal(token({ alg: 'PS256' }))).toMatchObject({ code: 'HOLDER_TOKEN_INVALID', message: expect.stringContaining("provider's algorithms") });
  });

  it('unknown kid, or a key the provider does not hold: HOLDER_TOKEN_INVALID', async () => {
    expect(await refusal(token({ kid: 'ec-9' }))).toMatchObject({ code: 'HOLDER_TOKEN_INVALID', message: expect.stringContaining('kid') });
    expect(await refusal(token({ key: otherEc.privateKey }))).toMatchObject({ code: 'HOLDER_TOKEN_INVALID', message: expect.stringContaining('signature') });
  });

  it('a holder code with a wrong check character (citizen ID, USCC) or none at all: HOLDER_TOKEN_INVALID', async () => {
    for (const sub of [WRONG_CHECK, COMPANY_BAD_CHECK, '12345', '']) {
      expect([sub, (await refusal(token({ sub }))).code]).toEqual([sub, 'HOLDER_TOKEN_INVALID']);
    }
    expect(checkHolderIdentityCode(COMPANY, NOW)).toEqual({ ok: true, kind: 'organisation' });
  });

  it('a changed payload, garbage, an over-long token: HOLDER_TOKEN_INVALID', async () => {
    const t = await token();
    const [h, , s] = t.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...goodClaims, sub: COMPANY })).toString('base64url')}.${s}`;
    expect((await refusal(forged)).code).toBe('HOLDER_TOKEN_INVALID');
    for (const bad of ['', 'abc', 'a.b', 'a.b.c', `${t}x`.repeat(60)]) expect((await refusal(bad)).code).toBe('HOLDER_TOKEN_INVALID');
  });
});

describe('identity provider configuration (HOLDER_IDENTITY_FILE)', () => {
  const good = { id: 'gov', issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [jwk(ec.publicKey, 'k')] }, algorithms: ['ES256'] };
  const problems = (json: unknown): string[] => {
    try {
      parseIdentityProviders(json);
    } catch (e) {
      if (isElicenseError(e) && e.code === 'CONFIG_INVALID') return (e.details?.['problems'] as string[] | undefined) ?? [e.message];
      throw e;
    }
    return [];
  };

  it('reads a good file, holderCodeClaim defaulting to sub', () => {
    const dir = mkdtempSync(join(tmpdir(), 'holder-idp-'));
    try {
      const file = join(dir, 'idp.json');
      writeFileSync(file, JSON.stringify({ providers: [good] }));
      expect(loadIdentityProviders(file)).toEqual([{ ...good, holderCodeClaim: 'sub' }]);
      expect(loadIdentityProviders(undefined)).toEqual([]);
      expect(() => loadIdentityProviders(join(dir, 'absent.json'))).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
      writeFileSync(file, '{"providers": [');
      expect(() => loadIdentityProviders(file)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses symmetric and private keys, HS256 and none, duplicate issuers, the id demo, half an acting pair', () => {
    expect(problems({ providers: [{ ...good, jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } }] }).join()).toContain('symmetric');
    expect(problems({ providers: [{ ...good, jwks: { keys: [ec.privateKey.export({ format: 'jwk' })] } }] }).join()).toContain('private');
    expect(problems({ providers: [{ ...good, algorithms: ['HS256'] }] }).join()).toContain('never HS');
    expect(problems({ providers: [{ ...good, algorithms: ['none'] }] }).join()).toContain('never HS');
    expect(problems({ providers: [good, { ...good, id: 'gov2' }] }).join()).toContain('twice');
    expect(problems({ providers: [{ ...good, id: 'demo' }] }).join()).toContain('taken');
    expect(problems({ providers: [{ ...good, actingForClaim: 'entity_code' }] }).join()).toContain('go together');
    expect(problems({ providers: [{ ...good, extra: 1 }] }).join()).toContain('not a provider field');
    expect(problems({ nope: [] }).join()).toContain('providers');
  });
});
