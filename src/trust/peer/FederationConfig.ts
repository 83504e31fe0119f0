import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020';
import { ElicenseError } from '../../errors';
import { parseStrictJson } from '../../json/parseStrictJson';
import type { RecognitionRule } from '../../format/federation/documentTypes';
import type { StandardsCatalog } from '../../standards/StandardsCatalog';
import { MAX_DOCUMENT_BYTES } from './federationDocument';

export interface PeerConfig {
  /** Where the peer node serves /v1/federation/... (http or https). */
  baseUrl: string;
  /** Lower-case hex SHA-256 of the peer region's root certificate: the only trust set by hand. */
  rootSha256: string;
  /**
   * The peer's region code (GB/T 2260, 6 digits), pinned beside its root. Absent:
   * the first trust list accepted under the root fixes it (docs/adr/0006).
   */
  regionCode?: string;
  /** For operators only. */
  label?: string;
}

/**
 * The federation part of a node's configuration: its peers, what it
 * recognises of theirs (its recognition agreement) and the sync schedule.
 */
export interface FederationConfig {
  peers: PeerConfig[];
  recognition: RecognitionRule[];
  syncIntervalSeconds: number;
  /** Sync on a schedule (default); false: only on demand (POST /v1/federation/sync, elicense federation sync). */
  autoSync: boolean;
  requestTimeoutMs: number;
  maxDocumentBytes: number;
  /** Published status lists: time-to-live peers may rely on them. */
  statusListTtlSeconds: number;
  /** Published trust lists: nextUpdate = issuedAt + this. */
  trustListValiditySeconds: number;
}

export const EMPTY_FEDERATION: FederationConfig = {
  peers: [],
  recognition: [],
  syncIntervalSeconds: 300,
  autoSync: true,
  requestTimeoutMs: 10_000,
  maxDocumentBytes: MAX_DOCUMENT_BYTES,
  statusListTtlSeconds: 3600,
  trustListValiditySeconds: 86_400,
};

const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    peers: {
      type: 'array',
      maxItems: 1000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['baseUrl', 'rootSha256'],
        properties: {
          baseUrl: { type: 'string', pattern: '^https?://[^\\s/?#]+(/[^\\s?#]*)?$', maxLength: 500 },
          rootSha256: { type: 'string', pattern: '^[0-9a-fA-F]{64}$' },
          regionCode: { type: 'string', pattern: '^[1-9][0-9]{5}$' },
          label: { type: 'string', maxLength: 200 },
        },
      },
    },
    recognition: {
      type: 'array',
      maxItems: 10_000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['peerRegion', 'peerTypeCode', 'localTypeCode', 'maxStatusAgeSeconds'],
        properties: {
          peerRegion: { type: 'string', pattern: '^[0-9]{6}$' },
          peerTypeCode: { type: 'string', pattern: '^[0-9A-Z]{1,40}$' },
          localTypeCode: { type: 'string', pattern: '^[0-9A-Z]{1,40}$' },
          maxStatusAgeSeconds: { type: 'integer', minimum: 1, maximum: 31_536_000 },
        },
      },
    },
    syncIntervalSeconds: { type: 'integer', minimum: 1, maximum: 86_400 },
    autoSync: { type: 'boolean' },
    requestTimeoutMs: { type: 'integer', minimum: 100, maximum: 300_000 },
    maxDocumentBytes: { type: 'integer', minimum: 1024, maximum: MAX_DOCUMENT_BYTES },
    statusListTtlSeconds: { type: 'integer', minimum: 1, maximum: 2_592_000 },
    trustListValiditySeconds: { type: 'integer', minimum: 60, maximum: 31_536_000 },
  },
} as const;

let validate: ReturnType<Ajv2020['compile']> | undefined;

