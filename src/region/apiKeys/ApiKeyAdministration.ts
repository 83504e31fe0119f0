import { ElicenseError } from '../../errors';
import type { Clock } from '../../clock';
import type { ApiKey, ApiKeyStore } from '../../store/ApiKeyStore';
import type { AuditLog } from '../../store/AuditLog';
import type { Database } from '../../store/Database';
import type { DepartmentStore } from '../../store/DepartmentStore';
import type { CreateApiKeyRequest } from './apiKeyRequests';

/** What API key administration uses (a node's services fit it). */
export interface ApiKeyAdministrationDeps {
  db: Database;
  clock: Clock;
  stores: { apiKeys: ApiKeyStore; departments: DepartmentStore; audit: AuditLog };
}

/**
 * Creating and revoking API keys, each audited in the same transaction.
 * Authentication reads the database on every request, so a revoked key is
 * refused at once by every node process.
 */
export class ApiKeyAdministration {
  constructor(private readonly s: ApiKeyAdministrationDeps) {}

  /** The secret is returned here and never again (only its hash is stored). */
  async create(actor: string, req: CreateApiKeyRequest): Promise<{ apiKey: ApiKey; secret: string }> {
    const at = this.s.clock.now();
    return this.s.db.transaction(async (tx) => {
      if (req.uscc !== null && !(await this.s.stores.departments.get(tx, req.uscc))) {
        throw new ElicenseError('DEPARTMENT_NOT_FOUND', 'no such department', { uscc: req.uscc });
      }
      const created = await this.s.stores.apiKeys.create(tx, { role: req.role, uscc: req.uscc, label: req.label, at });
      await this.s.stores.audit.append(tx, [
        { actor, action: 'api_key.create', subject: created.apiKey.keyId, details: { role: req.role, uscc: req.uscc, label: req.label }, at },
      ]);
      return created;
    });
  }

  list(): Promise<ApiKey[]> {
    return this.s.stores.apiKeys.list(this.s.db);
  }

  async revoke(actor: string, keyId: string): Promise<ApiKey> {
    const at = this.s.clock.now();
    return this.s.db.transaction(async (tx) => {
      const existing = (await this.s.stores.apiKeys.list(tx)).find((k) => k.keyId === keyId);
      if (!existing) throw new ElicenseError('API_KEY_NOT_FOUND', 'no such API key', { keyId });
      if (!(await this.s.stores.apiKeys.revoke(tx, keyId, at))) throw new ElicenseError('API_KEY_REVOKED', 'this API key is already revoked', { keyId });
      await this.s.stores.audit.append(tx, [{ actor, action: 'api_key.revoke', subject: keyId, details: { role: existing.role, uscc: existing.uscc }, at }]);
      return { ...existing, revokedAt: at };
    });
  }
}
