import { generateKeyPairSync, createPrivateKey, randomBytes, type KeyObject, type JsonWebKey } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import type { Clock } from '../../clock';
import { citizenIdCheckCharacter } from '../../codes/citizenId';
import { loadSampleLicenses } from '../../demo/sampleDraft';
import { ElicenseError, isElicenseError } from '../../errors';
import type { HolderPrincipal } from '../../region/permissions';
import type { Queryable } from '../../store/Database';
import type { RegionStore } from '../../store/RegionStore';
import type { SqlHolderStore } from '../../store/HolderStore';
import { loadIdentityProviders, type IdentityProvider, type PublicJwk } from './identityProviders';
import { checkHolderIdentityCode, HolderTokenVerifier } from './verifyHolderToken';

/** The DEMO identity provider of a demo region (docs/adr/0012): labelled DEMO everywhere, off outside a demo region. */
export const DEMO_IDENTITY = {
  id: 'demo',
  issuer: 'urn:elicense:demo:identity',
  audience: 'urn:elicense:holder',
  /** Where the DEMO provider's ES256 key is kept, in the node's data directory. */
  keyFile: 'DEMO-holder-identity-key.json',
  tokenSeconds: 3600,
  kid: 'demo-holder-identity-1',
} as const;

/** The fictional person who acts as legal representative of a demo company (a valid citizen ID number, DEMO). */
const DEMO_REPRESENTATIVE_17 = '35010219800101001';
export const DEMO_REPRESENTATIVE = DEMO_REPRESENTATIVE_17 + citizenIdCheckCharacter(DEMO_REPRESENTATIVE_17);

export interface DemoHolder {
  name: string;
  code: string;
  kind: 'person' | 'organisation';
}

export interface HolderIdentityDeps {
  config: { dataDir: string; holderIdentityFile: string | undefined };
  clock: Clock;
  db: Queryable;
  stores: { region: RegionStore };
}

const byServices = new WeakMap<object, HolderIdentity>();

/**
 * Who the holder is: the configured identity providers (HOLDER_IDENTITY_FILE, read when the node starts)
 * and, in a demo region only, the DEMO provider whose key the node makes itself. One instance per node's
 * services (`HolderIdentity.of`): the app's door and the holder routes share it.
 */
export class HolderIdentity {
  readonly #configured: IdentityProvider[];
  #verifier: { demo: boolean; verifier: HolderTokenVerifier } | undefined;
  #demoKey: { privateKey: KeyObject; publicJwk: PublicJwk } | undefined;
  #sampleHolders: DemoHolder[] | undefined;
  #regionMode: 'demo' | 'production' | undefined;

  private constructor(private readonly deps: HolderIdentityDeps) {
    this.#configured = loadIdentityProviders(deps.config.holderIdentityFile);
  }

  /** The node's one instance (made on first use; a bad HOLDER_IDENTITY_FILE is CONFIG_INVALID then). */
  static of(deps: HolderIdentityDeps): HolderIdentity {
    let found = byServices.get(deps);
    if (!found) {
      found = new HolderIdentity(deps);
      byServices.set(deps, found);
    }
    return found;
  }

  /** True when this node serves a demo region (the DEMO provider is on). */
  async demoEnabled(): Promise<boolean> {
    // A region, once set up, keeps its mode: read it until there is one, then remember it.
    if (this.#regionMode === undefined) {
      const region = await this.deps.stores.region.get(this.deps.db);
      if (region) this.#regionMode = region.mode;
      return region?.mode === 'demo';
    }
    return this.#regionMode === 'demo';
  }

