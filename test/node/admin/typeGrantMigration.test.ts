/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 *
 * Type code succession and department grants (issue 13 item 2, docs/adr/0011): a department granted the
 * placeholder code of a type whose standard 1.1.0 has the national code cannot issue by slug until the region
 * admin runs the type grant migration (HTTP or `elicense node migrate-type-grants`), which adds the successor
 * code, keeps the old grant, audits one entry per department and is idempotent. Licences signed under the old
 * code keep verifying.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runMigrateTypeGrants } from '../../../src/cli/commands/nodeCommand';
import { organizationCodeCheckCharacter, usccCheckCharacter } from '../../../src/codes/uscc';
import { cli, removeDir, runAction, tempDir } from '../../cli/cliHarness';
import { http } from '../helpers/http';
import { issueUnderSupersededStandard } from '../helpers/issueUnderSupersededStandard';
import { startTestNode, type TestNode } from '../helpers/startTestNode';
import { loadSampleLicenses } from '../../../src/demo/sampleDraft';
import { repoPath } from '../../../src/repoPath';

const OLD = '11100000PH00000122901'; // 营业执照, placeholder (standard 1.0.0)
const NEW = '11100000MB0143028R001'; // 营业执照, SAMR's code (standard 1.1.0, replacesTypeCode OLD)

function makeUscc(division: string, org8: string): string {
  const first17 = `11${division}${org8}${organizationCodeCheckCharacter(org8)}`;
  return first17 + usccCheckCharacter(first17);
}

const MIGRATING = makeUscc('350100', 'MG000001'); // granted OLD only; gets a key and an issuer API key
const SECOND = makeUscc('350100', 'MG000002'); // granted OLD only
const WITHDRAWN = makeUscc('350100', 'MG000003'); // granted OLD, then withdrawn: no new grants
const CURRENT = makeUscc('350100', 'MG000004'); // granted NEW already: nothing to migrate

// The business licence face of 1.0.0 (no kind of entity), from the 1.0.0 sample.
const FACE_1_0 = loadSampleLicenses(repoPath('fixtures', 'data', '1.0.0')).find((x) => x.slug === 'business-licence')!.draft.extendInfo;
const HOLDER = { name: '福州榕信软件科技有限公司', code: '91350102EL0000017D', typeCode: '001', typeName: '统一社会信用代码' };
let numbers = 0;
const businessData = (extendInfo: Record<string, unknown>) => ({
  holder: HOLDER,
  certificateNumber: `MG${process.pid}${++numbers}`,
  effectiveDate: '2024-03-15',
  extendInfo,
});
const byslug = () => ({ type: 'business-licence', data: businessData({ ...FACE_1_0, entityKind: 'company' }) });

let node: TestNode;
let admin: string;
let issuer: string;
let auditor: string;
let work: string;
const post = (path: string, json: unknown, key = admin) => http(node.url, 'POST', path, { key, json });
const verify = (fullForm: unknown) => http(node.url, 'POST', '/v1/verifications', { json: fullForm });
const migrate = (json: unknown, key = admin) => post('/v1/departments/type-grants/migrations', json, key);
const typesOf = async (uscc: string) => (await http(node.url, 'GET', `/v1/departments/${uscc}`, { key: admin })).body.department.types as string[];
const auditHead = async () => (await node.services.stores.audit.head(node.services.db)).seq;
const mine = (changes: Array<{ uscc: string }>) => changes.filter((c) => [MIGRATING, SECOND, WITHDRAWN, CURRENT].includes(c.uscc));

/** A licence of the placeholder code under standard 1.0.0, as the department issued it before 1.1.0 was published. */
const issueUnderOldCode = (uscc: string) => issueUnderSupersededStandard(node, uscc, { typeCode: OLD, standardVersion: '1.0.0', ...businessData(FACE_1_0) });

/** The payload of this region's signed trust list as peers fetch it. */
async function publishedTrustList(): Promise<{ departments: Array<{ uscc: string; authorizedTypes: Array<{ typeCode: string; since: string }> }> }> {
  const jws = await (await fetch(`${node.url}/v1/federation/trust-list`)).text();
  return JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString('utf8'));
}

