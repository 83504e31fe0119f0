/** Order of MAJOR.MINOR.PATCH version strings (type standards use plain numeric semver, no pre-releases). */
export function compareSemver(a: string, b: string): number {
  const pa = a.split('.');
  const pb = b.split('.');
  for (let i = 0; i < 3; i++) {
    const d = Number(pa[i]) - Number(pb[i]);
    if (d !== 0) return d;
  }
  return 0;
}
