import { ElicenseError } from '../errors';

/**
 * SQLSTATE classes and socket errors that mean "the database cannot be
 * reached or is going away", as opposed to a fault in our SQL or data.
 */
const UNAVAILABLE_SQLSTATE = /^(08|53|57P|3D000)/;
const UNAVAILABLE_SOCKET = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'EPIPE', 'EAI_AGAIN']);
const UNAVAILABLE_MESSAGE = /connection terminated|timeout exceeded when trying to connect|cannot use a pool after calling end|client has encountered a connection error|pglite is closed/i;

export function isConnectionFailure(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_SOCKET.has(code))) return true;
  const message = (e as { message?: unknown }).message;
  return typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message);
}

/** Connection failures become STORE_UNAVAILABLE; everything else passes through unchanged. */
export function asStoreError(e: unknown, kind: string): unknown {
  if (e instanceof ElicenseError || !isConnectionFailure(e)) return e;
  const code = (e as { code?: unknown }).code;
  return new ElicenseError('STORE_UNAVAILABLE', `the ${kind} database is unavailable`, typeof code === 'string' ? { cause: code } : undefined, { cause: e });
}
