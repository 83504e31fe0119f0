import { ElicenseError } from '../errors';

/** Keyset position in a department's licence list (newest first): opaque to clients. */
export interface LicenseCursor {
  createdAt: Date;
  identifier: string;
}

export function encodeLicenseCursor(c: LicenseCursor): string {
  return Buffer.from(JSON.stringify([c.createdAt.toISOString(), c.identifier]), 'utf8').toString('base64url');
}

export function decodeLicenseCursor(text: string): LicenseCursor {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string') {
      const createdAt = new Date(value[0]);
      if (!Number.isNaN(createdAt.getTime()) && createdAt.toISOString() === value[0]) return { createdAt, identifier: value[1] };
    }
  } catch {
    // fall through: any unreadable cursor gets the same answer
  }
  throw new ElicenseError('INPUT_MALFORMED', 'the page cursor is not one this node issued');
}
