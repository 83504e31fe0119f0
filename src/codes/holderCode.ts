/**
 * Holder code (持证主体代码) check, dispatched on the holder code type:
 * 111 citizen ID number (GB 11643), 001 USCC (GB 32100), every other type by its pattern only.
 */
import { checkCitizenId } from './citizenId';
import { codeFail, codeOk, type CodeCheck } from './codeCheck';
import type { DivisionCodeList } from './divisionCode';
import type { HolderCodeTypes } from './holderCodeTypes';
import { checkUscc } from './uscc';

export interface HolderCodeContext {
  types: HolderCodeTypes;
  /** Birth dates in citizen ID numbers may not be after this date (YYYY-MM-DD or a Date). */
  today: string | Date;
  divisions?: DivisionCodeList;
}

export function checkHolderCode(typeCode: string, code: unknown, ctx: HolderCodeContext): CodeCheck {
  const type = ctx.types.get(typeCode);
  if (!type) return codeFail('HOLDER_CODE_TYPE_UNKNOWN', `holder code type ${typeCode} is not in the code list`);
  if (typeof code !== 'string') return codeFail('HOLDER_CODE_MALFORMED', 'holder code must be a string');
  switch (type.check) {
    case 'citizenId':
      return checkCitizenId(code, { today: ctx.today, divisions: ctx.divisions });
    case 'uscc':
      return checkUscc(code);
    case 'pattern':
      return type.regex.test(code)
        ? codeOk()
        : codeFail('HOLDER_CODE_PATTERN_MISMATCH', `holder code does not match the pattern of type ${typeCode}`);
  }
}
