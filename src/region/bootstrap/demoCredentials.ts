import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSampleLicenses } from '../../demo/sampleDraft';
import type { StandardsCatalog } from '../../standards/StandardsCatalog';
import type { RegionSetUp } from './setUpRegion';

export const DEMO_CREDENTIALS_FILE = 'demo-credentials.json';

export interface DemoCredentials {
  warning: string;
  region: { code: string; name: string };
  baseUrl: string;
  createdAt: string;
  keys: Array<{
    role: string;
    keyId: string;
    secret: string;
    label: string;
    department?: { uscc: string; name: string; licenceTypes: Array<{ typeCode: string; slug: string; name: string }> };
  }>;
  examples: { issue: string; get: string; verify: string; revoke: string; notes: string[] };
}

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Where the examples keep the issued licence (in the directory they are run from; .gitignore lists it for a checkout). */
export const LICENCE_FILE = 'licence.elic.json';
/** Stands for the certificate number in the example's JSON until the shell's unique number is spliced in. */
const NUMBER_MARK = '@@CERTIFICATE_NUMBER@@';

/**
 * What a newcomer needs to try the demo region with curl: every API key
 * (shown nowhere else, ever), its role and department, and commands that
 * issue, fetch, verify and revoke a sample business licence.
 */
export function demoCredentials(setUp: RegionSetUp, catalog: StandardsCatalog, baseUrl: string): DemoCredentials {
  const typeView = (typeCode: string) => {
    const t = catalog.getType(typeCode);
    return { typeCode, slug: t?.slug ?? 'unknown', name: t ? `${t.nameZh} / ${t.nameEn}` : typeCode };
  };
  const keys: DemoCredentials['keys'] = setUp.apiKeys.map((k) => {
    const d = k.uscc ? setUp.pki.departments.find((x) => x.uscc === k.uscc) : undefined;
    return {
      role: k.role,
      keyId: k.keyId,
      secret: k.secret,
      label: k.label,
      ...(d ? { department: { uscc: d.uscc, name: d.name, licenceTypes: d.licenseTypes.map(typeView) } } : {}),
    };
  });

  // The sample business licence, issued by the department allowed to issue it.
  const sample = loadSampleLicenses().find((s) => s.slug === 'business-licence') ?? loadSampleLicenses()[0]!;
  const standard = catalog.getTypeBySlug(sample.slug);
  const issuer = keys.find((k) => k.department?.licenceTypes.some((t) => t.slug === sample.slug)) ?? keys.find((k) => k.role === 'issuer');
  const admin = keys.find((k) => k.role === 'region_admin')!;
  const body = { typeCode: standard?.typeCode ?? sample.slug, data: { ...sample.draft, certificateNumber: NUMBER_MARK } };
  const base = baseUrl.replace(/\/$/, '');
  // Each run issues a new licence: the shell puts the time and its process id into the idempotency key and the
  // certificate number (a fixed key would return the first run's licence, perhaps revoked by now; a fixed number
  // is refused as LICENSE_NUMBER_IN_USE). The JSON stays inline after -d; only the number is spliced in.
  const issueBody = quote(JSON.stringify(body)).replace(NUMBER_MARK, () => `DEMO'"$(date +%Y%m%d%H%M%S)$$"'`);
  const identifier = `"$(node -p "require('./${LICENCE_FILE}').license.certificateIdentifier")"`;
  return {
    warning:
      'DEMO REGION: fictional departments, keys and data for trying elicense out. Not for production; set up a real region with `elicense init --ceremony FILE`. These API key secrets are shown only here.',
    region: { code: setUp.region.code, name: setUp.region.name },
    baseUrl: base,
    createdAt: setUp.region.setUpAt.toISOString(),
    keys,
    examples: {
      issue: `curl -sS -X POST ${base}/v1/licenses -H 'Authorization: Bearer ${issuer?.secret ?? '<issuer key>'}' -H 'Content-Type: application/json' -H "Idempotency-Key: demo-$(date +%Y%m%d%H%M%S)-$$" -d ${issueBody} -o ${LICENCE_FILE} -D -`,
      get: `curl -sS ${base}/v1/licenses/${identifier} -H 'Authorization: Bearer ${issuer?.secret ?? '<issuer key>'}'`,
      verify: `curl -sS -X POST ${base}/v1/verifications -H 'Content-Type: application/json' --data-binary @${LICENCE_FILE}`,
      revoke: `curl -sS -X POST ${base}/v1/licenses/${identifier}/revoke -H 'Authorization: Bearer ${admin.secret}' -H 'Content-Type: application/json' -d '{"reason":"demo: revoked on request"}'`,
      notes: [
        `Run the commands in one directory: issue writes ${LICENCE_FILE} there, and get, verify and revoke read it (the licence identifier is taken from it with node).`,
        'Each run of the issue command issues a new licence: its Idempotency-Key and certificate number carry the time and the shell\'s process id. A retry with the same Idempotency-Key returns the same licence, never a second one.',
        'After the revoke call, the verify call answers "rejected" with reason LICENSE_REVOKED.',
        'Issuer keys act for their own department only; the region admin and auditor keys see every department.',
      ],
    },
  };
}

/** Written atomically with mode 0600: readable by the node's user only. */
export function writeDemoCredentials(dataDir: string, credentials: DemoCredentials): string {
  const file = join(dataDir, DEMO_CREDENTIALS_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  return file;
}
