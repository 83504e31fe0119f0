import { ElicenseError } from '../../errors';

const UTC_TIME = 0x17;
const GENERALIZED_TIME = 0x18;

/**
 * RFC 5280 4.1.2.5: UTCTime is YYMMDDHHMMSSZ (years 1950-2049), GeneralizedTime
 * is YYYYMMDDHHMMSSZ with no fractional seconds. Anything else is malformed.
 */
export function parseTime(tag: number, c: Uint8Array): Date {
  const s = String.fromCharCode(...c);
  let m: RegExpExecArray | null;
  let year: number;
  if (tag === UTC_TIME) {
    m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s);
    if (!m) throw new ElicenseError('CERT_MALFORMED', `bad UTCTime "${s}"`);
    const yy = Number(m[1]);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
  } else if (tag === GENERALIZED_TIME) {
    m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s);
    if (!m) throw new ElicenseError('CERT_MALFORMED', `bad GeneralizedTime "${s}"`);
    year = Number(m[1]);
  } else {
    throw new ElicenseError('CERT_MALFORMED', `validity time has tag 0x${tag.toString(16)}`);
  }
  const [month, day, hour, minute, second] = [2, 3, 4, 5, 6].map((i) => Number(m![i]));
  const t = Date.UTC(year, month! - 1, day!, hour!, minute!, second!);
  const d = new Date(t);
  // Date.UTC rolls over out-of-range fields (month 13, 31 Feb); a round trip catches that.
  if (d.getUTCMonth() !== month! - 1 || d.getUTCDate() !== day! || hour! > 23 || minute! > 59 || second! > 59) {
    throw new ElicenseError('CERT_MALFORMED', `impossible date "${s}"`);
  }
  if (year < 1000) d.setUTCFullYear(year);
  return d;
}
