import { createHash } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { checkCitizenId } from '../../codes/citizenId';
import { checkUscc } from '../../codes/uscc';
import { ElicenseError } from '../../errors';
import type { HolderPrincipal } from '../../region/permissions';
import { HOLDER_TOKEN_ALGORITHMS, type IdentityProvider } from './identityProviders';

/** Clock difference tolerated on exp and nbf (seconds). */
export const HOLDER_TOKEN_CLOCK_TOLERANCE_SECONDS = 60;
const MAX_TOKEN_LENGTH = 8192;
const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const CITIZEN_ID_SHAPE = /^\d{17}[\dX]$/;
const ACTING_ROLES = ['legal_representative', 'agent'] as const;

type KeySet = ReturnType<typeof createLocalJWKSet>;

const invalid = (message: string) => new ElicenseError('HOLDER_TOKEN_INVALID', `holder token refused: ${message}`);

/**
 * The holder-token check (docs/adr/0012, "Identity"), in this order: compact shape; `alg` one of the
 * asymmetric algorithms (never none or HS*) before any key is looked at; the issuer is a configured
 * provider; `alg` in that provider's list; the key by kid from the provider's own keys (never from the
 * token); the signature; issuer, audience, exp (required), nbf (honoured), with a small tolerance; then the
 * holder's code from the configured claim, checked with its check character, and, when the provider says a
 * person acts for a company, the company's USCC and the person's role.
 */
export class HolderTokenVerifier {
  readonly #keys = new Map<string, KeySet>();

  constructor(private readonly providers: readonly IdentityProvider[]) {
    for (const p of providers) this.#keys.set(p.id, createLocalJWKSet({ keys: p.jwks.keys as Parameters<typeof createLocalJWKSet>[0]['keys'] }));
  }

  async verify(token: string, now: Date): Promise<HolderPrincipal> {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !COMPACT.test(token)) throw invalid('not a signed compact JWT');
    let alg: unknown;
    let issuer: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
      issuer = decodeJwt(token).iss;
    } catch {
      throw invalid('header or claims are not readable');
    }
    if (typeof alg !== 'string' || !(HOLDER_TOKEN_ALGORITHMS as readonly string[]).includes(alg)) throw invalid(`alg ${String(alg)} is not accepted (${HOLDER_TOKEN_ALGORITHMS.join(', ')} only)`);
    const provider = this.providers.find((p) => p.issuer === issuer);
    if (!provider) throw invalid('the issuer is not a configured identity provider');
    if (!(provider.algorithms as readonly string[]).includes(alg)) throw invalid(`alg ${alg} is not one of the provider's algorithms`);
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, this.#keys.get(provider.id)!, {
        issuer: provider.issuer,
        audience: provider.audience,
        algorithms: provider.algorithms,
        currentDate: now,
        clockTolerance: HOLDER_TOKEN_CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['exp', 'iss', 'aud'],
      }));
    } catch (e) {
      throw joseRefusal(e);
    }
    return principalOf(provider, claims, now);
  }
}

function joseRefusal(e: unknown): ElicenseError {
  const code = (e as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return new ElicenseError('HOLDER_TOKEN_EXPIRED', 'the holder token has expired: sign in again');
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED': {
      const claim = (e as { claim?: unknown }).claim;
      return invalid(claim === 'nbf' ? 'the token is not valid yet (nbf)' : `claim ${String(claim)} does not hold`);
    }
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return invalid('no key of the provider matches the token (kid, alg)');
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return invalid('several keys of the provider match: the token must name its kid');
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return invalid('the signature does not verify');
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return invalid('alg is not allowed');
    default:
      return invalid('not a valid token of the provider');
  }
}

/** A citizen ID number or USCC, check characters included (a USCC's mismatch is refused here, not warned). */
export function checkHolderIdentityCode(code: unknown, now: Date): { ok: true; kind: 'person' | 'organisation' } | { ok: false; reason: string } {
  if (typeof code !== 'string') return { ok: false, reason: 'not a string' };
  if (CITIZEN_ID_SHAPE.test(code)) {
    const check = checkCitizenId(code, { today: now });
    return check.ok ? { ok: true, kind: 'person' } : { ok: false, reason: check.code };
  }
  const check = checkUscc(code);
  if (!check.ok) return { ok: false, reason: check.code };
  if (check.warnings.length > 0) return { ok: false, reason: check.warnings[0]!.code };
  return { ok: true, kind: 'organisation' };
}

function principalOf(provider: IdentityProvider, claims: JWTPayload, now: Date): HolderPrincipal {
  const subjectCode = claims[provider.holderCodeClaim];
  const subject = checkHolderIdentityCode(subjectCode, now);
  if (!subject.ok) throw invalid(`claim ${provider.holderCodeClaim} is not a valid citizen ID number or USCC (${subject.reason})`);
  const expiresAt = new Date((claims.exp as number) * 1000);
  const base = { providerId: provider.id, expiresAt, demo: provider.demo === true };
  const actingFor = provider.actingForClaim !== undefined ? claims[provider.actingForClaim] : undefined;
  if (actingFor === undefined || actingFor === null) {
    return { ...base, holderCode: subjectCode as string, holderKind: subject.kind, actingRole: 'self', actorDigest: null };
  }
  // A person acting for a company: the holder is the company; the person is kept only as a digest.
  const company = checkHolderIdentityCode(actingFor, now);
  if (!company.ok || company.kind !== 'organisation') throw invalid(`claim ${provider.actingForClaim} is not a valid USCC`);
  if (subject.kind !== 'person') throw invalid('a company is acted for by a person (citizen ID number)');
  const role = claims[provider.actingRoleClaim!];
  if (!(ACTING_ROLES as readonly unknown[]).includes(role)) throw invalid(`claim ${provider.actingRoleClaim} must be ${ACTING_ROLES.join(' or ')}`);
  return {
    ...base,
    holderCode: actingFor as string,
    holderKind: 'organisation',
    actingRole: role as (typeof ACTING_ROLES)[number],
    actorDigest: createHash('sha256').update(subjectCode as string, 'utf8').digest('hex'),
  };
}
