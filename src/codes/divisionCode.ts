/**
 * Administrative division codes (GB/T 2260): 6 digits, province (2) + prefecture (2) + county (2).
 * Codes change over the years, so membership is always against a dated list (standards/codelists).
 */
import { codeFail, codeOk, type CodeCheck } from './codeCheck';

export type DivisionLevel = 'province' | 'prefecture' | 'county';

export interface DivisionCodeListData {
  source: { package: string; version: string; upstream: string; asOf: string };
  /** [code, name] pairs. */
  divisions: ReadonlyArray<readonly [string, string]>;
}

export interface Division {
  code: string;
  name: string;
  level: DivisionLevel;
}

const SIX_DIGITS = /^\d{6}$/;

export function divisionLevel(code: string): DivisionLevel {
  if (code.endsWith('0000')) return 'province';
  if (code.endsWith('00')) return 'prefecture';
  return 'county';
}

export class DivisionCodeList {
  readonly asOf: string;
  readonly source: DivisionCodeListData['source'];
  private readonly names = new Map<string, string>();

  constructor(data: DivisionCodeListData) {
    this.source = data.source;
    this.asOf = data.source.asOf;
    for (const [code, name] of data.divisions) {
      if (!SIX_DIGITS.test(code)) throw new RangeError(`division list: malformed code ${code}`);
      this.names.set(code, name);
    }
  }

  get size(): number {
    return this.names.size;
  }

  has(code: string): boolean {
    return this.names.has(code);
  }

  name(code: string): string | undefined {
    return this.names.get(code);
  }

  get(code: string): Division | undefined {
    const name = this.names.get(code);
    return name === undefined ? undefined : { code, name, level: divisionLevel(code) };
  }

  /** The province-level division a code belongs to (also for codes not in the list). */
  province(code: string): Division | undefined {
    if (code.length < 2) return undefined;
    return this.get(`${code.slice(0, 2)}0000`);
  }

  /** All entries, in list order. */
  *entries(): IterableIterator<Division> {
    for (const [code, name] of this.names) yield { code, name, level: divisionLevel(code) };
  }
}

/** A 6-digit division code, present in `list` when one is given. */
export function checkDivisionCode(code: unknown, list?: DivisionCodeList): CodeCheck {
  if (typeof code !== 'string' || !SIX_DIGITS.test(code)) {
    return codeFail('DIVISION_CODE_MALFORMED', 'division code must be 6 digits');
  }
  if (code.startsWith('00')) return codeFail('DIVISION_CODE_MALFORMED', 'division code has no province part');
  if (list && !list.has(code)) {
    return codeFail('DIVISION_CODE_UNKNOWN', `division code is not in the GB/T 2260 list as of ${list.asOf}`);
  }
  return codeOk();
}

/**
 * A GB/T 2260 division lies within a region: the same province for a
 * province-level region (xx0000), the same prefecture for a prefecture-level
 * one (xxxx00), the very code for a county-level one.
 */
export function divisionWithinRegion(division: string, region: string): boolean {
  if (!/^\d{6}$/.test(division) || !/^\d{6}$/.test(region)) return false;
  if (region.endsWith('0000')) return division.slice(0, 2) === region.slice(0, 2);
  if (region.endsWith('00')) return division.slice(0, 4) === region.slice(0, 4);
  return division === region;
}
