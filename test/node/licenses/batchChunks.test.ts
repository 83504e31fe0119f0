/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 *
 * Batch issuance writes a chunk's licences while it signs the rest of the chunk (issue 17). What that must not
 * change: a chunk is one transaction (a failure part-way leaves nothing of it, not the parts already written),
 * a record that fails while signed fails alone, the audit chain verifies after a batch, and certificate numbers
 * stay unique inside a batch.
 */
import { ElicenseError } from '../../../src/errors';
import type { Signer } from '../../../src/crypto/Signer';
import { BATCH_CHUNK, LicenseIssuance, type BatchResult } from '../../../src/region/licenses/LicenseIssuance';
import { resolveIssueRequest, type BatchRecordRequest } from '../../../src/region/licenses/issueRequest';
import type { Principal } from '../../../src/region/permissions';
import type { LicenseStore } from '../../../src/store/LicenseStore';
import { http } from '../helpers/http';
import { startTestNode, type TestNode } from '../helpers/startTestNode';
import { businessLicenseRequest } from './licenseRequests';

describe('batch issuance: chunks written while signed', () => {
  let node: TestNode;
  let principal: Principal;
  let issuerSecret: string;
  beforeAll(async () => {
    node = await startTestNode();
    issuerSecret = node.keys.issuerOf('business-licence');
    const key = node.credentials!.keys.find((k) => k.secret === issuerSecret)!;
    principal = { keyId: key.keyId, role: 'issuer', uscc: key.department!.uscc, label: key.label };
  }, 180_000);
  afterAll(() => node?.close(), 60_000);

  const records = (prefix: string, n: number): BatchRecordRequest[] =>
    Array.from({ length: n }, (_, i) => {
      const body = businessLicenseRequest({ certificateNumber: `${prefix}-${i}` }) as unknown as Parameters<typeof resolveIssueRequest>[1];
      return { ...resolveIssueRequest(node.services.catalog, body), idempotencyKey: `${prefix}-key-${i}` };
    });

  /** What a failed chunk must leave untouched. */
  const state = async () => {
    const db = node.services.db;
    const [licences] = await db.query<{ n: unknown }>('SELECT count(*) AS n FROM licences WHERE uscc = $1', [principal.uscc]);
    const [keys] = await db.query<{ n: unknown }>('SELECT count(*) AS n FROM idempotency_keys WHERE principal = $1', [principal.keyId]);
    const [slots] = await db.query<{ n: unknown }>('SELECT sum(next_index) AS n FROM status_lists WHERE uscc = $1', [principal.uscc]);
    const head = await node.services.stores.audit.head(db);
    return { licences: Number(licences!.n), keys: Number(keys!.n), slots: Number(slots!.n), audit: head.seq };
  };

  const auditVerifies = async () => {
    const r = await http(node.url, 'GET', '/v1/audit/verify', { key: node.keys.auditor });
    expect(r.status).toBe(200);
    expect(r.body.ok).toBe(true);
  };

  it('a failure after parts of a chunk were written leaves nothing of the chunk; a re-run with the same keys issues every record once', async () => {
    const before = await state();
    const real = node.services.stores.licenses;
    let inserts = 0;
    // Fails the third insert of the chunk: two parts are already written in its transaction, the rest is still being signed.
    const failing: LicenseStore = Object.assign(Object.create(real) as LicenseStore, {
      insert: async (...args: Parameters<LicenseStore['insert']>) => {
        if (++inserts === 3) throw new Error('connection lost while writing');
        return real.insert(...args);
      },
    });
    const broken = new LicenseIssuance({ ...node.services, stores: { ...node.services.stores, licenses: failing } });
    const batch = records('CRASH', BATCH_CHUNK);
    await expect(broken.issueBatch(principal, batch)).rejects.toThrow('connection lost while writing');
    expect(inserts).toBe(3);
    expect(await state()).toEqual(before);

    const results = await new LicenseIssuance(node.services).issueBatch(principal, batch);
    expect(results.filter((r) => r.status === 'created')).toHaveLength(BATCH_CHUNK);
    const after = await state();
    expect(after).toEqual({ licences: before.licences + BATCH_CHUNK, keys: before.keys + BATCH_CHUNK, slots: before.slots + BATCH_CHUNK, audit: before.audit + BATCH_CHUNK });
    const again = await new LicenseIssuance(node.services).issueBatch(principal, batch);
    expect(again.map((r) => r.status)).toEqual(new Array(BATCH_CHUNK).fill('replayed'));
    expect(again.map((r) => (r as Extract<BatchResult, { identifier: string }>).identifier)).toEqual(results.map((r) => (r as Extract<BatchResult, { identifier: string }>).identifier));
    expect(await state()).toEqual(after);
    await auditVerifies();
  }, 300_000);

  it('a record that fails while its chunk is signed fails alone, after parts of the chunk were written; no licence is stored twice', async () => {
    const before = await state();
    const signers = node.services.signers;
    let signatures = 0;
    // The department's 120th signature fails (parts 1 and 2 of the chunk are queued or written by then).
    const departmentSigner = async (...args: Parameters<typeof signers.departmentSigner>): Promise<Signer> => {
      const s = await signers.departmentSigner(...args);
      return {
        algorithm: s.algorithm,
        publicKey: s.publicKey,
        keyId: s.keyId,
        certificateChain: s.certificateChain,
        sign: async (data) => {
          if (++signatures === 120) throw new ElicenseError('SIGNING_KEY_NOT_FOUND', 'the signing device refused');
          return s.sign(data);
        },
      };
    };
    const issuance = new LicenseIssuance({ ...node.services, signers: { departmentSigner, timestampAuthority: (...a) => signers.timestampAuthority(...a) } });
    const batch = records('SIGNFAIL', 300);
    const results = await issuance.issueBatch(principal, batch);
    const failed = results.filter((r) => r.status === 'failed');
    expect(failed).toEqual([{ index: 119, idempotencyKey: 'SIGNFAIL-key-119', status: 'failed', error: { code: 'SIGNING_KEY_NOT_FOUND', detail: 'the signing device refused' } }]);
    const created = results.filter((r): r is Extract<BatchResult, { identifier: string }> => r.status === 'created');
    expect(created).toHaveLength(299);
    expect(new Set(created.map((r) => r.identifier)).size).toBe(299);
    // The failed record's key is free for a corrected retry: reserved and rolled back with its chunk's first attempt.
    expect(await state()).toEqual({ licences: before.licences + 299, keys: before.keys + 299, slots: before.slots + 299, audit: before.audit + 299 });
    const retry = await new LicenseIssuance(node.services).issueBatch(principal, [batch[119]!]);
    expect(retry[0]).toMatchObject({ status: 'created' });
    await auditVerifies();
  }, 300_000);

  it('licences the self-check refuses (on the worker threads) fail, each with its code, in one re-run of the chunk; nothing of them is stored', async () => {
    const before = await state();
    // Trust in which the department no longer holds the type: signed, then refused by the check, as a relying party would.
    const current = async () => {
      const snap = await node.services.trust.current();
      const lookupDepartment: typeof snap.trust.lookupDepartment = (u, rc) => {
        const d = snap.trust.lookupDepartment(u, rc);
        return d && { ...d, authorizedTypeCodes: new Set<string>() };
      };
      return { ...snap, trust: { ...snap.trust, lookupDepartment } };
    };
    let signatures = 0;
    const signers = node.services.signers;
    const departmentSigner = async (...args: Parameters<typeof signers.departmentSigner>): Promise<Signer> => {
      const s = await signers.departmentSigner(...args);
      return { algorithm: s.algorithm, publicKey: s.publicKey, keyId: s.keyId, certificateChain: s.certificateChain, sign: (data) => (signatures++, s.sign(data)) };
    };
    const issuance = new LicenseIssuance({ ...node.services, trust: { current }, signers: { departmentSigner, timestampAuthority: (...a) => signers.timestampAuthority(...a) } });
    const results = await issuance.issueBatch(principal, records('REFUSED', 60));
    expect(new Set(results.map((r) => (r.status === 'failed' ? r.error.code : r.status)))).toEqual(new Set(['ISSUER_NOT_AUTHORIZED_FOR_TYPE']));
    // Each record signed once: the chunk was not re-run once per refusal.
    expect(signatures).toBe(60);
    expect(await state()).toEqual(before);
  }, 300_000);

  it('a second record with a certificate number of the batch fails alone (LICENSE_NUMBER_IN_USE naming the first)', async () => {
    const batch = records('DUP', 3);
    batch[2] = { ...resolveIssueRequest(node.services.catalog, businessLicenseRequest({ certificateNumber: 'DUP-0' }) as unknown as Parameters<typeof resolveIssueRequest>[1]), idempotencyKey: 'DUP-key-2' };
    const results = await new LicenseIssuance(node.services).issueBatch(principal, batch);
    expect(results.map((r) => r.status)).toEqual(['created', 'created', 'failed']);
    expect(results[2]).toMatchObject({ error: { code: 'LICENSE_NUMBER_IN_USE', errors: [{ path: '/data/certificateNumber', index: 0 }] } });
  }, 120_000);
});
