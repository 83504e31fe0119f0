import { createHash } from 'node:crypto';
import { ParsedCertificate, parseCertificate } from './ParsedCertificate';

/**
 * Parsed certificates by SHA-256 of their DER, bounded (least recently used
 * goes first). Verifiers see the same few signer and CA certificates again and again.
 */
export class CertificateCache {
  private readonly map = new Map<string, ParsedCertificate>();

  constructor(private readonly capacity = 1000) {}

  get size(): number {
    return this.map.size;
  }

  /** Parses `der` (or returns the cached parse). Throws CERT_MALFORMED like parseCertificate. */
  get(der: Uint8Array): ParsedCertificate {
    const fp = createHash('sha256').update(der).digest('hex');
    const hit = this.map.get(fp);
    if (hit) {
      this.map.delete(fp);
      this.map.set(fp, hit);
      return hit;
    }
    const parsed = parseCertificate(der);
    this.map.set(fp, parsed);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value!);
    return parsed;
  }
}