  /** The holder a token names, or HOLDER_TOKEN_INVALID / HOLDER_TOKEN_EXPIRED. */
  async verify(token: string): Promise<HolderPrincipal> {
    return (await this.#verifierNow()).verify(token, this.deps.clock.now());
  }

  async #verifierNow(): Promise<HolderTokenVerifier> {
    const demo = await this.demoEnabled();
    if (this.#verifier?.demo !== demo) {
      const providers = demo ? [...this.#configured, this.#demoProvider()] : this.#configured;
      this.#verifier = { demo, verifier: new HolderTokenVerifier(providers) };
    }
    return this.#verifier.verifier;
  }

  #demoProvider(): IdentityProvider {
    return {
      id: DEMO_IDENTITY.id,
      issuer: DEMO_IDENTITY.issuer,
      audience: DEMO_IDENTITY.audience,
      jwks: { keys: [this.#demoSigningKey().publicJwk] },
      algorithms: ['ES256'],
      holderCodeClaim: 'sub',
      actingForClaim: 'entity_code',
      actingRoleClaim: 'entity_role',
      demo: true,
    };
  }

  /** The DEMO key: made once and kept in the data directory (private JWK, mode 0600). */
  #demoSigningKey(): { privateKey: KeyObject; publicJwk: PublicJwk } {
    if (this.#demoKey) return this.#demoKey;
    const file = join(this.deps.config.dataDir, DEMO_IDENTITY.keyFile);
    if (!existsSync(file)) {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      try {
        writeFileSync(file, JSON.stringify({ note: 'DEMO holder identity provider key: signs DEMO sign-ins of a demo region only', jwk: privateKey.export({ format: 'jwk' }) }), { mode: 0o600, flag: 'wx' });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
    }
    const jwk = (JSON.parse(readFileSync(file, 'utf8')) as { jwk: JsonWebKey }).jwk;
    const privateKey = createPrivateKey({ key: jwk, format: 'jwk' });
    const { d: _d, ...pub } = jwk;
    this.#demoKey = { privateKey, publicJwk: { ...(pub as PublicJwk), kid: DEMO_IDENTITY.kid, alg: 'ES256', use: 'sig' } };
    return this.#demoKey;
  }

  /**
   * The demo holders one may sign in as: the holders of the sample data (fixtures/data) and of the
   * region's licences. DEMO only: FEATURE_DISABLED outside a demo region.
   */
  async demoHolders(store: SqlHolderStore): Promise<DemoHolder[]> {
    await this.#requireDemo();
    const now = this.deps.clock.now();
    const byCode = new Map<string, DemoHolder>();
    const add = (code: string, name: string) => {
      const check = checkHolderIdentityCode(code, now);
      if (check.ok && !byCode.has(code)) byCode.set(code, { name, code, kind: check.kind });
    };
    for (const h of this.#samples()) add(h.code, h.name);
    for (const h of await store.holdersOfLicenses(this.deps.db, 200)) add(h.code, h.name);
    return [...byCode.values()];
  }

  /** A DEMO token for a demo holder (a company is signed in through its fictional legal representative). */
  async signDemoToken(store: SqlHolderStore, holderCode: string): Promise<{ token: string; expiresAt: Date; holder: DemoHolder }> {
    const holder = (await this.demoHolders(store)).find((h) => h.code === holderCode);
    if (!holder) throw new ElicenseError('DEMO_HOLDER_UNKNOWN', 'no demo holder has this code (GET /v1/holder/demo-holders lists them)');
    const now = Math.floor(this.deps.clock.now().getTime() / 1000);
    const exp = now + DEMO_IDENTITY.tokenSeconds;
    const claims = holder.kind === 'organisation' ? { entity_code: holder.code, entity_role: 'legal_representative', demo: true } : { demo: true };
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: DEMO_IDENTITY.kid, typ: 'JWT' })
      .setIssuer(DEMO_IDENTITY.issuer)
      .setAudience(DEMO_IDENTITY.audience)
      .setSubject(holder.kind === 'organisation' ? DEMO_REPRESENTATIVE : holder.code)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(exp)
      .setJti(randomBytes(16).toString('base64url'))
      .sign(this.#demoSigningKey().privateKey);
    return { token, expiresAt: new Date(exp * 1000), holder };
  }

  async #requireDemo(): Promise<void> {
    if (!(await this.demoEnabled())) throw new ElicenseError('FEATURE_DISABLED', 'the DEMO identity provider is on only in a demo region');
  }

  #samples(): Array<{ code: string; name: string }> {
    if (!this.#sampleHolders) {
      const out: DemoHolder[] = [];
      try {
        for (const s of loadSampleLicenses()) {
          for (const h of [s.draft.holder, ...(s.draft.otherHolders ?? [])]) out.push({ code: h.code, name: h.name, kind: 'person' });
        }
      } catch (e) {
        if (isElicenseError(e)) throw e;
        // No sample data shipped: the region's own licences still name holders.
      }
      this.#sampleHolders = out;
    }
    return this.#sampleHolders;
  }
}
