/**
 * The region itself and a trust-data version counter.
 *
 * - `region`: one row, written when the region is set up (demo bootstrap or
 *   `elicense init`): its pinned root certificate (the root key may be
 *   offline) and whether it is the demo region. Its presence is the
 *   "already set up" marker.
 * - Region CA keys (root in demo mode, intermediates) share owner, purpose and
 *   algorithm, so the one-active-key rule no longer applies to
 *   certificate_signing keys (they are told apart by their certificates).
 * - `trust_version` is bumped by triggers whenever departments, type grants,
 *   signing keys or the region change, so every node process can cheaply
 *   notice that its cached trust inputs are stale.
 */
export const sql = `
DROP INDEX signing_keys_one_active;
CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys (COALESCE(uscc, ''), purpose, algorithm)
  WHERE state = 'active' AND purpose <> 'certificate_signing';

CREATE TABLE region (
  singleton        boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  code             text NOT NULL,
  name             text NOT NULL,
  mode             text NOT NULL CHECK (mode IN ('demo', 'production')),
  root_certificate bytea NOT NULL,
  set_up_at        timestamptz NOT NULL
);

CREATE TABLE trust_version (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  version   bigint NOT NULL
);
INSERT INTO trust_version (singleton, version) VALUES (true, 0);

CREATE FUNCTION bump_trust_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE trust_version SET version = version + 1 WHERE singleton;
  RETURN NULL;
END;
$$;
CREATE TRIGGER departments_trust_version AFTER INSERT OR UPDATE OR DELETE ON departments
  FOR EACH STATEMENT EXECUTE FUNCTION bump_trust_version();
CREATE TRIGGER department_types_trust_version AFTER INSERT OR UPDATE OR DELETE ON department_types
  FOR EACH STATEMENT EXECUTE FUNCTION bump_trust_version();
CREATE TRIGGER signing_keys_trust_version AFTER INSERT OR UPDATE OR DELETE ON signing_keys
  FOR EACH STATEMENT EXECUTE FUNCTION bump_trust_version();
CREATE TRIGGER region_trust_version AFTER INSERT OR UPDATE OR DELETE ON region
  FOR EACH STATEMENT EXECUTE FUNCTION bump_trust_version();
`;
