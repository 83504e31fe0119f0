import { ElicenseError, type ErrorCode } from '../../errors';

/** One DER element: its tag byte, where its contents start and where it ends. */
export interface DerElement {
  readonly tag: number;
  /** Offset of the first byte of the element (its tag). */
  readonly start: number;
  /** Offset of the first content byte. */
  readonly contentStart: number;
  /** Offset just after the last content byte. */
  readonly end: number;
}

function malformed(message: string): ElicenseError {
  return new ElicenseError('CERT_MALFORMED', message);
}

/**
 * A strict DER walker: definite, minimally encoded lengths only, single-byte
 * tags (X.509 never needs more). Parsing libraries accept BER; certificates
 * must be DER, and we need exact byte ranges (TBS, names, SPKI) anyway.
 */
export class DerReader {
  private pos: number;

  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    readonly limit = bytes.length,
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.limit;
  }

  peekTag(): number | undefined {
    return this.done ? undefined : this.bytes[this.pos];
  }

  read(expectedTag?: number, what = 'element'): DerElement {
    const b = this.bytes;
    const start = this.pos;
    if (start + 2 > this.limit) throw malformed(`truncated ${what}`);
    const tag = b[start]!;
    if ((tag & 0x1f) === 0x1f) throw malformed(`multi-byte tag in ${what}`);
    if (expectedTag !== undefined && tag !== expectedTag) {
      throw malformed(`${what}: expected tag 0x${expectedTag.toString(16)}, got 0x${tag.toString(16)}`);
    }
    let p = start + 1;
    const first = b[p++]!;
    let length: number;
    if (first < 0x80) {
      length = first;
    } else {
      const n = first & 0x7f;
      if (n === 0) throw malformed(`indefinite length in ${what}`);
      if (n > 4) throw malformed(`length too large in ${what}`);
      if (p + n > this.limit) throw malformed(`truncated length in ${what}`);
      if (b[p] === 0) throw malformed(`non-minimal length in ${what}`);
      length = 0;
      for (let i = 0; i < n; i++) length = length * 256 + b[p++]!;
      if (length < 0x80) throw malformed(`non-minimal length in ${what}`);
    }
    const end = p + length;
    if (end > this.limit) throw malformed(`truncated ${what}`);
    this.pos = end;
    return { tag, start, contentStart: p, end };
  }

  /** Reads the next element only if it carries `tag`. */
  readOptional(tag: number, what?: string): DerElement | undefined {
    return this.peekTag() === tag ? this.read(tag, what) : undefined;
  }

  /** A reader over the contents of a constructed element. */
  static inside(bytes: Uint8Array, el: DerElement): DerReader {
    return new DerReader(bytes, el.contentStart, el.end);
  }

  expectEnd(what: string): void {
    if (!this.done) throw malformed(`trailing data in ${what}`);
  }
}

export function contents(bytes: Uint8Array, el: DerElement): Uint8Array {
  return bytes.subarray(el.contentStart, el.end);
}

export function whole(bytes: Uint8Array, el: DerElement): Uint8Array {
  return bytes.subarray(el.start, el.end);
}

/** Dotted form of an OBJECT IDENTIFIER's contents (BigInt arcs: 2.25 UUID arcs exceed 2^53). */
export function decodeOid(c: Uint8Array): string {
  if (c.length === 0 || c[c.length - 1]! & 0x80) throw malformed('bad OBJECT IDENTIFIER');
  const arcs: bigint[] = [];
  let v = 0n;
  let fresh = true;
  for (const byte of c) {
    if (fresh && byte === 0x80) throw malformed('non-minimal OBJECT IDENTIFIER arc');
    v = (v << 7n) | BigInt(byte & 0x7f);
    fresh = false;
    if (!(byte & 0x80)) {
      arcs.push(v);
      v = 0n;
      fresh = true;
    }
  }
  const firstArc = arcs[0]!;
  const head = firstArc < 40n ? [0n, firstArc] : firstArc < 80n ? [1n, firstArc - 40n] : [2n, firstArc - 80n];
  return [...head, ...arcs.slice(1)].join('.');
}

/** OIDs of a SEQUENCE OF OBJECT IDENTIFIER (or of SEQUENCEs that start with one), from a whole DER value. */
export function readOidSequence(der: Uint8Array, what: string, itemsAreSequences: boolean): string[] {
  const top = new DerReader(der);
  const seq = top.read(0x30, what);
  top.expectEnd(what);
  const r = DerReader.inside(der, seq);
  const out: string[] = [];
  while (!r.done) {
    if (itemsAreSequences) {
      const item = DerReader.inside(der, r.read(0x30, what));
      out.push(decodeOid(contents(der, item.read(0x06, what))));
    } else {
      out.push(decodeOid(contents(der, r.read(0x06, what))));
    }
  }
  return out;
}

/**
 * Runs a DER read of something other than a certificate (a CSR, a key),
 * reporting DER defects under that input's own error code.
 */
export function readDerAs<T>(code: ErrorCode, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof ElicenseError && e.code === 'CERT_MALFORMED') throw new ElicenseError(code, e.message, e.details, { cause: e });
    throw e;
  }
}
