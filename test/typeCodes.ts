/**
 * The type codes new licences are issued under (the newest standard of each slug), read from the catalogue so
 * that tests follow a code's succession (docs/adr/0011) instead of pinning one.
 */
import { StandardsCatalog } from '../src/standards/StandardsCatalog';

const catalog = StandardsCatalog.load();

export function currentTypeCode(slug: string): string {
  const t = catalog.getTypeBySlug(slug);
  if (!t) throw new Error(`no type standard ${slug}`);
  return t.typeCode;
}

export const BUSINESS_LICENSE_TYPE = currentTypeCode('business-licence');
export const FOOD_PERMIT_TYPE = currentTypeCode('food-business-permit');
export const MARRIAGE_TYPE = currentTypeCode('marriage-certificate');
