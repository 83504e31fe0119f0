/**
 * Decodes the payload of a compact JWS this node accepted earlier (its own
 * store is trusted: no signature is checked here). A document from outside is
 * read only through the gate (src/trust/peer/peerDocumentGate.ts).
 */
export function payloadOf<T>(jws: string): T {
  const part = jws.slice(jws.indexOf('.') + 1, jws.lastIndexOf('.'));
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as T;
}
