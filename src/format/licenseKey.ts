const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What a status lookup needs of a presented licence, read before verification. */
export interface LicenseKey {
  identifier: string;
  issuerCode: string;
  statusEntry?: { listId: string; index: number };
  /** A QR's digest of the record it stands for (binds a QR without a status entry to what was issued). */
  recordDigest?: Uint8Array;
}

/** The licence key of a record (as signed; unverified until the verifier has run). */
export function licenseKeyOfRecord(record: unknown): LicenseKey | null {
  if (!isObject(record)) return null;
  const identifier = record['certificateIdentifier'];
  const issuerCode = record['certificateIssuingAuthorityCode'];
  if (typeof identifier !== 'string' || typeof issuerCode !== 'string') return null;
  const e = record['statusEntry'];
  const entry = isObject(e) && typeof e['listId'] === 'string' && Number.isSafeInteger(e['index']) ? { listId: e['listId'], index: e['index'] as number } : undefined;
  return { identifier, issuerCode, ...(entry ? { statusEntry: entry } : {}) };
}
