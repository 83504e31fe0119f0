/**
 * Citizen identity number (GB 11643): division (6) + birth date YYYYMMDD (8) + sequence (3) + MOD 11-2 check.
 * Foreign permanent-resident ID numbers (leading 9) share the layout of the date and the check; their
 * positions 2-3 are the accepting province.
 */
import { chinaCalendarDate } from '../chinaCalendarDate';
import { codeFail, codeOk, type CodeCheck, type CodeWarning } from './codeCheck';
import type { DivisionCodeList } from './divisionCode';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';
const SHAPE = /^\d{17}[\dX]$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** Nobody alive or registered was born before this. */
const EARLIEST_BIRTH = '18500101';

export interface CitizenIdOptions {
  /**
   * The date a birth date may not be after: a YYYY-MM-DD string, or a Date read as a date in China (UTC+8).
   * Record validation passes the licence's issue date so the check needs no clock.
   */
  today: string | Date;
  divisions?: DivisionCodeList;
}

export function citizenIdCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * WEIGHTS[i]!;
  return CHECK[sum % 11]!;
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** True when YYYYMMDD is a real calendar date. */
export function isCalendarDate(yyyymmdd: string): boolean {
  const y = Number(yyyymmdd.slice(0, 4));
  const m = Number(yyyymmdd.slice(4, 6));
  const d = Number(yyyymmdd.slice(6, 8));
  if (m < 1 || m > 12 || d < 1) return false;
  const days = m === 2 ? (isLeap(y) ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
  return d <= days;
}

function compactToday(today: string | Date): string {
  if (typeof today === 'string') {
    if (!ISO_DATE.test(today)) throw new RangeError('today must be YYYY-MM-DD');
    return today.slice(0, 4) + today.slice(5, 7) + today.slice(8, 10);
  }
  return chinaCalendarDate(today).replace(/-/g, '');
}

export function checkCitizenId(id: unknown, options: CitizenIdOptions): CodeCheck {
  if (typeof id !== 'string') return codeFail('CITIZEN_ID_MALFORMED', 'citizen ID number must be a string');
  if (id.length !== 18) return codeFail('CITIZEN_ID_LENGTH_INVALID', `citizen ID number must be 18 characters, got ${id.length}`);
  if (!SHAPE.test(id)) {
    return codeFail('CITIZEN_ID_CHARACTER_INVALID', 'citizen ID number must be 17 digits and a digit or upper-case X');
  }
  const birth = id.slice(6, 14);
  if (birth < EARLIEST_BIRTH || !isCalendarDate(birth)) {
    return codeFail('CITIZEN_ID_BIRTH_DATE_INVALID', 'birth date (positions 7-14) is not a real date');
  }
  if (birth > compactToday(options.today)) {
    return codeFail('CITIZEN_ID_BIRTH_DATE_FUTURE', 'birth date (positions 7-14) is in the future');
  }
  if (citizenIdCheckCharacter(id) !== id[17]) {
    return codeFail('CITIZEN_ID_CHECK_INVALID', 'citizen ID check character (position 18) does not match');
  }
  const foreign = id[0] === '9';
  const provinceCode = foreign ? id.slice(1, 3) : id.slice(0, 2);
  const divisions = options.divisions;
  if (divisions) {
    if (!divisions.has(`${provinceCode}0000`)) {
      return codeFail('CITIZEN_ID_DIVISION_INVALID', 'citizen ID number names no known province');
    }
    if (!foreign && !divisions.has(id.slice(0, 6))) {
      // Abolished divisions stay in the ID numbers issued under them: plausible, but worth a note.
      const warning: CodeWarning = {
        code: 'CITIZEN_ID_DIVISION_UNLISTED',
        message: `division code ${id.slice(0, 6)} is not in the list as of ${divisions.asOf}`,
      };
      return codeOk([warning]);
    }
  } else if (provinceCode < '11' || provinceCode > '82') {
    return codeFail('CITIZEN_ID_DIVISION_INVALID', 'citizen ID number names no province');
  }
  return codeOk();
}

/**
 * A birth date written beside a citizen ID number must be the one the number
 * encodes (positions 7-14). Only a number with the GB 11643 layout is read; a
 * passport or other number has no birth date to compare. A warning, not a
 * rejection: licences signed before this check keep verifying, and an issuer
 * may knowingly sign a registry's recorded contradiction (acknowledged).
 */
export function checkBirthDateAgainstCitizenId(birthDate: unknown, id: unknown, idName: string): CodeCheck {
  if (typeof birthDate !== 'string' || !ISO_DATE.test(birthDate) || typeof id !== 'string' || !SHAPE.test(id)) return codeOk();
  if (birthDate.replace(/-/g, '') === id.slice(6, 14)) return codeOk();
  return codeOk([{ code: 'CITIZEN_ID_BIRTH_DATE_MISMATCH', message: `birth date ${birthDate} differs from the one in ${idName} (positions 7-14)` }]);
}
