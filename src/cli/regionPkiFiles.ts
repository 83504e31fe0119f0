import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CertifiedKey, RegionPki } from '../pki/ca/ceremony';
import { exportPkcs12, type Pkcs12ExportOptions } from '../pki/pkcs12/exportPkcs12';

function write(path: string, data: string | Uint8Array, mode = 0o644): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, data, { mode });
}

function writeKey(dir: string, key: CertifiedKey, label: string, passphrase: string, options: Pkcs12ExportOptions): void {
  write(join(dir, 'certificate.pem'), key.certificate.pem);
  // The root is the anchor and has no chain; its PKCS#12 still carries its own certificate.
  const chain = key.chain.length > 0 ? key.chain : [key.certificate.der];
  write(join(dir, 'key.p12'), exportPkcs12({ privateKey: key.privateKey, certificateChain: chain, friendlyName: label }, passphrase, options), 0o600);
}

/**
 * Writes a region's PKI after its ceremony: the review record, every
 * certificate as PEM and every private key as a passphrase-protected PKCS#12
 * file (mode 0600). Layout: root/, intermediates/<id>/, timestamp-authority/,
 * trust-list-signer/, departments/<id>/, each with certificate.pem and key.p12.
 */
export function writeRegionPki(dir: string, pki: RegionPki, passphrase: string, options: Pkcs12ExportOptions = {}): void {
  write(join(dir, 'ceremony-record.json'), JSON.stringify(pki.record, null, 2));
  writeKey(join(dir, 'root'), pki.root, `${pki.region.name} root CA`, passphrase, options);
  for (const i of pki.intermediates) writeKey(join(dir, 'intermediates', i.id), i, `${i.name} CA`, passphrase, options);
  writeKey(join(dir, 'timestamp-authority'), pki.timestampAuthority, `${pki.region.name} time-stamping authority`, passphrase, options);
  writeKey(join(dir, 'trust-list-signer'), pki.trustListSigner, `${pki.region.name} trust list signer`, passphrase, options);
  for (const d of pki.departments) writeKey(join(dir, 'departments', d.id), d, d.name, passphrase, options);
}
