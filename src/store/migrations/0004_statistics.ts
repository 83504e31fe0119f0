/**
 * Verification counts for the operator dashboard (GET /v1/statistics).
 *
 * Verifications leave no row of their own (they are public, anonymous and
 * benchmarked), so each node process adds up its answers in memory and adds
 * them here in one batched upsert every few seconds and on shutdown. A row is
 * one UTC hour × issuing region × licence type × issuing department × result;
 * several processes add to the same rows. Issuance counts come from the
 * licences table itself.
 */
export const sql = `
CREATE TABLE verification_counts (
  bucket        timestamptz NOT NULL CHECK (extract(epoch FROM bucket)::bigint % 3600 = 0),
  issuer_region text NOT NULL,
  type_code     text NOT NULL,
  issuer_uscc   text NOT NULL,
  result        text NOT NULL CHECK (result IN ('accepted', 'rejected')),
  count         bigint NOT NULL CHECK (count > 0),
  PRIMARY KEY (bucket, issuer_region, type_code, issuer_uscc, result)
);
`;
