import { GeneralName } from '../certificate/GeneralName';
import { isValidDnsName } from './dnsNameSyntax';

/** Why a name constraint itself is unusable, or undefined when it is well formed. */
export function constraintProblem(c: GeneralName): string | undefined {
  if (c.type === 'dns') {
    // RFC 5280 4.2.1.10: a dNSName constraint is a host name; "" constrains nothing away.
    return c.value === '' || isValidDnsName(c.value, false) ? undefined : `invalid dNSName constraint "${c.value}"`;
  }
  if (c.type === 'ip') {
    if (c.bytes.length !== 8 && c.bytes.length !== 32) return 'iPAddress constraint is not address + mask';
    const mask = c.bytes.subarray(c.bytes.length / 2);
    let seenZero = false;
    for (const byte of mask) {
      for (let bit = 7; bit >= 0; bit--) {
        const set = (byte >> bit) & 1;
        if (set && seenZero) return 'iPAddress constraint mask is not contiguous';
        if (!set) seenZero = true;
      }
    }
  }
  return undefined;
}

function dnsWithin(name: string, base: string): boolean {
  return base === '' || name === base || name.endsWith('.' + base);
}

function hostWithin(host: string, base: string): boolean {
  // Email and URI constraints: ".example.com" means any subdomain, "example.com" the host itself.
  return base.startsWith('.') ? host.endsWith(base) : host === base;
}

function uriHost(uri: string): string | undefined {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)/i.exec(uri);
  return m ? m[1]!.toLowerCase() : undefined;
}

/**
 * Whether `name` falls inside the subtree `base` (same type). For a wildcard
 * dNSName we answer defensively (CVE-2025-61727): `mode` 'permitted' asks
 * "is every name it could match inside?", 'excluded' asks "could any be?".
 * Returns undefined when the pair cannot be evaluated (unsupported name forms).
 */
export function nameMatchesConstraint(name: GeneralName, base: GeneralName, mode: 'permitted' | 'excluded'): boolean | undefined {
  switch (name.type) {
    case 'dns': {
      if (base.type !== 'dns') return false;
      const n = name.value.toLowerCase();
      const b = base.value.toLowerCase();
      if (!n.startsWith('*.')) return dnsWithin(n, b);
      const parent = n.slice(2);
      if (dnsWithin(parent, b)) return true;
      // "*.example.com" can stand for "bar.example.com": an exclusion one label below must bite.
      return mode === 'excluded' && b.endsWith('.' + parent) && !b.slice(0, -parent.length - 1).includes('.');
    }
    case 'ip': {
      if (base.type !== 'ip') return false;
      const len = name.bytes.length;
      if (base.bytes.length !== len * 2) return false;
      for (let i = 0; i < len; i++) {
        const m = base.bytes[len + i]!;
        if ((name.bytes[i]! & m) !== (base.bytes[i]! & m)) return false;
      }
      return true;
    }
    case 'email': {
      if (base.type !== 'email') return false;
      const at = name.value.lastIndexOf('@');
      const local = name.value.slice(0, at);
      const host = name.value.slice(at + 1).toLowerCase();
      const b = base.value;
      if (b.includes('@')) {
        const bat = b.lastIndexOf('@');
        return b.slice(0, bat) === local && b.slice(bat + 1).toLowerCase() === host;
      }
      return hostWithin(host, b.toLowerCase());
    }
    case 'uri': {
      if (base.type !== 'uri') return false;
      const host = uriHost(name.value);
      return host === undefined ? undefined : hostWithin(host, base.value.toLowerCase());
    }
    case 'dn': {
      if (base.type !== 'dn') return false;
      const bk = base.name.rdnKeys;
      const nk = name.name.rdnKeys;
      return bk.length <= nk.length && bk.every((k, i) => k === nk[i]);
    }
    case 'other':
      // Forms we do not interpret: a constraint of the same form cannot be evaluated.
      return base.type === 'other' && base.tag === name.tag ? undefined : false;
  }
}
