/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 *
 * Who may undo what (docs/adr/0005, "Licence lifecycle precedence"), every
 * cell through a real node: the licence's status and who set it × the caller
 * × the action, then the department's state × the caller × the action.
 */
import { loadSampleLicenses } from '../../../src/demo/sampleDraft';
import { http, type HttpResult } from '../helpers/http';
import { startTestNode, type TestNode } from '../helpers/startTestNode';

type Action = 'suspend' | 'reinstate' | 'revoke';
type Actor = 'issuer' | 'admin';
type Outcome = 200 | 'LICENSE_STATE_CONFLICT' | 'LICENSE_STATUS_SET_BY_REGION' | 'DEPARTMENT_NOT_ACTIVE' | 'FORBIDDEN';
const ACTIONS: readonly Action[] = ['suspend', 'reinstate', 'revoke'];
const STATUS_AFTER: Record<Action, string> = { suspend: 'suspended', reinstate: 'valid', revoke: 'revoked' };

/** How a licence gets into each starting state: the status changes made after issuance, in order. */
const START: Record<string, Array<[Actor, Action]>> = {
  'valid since issuance': [],
  'suspended by its department': [['issuer', 'suspend']],
  'suspended by the region': [['admin', 'suspend']],
  'reinstated by the region': [['issuer', 'suspend'], ['admin', 'reinstate']],
  'reinstated by its department': [['issuer', 'suspend'], ['issuer', 'reinstate']],
  'revoked by its department': [['issuer', 'revoke']],
  'revoked by the region': [['admin', 'revoke']],
};

const C = 'LICENSE_STATE_CONFLICT';
const R = 'LICENSE_STATUS_SET_BY_REGION';
/** The table of the ADR, written out: department active, the issuer acting for its own department. */
const EXPECTED: Record<string, Record<Actor, Record<Action, Outcome>>> = {
  'valid since issuance': { issuer: { suspend: 200, reinstate: C, revoke: 200 }, admin: { suspend: 200, reinstate: C, revoke: 200 } },
  'suspended by its department': { issuer: { suspend: C, reinstate: 200, revoke: 200 }, admin: { suspend: C, reinstate: 200, revoke: 200 } },
  'suspended by the region': { issuer: { suspend: C, reinstate: R, revoke: R }, admin: { suspend: C, reinstate: 200, revoke: 200 } },
  'reinstated by the region': { issuer: { suspend: R, reinstate: C, revoke: R }, admin: { suspend: 200, reinstate: C, revoke: 200 } },
  'reinstated by its department': { issuer: { suspend: 200, reinstate: C, revoke: 200 }, admin: { suspend: 200, reinstate: C, revoke: 200 } },
  'revoked by its department': { issuer: { suspend: C, reinstate: C, revoke: C }, admin: { suspend: C, reinstate: C, revoke: C } },
  'revoked by the region': { issuer: { suspend: C, reinstate: C, revoke: C }, admin: { suspend: C, reinstate: C, revoke: C } },
};

let node: TestNode;
let serial = 0;
const A = '11350100DM00000133'; // business licences
const B = '11350100DM0000021X'; // marriage certificates

beforeAll(async () => {
  node = await startTestNode();
}, 180_000);
afterAll(() => node?.close(), 60_000);

const keyOf = (actor: Actor | 'other issuer' | 'auditor', uscc = A): string =>
  actor === 'admin' ? node.keys.admin : actor === 'auditor' ? node.keys.auditor : actor === 'other issuer' ? node.keys.issuerOf(uscc === A ? B : A) : node.keys.issuerOf(uscc);

/** Issues a fresh licence of the department (a new certificate number each time, so none replaces another). */
async function issue(uscc = A): Promise<string> {
  const slug = uscc === A ? 'business-licence' : 'marriage-certificate';
  const draft = JSON.parse(JSON.stringify(loadSampleLicenses().find((s) => s.slug === slug)!.draft)) as Record<string, unknown>;
  const n = String(++serial).padStart(4, '0');
  draft['certificateNumber'] = uscc === A ? `35010200020240315${n}` : `J350102-2024-00${n}`;
  const r = await http(node.url, 'POST', '/v1/licenses', { key: node.keys.issuerOf(uscc), json: { type: slug, data: draft } });
  if (r.status !== 201) throw new Error(`issuing for ${uscc}: ${r.status} ${r.text.slice(0, 300)}`);
  return (r.body as { license: { certificateIdentifier: string } }).license.certificateIdentifier;
}

const act = (key: string, identifier: string, action: Action): Promise<HttpResult> =>
  http(node.url, 'POST', `/v1/licenses/${encodeURIComponent(identifier)}/${action}`, { key, json: { reason: `lifecycle test: ${action}` } });

async function prepare(steps: Array<[Actor, Action]>, uscc = A): Promise<string> {
  const id = await issue(uscc);
  for (const [actor, action] of steps) {
    const r = await act(keyOf(actor, uscc), id, action);
    if (r.status !== 200) throw new Error(`setting up ${actor} ${action}: ${r.status} ${r.text}`);
  }
  return id;
}

const eventsOf = async (id: string) => (await http(node.url, 'GET', `/v1/licenses/${encodeURIComponent(id)}/events`, { key: node.keys.auditor })).body.events as unknown[];