const keyFile = (name: string, secret: string) => {
  const f = join(work, name);
  writeFileSync(f, secret, { mode: 0o600 });
  return f;
};

let oldLicense: unknown;
let oldGrantSince: string;

beforeAll(async () => {
  work = tempDir('elicense-type-grants-');
  node = await startTestNode();
  admin = node.keys.admin;
  auditor = node.keys.auditor;
  for (const [uscc, types] of [[MIGRATING, [OLD]], [SECOND, [OLD]], [WITHDRAWN, [OLD]], [CURRENT, [NEW]]] as const) {
    const r = await post('/v1/departments', { uscc, name: `迁移测试局${uscc.slice(-4)}`, divisionCode: '350100', types });
    expect(r.status).toBe(201);
  }
  expect((await post(`/v1/departments/${WITHDRAWN}/withdraw`, { reason: '机构撤销' })).status).toBe(200);
  expect((await post(`/v1/departments/${MIGRATING}/keys`, {})).status).toBe(201);
  const key = await post('/v1/api-keys', { role: 'issuer', uscc: MIGRATING, label: 'type grant migration test' });
  expect(key.status).toBe(201);
  issuer = key.body.secret;
  oldLicense = await issueUnderOldCode(MIGRATING);
  oldGrantSince = (await publishedTrustList()).departments.find((d) => d.uscc === MIGRATING)!.authorizedTypes.find((t) => t.typeCode === OLD)!.since;
}, 180_000);

afterAll(async () => {
  await node?.close();
  removeDir(work);
}, 60_000);

describe('granting a replaced type code', () => {
  it('admission with the placeholder code is allowed (it keeps old licences verifying), with a TYPE_CODE_REPLACED warning naming the successor', async () => {
    const uscc = makeUscc('350100', 'MG000005');
    const r = await post('/v1/departments', { uscc, name: '迁移测试局告警', divisionCode: '350100', types: [OLD] });
    expect(r.status).toBe(201);
    expect(r.body.department.types).toEqual([OLD]);
    expect(r.body.warnings).toEqual([{ code: 'TYPE_CODE_REPLACED', message: expect.stringContaining(NEW) }]);
  });

  it('PUT of the placeholder code answers the same warning; the current code none', async () => {
    const put = (code: string) => http(node.url, 'PUT', `/v1/departments/${SECOND}/types/${code}`, { key: admin });
    const old = await put(OLD);
    expect(old.status).toBe(200);
    expect(old.body).toMatchObject({ changed: false, warnings: [{ code: 'TYPE_CODE_REPLACED' }] });
    const current = await http(node.url, 'PUT', `/v1/departments/${CURRENT}/types/${NEW}`, { key: admin });
    expect(current.body).toMatchObject({ changed: false, warnings: [] });
  });
});

describe('before the migration', () => {
  it('a department granted only the placeholder code issuing by slug → 403 ISSUER_NOT_AUTHORIZED_FOR_TYPE, naming its grant and the migration', async () => {
    const r = await post('/v1/licenses', byslug(), issuer);
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('ISSUER_NOT_AUTHORIZED_FOR_TYPE');
    expect(r.body.detail).toContain(`granted ${OLD}, which licence type ${NEW} replaces`);
    expect(r.body.detail).toContain('region admin');
    expect(r.body.detail).toContain('POST /v1/departments/type-grants/migrations');
    expect(r.body.errors).toEqual([
      expect.objectContaining({ code: 'TYPE_GRANT_HAS_SUCCESSOR', grantedTypeCode: OLD, typeCode: NEW, migration: 'POST /v1/departments/type-grants/migrations' }),
    ]);
    // In a batch too, record by record.
    const batch = await post('/v1/licenses/batch', { records: [byslug()] }, issuer);
    expect(batch.body.results[0]).toMatchObject({ status: 'failed', error: { code: 'ISSUER_NOT_AUTHORIZED_FOR_TYPE', errors: [{ code: 'TYPE_GRANT_HAS_SUCCESSOR' }] } });
  });

  it('issuing under the old code itself → 422 STANDARD_SUPERSEDED (new licences use the newest standard)', async () => {
    const r = await post('/v1/licenses', { typeCode: OLD, data: businessData(FACE_1_0) }, issuer);
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('STANDARD_SUPERSEDED');
  });

  it('the licence signed under the old code verifies', async () => {
    const r = await verify(oldLicense);
    expect({ result: r.body.result, reasons: r.body.reasons }).toEqual({ result: 'accepted', reasons: [] });
  });
});

