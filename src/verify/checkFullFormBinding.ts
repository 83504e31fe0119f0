import type { FullForm } from '../format/FullForm';
import { fullFormDigest, type CompactClaims } from '../forms/qr/compactLicense';
import type { ResultBuilder } from './ResultBuilder';
import type { VerifyContext } from './VerifyContext';
import { verifyFullFormDocument } from './verifyLicense';

/**
 * Part of a compact QR's signature check when a full form is presented with
 * it: that full form verifies on its own (the full-form verifier, every check)
 * and is the one the QR was made for (its digest and identifier), else
 * FULL_FORM_MISMATCH.
 */
export function checkFullFormBinding(fullForm: FullForm, claims: CompactClaims, ctx: VerifyContext, rb: ResultBuilder): void {
  const full = verifyFullFormDocument(fullForm, ctx);
  if (full.result !== 'accepted' || Buffer.compare(Buffer.from(fullFormDigest(fullForm)), Buffer.from(claims.fullFormDigest)) !== 0 ||
      fullForm.license['certificateIdentifier'] !== claims.identifier) {
    rb.fail('signature', 'FULL_FORM_MISMATCH', 'the full form presented with this QR is not the one it was made for, or does not verify');
  }
}
