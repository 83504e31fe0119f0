/**
 * Roles and the permissions they carry. Every non-public route declares one
 * permission (its RouteSpec, src/http/RouteSpec.ts); department-scoped permissions additionally
 * require the resource to belong to the caller's department.
 */
export const ROLES = ['region_admin', 'issuer', 'auditor', 'consumer'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'public',
  /** Issue licences for one's own department. */
  'licence:issue',
  /** Read licences (issuers: their own department's; admins and auditors: all). */
  'licence:read',
  /** Revoke, suspend, reinstate (issuers: own department only). */
  'licence:lifecycle',
  /** Admit, suspend, withdraw departments; grant types; issue and rotate their certificates. */
  'department:admin',
  /** See departments and keys (no private material). */
  'department:read',
  /** Create and revoke API keys. */
  'apikey:admin',
  /** Read and verify the audit log. */
  'audit:read',
  /** Issuance and verification counts (the operator dashboard). */
  'statistics:read',
  /** See the federation peers and their sync state. */
  'federation:read',
  /** Run a sync round now; import a trust bundle. */
  'federation:admin',
  /** The signed-in holder's own licences, presentations, grants and usage log (a holder token, never an API key: docs/adr/0012). */
  'holder:self',
  /** A department exchanges a holder's authorisation code for the granted licences, reads them within the grant, sees its own uses. */
  'grant:redeem',
  /**
   * A department of a recognised peer region, authenticated by a request its node signed with the department's
   * licence-signing key (route mode `peer-request`, docs/adr/0006 "Departments of peer regions"); no API key carries it.
   */
  'federation:peer',
  /** A consuming department (用证部门, issue 16) queries, verifies and takes annotated copies of licences of the types granted to it, with a stated cause; sees its own uses. */
  'consumer:use',
  /** Grant and revoke consuming departments' permissions per licence type. */
  'consumer:admin',
  /** See consuming departments' permissions. */
  'consumer:read',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLE_PERMISSIONS: Readonly<Record<Role, ReadonlySet<Permission>>> = {
  region_admin: new Set<Permission>(['public', 'licence:read', 'licence:lifecycle', 'department:admin', 'department:read', 'apikey:admin', 'audit:read', 'statistics:read', 'federation:read', 'federation:admin', 'consumer:admin', 'consumer:read']),
  issuer: new Set<Permission>(['public', 'licence:issue', 'licence:read', 'licence:lifecycle', 'department:read', 'grant:redeem']),
  auditor: new Set<Permission>(['public', 'licence:read', 'department:read', 'audit:read', 'statistics:read', 'federation:read', 'consumer:read']),
  /** A consuming department of this region (its key names its USCC): the consumer operations only, for the types the region admin granted it. */
  consumer: new Set<Permission>(['public', 'consumer:use']),
};

/** Who is calling: resolved from an API key by the authentication middleware. */
export interface Principal {
  keyId: string;
  role: Role;
  /** The department an issuer acts for; null for region-wide roles. */
  uscc: string | null;
  label: string;
}

/**
 * A holder signed in through an identity provider (a holder token, docs/adr/0012): the holder is the person or,
 * for a company, the company its legal representative or agent acts for. The acting person's own code is not kept.
 */
export interface HolderPrincipal {
  /** The holder's code: a citizen ID number or a USCC (checked, check characters included). */
  holderCode: string;
  holderKind: 'person' | 'organisation';
  /** The configured identity provider that vouched for the holder. */
  providerId: string;
  /** self, or the role of the person acting for the company. */
  actingRole: 'self' | 'legal_representative' | 'agent';
  /** SHA-256 (hex) of the acting person's code when acting for a company, else null. */
  actorDigest: string | null;
  /** The token's exp. */
  expiresAt: Date;
  /** Signed in through the DEMO identity provider. */
  demo: boolean;
}

export function can(principal: Principal | null, permission: Permission): boolean {
  if (permission === 'public') return true;
  return principal !== null && ROLE_PERMISSIONS[principal.role].has(permission);
}

/** Department-scoped access: issuers only see and change their own department's resources. */
export function canActFor(principal: Principal, uscc: string): boolean {
  return (principal.role !== 'issuer' && principal.role !== 'consumer') || principal.uscc === uscc;
}
