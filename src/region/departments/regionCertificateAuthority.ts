import { createPrivateKey } from 'node:crypto';
import { ElicenseError } from '../../errors';
import type { CertificateAuthority } from '../../pki/ca/certificateAuthority';
import { softwareKeySigner } from '../../crypto/softwareKeySigner';
import { parseCertificate } from '../../pki/certificate/ParsedCertificate';
import type { Queryable } from '../../store/Database';
import type { KeyVault } from '../../store/KeyVault';
import type { SigningKeyRecord, SigningKeyStore } from '../../store/SigningKeyStore';
import { keyCustody } from './keyCustody';

export interface RegionCa {
  ca: CertificateAuthority;
  /** The CA certificate followed by its own chain: the chain a certificate issued under it carries. */
  chain: Uint8Array[];
  keyId: string;
}

export interface CaChoice {
  /** The operator named the CA key. */
  caKeyId?: string | undefined;
  /** The CA certificate (DER) that certified the department's previous key: a rotation stays under the same CA. */
  previousIssuer?: Uint8Array | undefined;
}

/**
 * The region CA key the node certifies a department key with: among the
 * region's stored certificate_signing keys that are active, valid now and
 * held by the node, the one named, else the previous key's CA, else the
 * newest intermediate, else the root. A region that keeps its CA keys
 * offline stores none usable: ROOT_KEY_OFFLINE, and the operator certifies
 * at a CA ceremony instead.
 */
export async function regionCertificateAuthority(q: Queryable, keys: SigningKeyStore, vault: KeyVault, at: Date, choice: CaChoice = {}): Promise<RegionCa> {
  const usable = (await keys.listFor(q, null)).filter(
    (k) => k.purpose === 'certificate_signing' && k.state === 'active' && k.notBefore <= at && at < k.notAfter && keyCustody(k) === 'node',
  );
  const offline = (what: string): ElicenseError =>
    new ElicenseError('ROOT_KEY_OFFLINE', `${what}; certify the department key at a CA ceremony (elicense ca) instead`, choice.caKeyId ? { caKeyId: choice.caKeyId } : undefined);
  let record: SigningKeyRecord | undefined;
  if (choice.caKeyId !== undefined) {
    record = usable.find((k) => k.keyId === choice.caKeyId);
    if (!record) throw offline(`this node holds no usable region CA key ${choice.caKeyId}`);
  } else {
    const previous = choice.previousIssuer;
    record =
      (previous && usable.find((k) => Buffer.from(k.certificate).equals(previous))) ??
      newest(usable.filter((k) => !isSelfSigned(k.certificate))) ??
      newest(usable);
    if (!record) throw offline('this node holds no region CA key valid now');
  }
  const pkcs8 = vault.open(record.keyId, record.encryptedPrivateKey);
  const privateKey = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
  pkcs8.fill(0);
  return {
    ca: { certificate: record.certificate, signer: softwareKeySigner(privateKey) },
    chain: [record.certificate, ...record.chain],
    keyId: record.keyId,
  };
}

function newest(keys: SigningKeyRecord[]): SigningKeyRecord | undefined {
  return [...keys].sort((a, b) => b.notBefore.getTime() - a.notBefore.getTime() || (a.keyId < b.keyId ? -1 : 1))[0];
}

function isSelfSigned(der: Uint8Array): boolean {
  return parseCertificate(der).selfIssued;
}
