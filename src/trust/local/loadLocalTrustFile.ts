import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { ElicenseError } from '../../errors';
import { parseStrictJson } from '../../json/parseStrictJson';
import { keyIdForCertificate } from '../../crypto/keyIdForCertificate';
import type { ParsedCertificate } from '../../pki/certificate/ParsedCertificate';
import { parseCertificatePem } from '../../pki/certificate/parseCertificatePem';
import type { DepartmentTrust, TrustInputs } from '../TrustInputs';
import schema from './localTrustFile.schema.json';

export const LOCAL_TRUST_FORMAT = 'elicense/local-trust@1';

export interface LocalTrustFile {
  format: typeof LOCAL_TRUST_FORMAT;
  generatedAt: string;
  anchors: string[];
  regions: Array<{
    regionCode: string;
    name: string;
    timestampAuthorities?: string[];
    departments: Array<{
      uscc: string;
      name: string;
      keyIds: string[];
      certificates?: string[];
      authorizedTypeCodes: string[];
      state: DepartmentTrust['state'];
      stateSince?: string | null;
    }>;
  }>;
}

/**
 * Turns a local trust file (bytes) into TrustInputs. Anything wrong with it is
 * TRUST_MATERIAL_INVALID: a verifier must never silently run with less trust
 * data than its operator configured.
 */
export function loadLocalTrustFile(bytes: Uint8Array | string, source = 'local trust file'): TrustInputs {
  let doc: unknown;
  try {
    doc = parseStrictJson(bytes, { maxBytes: 16 * 1024 * 1024, maxDepth: 8 });
  } catch (e) {
    throw new ElicenseError('TRUST_MATERIAL_INVALID', `${source}: ${(e as Error).message}`, undefined, { cause: e });
  }
  const ajv = new Ajv2020({ allErrors: false, strict: true });
  addFormats(ajv);
  const validate = ajv.compile<LocalTrustFile>(schema);
  if (!validate(doc)) {
    const err = validate.errors?.[0];
    throw new ElicenseError('TRUST_MATERIAL_INVALID', `${source}: ${err?.instancePath || '/'} ${err?.message ?? 'invalid'}`);
  }
  const anchors = doc.anchors.flatMap((pem) => {
    try {
      return parseCertificatePem(pem);
    } catch (e) {
      throw new ElicenseError('TRUST_MATERIAL_INVALID', `${source}: an anchor certificate is unreadable`, undefined, { cause: e });
    }
  });
  for (const a of anchors) {
    if (!a.ext.basicConstraints?.ca) throw new ElicenseError('TRUST_MATERIAL_INVALID', `${source}: anchor ${a.subject.text} is not a CA certificate`);
  }
  const regionCodes = new Set<string>();
  for (const region of doc.regions) {
    if (regionCodes.has(region.regionCode)) throw new ElicenseError('TRUST_MATERIAL_INVALID', `${source}: region ${region.regionCode} is listed twice`);
    regionCodes.add(region.regionCode);
  }
  const departments = new Map<string, DepartmentTrust>();
  const timestampAuthorities = new Map<string, { certificate: ParsedCertificate; regionCode: string }>();
  const signerCertificates = new Map<string, { certificate: ParsedCertificate; intermediates: ParsedCertificate[] }>();
  for (const region of doc.regions) {
    for (const pem of region.timestampAuthorities ?? []) {
      let certs: ParsedCertificate[];
      try {
        certs = parseCertificatePem(pem);
      } catch (e) {
        throw new ElicenseError('TRUST_MATERIAL_INVALID', `${source}: a time-stamping certificate of ${region.regionCode} is unreadable`, undefined, { cause: e });
      }
      for (const c of certs) timestampAuthorities.set(keyIdForCertificate(c.der), { certificate: c, regionCode: region.regionCode });
    }
    for (const d of region.departments) {
      if (departments.has(d.uscc)) {
        throw new ElicenseError('TRUST_MATERIAL_INVALID', `${source}: department ${d.uscc} is listed twice`);
      }
      for (const pem of d.certificates ?? []) {
        let chain: ParsedCertificate[];
        try {
          chain = parseCertificatePem(pem);
        } catch (e) {
          throw new ElicenseError('TRUST_MATERIAL_INVALID', `${source}: a signing certificate of ${d.uscc} is unreadable`, undefined, { cause: e });
        }
        const keyId = keyIdForCertificate(chain[0]!.der);
        if (!d.keyIds.includes(keyId)) throw new ElicenseError('TRUST_MATERIAL_INVALID', `${source}: a certificate of ${d.uscc} has a key id the department does not list`);
        signerCertificates.set(keyId, { certificate: chain[0]!, intermediates: chain.slice(1) });
      }
      departments.set(d.uscc, {
        uscc: d.uscc,
        name: d.name,
        regionCode: region.regionCode,
        authorizedTypeCodes: new Set(d.authorizedTypeCodes),
        keyIds: new Set(d.keyIds),
        state: d.state,
        stateSince: d.stateSince ? new Date(d.stateSince) : null,
      });
    }
  }
  return {
    anchors,
    // A USCC is listed once in the file (checked above); asked for a region, only that region's listing answers.
    lookupDepartment: (uscc, regionCode) => {
      const d = departments.get(uscc);
      return d && (regionCode === undefined || d.regionCode === regionCode) ? d : undefined;
    },
    lookupTimestampAuthority: (keyId, regionCode) => {
      const t = timestampAuthorities.get(keyId);
      return t && (regionCode === undefined || t.regionCode === regionCode) ? t.certificate : undefined;
    },
    lookupSignerCertificate: (keyId) => signerCertificates.get(keyId),
    source,
    asOf: new Date(doc.generatedAt),
  };
}
