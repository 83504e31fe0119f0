import type { KeyObject } from 'node:crypto';
import { ecdsaDerToP1363 } from '../../crypto/ecdsaDerToP1363';
import { sm2Verify } from '../../crypto/sm2/sm2Verify';

/**
 * Verifies an SM3withSM2 signature as X.509 and PKCS#10 carry it — a DER
 * SEQUENCE { r INTEGER, s INTEGER } — with the default distinguishing ID.
 * Strict: the DER must be minimal (ecdsaDerToP1363), r and s at most 32 bytes
 * and in [1, n−1] (sm2Verify). False for anything else; never throws.
 */
export function verifySm2DerSignature(publicKey: KeyObject, data: Uint8Array, derSignature: Uint8Array): boolean {
  const rs = ecdsaDerToP1363(derSignature, 32);
  return rs !== undefined && sm2Verify(publicKey, data, rs);
}
