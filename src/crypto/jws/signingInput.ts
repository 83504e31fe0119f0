/** JWS signing input, ASCII(BASE64URL(header) '.' BASE64URL(payload)) (RFC 7515 5.1). */
export function signingInput(protectedB64: string, payloadB64: string): Buffer {
  const out = Buffer.allocUnsafe(protectedB64.length + 1 + payloadB64.length);
  out.write(protectedB64, 0, 'latin1');
  out[protectedB64.length] = 0x2e;
  out.write(payloadB64, protectedB64.length + 1, 'latin1');
  return out;
}
