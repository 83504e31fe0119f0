/**
 * Changes announced to every node process.
 *
 * - Licence status: a counter bumped by every statement that changes a
 *   licence's status, and a NOTIFY on channel `elicense_status` (sent at
 *   commit), so that every process can keep the region's licence states in
 *   memory and hear at once when another process changed one.
 * - Peer documents: the federation version moves only when a document's
 *   content changes (sequence or body), not when a 304 confirms the copy we
 *   hold (fetched_at), so a sync round with nothing new makes no process
 *   rebuild its peer trust.
 */
export const sql = `
CREATE TABLE status_version (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  version   bigint NOT NULL
);
INSERT INTO status_version (singleton, version) VALUES (true, 0);

CREATE FUNCTION bump_status_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE status_version SET version = version + 1 WHERE singleton;
  PERFORM pg_notify('elicense_status', '');
  RETURN NULL;
END;
$$;
CREATE TRIGGER licences_status_version AFTER UPDATE OF status ON licences
  FOR EACH STATEMENT EXECUTE FUNCTION bump_status_version();

DROP TRIGGER peer_documents_federation_version ON peer_documents;
CREATE TRIGGER peer_documents_federation_version AFTER INSERT OR DELETE OR UPDATE OF sequence, body ON peer_documents
  FOR EACH STATEMENT EXECUTE FUNCTION bump_federation_version();
`;