/** Validates a federation configuration document; every problem is listed (FEDERATION_CONFIG_INVALID). */
export function parseFederationConfig(doc: unknown): FederationConfig {
  validate ??= new Ajv2020({ strict: true, allErrors: true }).compile(SCHEMA);
  if (!validate(doc)) {
    const problems = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'invalid'}`);
    throw new ElicenseError('FEDERATION_CONFIG_INVALID', `invalid federation configuration:\n  - ${problems.join('\n  - ')}`, { problems });
  }
  const d = doc as Partial<Omit<FederationConfig, 'recognition'>> & {
    recognition?: { peerRegion: string; peerTypeCode: string; localTypeCode: string; maxStatusAgeSeconds: number }[];
  };
  const peers = (d.peers ?? []).map((p) => ({ ...p, baseUrl: p.baseUrl.replace(/\/+$/, ''), rootSha256: p.rootSha256.toLowerCase() }));
  const seen = new Set<string>();
  for (const p of peers) {
    if (seen.has(p.rootSha256)) throw new ElicenseError('FEDERATION_CONFIG_INVALID', `peer root ${p.rootSha256} is listed twice`);
    seen.add(p.rootSha256);
  }
  const regions = new Set<string>();
  for (const p of peers) {
    if (p.regionCode === undefined) continue;
    if (regions.has(p.regionCode)) throw new ElicenseError('FEDERATION_CONFIG_INVALID', `region ${p.regionCode} is configured for two peers`);
    regions.add(p.regionCode);
  }
  const rules = new Set<string>();
  for (const r of d.recognition ?? []) {
    const key = `${r.peerRegion}/${r.peerTypeCode}`;
    if (rules.has(key)) throw new ElicenseError('FEDERATION_CONFIG_INVALID', `recognition of ${key} is listed twice`);
    rules.add(key);
  }
  return {
    ...EMPTY_FEDERATION,
    ...(d.syncIntervalSeconds !== undefined ? { syncIntervalSeconds: d.syncIntervalSeconds } : {}),
    ...(d.autoSync !== undefined ? { autoSync: d.autoSync } : {}),
    ...(d.requestTimeoutMs !== undefined ? { requestTimeoutMs: d.requestTimeoutMs } : {}),
    ...(d.maxDocumentBytes !== undefined ? { maxDocumentBytes: d.maxDocumentBytes } : {}),
    ...(d.statusListTtlSeconds !== undefined ? { statusListTtlSeconds: d.statusListTtlSeconds } : {}),
    ...(d.trustListValiditySeconds !== undefined ? { trustListValiditySeconds: d.trustListValiditySeconds } : {}),
    peers,
    recognition: (d.recognition ?? []).map((r) => ({
      peerRegion: r.peerRegion,
      peerTypeCode: r.peerTypeCode,
      localTypeCode: r.localTypeCode,
      conditions: { maxStatusAgeSeconds: r.maxStatusAgeSeconds },
    })),
  };
}

/** What succession needs of the node's own standards catalogue. */
export type RecognitionSuccession = Pick<StandardsCatalog, 'getType' | 'typeCodesOf' | 'successorOf'>;

/**
 * The recognition rules with those that type code succession implies (docs/adr/0011): a rule for a peer's type
 * X (region P, mapped to local type Y) also covers every later code of X's type, mapped to Y's successor when Y
 * has one, else to Y, with the same conditions. The succession comes from `standards` only, this node's own
 * pinned catalogue, never from anything a peer sends, so a peer cannot widen what this region recognises. A rule
 * the configuration states for a successor code wins over the derived one. Two configured rules deriving
 * different rules for one (region, type) are refused (FEDERATION_CONFIG_INVALID): a person decides that one.
 * Configured rules come first, in their order, then the derived ones.
 */
export function withSuccessionRules(rules: readonly RecognitionRule[], standards: RecognitionSuccession): RecognitionRule[] {
  const key = (r: { peerRegion: string; peerTypeCode: string }) => `${r.peerRegion}/${r.peerTypeCode}`;
  const configured = new Set(rules.map(key));
  const derived = new Map<string, { rule: RecognitionRule; from: RecognitionRule }>();
  for (const rule of rules) {
    const slug = standards.getType(rule.peerTypeCode)?.slug;
    if (slug === undefined) continue;
    const codes = standards.typeCodesOf(slug);
    const localTypeCode = standards.successorOf(rule.localTypeCode)?.typeCode ?? rule.localTypeCode;
    for (const peerTypeCode of codes.slice(codes.indexOf(rule.peerTypeCode) + 1)) {
      const next: RecognitionRule = { peerRegion: rule.peerRegion, peerTypeCode, localTypeCode, conditions: { ...rule.conditions } };
      if (configured.has(key(next))) continue;
      const other = derived.get(key(next));
      if (other && (other.rule.localTypeCode !== next.localTypeCode || other.rule.conditions.maxStatusAgeSeconds !== next.conditions.maxStatusAgeSeconds)) {
        throw new ElicenseError(
          'FEDERATION_CONFIG_INVALID',
          `recognition of ${key(other.from)} and of ${key(rule)} imply different rules for ${key(next)}, which replaces both: state the rule for ${key(next)} in the configuration`,
        );
      }
      if (!other) derived.set(key(next), { rule: next, from: rule });
    }
  }
  return [...rules, ...[...derived.values()].map((d) => d.rule)];
}

/** The configuration with its recognition rules completed by type code succession (withSuccessionRules). */
export function withTypeSuccession(config: FederationConfig, standards: RecognitionSuccession): FederationConfig {
  return { ...config, recognition: withSuccessionRules(config.recognition, standards) };
}

/** Reads the file named by ELICENSE_FEDERATION_FILE (absent: no peers, an empty agreement). */
export function loadFederationConfig(path: string | undefined): FederationConfig {
  if (!path) return EMPTY_FEDERATION;
  let text: Buffer;
  try {
    text = readFileSync(path);
  } catch (e) {
    throw new ElicenseError('FEDERATION_CONFIG_INVALID', `cannot read the federation configuration ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  let doc: unknown;
  try {
    doc = parseStrictJson(text, { maxBytes: 4 * 1024 * 1024, maxDepth: 8 });
  } catch (e) {
    throw new ElicenseError('FEDERATION_CONFIG_INVALID', `${path} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  return parseFederationConfig(doc);
}
