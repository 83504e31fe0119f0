/** Why reading a peer's answer stopped: it was larger than allowed, or the connection failed while reading. */
export type BoundedBodyFailure = { kind: 'too-large'; declared: number | null } | { kind: 'broken'; cause: unknown };

/**
 * Reads a fetch answer's body up to `max` bytes and no further: a declared Content-Length over the limit is
 * refused before reading, a body that grows past it is cancelled at once. `fail` turns the reason into the
 * caller's own error (a sync failure, a refused peer answer), which is thrown.
 */
export async function readBoundedBody(res: Response, max: number, fail: (why: BoundedBodyFailure) => Error): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > max) {
    await res.body?.cancel().catch(() => undefined);
    throw fail({ kind: 'too-large', declared });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  try {
    for await (const chunk of res.body ?? []) {
      size += (chunk as Uint8Array).byteLength;
      if (size > max) {
        tooLarge = true;
        await res.body?.cancel().catch(() => undefined);
        break;
      }
      chunks.push(Buffer.from(chunk as Uint8Array));
    }
  } catch (e) {
    throw fail({ kind: 'broken', cause: e });
  }
  if (tooLarge) throw fail({ kind: 'too-large', declared: null });
  return Buffer.concat(chunks);
}
