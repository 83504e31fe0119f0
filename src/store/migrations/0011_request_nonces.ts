/**
 * Issue 15, item 5: the jti of every signed request a department of a peer
 * region made to this node (docs/adr/0006, "Departments of peer regions").
 * A jti is taken once: the insert that finds it already there is a replay.
 * A row is needed only until the request could no longer be accepted anyway
 * (its exp plus the tolerated clock skew, `keep_until`); rows past that are
 * deleted as new requests arrive.
 */
export const sql = `
CREATE TABLE request_nonces (
  region      text NOT NULL,
  jti         text NOT NULL,
  uscc        text NOT NULL,
  seen_at     timestamptz NOT NULL,
  keep_until  timestamptz NOT NULL,
  PRIMARY KEY (region, jti)
);
CREATE INDEX request_nonces_keep_until ON request_nonces (keep_until);
`;
