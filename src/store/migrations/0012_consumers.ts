/**
 * Issue 16: consuming departments (用证部门). A department of this region or of a recognised peer region
 * may use licences of a type only when the region admin has granted it that type: one row per
 * (region, USCC, type), revoked by setting revoked_at (granted again: the row is renewed; the audit chain
 * keeps the history). A department of this region calls with an API key of the new role `consumer`, bound
 * to its USCC like an issuer's key.
 */
export const sql = `
CREATE TABLE consumer_grants (
  region      text NOT NULL CHECK (region ~ '^[1-9][0-9]{5}$'),
  uscc        text NOT NULL,
  type_code   text NOT NULL,
  granted_at  timestamptz NOT NULL,
  granted_by  text NOT NULL,
  revoked_at  timestamptz,
  PRIMARY KEY (region, uscc, type_code)
);

ALTER TABLE api_keys DROP CONSTRAINT api_keys_role_check;
ALTER TABLE api_keys DROP CONSTRAINT api_keys_check;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_role_check CHECK (role IN ('region_admin', 'issuer', 'auditor', 'consumer'));
ALTER TABLE api_keys ADD CONSTRAINT api_keys_check
  CHECK (((role = 'issuer' OR role = 'consumer') AND uscc IS NOT NULL) OR (role = 'region_admin' AND uscc IS NULL) OR role = 'auditor');

CREATE INDEX usage_events_by_kind_time ON usage_events (kind, at);
`;
