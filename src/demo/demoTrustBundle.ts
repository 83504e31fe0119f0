import { SoftwareSigner } from '../crypto/SoftwareSigner';
import { buildStatusList, firstStatusListId, trustListOfCeremony } from '../trust/publish/buildTrustDocuments';
import { TRUST_BUNDLE_FORMAT, type TrustBundle } from '../format/federation/documentTypes';
import { signFederationDocument } from '../trust/peer/federationDocument';
import { parseCertificate } from '../pki/certificate/ParsedCertificate';
import type { DemoRegion } from './buildDemoRegion';

/** Slots of each demo status list (the demo issues a handful of licences per department). */
const DEMO_LIST_CAPACITY = 1024;

/**
 * The demo region's signed trust bundle, as its node would publish it: the
 * trust list, one status list per department (every demo licence valid) and
 * an empty recognition agreement, each signed by the region's trust-list
 * signer. With it, `elicense verify --bundle FILE --pin <root SHA-256>`
 * verifies the demo licences as another region would, status included.
 */
export async function demoTrustBundle(demo: DemoRegion, at: Date): Promise<{ bundle: TrustBundle; rootSha256: string }> {
  const { pki } = demo;
  const signer = new SoftwareSigner(pki.trustListSigner.privateKey, pki.trustListSigner.chain);
  const root = pki.root.certificate.der;
  const rootSha256 = parseCertificate(root).fingerprint;
  const region = { code: pki.region.code, name: pki.region.name };
  const documents: TrustBundle['documents'] = [];
  const trustList = trustListOfCeremony(pki, { sequence: 1, issuedAt: at, validitySeconds: 365 * 86_400, since: at });
  documents.push({ kind: 'trust-list', docId: 'current', rootSha256, body: await signFederationDocument('trust-list', trustList, signer, root) });
  const agreement = { format: 'elicense/recognition-agreement@1' as const, region, sequence: 1, issuedAt: at.toISOString(), accepts: [] };
  documents.push({ kind: 'recognition-agreement', docId: 'current', rootSha256, body: await signFederationDocument('recognition-agreement', agreement, signer, root) });
  for (const d of pki.departments) {
    const listId = firstStatusListId(d.uscc);
    const list = buildStatusList({ region, listId, uscc: d.uscc, sequence: 1, issuedAt: at, ttlSeconds: 30 * 86_400, capacity: DEMO_LIST_CAPACITY, notValid: [] });
    documents.push({ kind: 'status-list', docId: listId, rootSha256, body: await signFederationDocument('status-list', list, signer, root) });
  }
  return { bundle: { format: TRUST_BUNDLE_FORMAT, exportedAt: at.toISOString(), exportedBy: region.code, documents }, rootSha256 };
}
