import type { SigningKeyRecord } from '../../store/SigningKeyStore';

/**
 * Who holds a signing key's private half. A key certified from a
 * department's CSR stays with the department (e.g. in its own HSM): its row
 * carries no sealed key (zero bytes), and the node cannot sign with it.
 */
export type KeyCustody = 'node' | 'department';

/** Stored in place of a sealed private key when the department keeps its key. */
export const DEPARTMENT_HELD_KEY = new Uint8Array(0);

export function keyCustody(record: Pick<SigningKeyRecord, 'encryptedPrivateKey'>): KeyCustody {
  return record.encryptedPrivateKey.length === 0 ? 'department' : 'node';
}
