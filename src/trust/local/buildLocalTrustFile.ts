import { keyIdForCertificate } from '../../crypto/keyIdForCertificate';
import type { RegionPki } from '../../pki/ca/ceremony';
import { encodePem } from '../../pki/ca/encodePem';
import { LOCAL_TRUST_FORMAT, type LocalTrustFile } from './loadLocalTrustFile';

/**
 * The local trust file a region hands to offline verifiers after its CA
 * ceremony: its pinned root and, per department, the signing key ids and the
 * licence types it may issue.
 */
export function buildLocalTrustFile(regions: readonly RegionPki[], generatedAt: Date): LocalTrustFile {
  return {
    format: LOCAL_TRUST_FORMAT,
    generatedAt: generatedAt.toISOString(),
    anchors: regions.map((r) => r.root.certificate.pem),
    regions: regions.map((r) => ({
      regionCode: r.region.code,
      name: r.region.name,
      timestampAuthorities: [r.timestampAuthority.certificate.pem],
      departments: r.departments.map((d) => ({
        uscc: d.uscc,
        name: d.name,
        keyIds: [keyIdForCertificate(d.certificate.der)],
        certificates: [d.chain.map((der) => encodePem(der, 'CERTIFICATE')).join('')],
        authorizedTypeCodes: [...d.licenseTypes],
        state: 'active' as const,
        stateSince: null,
      })),
    })),
  };
}
