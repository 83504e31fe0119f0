import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../scripts/bench/childNode';
import { parseCertificate } from '../../src/pki/certificate/ParsedCertificate';
import { repoPath } from '../../src/repoPath';
import { http } from '../node/helpers/http';
import { freshStorage, startTestNode, type TestNode, type TestStorage } from '../node/helpers/startTestNode';

export const A_REGION = '350000';
export const B_REGION = '440000';

/** Two real nodes, each the other's pinned peer: A = the demo region 福建 (350000), B = 广东 (440000). */
export interface MutualRegions {
  a: TestNode;
  b: TestNode;
  /** A's port (A is restarted on it once B is up, so B's configuration can name it first). */
  portA: number;
  /** One sync round of a node with its peer, asserted to succeed. */
  sync(node: TestNode): Promise<void>;
  close(): Promise<void>;
}

/** SHA-256 of a node's region root: what a peer pins. */
export async function rootOf(node: TestNode): Promise<string> {
  const region = await node.services.stores.region.get(node.services.db);
  return parseCertificate(region!.rootCertificate).fingerprint;
}

/**
 * Starts A, then B with A as its peer (and `recognition`, B's rules for A's types), then A again on the same port
 * and data with B as its peer, and syncs A once. The tests of departments of peer regions (signed requests,
 * grants and presentations across regions, consuming departments) share it.
 */
export async function startMutualRegions(opts: { recognition?: readonly { peerTypeCode: string; localTypeCode: string }[] } = {}): Promise<MutualRegions> {
  const storageA: TestStorage = await freshStorage();
  const portA = await freePort();
  const startA = (env: Record<string, string> = {}) => startTestNode({ reuse: { dataDir: storageA.dataDir, databaseUrl: storageA.databaseUrl }, env: { PORT: String(portA), ...env } });
  let a = await startA();
  const cfgB = join(storageA.dataDir, 'federation-b.json');
  writeFileSync(
    cfgB,
    JSON.stringify({
      peers: [{ baseUrl: `http://127.0.0.1:${portA}`, rootSha256: await rootOf(a), regionCode: A_REGION, label: 'Fujian' }],
      ...(opts.recognition ? { recognition: opts.recognition.map((r) => ({ peerRegion: A_REGION, ...r, maxStatusAgeSeconds: 3600 })) } : {}),
      requestTimeoutMs: 3000,
      autoSync: false,
    }),
  );
  const b = await startTestNode({ env: { ELICENSE_FEDERATION_FILE: cfgB, ELICENSE_DEMO_CEREMONY: repoPath('fixtures', 'ceremony', 'demo-region-guangdong.json') } });
  await a.close();
  const cfgA = join(storageA.dataDir, 'federation-a.json');
  writeFileSync(cfgA, JSON.stringify({ peers: [{ baseUrl: b.url, rootSha256: await rootOf(b), regionCode: B_REGION, label: 'Guangdong' }], requestTimeoutMs: 3000, autoSync: false }));
  a = await startA({ ELICENSE_FEDERATION_FILE: cfgA });
  const sync = async (node: TestNode): Promise<void> => {
    const r = await http(node.url, 'POST', '/v1/federation/sync', { key: node.keys.admin, json: {} });
    expect(r.status).toBe(200);
    expect(r.body.peers[0]).toMatchObject({ ok: true, errors: [] });
  };
  await sync(a);
  return {
    a,
    b,
    portA,
    sync,
    close: async () => {
      await b.close();
      await a.close();
      await storageA.remove();
    },
  };
}
