/** Why a JWS was not accepted. A result, never thrown: callers map it to their reason codes. */
export type JwsFailureCode = 'JWS_MALFORMED' | 'ALGORITHM_NOT_ALLOWED' | 'ALGORITHM_KEY_MISMATCH' | 'SIGNATURE_INVALID' | 'KEY_UNKNOWN';

export interface JwsFailure<C extends JwsFailureCode = JwsFailureCode> {
  ok: false;
  code: C;
  message: string;
}

export function jwsFailure<C extends JwsFailureCode>(code: C, message: string): JwsFailure<C> {
  return { ok: false, code, message };
}
