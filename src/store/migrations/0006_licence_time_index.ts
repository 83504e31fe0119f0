/**
 * Issuance counts by time (GET /v1/statistics, the operator dashboard) read
 * licences by created_at. Licences are appended in time order, so a BRIN
 * index (a few pages for millions of rows, next to nothing per insert) lets
 * those reads skip everything outside the asked window without slowing
 * issuance the way a B-tree on a hot insert column would.
 */
export const sql = `
CREATE INDEX licences_created_at_brin ON licences USING brin (created_at);
`;
