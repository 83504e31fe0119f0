/**
 * Format-only patterns for the codes the CA writes into certificates.
 * TODO: switch the USCC check to src/codes/uscc.ts (checkUscc, with the check
 * characters) and division codes to the GB/T 2260 list once those exist;
 * until then only the shape is checked here.
 */
export const CODE_PATTERNS = {
  /** GB 32100: 18 characters from the USCC alphabet (no I, O, S, V, Z); positions 3-8 are a division code. */
  uscc: /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/,
  /** GB/T 2260: six digits, a province-level prefix from 11 to 82. */
  divisionCode: /^(1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|81|82)\d{4}$/,
  /** Licence type code: defining authority's USCC + 3-digit sequence. */
  licenseTypeCode: /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}\d{3}$/,
} as const;
