/**
 * Issue 15, the holder's side (docs/adr/0012): presentations (亮证) as
 * single-use pointers, grants (授权用证) with a one-time authorisation code of
 * which only the SHA-256 is kept, annotated copies (加注件) for their limits and
 * revocation, and the usage log every holder of a licence reads their uses in.
 */
export const sql = `
CREATE TABLE holder_presentations (
  presentation_id    text PRIMARY KEY,
  licence_identifier text NOT NULL REFERENCES licences (identifier),
  holder_code        text NOT NULL,
  created_at         timestamptz NOT NULL,
  expires_at         timestamptz NOT NULL,
  redeemed_at        timestamptz,
  CHECK (created_at < expires_at)
);
CREATE INDEX holder_presentations_by_expiry ON holder_presentations (expires_at);

CREATE TABLE holder_grants (
  grant_id           text PRIMARY KEY,
  code_sha256        text NOT NULL UNIQUE,
  holder_code        text NOT NULL,
  licence_identifier text REFERENCES licences (identifier),
  type_code          text,
  department_region  text NOT NULL,
  department_uscc    text NOT NULL,
  service_item_name  text NOT NULL,
  service_item_code  text,
  case_number        text NOT NULL,
  created_at         timestamptz NOT NULL,
  expires_at         timestamptz NOT NULL,
  max_uses           integer NOT NULL CHECK (max_uses > 0),
  uses               integer NOT NULL DEFAULT 0 CHECK (uses >= 0),
  redeemed_at        timestamptz,
  revoked_at         timestamptz,
  CHECK ((licence_identifier IS NULL) <> (type_code IS NULL)),
  CHECK (created_at < expires_at),
  CHECK (uses <= max_uses)
);
CREATE INDEX holder_grants_by_holder ON holder_grants (holder_code, created_at DESC);

CREATE TABLE annotated_copies (
  copy_id            text PRIMARY KEY,
  licence_identifier text NOT NULL REFERENCES licences (identifier),
  holder_code        text NOT NULL,
  purpose            text NOT NULL,
  user_department    jsonb NOT NULL,
  made_at            timestamptz NOT NULL,
  not_after          timestamptz NOT NULL,
  revoked_at         timestamptz,
  document           text NOT NULL,
  CHECK (made_at < not_after)
);
CREATE INDEX annotated_copies_by_licence ON annotated_copies (licence_identifier, holder_code, not_after);

-- Who used a licence, when and for what: every holder of the licence sees the event (holder_codes).
CREATE TABLE usage_events (
  event_id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at                 timestamptz NOT NULL,
  kind               text NOT NULL CHECK (kind ~ '^[a-z_]{1,40}$'),
  licence_identifier text NOT NULL,
  holder_codes       text[] NOT NULL,
  actor_kind         text NOT NULL CHECK (actor_kind ~ '^[a-z_]{1,40}$'),
  actor_region       text,
  actor_uscc         text,
  actor_name         text,
  purpose            text,
  service_item_name  text,
  service_item_code  text,
  case_number        text,
  grant_id           text,
  copy_id            text,
  presentation_id    text
);
CREATE INDEX usage_events_by_holder ON usage_events USING gin (holder_codes);
CREATE INDEX usage_events_by_actor ON usage_events (actor_uscc, event_id);
`;
