const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

/**
 * Preferred name syntax (RFC 1034 3.5 as relaxed by RFC 1123): LDH labels,
 * no underscores, no trailing dot. With `allowWildcard`, a whole-label "*"
 * may lead (RFC 6125 style), and must be followed by at least two labels.
 */
export function isValidDnsName(name: string, allowWildcard: boolean): boolean {
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  if (allowWildcard && labels[0] === '*') {
    if (labels.length < 3) return false;
    labels.shift();
  }
  return labels.every((l) => LABEL.test(l));
}