/** The outcome of a call as the table spells it; a refusal must be problem+json and change nothing. */
async function outcomeOf(r: HttpResult, id: string, eventsBefore: number): Promise<Outcome | string> {
  if (r.status === 200) return 200;
  const problem = r.headers.get('content-type')?.includes('application/problem+json') ? '' : ' (not problem+json)';
  const unchanged = (await eventsOf(id)).length === eventsBefore ? '' : ' (but the status changed)';
  const expectedStatus = r.body?.code === 'LICENSE_STATUS_SET_BY_REGION' || r.body?.code === 'FORBIDDEN' ? 403 : 409;
  return `${r.body?.code}${r.status === expectedStatus ? '' : ` (HTTP ${r.status})`}${problem}${unchanged}`;
}

describe('licence lifecycle precedence: status and who set it × caller × action', () => {
  for (const [start, steps] of Object.entries(START)) {
    it(`a licence ${start}`, async () => {
      const seen: Record<string, Record<string, Outcome | string>> = {};
      for (const actor of ['issuer', 'admin'] as const) {
        for (const action of ACTIONS) {
          const id = await prepare(steps);
          const before = (await eventsOf(id)).length;
          const r = await act(keyOf(actor), id, action);
          ((seen[actor] ??= {})[action] = await outcomeOf(r, id, before));
          if (r.status === 200) expect(r.body.status).toBe(STATUS_AFTER[action]);
        }
      }
      expect(seen).toEqual(EXPECTED[start]);
    }, 120_000);
  }

  it('an issuer of another department, and an auditor, change nothing (403 FORBIDDEN)', async () => {
    const id = await prepare([['issuer', 'suspend']]);
    for (const who of ['other issuer', 'auditor'] as const) {
      for (const action of ACTIONS) {
        const r = await act(keyOf(who), id, action);
        expect({ who, action, outcome: await outcomeOf(r, id, 2) }).toEqual({ who, action, outcome: 'FORBIDDEN' });
      }
    }
  });

  it('a region suspension racing the department\'s revocation: one wins, the other is refused as the table says', async () => {
    for (let round = 0; round < 6; round++) {
      const id = await issue();
      const [admin, issuer] = await Promise.all([act(keyOf('admin'), id, 'suspend'), act(keyOf('issuer'), id, 'revoke')]);
      const pair = [admin.status === 200 ? 200 : admin.body.code, issuer.status === 200 ? 200 : issuer.body.code];
      // Admin first: the issuer meets a region-held status. Issuer first: a revoked licence is final.
      expect([[200, R], [C, 200]]).toContainEqual(pair);
      expect((await eventsOf(id)).length).toBe(2);
    }
  });

  it('the licence events name the key that set each status', async () => {
    const id = await prepare([['issuer', 'suspend'], ['admin', 'reinstate']]);
    const events = (await http(node.url, 'GET', `/v1/licenses/${encodeURIComponent(id)}/events`, { key: node.keys.admin })).body.events as Array<{ to: string; actor: string }>;
    expect(events.map((e) => e.to)).toEqual(['valid', 'suspended', 'valid']);
    expect(new Set(events.map((e) => e.actor)).size).toBe(2);
  });
});

describe('licence lifecycle precedence: the department\'s state × caller × action', () => {
  const setDepartment = async (action: 'suspend' | 'reinstate' | 'withdraw') => {
    const r = await http(node.url, 'POST', `/v1/departments/${B}/${action}`, { key: node.keys.admin, json: { reason: `lifecycle test: ${action}` } });
    expect(r.status).toBe(200);
  };
  /** A valid and a suspended licence of B for each action, made while B is active. */
  const stock = async () => {
    const out: Record<Action, string> = {} as Record<Action, string>;
    for (const action of ACTIONS) out[action] = await prepare(action === 'reinstate' ? [['issuer', 'suspend']] : [], B);
    return out;
  };

  it.each([['suspended', 'suspend'], ['withdrawn', 'withdraw']] as const)(
    'a %s department\'s issuer key changes no licence (409 DEPARTMENT_NOT_ACTIVE); the region admin still may',
    async (_state, departmentAction) => {
      const forIssuer = await stock();
      const forAdmin = await stock();
      await setDepartment(departmentAction);
      try {
        for (const action of ACTIONS) {
          const id = forIssuer[action];
          const before = (await eventsOf(id)).length;
          const r = await act(keyOf('issuer', B), id, action);
          expect({ action, outcome: await outcomeOf(r, id, before) }).toEqual({ action, outcome: 'DEPARTMENT_NOT_ACTIVE' });
        }
        for (const action of ACTIONS) {
          const r = await act(keyOf('admin', B), forAdmin[action], action);
          expect({ action, status: r.status, to: r.body.status }).toEqual({ action, status: 200, to: STATUS_AFTER[action] });
        }
      } finally {
        if (departmentAction === 'suspend') await setDepartment('reinstate');
      }
      if (departmentAction === 'suspend') {
        // Active again: the department's key acts again.
        for (const action of ACTIONS) expect((await act(keyOf('issuer', B), forIssuer[action], action)).status).toBe(200);
      }
    },
    120_000,
  );
});
