/**
 * Issue 10, in one schema step so that the parts built side by side share it:
 *
 * - Honest issuance: a licence's certificate number (from the signed record)
 *   as a column, indexed per issuer and type, so a second valid licence for
 *   the same number is found (and refused) inside the issuing transaction;
 *   the licence a re-issue (换发/补发) replaces and the one that replaced it.
 * - Reading is not signing: the rendered and signed forms of a licence (PDF,
 *   QR PNG/SVG/text), stored once per licence, signing key and form, then
 *   served byte-identical to every reader.
 * - Federation identity: the region a peer's root is pinned to (from the
 *   federation file, or fixed by the first trust list accepted under it).
 */
export const sql = `
ALTER TABLE licences ADD COLUMN certificate_number text GENERATED ALWAYS AS (record->>'certificateNumber') STORED;
ALTER TABLE licences ADD COLUMN replaces text REFERENCES licences (identifier);
ALTER TABLE licences ADD COLUMN replaced_by text REFERENCES licences (identifier);
CREATE INDEX licences_by_number ON licences (uscc, type_code, certificate_number) WHERE status <> 'revoked';

CREATE TABLE licence_forms (
  identifier   text NOT NULL REFERENCES licences (identifier),
  key_id       text NOT NULL,
  form         text NOT NULL,
  content_type text NOT NULL,
  body         bytea NOT NULL,
  sha256       text NOT NULL,
  created_at   timestamptz NOT NULL,
  PRIMARY KEY (identifier, key_id, form)
);

ALTER TABLE peer_sync_state ADD COLUMN pinned_region_code text;
`;
