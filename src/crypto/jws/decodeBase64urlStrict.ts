/**
 * Decodes unpadded base64url (RFC 7515 section 2) strictly: only the
 * base64url alphabet, no padding, no whitespace, and zero unused trailing
 * bits. Node's decoder skips bad characters silently, so we accept the input
 * only when re-encoding the bytes gives back exactly the same text.
 * Returns undefined when the text is not canonical base64url.
 */
export function decodeBase64urlStrict(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

/** Same rule for standard base64 with padding (x5c entries, RFC 7515 4.1.6). */
export function decodeBase64Strict(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}