describe('POST /v1/departments/type-grants/migrations', () => {
  it.each([
    ['an issuer', () => issuer],
    ['an auditor', () => auditor],
  ])('%s key → 403 FORBIDDEN, nothing changed', async (_who, key) => {
    const before = await auditHead();
    for (const body of [{}, { dryRun: true }]) {
      const r = await migrate(body, key());
      expect(r.status).toBe(403);
      expect(r.body.code).toBe('FORBIDDEN');
    }
    expect(await typesOf(MIGRATING)).toEqual([OLD]);
    expect(await auditHead()).toBe(before);
  });

  it('no key → 401 UNAUTHENTICATED', async () => {
    const r = await http(node.url, 'POST', '/v1/departments/type-grants/migrations', { json: { dryRun: true } });
    expect(r.status).toBe(401);
    expect(r.body.code).toBe('UNAUTHENTICATED');
  });

  it.each([[{ dryRun: 'yes' }], [{ dryRun: true, everything: true }], [[]]])('a body %j → 422 SCHEMA_INVALID, nothing changed', async (body) => {
    const r = await migrate(body);
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('SCHEMA_INVALID');
    expect(await typesOf(MIGRATING)).toEqual([OLD]);
  });

  it('a dry run reports what would be granted (withdrawn departments skipped) and changes nothing', async () => {
    const before = await auditHead();
    const r = await migrate({ dryRun: true });
    expect(r.status).toBe(200);
    expect(r.body.dryRun).toBe(true);
    expect(mine(r.body.changes)).toEqual([
      { uscc: MIGRATING, from: OLD, to: NEW },
      { uscc: SECOND, from: OLD, to: NEW },
    ]);
    expect(mine(r.body.skipped)).toEqual([{ uscc: WITHDRAWN, from: OLD, to: NEW, reason: 'DEPARTMENT_WITHDRAWN' }]);
    expect(await typesOf(MIGRATING)).toEqual([OLD]);
    expect(await typesOf(SECOND)).toEqual([OLD]);
    expect(await auditHead()).toBe(before);
    expect((await post('/v1/licenses', byslug(), issuer)).status).toBe(403);
  });

  it('elicense node migrate-type-grants --dry-run prints the same plan; with an issuer key the node refuses it (exit 1)', async () => {
    const adminFile = keyFile('admin.key', admin);
    const dry = await runAction((ctx) => runMigrateTypeGrants({ node: node.url, apiKeyFile: adminFile, dryRun: true }, ctx));
    expect(dry.code).toBe(0);
    expect(dry.out).toContain(`WOULD GRANT  ${MIGRATING}  ${NEW} (successor of ${OLD}, kept)`);
    expect(dry.out).toContain(`SKIPPED  ${WITHDRAWN}  ${NEW} (successor of ${OLD}): DEPARTMENT_WITHDRAWN`);
    expect(dry.out).toMatch(/dry run: would grant \d+ successor type code\(s\) to \d+ department\(s\); nothing changed/);
    expect(await typesOf(MIGRATING)).toEqual([OLD]);
    const refused = await runAction((ctx) => runMigrateTypeGrants({ node: node.url, apiKeyFile: keyFile('issuer.key', issuer) }, ctx));
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('REFUSED  type grant migration: FORBIDDEN');
    expect(await typesOf(MIGRATING)).toEqual([OLD]);
  });

  it('the run grants the successor and keeps the old grant, one audit entry per department changed', async () => {
    const before = await auditHead();
    const r = await migrate({});
    expect(r.status).toBe(200);
    expect(r.body.dryRun).toBe(false);
    expect(mine(r.body.changes)).toEqual([
      { uscc: MIGRATING, from: OLD, to: NEW },
      { uscc: SECOND, from: OLD, to: NEW },
    ]);
    expect(await typesOf(MIGRATING)).toEqual([NEW, OLD]);
    expect(await typesOf(SECOND)).toEqual([NEW, OLD]);
    expect(await typesOf(WITHDRAWN)).toEqual([OLD]);
    expect(await typesOf(CURRENT)).toEqual([NEW]);

    const entries = await node.services.stores.audit.read(node.services.db, before, 1000);
    const departments = [...new Set((r.body.changes as Array<{ uscc: string }>).map((c) => c.uscc))];
    expect(entries.map((e) => e.subject).sort()).toEqual(departments.sort());
    expect(entries.every((e) => e.action === 'department.migrate_type_grants' && /^ak_/.test(e.actor))).toBe(true);
    expect(entries.find((e) => e.subject === MIGRATING)!.details).toEqual({ grants: [{ from: OLD, to: NEW }] });
    expect((await http(node.url, 'GET', '/v1/audit/verify', { key: auditor })).body).toMatchObject({ ok: true });
  });

  it('a second run changes nothing and audits nothing; the CLI says there is nothing to migrate', async () => {
    const before = await auditHead();
    const again = await migrate({ dryRun: false });
    expect(again.status).toBe(200);
    expect(again.body.changes).toEqual([]);
    expect(mine(again.body.skipped)).toEqual([{ uscc: WITHDRAWN, from: OLD, to: NEW, reason: 'DEPARTMENT_WITHDRAWN' }]);
    const cliRun = await runAction((ctx) => runMigrateTypeGrants({ node: node.url, apiKeyFile: keyFile('admin.key', admin) }, ctx));
    expect(cliRun.code).toBe(0);
    expect(cliRun.out).toContain('nothing to migrate');
    expect(await auditHead()).toBe(before);
  });

  it('the published trust list carries both codes; the old grant keeps its original time', async () => {
    const listed = (await publishedTrustList()).departments.find((d) => d.uscc === MIGRATING)!;
    expect(listed.authorizedTypes.map((t) => t.typeCode).sort()).toEqual([NEW, OLD]);
    expect(listed.authorizedTypes.find((t) => t.typeCode === OLD)!.since).toBe(oldGrantSince);
  });
});

