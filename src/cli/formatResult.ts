import type { VerificationResult } from '../verify/VerificationResult';

const MARK = { passed: 'ok  ', failed: 'FAIL', not_checked: '--  ' } as const;

/** A person-readable rendering of a verification result for the terminal. */
export function formatResult(r: VerificationResult, label: string): string {
  const lic = r.license ?? {};
  const lines = [
    `${r.result.toUpperCase()}  ${label}`,
    `  licence: ${String(lic['certificateName'] ?? '?')} ${String(lic['certificateIdentifier'] ?? '')}`,
    `  holder:  ${String(lic['certificateHolderName'] ?? '?')}   issuer: ${String(lic['certificateIssuingAuthorityName'] ?? r.issuer?.name ?? '?')}${r.issuer ? ` (region ${r.issuer.regionCode})` : ''}`,
  ];
  // Said second, before anything that could read as a real licence: the signer's chain carries the demo-region policy.
  if (r.demo) lines.splice(1, 0, '  DEMO: 演示样本 · 无法律效力 / a licence of a demo region, no legal effect');
  if (r.recognizedLocalType) lines.push(`  recognised as local type ${r.recognizedLocalType}`);
  // An annotated copy (加注件): its terms, before the checks, so nobody reads it as the licence itself.
  const copy = r.annotatedCopy;
  if (copy) {
    lines.push(
      `  annotated copy (加注件) ${copy.copyId} of ${copy.originalIdentifier}${copy.form === 'qr' ? ' (from its QR: the licence itself was not presented)' : ''}`,
      `    purpose (制作事由):           ${copy.purpose}`,
      `    user department (用证部门):   ${copy.userDepartment.name} (${copy.userDepartment.code})`,
      `    maker (制作方):               ${copy.maker.name} (${copy.maker.code}), region ${copy.region}`,
      `    made at (制作时间):           ${copy.madeAt}; valid until (有效期至): ${copy.notAfter}`,
      `    mark: ${copy.mark}`,
    );
  }
  for (const c of r.checks) {
    const why = c.reasons.length ? ` ${c.reasons.join(',')}` : '';
    lines.push(`  [${MARK[c.status]}] ${c.check.padEnd(11)}${why}${c.detail ? ` (${c.detail})` : ''}`);
  }
  if (r.warnings.length) lines.push(`  warnings: ${r.warnings.join(', ')}`);
  lines.push(`  trust: ${r.trust.source}${r.trust.asOf ? ` as of ${r.trust.asOf}` : ''}; verified at ${r.verifiedAt}`);
  for (const d of r.trust.details ?? []) lines.push(`    ${d.data} of region ${d.region}${d.sequence !== undefined ? ` #${d.sequence}` : ''}: issued ${d.asOf ?? '?'}${d.stale ? ' (STALE)' : ''}`);
  return lines.join('\n');
}
