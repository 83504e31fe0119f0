/**
 * The licences of a status list that are not valid — what a status list
 * document and each node process's in-memory states are built from — found
 * without reading the list's valid licences (up to 131,072 per list): a
 * partial index that holds only revoked and suspended licences.
 */
export const sql = `
CREATE INDEX licences_not_valid ON licences (status_list_id, status_index) WHERE status <> 'valid';
`;
