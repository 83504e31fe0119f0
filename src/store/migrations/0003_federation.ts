/**
 * Federation (issue 5): what this node publishes and what it keeps of its peers.
 *
 * - `status_lists.version` is bumped whenever a licence on the list changes
 *   status, so the signed status list is regenerated (by whichever process
 *   serves it next) without any write on issuance: a new licence's slot is
 *   already "valid" (0) in the bitstring.
 * - `published_documents`: the newest signed document of each kind and id
 *   this node published, with its sequence number (never goes backwards) and
 *   the source version it was built from.
 * - `peer_documents`: the last good copy of every document accepted from a
 *   peer (identified by its pinned root's SHA-256); `federation_version` is
 *   bumped on every change so that each process reloads its peer cache.
 * - `peer_sync_state`: per peer, the last attempt and success, consecutive
 *   failures (back-off) and the last error, for operators.
 */
export const sql = `
ALTER TABLE status_lists ADD COLUMN version bigint NOT NULL DEFAULT 0;

CREATE FUNCTION bump_status_list_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status IS DISTINCT FROM OLD.status THEN
    UPDATE status_lists SET version = version + 1 WHERE list_id = NEW.status_list_id;
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER licences_status_list_version AFTER UPDATE OF status ON licences
  FOR EACH ROW EXECUTE FUNCTION bump_status_list_version();

CREATE TABLE published_documents (
  kind           text NOT NULL CHECK (kind IN ('trust-list', 'status-list', 'recognition-agreement')),
  doc_id         text NOT NULL,
  sequence       bigint NOT NULL CHECK (sequence > 0),
  source_version text NOT NULL,
  issued_at      timestamptz NOT NULL,
  body           text NOT NULL,
  PRIMARY KEY (kind, doc_id)
);

CREATE TABLE peer_documents (
  peer_root_sha256 text NOT NULL,
  kind             text NOT NULL CHECK (kind IN ('trust-list', 'status-list', 'recognition-agreement')),
  doc_id           text NOT NULL,
  sequence         bigint NOT NULL,
  issued_at        timestamptz NOT NULL,
  fetched_at       timestamptz NOT NULL,
  etag             text,
  body             text NOT NULL,
  PRIMARY KEY (peer_root_sha256, kind, doc_id)
);

CREATE TABLE peer_sync_state (
  peer_root_sha256     text PRIMARY KEY,
  base_url             text NOT NULL,
  region_code          text,
  region_name          text,
  last_attempt_at      timestamptz,
  last_success_at      timestamptz,
  consecutive_failures integer NOT NULL DEFAULT 0,
  next_attempt_at      timestamptz,
  last_error_code      text,
  last_error_message   text
);

CREATE TABLE federation_version (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  version   bigint NOT NULL
);
INSERT INTO federation_version (singleton, version) VALUES (true, 0);
CREATE FUNCTION bump_federation_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE federation_version SET version = version + 1 WHERE singleton;
  RETURN NULL;
END;
$$;
CREATE TRIGGER peer_documents_federation_version AFTER INSERT OR UPDATE OR DELETE ON peer_documents
  FOR EACH STATEMENT EXECUTE FUNCTION bump_federation_version();
`;
