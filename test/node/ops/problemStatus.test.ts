import { ERROR_CODES, ElicenseError, type ErrorCode } from '../../../src/errors';
import { statusOf, toProblem } from '../../../src/http/problem';

/** Faults of the node itself (its configuration, stored keys, rendering), passing ones (database, start-up, busy decoders), or a peer node's (502). */
const SERVER_FAULTS: Readonly<Record<string, number>> = {
  INTERNAL: 500,
  KEY_DECRYPT_FAILED: 500,
  PDF_RENDER_FAILED: 500,
  FONT_INVALID: 500,
  STANDARD_INVALID: 500,
  CONFIG_INVALID: 500,
  TRUST_MATERIAL_INVALID: 500,
  FEDERATION_CONFIG_INVALID: 500,
  STORE_MIGRATION_INVALID: 500,
  STORE_UNAVAILABLE: 503,
  NOT_READY: 503,
  IMAGE_DECODER_BUSY: 503,
  REGION_NOT_SET_UP: 503,
  VERIFIER_UNAVAILABLE: 503,
  // A peer region's node, as this node met it on a department's behalf (docs/adr/0006, "Departments of peer regions").
  PEER_UNREACHABLE: 502,
  PEER_ANSWER_INVALID: 502,
  PEER_REFUSED: 502,
};

describe('error code → HTTP status', () => {
  it('has a status for every code, none left to a default', () => {
    const missing = ERROR_CODES.filter((code) => !Number.isInteger(statusOf(code)) || statusOf(code) < 400 || statusOf(code) > 599);
    expect(missing).toEqual([]);
    for (const code of ERROR_CODES) expect([code, toProblem(new ElicenseError(code, 'x'), undefined).status]).toEqual([code, statusOf(code)]);
  });

  it('answers the server faults with 5xx, and only them', () => {
    for (const [code, status] of Object.entries(SERVER_FAULTS)) expect([code, statusOf(code as ErrorCode)]).toEqual([code, status]);
    const fivexx = ERROR_CODES.filter((code) => statusOf(code) >= 500);
    expect([...fivexx].sort()).toEqual(Object.keys(SERVER_FAULTS).sort());
  });

  it('keeps the statuses the routes have always answered for bad input', () => {
    expect(statusOf('INPUT_MALFORMED')).toBe(400);
    expect(statusOf('SCHEMA_INVALID')).toBe(422);
    expect(statusOf('TEXT_CONTROL_CHARACTER')).toBe(422);
    expect(statusOf('BATCH_TOO_LARGE')).toBe(413);
    expect(statusOf('INPUT_TOO_LARGE')).toBe(413);
  });

  it('hides nothing but a thrown value that is no ElicenseError: a 500 that reveals nothing', () => {
    expect(toProblem(new Error('secret path /etc/x'), 'r1')).toMatchObject({ status: 500, code: 'INTERNAL', detail: 'internal error' });
  });
});
