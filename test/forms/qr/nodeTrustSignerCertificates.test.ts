/** @jest-environment ./test/store/pgliteEnvironment.js */
/**
 * The node's own trust inputs answer key-id-only forms (the compact QR): every
 * department licence-signing key in the database is found by its key id with
 * a path to the region root.
 */
import { OID } from '../../../src/pki/oids';
import { validatePath } from '../../../src/pki/path/validatePath';
import { startTestNode, type TestNode } from '../../node/helpers/startTestNode';

let node: TestNode;
beforeAll(async () => {
  node = await startTestNode();
}, 120_000);
afterAll(async () => {
  await node?.close();
});

it('finds every department signing certificate by key id, with a path to the region root', async () => {
  const { trust, departments } = await node.services.trust.current();
  let found = 0;
  for (const d of departments.values()) {
    for (const keyId of trust.lookupDepartment(d.uscc)?.keyIds ?? []) {
      const signer = trust.lookupSignerCertificate?.(keyId);
      expect(signer).toBeDefined();
      const path = validatePath({ leaf: signer!.certificate, intermediates: signer!.intermediates, anchors: trust.anchors, time: new Date(), eku: OID.ekuLicenseSigning, leafKeyUsage: ['digitalSignature'] });
      expect({ keyId, ok: path.ok }).toEqual({ keyId, ok: true });
      found++;
    }
  }
  expect(found).toBeGreaterThan(0);
  expect(trust.lookupSignerCertificate?.('AAAAAAAAAAA')).toBeUndefined();
});
