import type { KeyObject } from 'node:crypto';
import { keyMatchesAlgorithm } from '../../crypto/algorithms';
import { verifyBytes } from '../../crypto/verifyBytes';
import { coseAlgorithmName, coseSign1ToBeSigned, type CoseSign1 } from '../../forms/qr/coseSign1';

export type CoseVerification = { ok: true } | { ok: false; code: 'ALGORITHM_NOT_ALLOWED' | 'ALGORITHM_KEY_MISMATCH' | 'SIGNATURE_INVALID'; message: string };

/** Checks a decoded COSE_Sign1 with a public key the caller trusts (never one from the message itself). */
export function verifyCoseSign1(cose: CoseSign1, publicKey: KeyObject): CoseVerification {
  const alg = coseAlgorithmName(cose.alg);
  if (!alg) return { ok: false, code: 'ALGORITHM_NOT_ALLOWED', message: `COSE alg ${cose.alg} is not allowed` };
  if (!keyMatchesAlgorithm(alg, publicKey)) return { ok: false, code: 'ALGORITHM_KEY_MISMATCH', message: `the key cannot verify ${alg}` };
  return verifyBytes(alg, publicKey, coseSign1ToBeSigned(cose.protectedBytes, cose.payload), cose.signature)
    ? { ok: true }
    : { ok: false, code: 'SIGNATURE_INVALID', message: 'the COSE signature does not verify' };
}
