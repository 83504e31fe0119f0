/**
 * The issuing node's first schema. Published migrations are never edited
 * (migrate() refuses a changed checksum): change the schema with a new file.
 */
export const sql = `
CREATE TABLE departments (
  uscc          text PRIMARY KEY,
  name          text NOT NULL,
  division_code text NOT NULL,
  state         text NOT NULL CHECK (state IN ('active', 'suspended', 'withdrawn')),
  state_since   timestamptz NOT NULL,
  state_reason  text,
  created_at    timestamptz NOT NULL
);

CREATE TABLE department_types (
  uscc       text NOT NULL REFERENCES departments (uscc),
  type_code  text NOT NULL,
  granted_at timestamptz NOT NULL,
  PRIMARY KEY (uscc, type_code)
);

-- Department licence-signing keys, and the region's own keys (uscc NULL).
CREATE TABLE signing_keys (
  key_id                text PRIMARY KEY,
  uscc                  text REFERENCES departments (uscc),
  purpose               text NOT NULL CHECK (purpose IN ('licence_signing', 'timestamping', 'trust_list_signing', 'certificate_signing')),
  algorithm             text NOT NULL,
  certificate           bytea NOT NULL,
  chain                 bytea[] NOT NULL DEFAULT '{}',
  encrypted_private_key bytea NOT NULL,
  state                 text NOT NULL CHECK (state IN ('active', 'retired', 'withdrawn')),
  state_since           timestamptz NOT NULL,
  not_before            timestamptz NOT NULL,
  not_after             timestamptz NOT NULL,
  created_at            timestamptz NOT NULL,
  CHECK (not_before < not_after),
  CHECK (purpose <> 'licence_signing' OR uscc IS NOT NULL)
);
-- Rotation is "retire the old key, add the new one" in one transaction: at most one active key per use.
CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys (COALESCE(uscc, ''), purpose, algorithm) WHERE state = 'active';

CREATE TABLE status_lists (
  list_id    text PRIMARY KEY,
  uscc       text NOT NULL REFERENCES departments (uscc),
  list_no    integer NOT NULL CHECK (list_no > 0),
  capacity   integer NOT NULL CHECK (capacity > 0),
  next_index integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL,
  UNIQUE (uscc, list_no),
  CHECK (next_index >= 0 AND next_index <= capacity)
);

CREATE TABLE licences (
  identifier     text PRIMARY KEY,
  uscc           text NOT NULL REFERENCES departments (uscc),
  type_code      text NOT NULL,
  serial         text NOT NULL,
  version        integer NOT NULL CHECK (version BETWEEN 1 AND 999),
  status         text NOT NULL CHECK (status IN ('valid', 'revoked', 'suspended')),
  status_list_id text NOT NULL REFERENCES status_lists (list_id),
  status_index   integer NOT NULL CHECK (status_index >= 0),
  record         jsonb NOT NULL,
  full_form      text NOT NULL,
  created_at     timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL,
  UNIQUE (uscc, type_code, serial, version),
  UNIQUE (status_list_id, status_index)
);
CREATE INDEX licences_by_department ON licences (uscc, created_at DESC, identifier DESC);
CREATE INDEX licences_record ON licences USING gin (record jsonb_path_ops);

CREATE TABLE licence_events (
  event_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  identifier  text NOT NULL REFERENCES licences (identifier),
  from_status text,
  to_status   text NOT NULL,
  reason      text,
  actor       text NOT NULL,
  at          timestamptz NOT NULL
);
CREATE INDEX licence_events_by_licence ON licence_events (identifier, event_id);

CREATE TABLE idempotency_keys (
  principal          text NOT NULL,
  key                text NOT NULL,
  request_hash       text NOT NULL,
  licence_identifier text,
  response           jsonb,
  created_at         timestamptz NOT NULL,
  completed_at       timestamptz,
  PRIMARY KEY (principal, key)
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);

CREATE TABLE api_keys (
  key_id      text PRIMARY KEY,
  secret_hash bytea NOT NULL UNIQUE,
  role        text NOT NULL CHECK (role IN ('region_admin', 'issuer', 'auditor')),
  uscc        text REFERENCES departments (uscc),
  label       text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL,
  revoked_at  timestamptz,
  CHECK ((role = 'issuer' AND uscc IS NOT NULL) OR (role = 'region_admin' AND uscc IS NULL) OR role = 'auditor')
);

CREATE TABLE audit_log (
  seq        bigint PRIMARY KEY,
  at         timestamptz NOT NULL,
  actor      text NOT NULL,
  action     text NOT NULL,
  subject    text NOT NULL,
  details    jsonb NOT NULL,
  prev_hash  text NOT NULL,
  entry_hash text NOT NULL
);
-- The chain head: appenders lock this one row, so appends from all processes form one chain.
CREATE TABLE audit_head (
  singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  seq        bigint NOT NULL,
  entry_hash text NOT NULL
);
INSERT INTO audit_head (singleton, seq, entry_hash) VALUES (true, 0, repeat('0', 64));

-- Defence in depth: the application never changes or deletes audit entries (the hash chain detects it anyway).
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

-- Fixed-window counters shared by all node processes. Losing them in a crash is harmless.
CREATE UNLOGGED TABLE rate_limit_buckets (
  bucket       text NOT NULL,
  window_start timestamptz NOT NULL,
  hits         integer NOT NULL,
  PRIMARY KEY (bucket, window_start)
);
`;
