import { ElicenseError } from '../../errors';
import { ParsedCertificate, parseCertificate } from './ParsedCertificate';

const BLOCK = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;

/** DER bytes of every CERTIFICATE block in a PEM text (other blocks are ignored). */
export function pemCertificatesToDer(text: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const m of text.matchAll(BLOCK)) {
    const body = m[1]!.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length % 4 !== 0) {
      throw new ElicenseError('CERT_MALFORMED', 'bad base64 in PEM certificate');
    }
    out.push(new Uint8Array(Buffer.from(body, 'base64')));
  }
  return out;
}

/** Parses every certificate in a PEM text, in order. Throws CERT_MALFORMED if there is none. */
export function parseCertificatePem(text: string): ParsedCertificate[] {
  const ders = pemCertificatesToDer(text);
  if (ders.length === 0) throw new ElicenseError('CERT_MALFORMED', 'no PEM certificate found');
  return ders.map(parseCertificate);
}
