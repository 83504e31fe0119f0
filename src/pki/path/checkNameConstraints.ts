import { isIP } from 'node:net';
import { GeneralName } from '../certificate/GeneralName';
import { ParsedCertificate } from '../certificate/ParsedCertificate';
import { PathFailure, failure } from './PathErrorCode';
import { isValidDnsName } from './dnsNameSyntax';
import { constraintProblem, nameMatchesConstraint } from './matchNameConstraint';

/** Name-versus-constraint comparisons allowed per path (as pyca/cryptography; guards quadratic blow-up). */
export const NAME_CONSTRAINT_CHECK_LIMIT = 1 << 20;

const EMAIL_ATTRIBUTE = '1.2.840.113549.1.9.1';
const COMMON_NAME = '2.5.4.3';

/**
 * The names a certificate asserts, as name constraints see them (RFC 5280 6.1.3 (b), (c)).
 * Without a SAN extension, a host-name-like common name is a DNS name too (as
 * OpenSSL and BetterTLS expect): legacy software may still trust it as one.
 */
function namesOf(c: ParsedCertificate, isLeaf: boolean): GeneralName[] {
  const names: GeneralName[] = [];
  if (!c.subject.isEmpty) names.push({ type: 'dn', name: c.subject });
  const san = c.ext.subjectAltName?.names ?? [];
  const hasSan = c.ext.subjectAltName !== undefined;
  for (const rdn of c.subject.rdns) {
    for (const a of rdn) {
      if (a.text === undefined) continue;
      if (a.oid === EMAIL_ATTRIBUTE) names.push({ type: 'email', value: a.text });
      if (a.oid === COMMON_NAME && isLeaf && !hasSan) {
        const ip = ipLiteral(a.text);
        // "127.0.0.1" is both an address and a syntactically valid host name: check it as both.
        if (ip) names.push({ type: 'ip', bytes: ip });
        if (isValidDnsName(a.text, true)) names.push({ type: 'dns', value: a.text });
      }
    }
  }
  names.push(...san);
  return names;
}

function ipLiteral(text: string): Uint8Array | undefined {
  const kind = isIP(text);
  if (kind === 4) return new Uint8Array(text.split('.').map(Number));
  if (kind === 6) {
    const [head = '', tail = ''] = text.split('::');
    const h = head ? head.split(':') : [];
    const t = text.includes('::') ? (tail ? tail.split(':') : []) : [];
    const groups = text.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
    if (groups.length !== 8 || groups.some((g) => g.includes('.'))) return undefined;
    return new Uint8Array(groups.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]));
  }
  return undefined;
}

function sameKind(a: GeneralName, b: GeneralName): boolean {
  return a.type === b.type && (a.type !== 'other' || (b.type === 'other' && a.tag === b.tag));
}

/**
 * Applies every CA's name constraints (anchor included) to the certificates
 * below it. Self-issued intermediates are exempt; the leaf never is.
 * `chain` is leaf first, anchor last.
 */
export function checkNameConstraints(chain: readonly ParsedCertificate[]): PathFailure | undefined {
  let budget = NAME_CONSTRAINT_CHECK_LIMIT;
  const names = chain.map((c, i) => namesOf(c, i === 0));
  for (let k = 1; k < chain.length; k++) {
    const nc = chain[k]!.ext.nameConstraints;
    if (!nc) continue;
    const permitted = nc.permitted ?? [];
    const excluded = nc.excluded ?? [];
    for (const c of [...permitted, ...excluded]) {
      const problem = constraintProblem(c);
      if (problem) return failure('CERT_PROFILE_INVALID', problem, k);
    }
    for (let j = 0; j < k; j++) {
      if (j > 0 && chain[j]!.selfIssued) continue;
      const list = names[j]!;
      budget -= list.length * (permitted.length + excluded.length);
      if (budget < 0) return failure('NAME_CONSTRAINTS_TOO_COMPLEX', 'name constraints exceed the evaluation limit', k);
      for (const n of list) {
        const sameType = permitted.filter((p) => sameKind(p, n));
        if (sameType.length > 0) {
          let ok = false;
          for (const p of sameType) {
            const m = nameMatchesConstraint(n, p, 'permitted');
            if (m === undefined) return failure('NAME_CONSTRAINTS_VIOLATED', `cannot evaluate ${n.type} name against constraints`, j);
            if (m) {
              ok = true;
              break;
            }
          }
          if (!ok) return failure('NAME_CONSTRAINTS_VIOLATED', `${describe(n)} is outside the permitted subtrees of certificate ${k}`, j);
        }
        for (const e of excluded) {
          const m = nameMatchesConstraint(n, e, 'excluded');
          if (m === undefined) return failure('NAME_CONSTRAINTS_VIOLATED', `cannot evaluate ${n.type} name against constraints`, j);
          if (m) return failure('NAME_CONSTRAINTS_VIOLATED', `${describe(n)} is in an excluded subtree of certificate ${k}`, j);
        }
      }
    }
  }
  return undefined;
}

function describe(n: GeneralName): string {
  switch (n.type) {
    case 'dns':
    case 'email':
    case 'uri':
      return `${n.type} name "${n.value}"`;
    case 'ip':
      return `IP address ${Buffer.from(n.bytes).toString('hex')}`;
    case 'dn':
      return `directory name "${n.name.text}"`;
    default:
      return 'name';
  }
}
