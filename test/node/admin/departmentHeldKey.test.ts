/** @jest-environment ./test/store/pgliteEnvironment.js */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { organizationCodeCheckCharacter, usccCheckCharacter } from '../../../src/codes/uscc';
import { loadSampleLicenses } from '../../../src/demo/sampleDraft';
import { http } from '../helpers/http';
import { startTestNode, type TestNode } from '../helpers/startTestNode';
import { BUSINESS_LICENSE_TYPE } from '../../typeCodes';

const BUSINESS_LICENSE = BUSINESS_LICENSE_TYPE;
let node: TestNode;
let work: string;

beforeAll(async () => {
  node = await startTestNode();
  work = mkdtempSync(join(tmpdir(), 'elicense-held-'));
}, 180_000);
afterAll(async () => {
  await node?.close();
  rmSync(work, { recursive: true, force: true });
}, 60_000);

it('a department whose active key it holds itself (certified from its CSR) gets 409 SIGNING_KEY_HELD_BY_DEPARTMENT when asking the node to sign', async () => {
  const org8 = 'DM900077';
  const first17 = `11350100${org8}${organizationCodeCheckCharacter(org8)}`;
  const uscc = first17 + usccCheckCharacter(first17);
  const admin = node.keys.admin;
  expect((await http(node.url, 'POST', '/v1/departments', { key: admin, json: { uscc, name: '自持密钥测试局', divisionCode: '350100', types: [BUSINESS_LICENSE] } })).status).toBe(201);
  execFileSync('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=held', '-keyout', join(work, 'k.pem'), '-out', join(work, 'csr.pem')], { stdio: 'ignore' });
  const certified = await http(node.url, 'POST', `/v1/departments/${uscc}/keys`, { key: admin, json: { csr: readFileSync(join(work, 'csr.pem'), 'utf8') } });
  expect(certified.status).toBe(201);
  expect(certified.body.key.custody).toBe('department');
  const issuer = await http(node.url, 'POST', '/v1/api-keys', { key: admin, json: { role: 'issuer', uscc, label: 'held-key issuer' } });
  expect(issuer.status).toBe(201);
  const sample = loadSampleLicenses().find((s) => s.slug === 'business-licence')!;
  const r = await http(node.url, 'POST', '/v1/licenses', { key: issuer.body.secret, json: { typeCode: BUSINESS_LICENSE, data: sample.draft } });
  expect(r.status).toBe(409);
  expect(r.body.code).toBe('SIGNING_KEY_HELD_BY_DEPARTMENT');
  // Nothing was half-written: the department has no licences.
  expect((await node.services.stores.licenses.list(node.services.db, { uscc })).items).toHaveLength(0);
});
