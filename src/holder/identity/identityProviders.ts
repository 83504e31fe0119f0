import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ElicenseError } from '../../errors';
import { parseStrictJson } from '../../json/parseStrictJson';

/** The algorithms a holder token may be signed with: asymmetric only, never HS* or none (docs/adr/0012). */
export const HOLDER_TOKEN_ALGORITHMS = ['ES256', 'PS256', 'EdDSA'] as const;
export type HolderTokenAlgorithm = (typeof HOLDER_TOKEN_ALGORITHMS)[number];

/** A public key of a provider, as a JWK (no private part, no symmetric key). */
export type PublicJwk = Record<string, unknown> & { kty: string };

/** One identity provider whose tokens the node accepts. */
export interface IdentityProvider {
  id: string;
  issuer: string;
  /** The audience the token must name (one of them). */
  audience: string | string[];
  jwks: { keys: PublicJwk[] };
  algorithms: HolderTokenAlgorithm[];
  /** The claim holding the holder's code (citizen ID number or USCC); default sub. */
  holderCodeClaim: string;
  /** The claim naming the company (USCC) the signed-in person acts for, when the provider says so. */
  actingForClaim?: string;
  /** The claim with the person's role for that company: legal_representative or agent. */
  actingRoleClaim?: string;
  /** The DEMO provider of a demo region. */
  demo?: boolean;
}

const ID = /^[a-z0-9][a-z0-9_-]{0,39}$/;
const CLAIM = /^[A-Za-z_][A-Za-z0-9_:.-]{0,63}$/;
const MAX_FILE_BYTES = 1024 * 1024;

/**
 * Reads HOLDER_IDENTITY_FILE: `{ "providers": [ { id, issuer, audience, jwks: {keys}, algorithms,
 * holderCodeClaim?, actingForClaim?, actingRoleClaim? } ] }`. Every problem is reported at once
 * (CONFIG_INVALID); keys must be public keys that match an allowed algorithm.
 */
export function loadIdentityProviders(file: string | undefined): IdentityProvider[] {
  if (file === undefined) return [];
  let text: Buffer;
  try {
    text = readFileSync(file);
  } catch (e) {
    throw new ElicenseError('CONFIG_INVALID', `HOLDER_IDENTITY_FILE ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  if (text.byteLength > MAX_FILE_BYTES) throw new ElicenseError('CONFIG_INVALID', `HOLDER_IDENTITY_FILE is larger than ${MAX_FILE_BYTES} bytes`);
  let json: unknown;
  try {
    json = parseStrictJson(text, { maxBytes: MAX_FILE_BYTES, maxDepth: 16 });
  } catch {
    throw new ElicenseError('CONFIG_INVALID', 'HOLDER_IDENTITY_FILE is not valid JSON');
  }
  return parseIdentityProviders(json);
}

/** The configuration's providers, checked (CONFIG_INVALID naming every problem). */
export function parseIdentityProviders(json: unknown): IdentityProvider[] {
  const problems: string[] = [];
  const providers: IdentityProvider[] = [];
  const list = isObject(json) ? json['providers'] : undefined;
  if (!Array.isArray(list)) throw new ElicenseError('CONFIG_INVALID', 'HOLDER_IDENTITY_FILE: expected {"providers": [...]}');
  const ids = new Set<string>();
  const issuers = new Set<string>();
  list.forEach((raw: unknown, i: number) => {
    const at = `providers[${i}]`;
    if (!isObject(raw)) return problems.push(`${at} must be an object`);
    const known = new Set(['id', 'issuer', 'audience', 'jwks', 'algorithms', 'holderCodeClaim', 'actingForClaim', 'actingRoleClaim']);
    for (const k of Object.keys(raw)) if (!known.has(k)) problems.push(`${at}.${k} is not a provider field`);
    const id = raw['id'];
    if (typeof id !== 'string' || !ID.test(id)) problems.push(`${at}.id must be 1-40 of a-z 0-9 _ -`);
    else if (ids.has(id) || id === 'demo') problems.push(`${at}.id ${id} is taken`);
    else ids.add(id);
    const issuer = raw['issuer'];
    if (typeof issuer !== 'string' || issuer.length === 0 || issuer.length > 500) problems.push(`${at}.issuer must be a non-empty string`);
    else if (issuers.has(issuer)) problems.push(`${at}.issuer ${issuer} is configured twice`);
    else issuers.add(issuer);
    const audience = raw['audience'];
    const audiences = typeof audience === 'string' ? [audience] : Array.isArray(audience) ? audience : [];
    if (audiences.length === 0 || !audiences.every((a) => typeof a === 'string' && a.length > 0)) problems.push(`${at}.audience must be a string or a list of strings`);
    const algorithms = raw['algorithms'];
    if (!Array.isArray(algorithms) || algorithms.length === 0 || !algorithms.every((a) => (HOLDER_TOKEN_ALGORITHMS as readonly unknown[]).includes(a))) {
      problems.push(`${at}.algorithms must list some of ${HOLDER_TOKEN_ALGORITHMS.join(', ')} (never HS* or none)`);
    }
    const keys = isObject(raw['jwks']) ? raw['jwks']['keys'] : undefined;
    if (!Array.isArray(keys) || keys.length === 0) problems.push(`${at}.jwks.keys must hold at least one public key`);
    else keys.forEach((k: unknown, j: number) => checkPublicJwk(k, `${at}.jwks.keys[${j}]`, problems));
    for (const claim of ['holderCodeClaim', 'actingForClaim', 'actingRoleClaim'] as const) {
      const v = raw[claim];
      if (v !== undefined && (typeof v !== 'string' || !CLAIM.test(v))) problems.push(`${at}.${claim} must be a claim name`);
    }
    if ((raw['actingForClaim'] === undefined) !== (raw['actingRoleClaim'] === undefined)) problems.push(`${at}: actingForClaim and actingRoleClaim go together`);
    providers.push({
      id: id as string,
      issuer: issuer as string,
      audience: audience as string | string[],
      jwks: { keys: (keys ?? []) as PublicJwk[] },
      algorithms: algorithms as HolderTokenAlgorithm[],
      holderCodeClaim: (raw['holderCodeClaim'] as string | undefined) ?? 'sub',
      ...(raw['actingForClaim'] !== undefined ? { actingForClaim: raw['actingForClaim'] as string, actingRoleClaim: raw['actingRoleClaim'] as string } : {}),
    });
  });
  if (problems.length > 0) throw new ElicenseError('CONFIG_INVALID', `HOLDER_IDENTITY_FILE:\n  - ${problems.join('\n  - ')}`, { problems });
  return providers;
}

function checkPublicJwk(k: unknown, at: string, problems: string[]): void {
  if (!isObject(k) || typeof k['kty'] !== 'string') return void problems.push(`${at} must be a JWK`);
  if (k['kty'] === 'oct') return void problems.push(`${at} is a symmetric key: holder tokens are signed with asymmetric keys only`);
  if ('d' in k || 'p' in k || 'q' in k) return void problems.push(`${at} holds a private key: configure the public key only`);
  try {
    createPublicKey({ key: k as JsonWebKey, format: 'jwk' });
  } catch {
    problems.push(`${at} is not a usable public key`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
