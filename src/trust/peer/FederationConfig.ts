import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020';
import { ElicenseError } from '../../errors';
import { parseStrictJson } from '../../json/parseStrictJson';
import type { RecognitionRule } from '../../format/federation/documentTypes';
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
