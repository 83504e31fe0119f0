import type { Role } from '../permissions';

/**
 * POST /v1/api-keys as the use case takes it (the HTTP door has checked it
 * against its schema): an issuer key names its department; region admin and
 * auditor keys are region-wide and name none (a department-scoped auditor
 * would read the whole region: no illusion of a scope the permissions do not enforce).
 */
export interface CreateApiKeyRequest {
  role: Role;
  uscc: string | null;
  label: string;
}
