import { createHash } from 'node:crypto';
import { canonicalJson } from '../json/canonicalJson';

/** SHA-256 of the RFC 8785 (JCS) bytes of the original full form, base64url: what binds a copy to its original. */
export function originalDigest(original: unknown): string {
  return createHash('sha256').update(canonicalJson(original), 'utf8').digest('base64url');
}
