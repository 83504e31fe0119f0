/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 *
 * A node outside the demo (ELICENSE_DEMO=off) with an identity provider configured in HOLDER_IDENTITY_FILE:
 * its tokens sign holders in, the DEMO provider is off (FEATURE_DISABLED, and a DEMO-looking token is refused),
 * and a broken configuration stops the node at start-up.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { citizenIdCheckCharacter } from '../../../src/codes/citizenId';
import { organizationCodeCheckCharacter, usccCheckCharacter } from '../../../src/codes/uscc';
import { http } from '../helpers/http';
import { startTestNode, type TestNode } from '../helpers/startTestNode';

const ISSUER = 'https://id.example.gov.cn';
const AUDIENCE = 'urn:elicense:holder:350000';
const PERSON_17 = '35010219900307002';
const PERSON = PERSON_17 + citizenIdCheckCharacter(PERSON_17);
const ORG8 = 'HT000002';
const USCC17 = `91350100${ORG8}${organizationCodeCheckCharacter(ORG8)}`;
const COMPANY = USCC17 + usccCheckCharacter(USCC17);

const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
let dir: string;
let node: TestNode;

function token(claims: Record<string, unknown> = {}, issuer = ISSUER): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'gov-1' }).setIssuer(issuer).setAudience(AUDIENCE).setSubject(PERSON).setIssuedAt(now).setExpirationTime(now + 300).sign(key.privateKey);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'holder-idp-node-'));
  const file = join(dir, 'identity.json');
  writeFileSync(
    file,
    JSON.stringify({
      providers: [
        {
          id: 'fujian-gov',
          issuer: ISSUER,
          audience: AUDIENCE,
          jwks: { keys: [{ ...key.publicKey.export({ format: 'jwk' }), kid: 'gov-1' }] },
          algorithms: ['ES256'],
          holderCodeClaim: 'sub',
          actingForClaim: 'org_uscc',
          actingRoleClaim: 'org_role',
        },
      ],
    }),
  );
  node = await startTestNode({ env: { ELICENSE_DEMO: 'off', HOLDER_IDENTITY_FILE: file } });
}, 180_000);
afterAll(async () => {
  await node?.close();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('a configured identity provider', () => {
  it('signs a person in, and a company through its agent', async () => {
    const me = await http(node.url, 'GET', '/v1/holder/me', { headers: { authorization: `Bearer ${await token()}` } });
    expect(me.status).toBe(200);
    expect(me.body.holder).toMatchObject({ holderCode: PERSON, providerId: 'fujian-gov', actingRole: 'self', demo: false });
    const company = await http(node.url, 'GET', '/v1/holder/me', { headers: { authorization: `Bearer ${await token({ org_uscc: COMPANY, org_role: 'agent' })}` } });
    expect(company.body.holder).toMatchObject({ holderCode: COMPANY, holderKind: 'organisation', actingRole: 'agent' });
    const wallet = await http(node.url, 'GET', '/v1/holder/licenses', { headers: { authorization: `Bearer ${await token()}` } });
    expect([wallet.status, wallet.body.items]).toEqual([200, []]);
  });

  it('the DEMO provider is off: FEATURE_DISABLED, and a token naming the DEMO issuer is refused', async () => {
    const holders = await http(node.url, 'GET', '/v1/holder/demo-holders');
    expect([holders.status, holders.body.code]).toEqual([404, 'FEATURE_DISABLED']);
    const signIn = await http(node.url, 'POST', '/v1/holder/demo-sign-in', { json: { holderCode: PERSON } });
    expect([signIn.status, signIn.body.code]).toEqual([404, 'FEATURE_DISABLED']);
    const demoIssuer = await http(node.url, 'GET', '/v1/holder/me', { headers: { authorization: `Bearer ${await token({}, 'urn:elicense:demo:identity')}` } });
    expect([demoIssuer.status, demoIssuer.body.code]).toEqual([401, 'HOLDER_TOKEN_INVALID']);
  });
});

describe('a broken HOLDER_IDENTITY_FILE', () => {
  it('stops the node at start-up with CONFIG_INVALID', async () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, JSON.stringify({ providers: [{ id: 'x', issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] }, algorithms: ['HS256'] }] }));
    await expect(startTestNode({ env: { ELICENSE_DEMO: 'off', HOLDER_IDENTITY_FILE: file } })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  }, 120_000);
});
