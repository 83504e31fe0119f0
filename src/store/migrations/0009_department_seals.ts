/**
 * Issue 14: each department's seal image (PNG, validated by the region before
 * it is stored), printed on the PDF form of the licences it issues. One row a
 * department; replacing the seal replaces the row (the audit log keeps the
 * SHA-256 of every seal that was ever registered).
 */
export const sql = `
CREATE TABLE department_seals (
  uscc        text PRIMARY KEY REFERENCES departments (uscc),
  png         bytea NOT NULL,
  sha256      text NOT NULL,
  width       integer NOT NULL,
  height      integer NOT NULL,
  updated_at  timestamptz NOT NULL
);
`;
