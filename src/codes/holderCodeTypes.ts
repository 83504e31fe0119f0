/**
 * The holder code types of GB/T 36903 appendix A, loaded from standards/codelists/holder-code-types.json
 * (the one place the list lives).
 */
export type HolderCodeCheckKind = 'citizenId' | 'uscc' | 'pattern';

export interface HolderCodeTypeEntry {
  code: string;
  nameZh: string;
  nameEn: string;
  subject: 'natural' | 'legal';
  confirmed: boolean;
  check: HolderCodeCheckKind;
  pattern: string;
}

export interface HolderCodeTypesData {
  types: HolderCodeTypeEntry[];
}

export interface HolderCodeType extends HolderCodeTypeEntry {
  regex: RegExp;
}

export class HolderCodeTypes {
  private readonly byCode = new Map<string, HolderCodeType>();

  constructor(data: HolderCodeTypesData) {
    for (const t of data.types) this.byCode.set(t.code, { ...t, regex: new RegExp(t.pattern) });
  }

  get(code: string): HolderCodeType | undefined {
    return this.byCode.get(code);
  }

  has(code: string): boolean {
    return this.byCode.has(code);
  }

  codes(): string[] {
    return [...this.byCode.keys()];
  }
}