describe('after the migration', () => {
  it('the department issues by slug under the new code', async () => {
    const r = await post('/v1/licenses', byslug(), issuer);
    expect(r.status).toBe(201);
    expect(r.body.license).toMatchObject({ certificateTypeCode: NEW, standardVersion: '1.1.0' });
    const v = await verify(r.body);
    expect({ result: v.body.result, reasons: v.body.reasons }).toEqual({ result: 'accepted', reasons: [] });
  });

  it('the licence signed under the old code still verifies', async () => {
    const r = await verify(oldLicense);
    expect({ result: r.body.result, reasons: r.body.reasons }).toEqual({ result: 'accepted', reasons: [] });
    expect(r.body.checks.find((c: { check: string }) => c.check === 'issuer').status).toBe('passed');
    expect(r.body.checks.find((c: { check: string }) => c.check === 'status').status).toBe('passed');
  });
});

describe('elicense node migrate-type-grants (command line)', () => {
  it('--help names its options and exit codes', async () => {
    const r = await cli(['node', 'migrate-type-grants', '--help']);
    expect(r.code).toBe(0);
    for (const m of ['--node', '--api-key-file', '--dry-run', '--json', 'Exit codes']) expect(r.out).toContain(m);
  });

  it('without --node → 2; an unreadable key file → 2; an unreachable node → 2', async () => {
    expect((await cli(['node', 'migrate-type-grants', '--api-key-file', 'x'])).code).toBe(2);
    const noFile = await cli(['node', 'migrate-type-grants', '--node', node.url, '--api-key-file', join(work, 'absent.key')]);
    expect(noFile.code).toBe(2);
    expect(noFile.err).toContain('API key file');
    const down = await cli(['node', 'migrate-type-grants', '--node', 'http://127.0.0.1:9', '--api-key-file', keyFile('admin.key', admin)]);
    expect(down.code).toBe(2);
    expect(down.err).toContain('node unreachable');
  });

  it('a revoked or unknown key → 2 (the node refused the API key)', async () => {
    const r = await cli(['node', 'migrate-type-grants', '--node', node.url, '--api-key-file', keyFile('bogus.key', 'ek_bogus')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('refused the API key');
  });
});
