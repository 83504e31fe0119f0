import { deflateSync, inflateSync } from 'node:zlib';
import { ElicenseError } from '../../errors';

export type LicenseStatusValue = 'valid' | 'revoked' | 'suspended';
const CODES: Record<LicenseStatusValue, number> = { valid: 0, revoked: 1, suspended: 2 };
const VALUES: readonly (LicenseStatusValue | 'unused')[] = ['valid', 'revoked', 'suspended', 'unused'];

/** Largest list this code builds or reads (entries); 2 bits each, so 4 MiB of bitstring. */
export const MAX_STATUS_LIST_CAPACITY = 16 * 1024 * 1024;

/**
 * A status list as a bitstring: two bits per licence (0 valid, 1 revoked,
 * 2 suspended, 3 unused), entry i in bits 2i..2i+1 counted from the least
 * significant bit of byte floor(i/4). Lookup is one array read and a shift.
 */
export class StatusBits {
  private constructor(readonly capacity: number, private readonly bytes: Uint8Array) {}

  static empty(capacity: number): StatusBits {
    checkCapacity(capacity);
    return new StatusBits(capacity, new Uint8Array(Math.ceil(capacity / 4)));
  }

  /**
   * Reads the compressed form of a peer's list. The inflated size is known in
   * advance (capacity/4 bytes), so inflation stops there: a compression bomb
   * cannot make it allocate more.
   */
  static fromCompressed(base64url: string, capacity: number): StatusBits {
    checkCapacity(capacity);
    const expected = Math.ceil(capacity / 4);
    let raw: Buffer;
    try {
      raw = inflateSync(Buffer.from(base64url, 'base64url'), { maxOutputLength: expected });
    } catch (e) {
      throw new ElicenseError('INPUT_MALFORMED', `status list bits do not inflate to ${expected} bytes (${e instanceof Error ? e.message : 'zlib error'})`);
    }
    if (raw.length !== expected) throw new ElicenseError('INPUT_MALFORMED', `status list bits inflate to ${raw.length} bytes, expected ${expected}`);
    // A copy of exactly its size: zlib's result may be a view on a larger pooled buffer, which a small list would keep alive.
    return new StatusBits(capacity, Uint8Array.prototype.slice.call(raw));
  }

  get(index: number): LicenseStatusValue | 'unused' | 'out_of_range' {
    if (!Number.isInteger(index) || index < 0 || index >= this.capacity) return 'out_of_range';
    return VALUES[(this.bytes[index >> 2]! >> ((index & 3) << 1)) & 3]!;
  }

  set(index: number, status: LicenseStatusValue): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.capacity) throw new RangeError(`status index ${index} outside 0..${this.capacity - 1}`);
    const shift = (index & 3) << 1;
    this.bytes[index >> 2] = (this.bytes[index >> 2]! & ~(3 << shift)) | (CODES[status] << shift);
  }

  compressed(): string {
    return deflateSync(this.bytes, { level: 9 }).toString('base64url');
  }

  /** Bytes held in memory. */
  get byteLength(): number {
    return this.bytes.byteLength;
  }
}

function checkCapacity(capacity: number): void {
  if (!Number.isInteger(capacity) || capacity < 1 || capacity > MAX_STATUS_LIST_CAPACITY) {
    throw new ElicenseError('INPUT_MALFORMED', `status list capacity must be 1..${MAX_STATUS_LIST_CAPACITY}`);
  }
}
